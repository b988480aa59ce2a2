"""Facts: what an initiative's events add up to at a moment (the fold of its log).

Events are applied in time order (`at`, then append order), so that a fact recorded
late for an earlier date still lands where it belongs. The fold is plain Python on
purpose: it runs once per initiative in a portfolio status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from cooperation.engine.events import MOVE_KINDS, Event
from cooperation.engine.payloads import (
    AccountBoundData,
    AttestationGivenData,
    ConditionWaivedData,
    EvidenceRecordedData,
    FactWithdrawnData,
    InitiativeClosedData,
    InitiativeCreatedData,
    InitiativeRenamedData,
    MeetingHeldData,
    MoveData,
    OutreachDoneData,
    ParticipantJoinedData,
    ParticipantLeftData,
    RoleChangedData,
    ScoreSetData,
    TrustBreachedData,
)


@dataclass(slots=True)
class Participant:
    name: str
    community: str
    role: str
    organisation: str | None
    joined: datetime
    active: bool = True


@dataclass(slots=True)  # read-only by convention: frozen ones are slower to create
class Meeting:
    at: datetime
    attendees: tuple[str, ...]
    neutral: bool


@dataclass(slots=True)  # read-only by convention: frozen ones are slower to create
class Evidence:
    at: datetime
    text: str
    tlp: str
    link: str | None
    by: str | None


@dataclass(slots=True)  # read-only by convention: frozen ones are slower to create
class Waiver:
    at: datetime
    rationale: str
    by: str | None


@dataclass(slots=True)  # read-only by convention: frozen ones are slower to create
class Outreach:
    """An approach to a stakeholder community: when, where, by whom, with what result."""

    at: datetime
    venue: str | None
    result: str | None
    by: str | None
    tlp: str


@dataclass(slots=True)  # read-only by convention: frozen ones are slower to create
class Move:
    at: datetime
    kind: str
    source: str
    target: str
    by: str | None
    detail: str = ""
    transition: str | None = None  # the workflow transition taken, if not a plain advance


@dataclass(slots=True)  # read-only by convention: frozen ones are slower to create
class Closure:
    """How an initiative was closed: withdrawn (it should never have been) or archived (it is over)."""

    state: str
    at: datetime
    reason: str
    by: str | None


@dataclass(frozen=True, slots=True)
class InvalidMove:
    """A move in the log that did not fit when it was made (`cooperation.engine.rejudge`): not honoured."""

    seq: int
    kind: str
    at: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "at": self.at, "why": self.why}


@dataclass(slots=True)
class Facts:
    """The state of one initiative, folded from its events."""

    initiative: str
    name: str = ""
    workflow: str = ""
    created: datetime | None = None
    stage: str = ""
    stage_since: datetime | None = None
    version: int = 0
    last_event: datetime | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    meetings: list[Meeting] = field(default_factory=list)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    # condition -> participant -> when they (last) attested; voided by a trust breach
    attestations: dict[str, dict[str, datetime]] = field(default_factory=dict)
    waivers: dict[str, Waiver] = field(default_factory=dict)
    # parameter -> history of (when, level), in time order
    scores: dict[str, list[tuple[datetime, int]]] = field(default_factory=dict)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    breaches: list[tuple[datetime, str]] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    outreach: dict[str, list[Outreach]] = field(default_factory=dict)  # community -> approaches, in time order
    handed_off_to: dict[str, Any] | None = None
    moments: list[datetime] = field(default_factory=list)  # of every event applied, in order
    # corrections (issue 15); None and () until one is applied, so that a fold pays nothing for them
    withdrawn: dict[int, datetime] | None = None  # seq of a withdrawn fact -> when it was withdrawn
    aliases: tuple[str, ...] = ()  # ids it was also given, in order
    closed: Closure | None = None
    workflow_changed: dict[str, Any] | None = None  # the data of the last workflow_changed applied
    creator: str | None = None  # who recorded its creation: the first participant, as owner
    accounts: dict[str, str] = field(default_factory=dict)  # participant -> the account bound to them
    invalid_moves: list[InvalidMove] = field(default_factory=list)  # moves in the log not honoured

    def active_participants(self) -> list[Participant]:
        return [participant for participant in self.participants.values() if participant.active]

    def score(self, parameter: str) -> int | None:
        history = self.scores.get(parameter)
        return history[-1][1] if history else None


def time_ordered(events: Sequence[Event]) -> list[Event]:
    """Events (given in log order) in the order the fold applies them: by moment, then by place in the log."""
    # Canonical `at` texts sort in time order, so a log whose texts already ascend (the
    # usual case) needs no sort; ties keep their place in the log.
    texts = [event.at for event in events]
    if texts == sorted(texts):
        return list(events)
    return sorted(events, key=_MOMENT_THEN_PLACE)


_MOMENT_THEN_PLACE = attrgetter("moment", "seq")  # one call in C per event, not a lambda's frame


def fold(initiative: str, events: Sequence[Event], *, start: str, until: datetime | None = None) -> Facts:
    """Apply events (already in time order) up to and including `until`; `start` is the first stage.

    A fact withdrawn by then is left out altogether: from its withdrawal on, it is as if it
    had never been recorded (before it, as `until` earlier than the withdrawal, it counts).
    """
    facts = Facts(initiative, stage=start)
    for event in events:
        at = event.moment
        if until is not None and at > until:
            break
        apply(facts, event, at)
    if facts.withdrawn:  # rare: fold again, without what was withdrawn
        withdrawn = facts.withdrawn
        facts = Facts(initiative, stage=start)
        for event in events:
            at = event.moment
            if until is not None and at > until:
                break
            if event.seq not in withdrawn:
                apply(facts, event, at)
    return facts


def apply(facts: Facts, event: Event, at: datetime) -> None:
    """Apply one event to the facts, in place."""
    # The data is typed per kind where the kind is matched: an annotated name costs nothing,
    # a call to `payload` per event would cost the fold of a large registry.
    data: Any = event.data
    kind = event.kind
    if event.seq > facts.version:  # noqa: PLR1730  # not max(): a call per event costs the fold of a registry
        facts.version = event.seq
    facts.last_event = at
    facts.moments.append(at)
    if kind == "evidence_recorded":
        evidence: EvidenceRecordedData = data
        facts.evidence.setdefault(evidence["condition"], []).append(
            Evidence(at, evidence["text"], evidence.get("tlp", "TLP:AMBER"), evidence.get("link"), event.by)
        )
    elif kind == "attestation_given":
        attestation: AttestationGivenData = data
        if event.by is not None:
            facts.attestations.setdefault(attestation["condition"], {})[event.by] = at
    elif kind == "participant_joined":
        joined: ParticipantJoinedData = data
        facts.participants[joined["name"]] = Participant(
            joined["name"], joined["community"], joined.get("role", "member"), joined.get("organisation"), at
        )
    elif kind == "participant_left":
        left: ParticipantLeftData = data
        participant = facts.participants.get(left["name"])
        if participant is not None:
            participant.active = False
    elif kind == "meeting_held":
        meeting: MeetingHeldData = data
        facts.meetings.append(Meeting(at, tuple(meeting["attendees"]), bool(meeting.get("neutral", False))))
    elif kind == "score_set":
        score: ScoreSetData = data
        facts.scores.setdefault(score["parameter"], []).append((at, score["level"]))
    elif kind == "condition_waived":
        waiver: ConditionWaivedData = data
        facts.waivers[waiver["condition"]] = Waiver(at, waiver["rationale"], event.by)
    elif kind == "output_published":
        facts.outputs.append({"at": at, **data})
    elif kind == "trust_breached":
        breach: TrustBreachedData = data
        facts.breaches.append((at, breach["description"]))
        # Trust given before a breach no longer counts: it has to be earned again.
        facts.attestations.clear()
    elif kind == "initiative_created":
        created: InitiativeCreatedData = data
        facts.name = created["name"]
        facts.workflow = created["workflow"]
        facts.created = at
        facts.stage_since = at
        facts.creator = event.by
    elif kind in MOVE_KINDS:
        _apply_move(facts, event, data, at)
    else:
        _apply_rarer(facts, event, data, at)


def _apply_rarer(facts: Facts, event: Event, data: Any, at: datetime) -> None:
    """The kinds a log holds few of: outreach, workflow changes and corrections (a withdrawal is
    only noted here; `fold` leaves the fact out)."""
    kind = event.kind
    if kind == "outreach_done":
        outreach: OutreachDoneData = data
        facts.outreach.setdefault(outreach["community"], []).append(
            Outreach(at, outreach.get("venue"), outreach.get("result"), event.by, outreach.get("tlp", "TLP:AMBER"))
        )
    elif kind == "workflow_changed":
        facts.workflow = data["workflow"]
        facts.workflow_changed = data
    elif kind == "fact_withdrawn":
        withdrawal: FactWithdrawnData = data
        if facts.withdrawn is None:
            facts.withdrawn = {}
        facts.withdrawn[withdrawal["seq"]] = at
    elif kind == "role_changed":
        change: RoleChangedData = data
        participant = facts.participants.get(change["name"])
        if participant is not None:
            participant.role = change["role"]
    elif kind == "initiative_renamed":
        renamed: InitiativeRenamedData = data
        facts.name = renamed.get("name", facts.name)
        if "alias" in renamed:
            facts.aliases = (*facts.aliases, renamed["alias"])
    elif kind == "initiative_closed":
        closed: InitiativeClosedData = data
        facts.closed = Closure(closed["state"], at, closed["reason"], event.by)
    elif kind == "account_bound":
        bound: AccountBoundData = data
        facts.accounts[bound["participant"]] = bound["account"]


def _apply_move(facts: Facts, event: Event, move: MoveData, at: datetime) -> None:
    target = move.get("to") or facts.stage
    detail = move.get("reason") or move.get("body") or ""
    facts.moves.append(
        Move(at, event.kind, move.get("from") or facts.stage, target, event.by, detail, move.get("transition"))
    )
    if event.kind == "handed_off":
        facts.handed_off_to = {"body": move["body"], "body_kind": move["body_kind"], "at": at}
    facts.stage = target
    facts.stage_since = at
