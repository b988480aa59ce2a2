"""A status as JSON text: compact (one per line, fast) or indented for a person.

`coop status --all --json` writes one status per initiative. Condition results are shared
by initiatives in the same situation (see `cooperation.engine.evaluation`), so each one's JSON is
written once and reused, and so is the text of a whole list of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring  # C-accelerated
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only named in annotations: `InitiativeStatus.to_json` imports this module
    from cooperation.engine.evaluation import ConditionResult
    from cooperation.engine.status import InitiativeStatus
    from cooperation.engine.who import Who

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_CACHE_LIMIT = 50_000
# Keyed by the ids of the results; each entry holds the results themselves, so no id in a
# key can be reused by another object while the entry lives.
_lists: dict[tuple[int, ...], tuple[Sequence[ConditionResult], str]] = {}
# The same for single results: a list that differs from the others by one result (an
# attestation naming its initiative's people, a lapse date) reuses the text of the rest.
_singles: dict[int, tuple[ConditionResult, str]] = {}


def _result(result: ConditionResult) -> str:
    return _dumps(
        {
            "condition": result.condition,
            "title": result.title,
            "kind": result.kind,
            "strength": result.strength,
            "met": result.met,
            "waived": result.waived,
            "blocking": result.blocking,
            "detail": result.detail,
            "progress": result.progress,
            "lapses_on": result.lapses_on,
        }
    )


def _shared_result(result: ConditionResult) -> str:
    found = _singles.get(id(result))
    if found is None:
        if len(_singles) >= _CACHE_LIMIT:
            _singles.clear()
        found = _singles[id(result)] = (result, _result(result))
    return found[1]


def _results(results: Sequence[ConditionResult]) -> str:
    key = tuple(map(id, results))
    found = _lists.get(key)
    if found is None:
        if len(_lists) >= _CACHE_LIMIT:
            _lists.clear()
        found = _lists[key] = (tuple(results), "[" + ",".join(map(_shared_result, results)) + "]")
    return found[1]


def _texts(values: Sequence[str]) -> str:
    return "[" + ",".join(map(encode_basestring, values)) + "]"


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _optional(value: Any) -> str:
    return "null" if value is None else _dumps(value)


def _who(who: dict[str, Who] | None) -> str:
    if who is None:  # a portfolio's status: names are not gathered
        return "null"
    return _dumps(
        {
            condition: {"kind": found.kind, "names": found.names, "could_still": found.could_still}
            for condition, found in who.items()
        }
    )


def status_json(status: InitiativeStatus, *, indent: int | None = None) -> str:
    """The status as JSON: one line, or indented by `indent` spaces."""
    if indent is not None:
        return json.dumps(json.loads(status_json(status)), indent=indent, ensure_ascii=False)
    return "".join(
        (
            '{"initiative":',
            encode_basestring(status.initiative),
            ',"name":',
            encode_basestring(status.name),
            ',"workflow":',
            encode_basestring(status.workflow),
            ',"stage":',
            encode_basestring(status.stage),
            ',"stage_title":',
            encode_basestring(status.stage_title),
            ',"stage_since":',
            _text(status.stage_since),
            ',"next":',
            _text(status.next),
            ',"can_advance":',
            "true" if status.can_advance else "false",
            ',"at_risk":',
            "true" if status.at_risk else "false",
            ',"at_risk_conditions":',
            _texts(status.at_risk_conditions),
            ',"unmet":',
            _results(status.unmet),
            ',"conditions":',
            _results(status.conditions),
            ',"transitions":',
            _texts(status.transitions),
            ',"terminal":',
            "true" if status.terminal else "false",
            ',"handed_off":',
            _optional(status.handed_off),
            ',"version":',
            str(status.version),
            ',"as_of":',
            encode_basestring(status.as_of),
            ',"lapses_on":',
            _text(status.lapses_on),
            ',"last_event":',
            _text(status.last_event),
            ',"who":',
            _who(status.who),
            ',"aliases":',
            "null" if status.aliases is None else _texts(status.aliases),
            ',"closed":',
            _optional(status.closed),
            ',"invalid_moves":',
            _dumps([move.to_json() for move in status.invalid_moves]) if status.invalid_moves else "[]",
            ',"lapse":',
            _optional(status.lapse),
            "}",
        )
    )
