"""A status as JSON text: compact (one per line, fast) or indented for a person.

`coop status --all --json` writes one status per initiative, as each is computed. Condition
results are shared by initiatives in the same situation (see `cooperation.engine.evaluation`),
so each one's JSON is written once and reused; everything is encoded by one encoder built once.
`status_json` writes one initiative's status on its own: it is what a listing writes for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring  # C-accelerated
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only named in annotations: `InitiativeStatus.to_json` imports this module
    from cooperation.engine.evaluation import ConditionResult
    from cooperation.engine.status import InitiativeStatus
    from cooperation.engine.who import Who


def _encoder() -> Callable[[Any], str]:
    """Compact JSON as `json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode` writes it,
    from one C encoder built once (`encode` builds a new one per call); the standard one if it differs."""
    standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return standard
    refuse = json.JSONEncoder().default  # the standard refusal of what JSON cannot hold: TypeError
    chunks = make(None, refuse, encode_basestring, None, ":", ",", False, False, True)

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    sample = {"b": [1, 2.5, None, True, {"z": 'é\n\u2028"', "n": float("inf")}], "a": ""}
    return encode if encode(sample) == standard(sample) else standard


_dumps = _encoder()
_TEXTS_KEPT = 4_096
# The text of each distinct result, keyed by its id: results are shared by initiatives in
# the same situation (see `cooperation.engine.evaluation`), so each is encoded once. Each
# entry holds its result, so no id in a key can be reused by another object while it lives.
# Whole lists are not kept: on a real portfolio hardly two initiatives share one, and their
# texts would fill the memory of a long listing (once 50,000 lists of 9 KB, never reused).
_texts_of: dict[int, tuple[ConditionResult, str]] = {}


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


def _results(results: Sequence[ConditionResult]) -> str:
    """The list as JSON, each result's text encoded once and reused (the memory is bounded)."""
    known, texts = _texts_of.get, []
    for result in results:
        found = known(id(result))
        if found is None:
            if len(_texts_of) >= _TEXTS_KEPT:
                _texts_of.clear()
            found = _texts_of[id(result)] = (result, _result(result))
        texts.append(found[1])
    return "[" + ",".join(texts) + "]"


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
