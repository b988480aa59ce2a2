"""Snapshots: an initiative's judged facts as of its last event, kept so that a read folds only what came after.

A snapshot is the fold of a log's first `seq` events (moves judged as `engine.rejudge` judges
them), written as JSON of the `Facts` fields (versioned, never executable), with the key of the
workflow it was judged by (`workflow_key`). Judged results are never kept: `held` and
`expiring` depend on the moment a status is read.

A snapshot serves a read only when folding the log again would give the same facts: the log
still starts with the events it covers, the workflow is the same version, and what came after
(the tail) is simply later, in time order and in log order, with no correction or workflow
change among it (`resumable`). Anything else folds the whole log, which is always right.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from cooperation import __version__
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.digest import sha256
from cooperation.engine.corrections import CORRECTION_RULES
from cooperation.engine.events import MOMENTS_KEPT, Event
from cooperation.engine.facts import (
    Closure,
    Evidence,
    Facts,
    InvalidMove,
    Meeting,
    Move,
    Outreach,
    Participant,
    Waiver,
)

FORMAT = 1
"""The version of the snapshot's encoding: a snapshot in another is not read (the log is folded)."""

MIN_EVENTS = 1_000
"""A log shorter than this is not snapshotted: folding it costs no more than reading a snapshot does
(measured: at 40 and 200 events a read from a snapshot took as long as a whole fold, at 2,000 about 5% less),
while writing one adds to every append (at 100 events, a third of an `advance`)."""

# Kinds after which facts are not simply the earlier facts plus the new ones: fold the whole log.
_REFOLD_KINDS = frozenset({*CORRECTION_RULES, "workflow_changed"})

_ENCODED_FIELDS = (
    "initiative",
    "name",
    "workflow",
    "created",
    "stage",
    "stage_since",
    "version",
    "last_event",
    "participants",
    "meetings",
    "evidence",
    "attestations",
    "waivers",
    "scores",
    "outputs",
    "breaches",
    "moves",
    "outreach",
    "handed_off_to",
    "moments",
    "withdrawn",
    "aliases",
    "closed",
    "workflow_changed",
    "creator",
    "accounts",
    "invalid_moves",
)
ENABLED = tuple(field.name for field in fields(Facts)) == _ENCODED_FIELDS
"""Whether this encoding knows every field of `Facts`: a field added without it turns snapshots off
(never a snapshot that forgets a fact); `tests/test_snapshots.py` fails until it is encoded."""


class Snapshot(NamedTuple):
    """A stored snapshot: the events it covers (1..seq), the workflow it was judged by, the facts as JSON."""

    seq: int
    workflow_key: str
    body: str


_keys: weakref.WeakKeyDictionary[CompiledWorkflow, str] = weakref.WeakKeyDictionary()


def workflow_key(workflow: CompiledWorkflow) -> str:
    """What identifies a workflow version and the code that judged by it: a stored row made under
    another version of either is not used."""
    found = _keys.get(workflow)
    if found is None:
        digest = sha256(workflow.pickled_definition)
        digest.update(f"|{workflow.id}|{__version__}|{FORMAT}".encode())
        found = _keys[workflow] = digest.hexdigest()[:32]
    return found


def snapshot_of(facts: Facts, workflow: CompiledWorkflow, events: int) -> Snapshot | None:
    """The snapshot to store for a log of `events` events whose judged fold is `facts`; None when not worth it."""
    if not ENABLED or events < MIN_EVENTS or facts.withdrawn:
        return None
    return Snapshot(events, workflow_key(workflow), encode(facts))


def kept_snapshot(loaded: LoadedLike) -> dict[str, list[tuple[str, Snapshot]]]:
    """The snapshot to keep with an append, as the keyword `EventStore.append` takes (none when not
    worth one): the facts of the initiative once its new events are in (`engine.loaded.LoadedInitiative`)."""
    kept = snapshot_rows([loaded])
    return {"snapshots": kept} if kept else {}


def snapshot_rows(initiatives: Iterable[LoadedLike]) -> list[tuple[str, Snapshot]]:
    """The snapshots worth keeping of initiatives whose new events are in, with their ids."""
    rows = []
    for loaded in initiatives:
        kept = snapshot_of(loaded.facts, loaded.created_with or loaded.workflow, loaded.version)
        if kept is not None:
            rows.append((loaded.facts.initiative, kept))
    return rows


class LoadedLike(Protocol):
    """What `kept_snapshot` reads of a loaded initiative."""

    facts: Facts
    workflow: CompiledWorkflow
    created_with: CompiledWorkflow | None
    version: int


def resumable(snapshot: Snapshot | None, ordered: Sequence[Event], log_length: int, until: datetime | None) -> bool:
    """Whether folding from `snapshot` gives what a whole fold of the log gives.

    `ordered`: the log in time order. The tail (events after the snapshot's seq) must each be
    dated no earlier than every event before it, hold no correction or workflow change, and
    nothing may be cut off by `until`."""
    if snapshot is None or not ENABLED or not 0 < snapshot.seq <= log_length:
        return False
    seq = snapshot.seq
    if any(ordered[place].seq > seq for place in range(seq)):
        return False  # a later event sorts among the covered ones: dated before them
    tail = ordered[seq:]
    if any(event.kind in _REFOLD_KINDS for event in tail):
        return False
    return until is None or not ordered or ordered[-1].moment <= until


FOLDS = {"resumed": 0, "whole": 0}
"""How many reads given a snapshot resumed from it, and how many folded the whole log (measured by the benchmark)."""


def resumed(
    snapshot: Snapshot | None, ordered: Sequence[Event], workflow: CompiledWorkflow, until: datetime | None
) -> tuple[Facts, int] | None:
    """The facts to resume folding from and the number of events they cover, or None to fold the whole log.

    `workflow`: the one the log was created with, by which the snapshot must have been judged."""
    if snapshot is None:
        return None
    facts = None
    if resumable(snapshot, ordered, len(ordered), until) and snapshot.workflow_key == workflow_key(workflow):
        facts = decode(snapshot.body)
        if facts is not None and facts.withdrawn:
            facts = None  # its withdrawals are known only as folded again: fold the whole log
    FOLDS["whole" if facts is None else "resumed"] += 1
    return None if facts is None else (facts, snapshot.seq)


# --- encoding ---------------------------------------------------------------------------------


def _at(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


_parsed = lru_cache(maxsize=MOMENTS_KEPT)(datetime.fromisoformat)  # logs share moments: parse each once


def _moment(text: str | None) -> datetime | None:
    return None if text is None else _parsed(text)


def encode(facts: Facts) -> str:
    """The facts as compact JSON: each record a list of its fields, moments as ISO 8601 texts."""
    handed = facts.handed_off_to
    body: dict[str, Any] = {
        "format": FORMAT,
        "head": [
            *(facts.initiative, facts.name, facts.workflow, _at(facts.created), facts.stage),
            *(_at(facts.stage_since), facts.version, _at(facts.last_event), facts.creator),
        ],
        "participants": [
            [p.name, p.community, p.role, p.organisation, _at(p.joined), p.active] for p in facts.participants.values()
        ],
        "meetings": [[_at(m.at), list(m.attendees), m.neutral] for m in facts.meetings],
        "evidence": {
            c: [[_at(e.at), e.text, e.tlp, e.link, e.by] for e in items] for c, items in facts.evidence.items()
        },
        "attestations": {c: {p: _at(at) for p, at in given.items()} for c, given in facts.attestations.items()},
        "waivers": {c: [_at(w.at), w.rationale, w.by] for c, w in facts.waivers.items()},
        "scores": {p: [[_at(at), level] for at, level in history] for p, history in facts.scores.items()},
        "outputs": [{**output, "at": _at(output["at"])} for output in facts.outputs],
        "breaches": [[_at(at), text] for at, text in facts.breaches],
        "moves": [[_at(m.at), m.kind, m.source, m.target, m.by, m.detail, m.transition] for m in facts.moves],
        "outreach": {
            c: [[_at(o.at), o.venue, o.result, o.by, o.tlp] for o in items] for c, items in facts.outreach.items()
        },
        "handed_off_to": None if handed is None else {**handed, "at": _at(handed["at"])},
        "moments": [_at(moment) for moment in facts.moments],
        "withdrawn": None if facts.withdrawn is None else [[s, _at(at)] for s, at in facts.withdrawn.items()],
        "aliases": list(facts.aliases),
        "closed": None if facts.closed is None else [*_closure(facts.closed)],
        "workflow_changed": facts.workflow_changed,
        "accounts": facts.accounts,
        "invalid_moves": [[m.seq, m.kind, m.at, m.why] for m in facts.invalid_moves],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _closure(closed: Closure) -> tuple[str, str | None, str, str | None]:
    return closed.state, _at(closed.at), closed.reason, closed.by


def decode(text: str) -> Facts | None:
    """The facts a snapshot's JSON holds; None for another format (then the log is folded)."""
    body = json.loads(text)
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        return None
    at = _parsed
    initiative, name, workflow, created, stage, stage_since, version, last_event, creator = body["head"]
    facts = Facts(initiative, name, workflow, _moment(created), stage, _moment(stage_since), version)
    facts.last_event, facts.creator = _moment(last_event), creator
    facts.participants = {r[0]: Participant(r[0], r[1], r[2], r[3], at(r[4]), r[5]) for r in body["participants"]}
    facts.meetings = [Meeting(at(row[0]), tuple(row[1]), row[2]) for row in body["meetings"]]
    facts.evidence = {c: [Evidence(at(r[0]), *r[1:]) for r in rows] for c, rows in body["evidence"].items()}
    facts.attestations = {c: {p: at(t) for p, t in given.items()} for c, given in body["attestations"].items()}
    facts.waivers = {c: Waiver(at(r[0]), r[1], r[2]) for c, r in body["waivers"].items()}
    facts.scores = {p: [(at(t), level) for t, level in rows] for p, rows in body["scores"].items()}
    facts.outputs = [{**output, "at": at(output["at"])} for output in body["outputs"]]
    facts.breaches = [(at(t), text) for t, text in body["breaches"]]
    facts.moves = [Move(at(r[0]), *r[1:]) for r in body["moves"]]
    facts.outreach = {c: [Outreach(at(r[0]), *r[1:]) for r in rows] for c, rows in body["outreach"].items()}
    handed = body["handed_off_to"]
    facts.handed_off_to = None if handed is None else {**handed, "at": at(handed["at"])}
    facts.moments = [at(moment) for moment in body["moments"]]
    withdrawn = body["withdrawn"]
    facts.withdrawn = None if withdrawn is None else {seq: at(t) for seq, t in withdrawn}
    facts.aliases = tuple(body["aliases"])
    closed = body["closed"]
    facts.closed = None if closed is None else Closure(closed[0], at(closed[1]), closed[2], closed[3])
    facts.workflow_changed = body["workflow_changed"]
    facts.accounts = body["accounts"]
    facts.invalid_moves = [InvalidMove(*row) for row in body["invalid_moves"]]
    return facts
