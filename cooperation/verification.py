"""Verifying a workflow: which stages can be reached, which conditions met, which moves made.

The load-time checks look at a workflow's shape. This module looks at what it allows,
and proves each answer with a concrete event log (a *witness*) replayed through a real
`Registry` held in memory:

- **Conditions** are analysed one by one. A constructive planner lays out the facts that
  meet a condition at a moment (participants from enough communities, meetings spaced
  over the span, evidence, attestations, scores, waivers), respecting the time windows
  that `held` and `expiring` impose; where no layout can exist it says why (more
  communities than there are, a span longer than a window that expires first, a level
  above the scale, ...). Such a finding is confirmed by replaying the closest layout and
  seeing the condition still unmet.
- **Stages and moves** form a small graph, explored exhaustively: from every reachable
  stage every move (advance or transition) is tried by replaying a witness that reaches
  the stage, records what the move needs and makes it.
- **Random walks** (a seeded `random.Random`, so runs repeat) then drive the engine
  with facts chosen towards the next move and with noise, as a bounded cross-check of the
  analysis on larger workflows: anything a walk reaches counts as reachable.

The findings are stages no sequence of events reaches, conditions that can never be
met, transitions that can never fire, and dead ends that are not terminal stages.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Literal

from cooperation.catalog import builtin_directory, get_workflow
from cooperation.compiled import CompiledWorkflow
from cooperation.definition import (
    AllCondition,
    AnyCondition,
    AttestationCondition,
    EvidenceCondition,
    ExpiringCondition,
    HeldCondition,
    MeetingsCondition,
    ParticipationCondition,
    ScoreCondition,
)
from cooperation.errors import CooperationError
from cooperation.evaluation import ConditionResult
from cooperation.events import Event, parse_at
from cooperation.facts import Facts, fold, time_ordered
from cooperation.registry import Registry
from cooperation.sqlite_store import MEMORY, SqliteStore
from cooperation.status import InitiativeStatus
from cooperation.vocabulary import COMMUNITIES, Role

DAY = 86_400  # seconds: the planner works in whole seconds before the moment of the moves
ANCHOR = datetime(2024, 1, 1, tzinfo=UTC)  # when witnesses make their moves; facts come before
WITNESS_ID = "witness"
MAX_PIECES = 4_000  # a layout needing more refreshes than this is not attempted
NAMES = (
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lea",
    "Max",
    "Nia",
    "Oto",
    "Pia",
    "Quin",
    "Rui",
    "Sol",
    "Tia",
    "Uma",
    "Vic",
    "Wen",
    "Xia",
    "Yan",
    "Zoe",
)
_RATIONALE = "Waived in a verification witness: the engine checks only who waives and the rationale's length."
_MOVE_EVENT = {
    "advance": "stage_advanced",
    "regress": "stage_regressed",
    "escalate": "escalated",
    "hand_off": "handed_off",
}

FindingKind = Literal["unreachable-stage", "impossible-condition", "transition-never-fires", "dead-end"]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "impossible-condition",
    "unreachable-stage",
    "transition-never-fires",
    "dead-end",
)


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One flaw, explained in words, with the event log that shows it."""

    kind: FindingKind
    subject: str  # the stage, condition or transition concerned
    message: str
    hint: str
    witness: tuple[Event, ...]  # the log that reaches the nearest point
    outcome: str  # what replaying the witness shows

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "hint": self.hint,
            "outcome": self.outcome,
            "witness": [event.to_json() for event in self.witness],
        }


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What verifying one workflow found, and how much was explored to find it."""

    workflow: str
    version: str
    source: str
    findings: tuple[Finding, ...]
    reachable: tuple[str, ...]  # stages, in workflow order
    moves_tried: int  # witnesses replayed for moves
    walks: int
    steps: int  # events and moves the random walks attempted
    seed: int
    notes: tuple[str, ...] = ()  # where the random walks corrected the analysis
    stage_witnesses: dict[str, tuple[Event, ...]] = field(default_factory=dict)  # reachable stage -> a log reaching it

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "version": self.version,
            "file": self.source,
            "clean": self.clean,
            "seed": self.seed,
            "explored": {
                "reachable_stages": list(self.reachable),
                "moves_tried": self.moves_tried,
                "random_walks": self.walks,
                "random_steps": self.steps,
            },
            "notes": list(self.notes),
            "findings": [finding.to_json() for finding in self.findings],
        }


# --- moves between stages ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Move:
    """One edge of the stage graph: an advance, or a workflow transition from one of its stages."""

    kind: Literal["advance", "regress", "escalate", "hand_off"]
    source: str
    target: str
    transition: str | None
    roles: tuple[Role, ...]
    needs: tuple[str, ...]
    automatic: bool = False  # taken by the engine itself on an event (a breach of trust)

    @property
    def label(self) -> str:
        if self.transition is None:
            return f"advance {self.source} -> {self.target}"
        return f"'{self.transition}' ({self.source} -> {self.target})"


def moves_from(workflow: CompiledWorkflow, stage: str) -> list[Move]:
    """Every move the workflow defines from `stage`: the advance first, then its transitions."""
    found: list[Move] = []
    following = workflow.next_stage(stage)
    if following is not None:
        found.append(
            Move("advance", stage, following, None, workflow.advance_roles(following), workflow.needs(following))
        )
    for transition in workflow.transitions_from(stage):
        found.append(
            Move(
                transition.kind,
                stage,
                transition.to,
                transition.id,
                workflow.transition_roles(transition.id),
                workflow.transition_needs[transition.id],
                automatic=transition.on_event is not None,
            )
        )
    return found


def apply_move(registry: Registry, initiative: str, move: Move, *, by: str, at: str | None = None) -> None:
    """Make `move` through the registry's API (raises the engine's refusal)."""
    reason = "Recorded by an automated check of the workflow."
    if move.kind == "advance":
        registry.advance(initiative, by=by, at=at)
    elif move.kind == "regress":
        registry.regress(initiative, by=by, reason=reason, transition=move.transition, at=at)
    elif move.kind == "escalate":
        registry.escalate(initiative, by=by, reason=reason, transition=move.transition, at=at)
    else:
        assert move.transition is not None
        kinds = _body_kinds(registry, initiative, move.transition)
        registry.hand_off(
            initiative, by=by, body="Receiving body", body_kind=kinds[0], transition=move.transition, at=at
        )


def _body_kinds(registry: Registry, initiative: str, transition: str) -> list[Any]:
    """The kinds of body a hand-off may go to (all of them when the workflow does not say)."""
    created = registry.history(initiative)[0]
    definition = get_workflow(created.data["workflow"]).transitions[transition]
    return list(definition.body_kinds) or ["standardisation", "legislation", "self-regulation"]


# --- the constructive planner --------------------------------------------------------------------------


class Infeasible(Exception):
    """No layout of facts meets a condition; `proven` when no layout can exist at all."""

    def __init__(self, culprit: str, reason: str, *, proven: bool = True) -> None:
        super().__init__(reason)
        self.culprit = culprit
        self.reason = reason
        self.proven = proven


@dataclass(frozen=True, slots=True)
class _Window:
    """Only facts from `start` (seconds, relative) count, because of expiring condition `owner`."""

    start: int
    owner: str
    days: int


@dataclass(frozen=True, slots=True)
class _Fact:
    offset: int  # seconds relative to the moment of the moves (<= 0)
    kind: str
    data: dict[str, Any]
    by: str | None = None


@dataclass(slots=True)
class _Participant:
    name: str
    community: str
    role: Role


class _Pool:
    """The participants a witness needs; communities cycle, those some condition names first."""

    def __init__(self, communities: Sequence[str], lead_role: Role) -> None:
        self.communities = tuple(communities)
        self.lead_role = lead_role
        self.members: list[_Participant] = []

    def _add(self, role: Role) -> _Participant:
        index = len(self.members)
        name = NAMES[index] if index < len(NAMES) else f"Participant {index + 1}"
        counted = sum(1 for member in self.members if member.role != "observer")
        member = _Participant(name, self.communities[counted % len(self.communities)], role)
        self.members.append(member)
        return member

    def counted(self, count: int) -> list[str]:
        """Names of `count` participants who count (not observers), from as many communities as possible."""
        while sum(1 for member in self.members if member.role != "observer") < count:
            self._add(self.lead_role if not self.members else "member")
        return [member.name for member in self.members if member.role != "observer"][:count]

    def with_role(self, roles: Sequence[Role]) -> str:
        for member in self.members:
            if member.role in roles:
                return member.name
        return self._add(roles[0]).name


class _Planner:
    """Lays out facts (relative to the moment of the moves) that meet conditions; explains failure.

    Strict, it raises `Infeasible`; lenient, it lays out the closest it can and notes the shortfall.
    """

    def __init__(self, workflow: CompiledWorkflow, *, strict: bool) -> None:
        self.workflow = workflow
        self.strict = strict
        named = [
            c
            for condition in workflow.conditions.values()
            if isinstance(condition, ParticipationCondition)
            for c in condition.required_communities
        ]
        order = list(dict.fromkeys([*named, *COMMUNITIES]))
        leads: list[Role] = [role for role in workflow.definition.advance_roles if role != "observer"]
        self.pool = _Pool(order, leads[0] if leads else "member")
        self.facts: list[_Fact] = []
        self.creation = 0  # the latest moment the initiative may have been created (held windows)
        self.shortfalls: list[str] = []
        self._rooms: dict[str, int | None] = {}
        self._laid: list[tuple[str, int, int, _Window | None]] = []  # layouts made, so none is made twice

    # --- bookkeeping -----------------------------------------------------------------------------

    def _mark(self) -> tuple[int, int, int, int, int]:
        return len(self.facts), len(self.pool.members), self.creation, len(self.shortfalls), len(self._laid)

    def _rollback(self, mark: tuple[int, int, int, int, int]) -> None:
        del self.facts[mark[0] :]
        del self.pool.members[mark[1] :]
        self.creation = mark[2]
        del self.shortfalls[mark[3] :]
        del self._laid[mark[4] :]

    def _fail(self, culprit: str, reason: str, *, proven: bool = True) -> None:
        if self.strict:
            raise Infeasible(culprit, reason, proven=proven)
        self.shortfalls.append(reason)

    def _strictly(self, action: Callable[[], None]) -> Infeasible | None:
        """Try `action` strictly; on failure undo what it laid out and return why."""
        mark, strict = self._mark(), self.strict
        self.strict = True
        try:
            action()
            return None
        except Infeasible as failure:
            self._rollback(mark)
            return failure
        finally:
            self.strict = strict

    # --- entry points ----------------------------------------------------------------------------

    def needs(self, condition_ids: Iterable[str]) -> None:
        """Lay out what unblocks a move: required conditions met, waivable ones met or waived."""
        for condition_id in condition_ids:
            if self.workflow.conditions[condition_id].strength != "advisory":
                self.satisfy(condition_id, 0, 0)

    def satisfy(self, condition_id: str, first: int, last: int) -> None:
        """Met (or, failing that, waived where allowed) at every moment from `first` to `last`."""
        failure = self._strictly(lambda: self.meet(condition_id, first, last, None))
        if failure is None:
            return
        condition = self.workflow.conditions[condition_id]
        granters = self.workflow.definition.advance_roles
        if condition.strength != "required" and granters:
            if any(
                f.kind == "condition_waived" and f.data["condition"] == condition_id and f.offset <= first
                for f in self.facts
            ):
                return
            by = self.pool.with_role(granters)
            rationale = _RATIONALE
            while len(rationale) < self.workflow.waiver_min_rationale(condition_id):
                rationale += " " + _RATIONALE
            self.facts.append(_Fact(first, "condition_waived", {"condition": condition_id, "rationale": rationale}, by))
            return
        if self.strict:
            raise failure
        self.meet(condition_id, first, last, None)

    def meet(self, condition_id: str, first: int, last: int, window: _Window | None) -> None:
        """Met at every moment from `first` to `last` (seconds, relative), on facts inside `window`."""
        key = (condition_id, first, last, window)
        if key in self._laid:
            return
        self._laid.append(key)
        condition = self.workflow.conditions[condition_id]
        if window is None:  # inside an expiring window only the condition's own test counts
            for prerequisite in condition.requires:
                self.satisfy(prerequisite, first, last)
        match condition:
            case EvidenceCondition(min_items=items):
                at = self._slot(condition_id, first, window)
                self.facts.extend(
                    _Fact(at, "evidence_recorded", {"condition": condition_id, "text": f"Evidence for {condition_id}."})
                    for _ in range(items)
                )
            case AttestationCondition(min_participants=people, min_communities=communities):
                self._communities(condition_id, communities)
                at = self._slot(condition_id, first, window)
                self.facts.extend(
                    _Fact(at, "attestation_given", {"condition": condition_id}, name)
                    for name in self.pool.counted(people)
                )
            case ParticipationCondition(
                min_participants=people, min_communities=communities, required_communities=named
            ):
                self._communities(condition_id, communities)
                order = self.pool.communities
                self.pool.counted(max(people, communities, *(order.index(name) + 1 for name in named)))
            case MeetingsCondition(min_meetings=count, min_span_days=span, neutral_only=neutral):
                self._meetings(condition_id, first, window, count, span, neutral)
            case ScoreCondition(parameter=parameter, at_least=level):
                scale = next(p.scale for p in self.workflow.definition.parameters if p.id == parameter)
                if level > scale.max:
                    self._fail(
                        condition_id,
                        f"'{condition_id}' asks for '{parameter}' at {level}, "
                        f"above the top of its scale ({scale.min}..{scale.max})",
                    )
                at = self._slot(condition_id, first, window)
                self.facts.append(_Fact(at, "score_set", {"parameter": parameter, "level": scale.max}))
            case HeldCondition(condition=inner, days=days):
                start = first - days * DAY
                self.creation = min(self.creation, start)
                self._member(inner, start, last, window, held_by=condition_id)
            case ExpiringCondition(condition=inner, days=days):
                self._expiring(condition_id, inner, days, first, last, window)
            case AllCondition(of=members):
                for member in members:
                    self._member(member, first, last, window)
            case AnyCondition(of=members):
                self._any(condition_id, members, first, last, window)
            case _:  # a kind this planner does not know: leave it to the random walks
                self._fail(
                    condition_id,
                    f"verify cannot lay out events for conditions of kind '{condition.kind}'",
                    proven=False,
                )

    # --- the kinds that need care ----------------------------------------------------------------

    def _member(self, condition_id: str, first: int, last: int, window: _Window | None, held_by: str = "") -> None:
        """A member of a combination: outside windows its waiver counts too (as the evaluator has it)."""
        if window is None:
            self.satisfy(condition_id, first, last)
            return
        if window.start > first and self.room(condition_id) is not None:
            self._fail(
                window.owner,
                f"'{held_by or condition_id}' needs '{condition_id}' met on facts from {_days(-first)} days back, "
                f"but '{window.owner}' keeps only facts from the last {window.days} days",
            )
            window = _Window(min(window.start, first), window.owner, window.days)
        self.meet(condition_id, first, last, window)

    def _any(self, condition_id: str, members: Sequence[str], first: int, last: int, window: _Window | None) -> None:
        failures: list[Infeasible] = []
        for member in members:  # an alternative that can be met, before one that can only be waived
            attempt = (
                partial(self.meet, member, first, last, None)
                if window is None
                else partial(self._member, member, first, last, window)
            )
            failure = self._strictly(attempt)
            if failure is None:
                return
            failures.append(failure)
        if window is None and any(self._strictly(partial(self.satisfy, m, first, last)) is None for m in members):
            return
        reasons = "; ".join(failure.reason for failure in failures)
        self._fail(
            condition_id,
            f"none of '{condition_id}''s alternatives can be met: {reasons}",
            proven=all(failure.proven for failure in failures),
        )
        self._member(members[0], first, last, window)

    def _expiring(
        self, condition_id: str, inner: str, days: int, first: int, last: int, window: _Window | None
    ) -> None:
        room = self.room(inner)
        if room is None:  # nothing in it is dated: the window changes nothing
            self.meet(inner, first, last, window) if window else self.satisfy(inner, first, last)
            return
        if room > days * DAY:
            self._fail(
                condition_id,
                f"'{inner}' needs {_days(room)} days of facts, but '{condition_id}' keeps only the last {days} days",
            )
        # Cover [first, last] with pieces short enough that facts laid out for a piece stay
        # inside the window of every moment of it; each piece refreshes them.
        piece = (days * DAY - room) // 2 if last > first else 0
        if last > first and piece <= 0:
            self._fail(
                condition_id,
                f"'{condition_id}' keeps only the last {days} days, all of which '{inner}' "
                "needs, so it cannot hold without a break",
            )
            piece = max(piece, DAY)
        count = 1 if last == first else -(-(last - first) // piece) + 1
        if count > MAX_PIECES:
            self._fail(
                condition_id, f"keeping '{condition_id}' met would take {count} refreshes of '{inner}'", proven=False
            )
            count = MAX_PIECES
        end = last
        for _ in range(count):
            start = max(first, end - piece)
            own = _Window(end - days * DAY, condition_id, days)
            bounded = own if window is None or own.start >= window.start else window
            self.meet(inner, start, end, bounded)
            if start == first:
                break
            end = start

    def _meetings(
        self, condition_id: str, first: int, window: _Window | None, count: int, span: int, neutral: bool
    ) -> None:
        latest = first
        earliest = latest - span * DAY
        if window is not None and earliest < window.start:
            self._fail(
                window.owner,
                f"'{condition_id}' needs meetings spanning {span} days, but '{window.owner}' "
                f"keeps only the last {window.days} days",
            )
            earliest = max(window.start, earliest)
            latest = max(latest, earliest)
        number = max(count, 2 if span else 1)
        attendees = self.pool.counted(2)
        step = (latest - earliest) // (number - 1) if number > 1 else 0
        for index in range(number):
            at = earliest + index * step if index < number - 1 else latest
            data: dict[str, Any] = {
                "attendees": attendees,
                "venue": "Neutral venue" if neutral else "A participant's office",
            }
            if neutral:
                data["neutral"] = True
            self.facts.append(_Fact(at, "meeting_held", data))

    def _communities(self, condition_id: str, communities: int) -> None:
        if communities > len(COMMUNITIES):
            self._fail(
                condition_id,
                f"'{condition_id}' asks for {communities} communities, but there are only "
                f"{len(COMMUNITIES)} stakeholder communities ({', '.join(COMMUNITIES)})",
            )

    def _slot(self, condition_id: str, first: int, window: _Window | None) -> int:
        """When to date a fact that must count from `first` on, inside `window`."""
        if window is not None and window.start > first:
            self._fail(
                window.owner,
                f"'{condition_id}' would have to be met {_days(-first)} days back, "
                f"but '{window.owner}' keeps only facts from the last {window.days} days",
            )
            return window.start
        return first

    def room(self, condition_id: str) -> int | None:
        """Seconds of dated facts the condition needs before the moment it is checked; None if undated."""
        if condition_id not in self._rooms:
            self._rooms[condition_id] = self._room(condition_id)
        return self._rooms[condition_id]

    def _room(self, condition_id: str) -> int | None:
        match self.workflow.conditions[condition_id]:
            case ParticipationCondition():
                return None
            case MeetingsCondition(min_span_days=span):
                return span * DAY
            case HeldCondition(condition=inner, days=days):
                inner_room = self.room(inner)
                return None if inner_room is None else days * DAY + inner_room
            case ExpiringCondition(condition=inner):
                return self.room(inner)
            case AllCondition(of=members):
                rooms = [room for room in (self.room(member) for member in members) if room is not None]
                return max(rooms) if rooms else None
            case AnyCondition(of=members):
                options = [self.room(member) for member in members]
                return None if None in options else min(room for room in options if room is not None)
        return 0


def _days(seconds: int) -> str:
    days = seconds / DAY
    return str(int(days)) if days == int(days) else f"{days:.1f}"


# --- replaying witnesses -------------------------------------------------------------------------------


@dataclass(slots=True)
class Replay:
    """What a witness did when replayed: its log, where it ended, and the refusal if any."""

    events: list[Event]
    stage: str
    refused: str | None  # the engine's message for the move it tried last, if refused
    failed: str | None  # a fact the engine would not take (a planner mistake)
    status: InitiativeStatus  # at the end


def workflow_reference(workflow: CompiledWorkflow) -> str:
    """How a registry names this workflow: a built-in's id, or the file's path."""
    path = Path(workflow.source)
    try:
        if path.parent.resolve() == builtin_directory().resolve() and path.stem == workflow.id:
            return workflow.id
    except FileNotFoundError:
        pass
    if not path.is_file():
        raise CooperationError(
            f"workflow {workflow.id} was not loaded from a file ({workflow.source}); "
            "verify and the testing helpers need a built-in id or a workflow file"
        )
    return str(path.resolve())


def memory_registry(clock: Callable[[], datetime]) -> Registry:
    """A registry held in memory, for witnesses, walks and tests."""
    return Registry(SqliteStore(MEMORY), clock=clock)


def replay(workflow: CompiledWorkflow, plan: _Planner, moves: Sequence[Move], attempt: Move | None = None) -> Replay:
    """Record the plan's facts before ANCHOR, then make `moves` (and try `attempt`) at ANCHOR."""
    movers = [
        plan.pool.with_role(move.roles) if move.roles else None for move in [*moves, *([attempt] if attempt else [])]
    ]
    earliest = min([fact.offset for fact in plan.facts] + [plan.creation, 0]) - DAY
    created = parse_at(ANCHOR + timedelta(seconds=earliest))
    lines = [
        Event(WITNESS_ID, "initiative_created", created, {"name": "Witness", "workflow": workflow_reference(workflow)})
    ]
    lines += [
        Event(
            WITNESS_ID,
            "participant_joined",
            created,
            {"name": member.name, "community": member.community, "role": member.role},
        )
        for member in plan.pool.members
    ]
    lines += [
        Event(WITNESS_ID, fact.kind, parse_at(ANCHOR + timedelta(seconds=fact.offset)), fact.data, fact.by)
        for fact in sorted(plan.facts, key=lambda fact: fact.offset)
    ]
    registry = memory_registry(lambda: ANCHOR)
    with registry:
        failed = refused = None
        try:  # one import checks every fact as recording would, without re-reading the log each time
            registry.import_lines((event.to_line() for event in lines), source="witness")
        except CooperationError as error:
            registry.create("Witness", workflow=workflow_reference(workflow), initiative=WITNESS_ID, at=created)
            failed = str(error)
        if failed is None:
            for move, mover in zip([*moves, *([attempt] if attempt else [])], movers, strict=True):
                try:
                    _make(registry, workflow, move, mover)
                except CooperationError as error:
                    if move is attempt:
                        refused = str(error)
                    else:
                        failed = f"{move.label}: {error}"
                    break
        events = list(registry.export_events(WITNESS_ID))
        status = registry.status(WITNESS_ID)
    return Replay(events, status.stage, refused, failed, status)


def _make(registry: Registry, workflow: CompiledWorkflow, move: Move, mover: str | None) -> None:
    at = parse_at(ANCHOR)
    if mover is None and move.automatic:  # nobody may take it by hand: let a breach of trust take it
        registry.record(
            WITNESS_ID, "trust_breached", {"description": "A breach recorded by a verification witness."}, at=at
        )
        if registry.status(WITNESS_ID).stage != move.target:
            raise CooperationError(f"recording a breach of trust did not take {move.label}")
        return
    if mover is None:
        roles = "advance_roles" if move.transition is None else "roles"
        raise CooperationError(f"no role may make {move.label}: its {roles} list is empty")
    apply_move(registry, WITNESS_ID, move, by=mover, at=at)


# --- guiding an initiative towards a move (random walks, and cooperation.testing) ----------------------


class Clock:
    """A clock for `Registry(store, clock=...)` that is moved forward by hand, in whole seconds."""

    def __init__(self, now: datetime = ANCHOR) -> None:
        self.now = now.replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float = 0, *, minutes: float = 0) -> None:
        self.now += timedelta(seconds=max(1, round(days * DAY + minutes * 60)))


@dataclass(frozen=True, slots=True)
class Step:
    """The next thing to do: record an event, let time pass, or make a move."""

    action: Literal["record", "wait", "move"]
    kind: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    by: str | None = None
    days: float = 0.0
    move: Move | None = None


class Guide:
    """Chooses events that bring an initiative closer to one of its next moves.

    It reads the initiative's facts and status, picks a move from the current stage,
    and proposes one fact towards the first thing that blocks it (or the move itself).
    """

    def __init__(self, workflow: CompiledWorkflow) -> None:
        self.workflow = workflow
        self.scales = {parameter.id: parameter.scale for parameter in workflow.definition.parameters}

    def choose_move(self, stage: str, rng: random.Random) -> Move | None:
        """A move to work towards from `stage`: mostly the advance, sometimes a transition."""
        moves = [move for move in moves_from(self.workflow, stage) if move.roles]
        onwards = [move for move in moves if move.target != stage]
        if onwards and rng.random() < 0.9:  # a move that stays put (a repeated hand-off) teaches little
            moves = onwards
        if not moves:
            return None
        advances = [move for move in moves if move.kind == "advance"]
        return advances[0] if advances and rng.random() < 0.8 else rng.choice(moves)

    def next_step(
        self,
        registry: Registry,
        initiative: str,
        now: datetime,
        rng: random.Random,
        move: Move | None = None,
        *,
        known: tuple[InitiativeStatus, Facts] | None = None,
    ) -> Step | None:
        """One step towards `move` (or a move chosen here if it does not start at the current stage).

        `known` may give the initiative's current status and facts, to save reading them again.
        """
        if known is None:
            known = (
                registry.status(initiative),
                fold(initiative, time_ordered(registry.history(initiative)), start=self.workflow.start),
            )
        status, facts = known
        if move is None or move.source != facts.stage:
            move = self.choose_move(facts.stage, rng)
            if move is None:
                return None
        results = {condition.condition: condition for condition in status.conditions}
        blocking = [need for need in move.needs if results[need].blocking]
        if blocking:
            return self._help(blocking[0], facts, results, now, rng, fresh=False)
        actor = self._permitted(facts, move.roles)
        if actor is None:
            return self._join(facts, rng, role=move.roles[0])
        return Step("move", move=move, by=actor)

    # --- one condition -----------------------------------------------------------------------------

    def _help(
        self,
        condition_id: str,
        facts: Facts,
        results: dict[str, ConditionResult],
        now: datetime,
        rng: random.Random,
        *,
        fresh: bool,
    ) -> Step:
        condition = self.workflow.conditions[condition_id]
        if not fresh:
            missing = [name for name in condition.requires if not (results[name].met or results[name].waived)]
            if missing:
                return self._help(missing[0], facts, results, now, rng, fresh=False)
            granters = self.workflow.definition.advance_roles
            if condition.strength != "required" and granters and rng.random() < 0.2:
                by = self._permitted(facts, granters)
                if by is None:
                    return self._join(facts, rng, role=granters[0])
                rationale = (_RATIONALE + " ") * (
                    1 + self.workflow.waiver_min_rationale(condition_id) // len(_RATIONALE)
                )
                return Step(
                    "record", "condition_waived", {"condition": condition_id, "rationale": rationale.strip()}, by
                )
        counted = [p for p in facts.active_participants() if p.role != "observer"]
        match condition:
            case EvidenceCondition():
                return Step("record", "evidence_recorded", {"condition": condition_id, "text": "Progress noted."})
            case AttestationCondition():
                given = facts.attestations.get(condition_id, {})
                covered = {facts.participants[name].community for name in given if name in facts.participants}
                fresh_names = [p for p in counted if p.name not in given]
                fresh_names.sort(key=lambda p: p.community in covered)
                if fresh_names:
                    return Step("record", "attestation_given", {"condition": condition_id}, fresh_names[0].name)
                if counted and (fresh or rng.random() < 0.5):
                    oldest = min(counted, key=lambda p: given.get(p.name, now))
                    return Step("record", "attestation_given", {"condition": condition_id}, oldest.name)
                return self._join(facts, rng)
            case ParticipationCondition(required_communities=named):
                present = {p.community for p in counted}
                wanted = next((name for name in named if name not in present), None)
                return self._join(facts, rng, community=wanted)
            case MeetingsCondition(min_meetings=count, min_span_days=span, neutral_only=neutral):
                spacing = span / max(1, count - 1)
                held = [m for m in facts.meetings if m.neutral or not neutral]
                if held and spacing:
                    elapsed = (now - held[-1].at).total_seconds() / DAY
                    if elapsed < spacing:
                        return Step("wait", days=min(spacing - elapsed + 0.01, 60.0))
                attendees = sorted(p.name for p in facts.active_participants())[:4]
                if not attendees:
                    return self._join(facts, rng)
                return Step(
                    "record", "meeting_held", {"attendees": attendees, "neutral": neutral or rng.random() < 0.5}
                )
            case ScoreCondition(parameter=parameter, at_least=level):
                top = self.scales[parameter].max
                return Step("record", "score_set", {"parameter": parameter, "level": rng.randint(min(level, top), top)})
            case HeldCondition(condition=inner, days=days):
                if not (results[inner].met or results[inner].waived):
                    return self._help(inner, facts, results, now, rng, fresh=fresh)
                return Step("wait", days=max(1.0, days / 3))
            case ExpiringCondition(condition=inner):
                return self._help(inner, facts, results, now, rng, fresh=True)
            case AllCondition(of=members):
                open_members = [m for m in members if not (results[m].met or results[m].waived)]
                pick = open_members[0] if open_members and not fresh else rng.choice(list(members))
                return self._help(pick, facts, results, now, rng, fresh=fresh)
            case AnyCondition(of=members):
                return self._help(rng.choice(list(members)), facts, results, now, rng, fresh=fresh)
        # A kind the guide does not know: evidence for it is a harmless guess.
        return Step("record", "evidence_recorded", {"condition": condition_id, "text": "Progress noted."})

    def _permitted(self, facts: Facts, roles: Sequence[str]) -> str | None:
        allowed = sorted(p.name for p in facts.active_participants() if p.role in roles)
        return allowed[0] if allowed else None

    def _join(self, facts: Facts, rng: random.Random, *, role: Role = "member", community: str | None = None) -> Step:
        present = {p.community for p in facts.active_participants() if p.role != "observer"}
        missing = [name for name in COMMUNITIES if name not in present]
        chosen = community or (missing[0] if missing else rng.choice(COMMUNITIES))
        taken = set(facts.participants)
        name = next(f"Guide {number}" for number in range(1, 10_000) if f"Guide {number}" not in taken)
        return Step("record", "participant_joined", {"name": name, "community": chosen, "role": role})


def take_step(registry: Registry, initiative: str, step: Step, advance_clock: Callable[[float], None]) -> None:
    """Carry out a guide's step (raises the engine's refusal)."""
    if step.action == "wait":
        advance_clock(step.days)
    elif step.action == "record":
        registry.record(initiative, step.kind, step.data, by=step.by)
    else:
        assert step.move is not None and step.by is not None
        apply_move(registry, initiative, step.move, by=step.by)


# --- random walks --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _WalkLog:
    reached: dict[str, list[Event]] = field(default_factory=dict)  # stage -> the log that first reached it
    fired: dict[tuple[str, str | None, str], list[Event]] = field(default_factory=dict)  # (source, transition, target)
    met: set[str] = field(default_factory=set)  # conditions met at some point
    steps: int = 0


def _walk(workflow: CompiledWorkflow, rng: random.Random, steps: int, log: _WalkLog) -> None:
    """One random walk from a new initiative: mostly guided towards a move, sometimes anything."""
    clock = Clock(ANCHOR)
    guide = Guide(workflow)
    reference = workflow_reference(workflow)
    with memory_registry(clock) as registry:
        registry.create("Walk", workflow=reference, initiative=WITNESS_ID, at=clock.now)
        log.reached.setdefault(workflow.start, list(registry.export_events(WITNESS_ID)))
        target: Move | None = None
        for _ in range(steps):
            clock.advance(rng.choice((1 / 1440, 1 / 24, 1.0, 3.0)))
            before = registry.store.version(WITNESS_ID)
            try:
                if rng.random() < 0.8:
                    stage = registry.status(WITNESS_ID).stage
                    if target is None or target.source != stage:
                        target = guide.choose_move(stage, rng)
                        if target is None:
                            break
                    step = guide.next_step(registry, WITNESS_ID, clock.now, rng, target)
                    if step is None:
                        break
                    take_step(registry, WITNESS_ID, step, clock.advance)
                else:
                    random_step(workflow, registry, WITNESS_ID, rng)
            except CooperationError:
                pass
            log.steps += 1
            if registry.store.version(WITNESS_ID) == before:
                continue
            events = list(registry.export_events(WITNESS_ID))
            for event in events[before:]:
                if event.kind in _MOVE_EVENT.values():
                    key = (event.data["from"], event.data.get("transition"), event.data["to"])
                    log.fired.setdefault(key, events)
                    log.reached.setdefault(event.data["to"], events)
            status = registry.status(WITNESS_ID)
            log.met.update(condition.condition for condition in status.conditions if condition.met)


def random_step(
    workflow: CompiledWorkflow,
    registry: Registry,
    initiative: str,
    rng: random.Random,
    *,
    breaches: Literal["anyone", "guarded", "never"] = "guarded",
) -> None:
    """Any step at all: a random fact, a departure, a breach of trust, or a move by anyone (may be refused).

    Breaches of trust are recorded by anyone, never, or (`guarded`) only where the
    automatic move they cause meets its own roles and requirements.
    """
    facts = fold(initiative, time_ordered(registry.history(initiative)), start=workflow.start)
    active = sorted(p.name for p in facts.active_participants())
    anyone = rng.choice(active) if active else None
    choice = rng.random()
    if choice < 0.25:
        role = rng.choice(("owner", "member", "member", "observer", "secretariat"))
        registry.record(
            initiative,
            "participant_joined",
            {"name": rng.choice(NAMES[:8]), "community": rng.choice(COMMUNITIES), "role": role},
        )
    elif choice < 0.35 and anyone:
        registry.record(initiative, "participant_left", {"name": anyone})
    elif choice < 0.55:
        registry.record(
            initiative, "evidence_recorded", {"condition": rng.choice(workflow.condition_order), "text": "Noted."}
        )
    elif choice < 0.7 and anyone:
        registry.record(initiative, "attestation_given", {"condition": rng.choice(workflow.condition_order)}, by=anyone)
    elif choice < 0.75:
        by = anyone if breaches == "anyone" else guarded_breacher(workflow, registry, initiative, facts, anyone)
        if breaches != "never" and by != "":
            registry.record(initiative, "trust_breached", {"description": "Shared information was misused."}, by=by)
    elif anyone:
        moves = moves_from(workflow, facts.stage)
        if moves:
            apply_move(registry, initiative, rng.choice(moves), by=anyone)


def guarded_breacher(
    workflow: CompiledWorkflow, registry: Registry, initiative: str, facts: Facts, wanted: str | None
) -> str | None:
    """Who may record a breach now so that the automatic move it causes meets its own guards: `wanted`
    if no such move follows or they may take it, else someone who may; '' when no breach should be
    recorded (the engine takes automatic moves without checking their roles or requirements).
    """
    for transition in workflow.transitions_from(facts.stage):
        if transition.on_event != "trust_breached":
            continue
        roles = workflow.transition_roles(transition.id)
        allowed = sorted(p.name for p in facts.active_participants() if p.role in roles)
        status = registry.status(initiative)
        blocking = {c.condition for c in status.conditions if c.blocking}
        if not allowed or blocking.intersection(workflow.transition_needs[transition.id]):
            return ""
        return wanted if wanted in allowed else allowed[0]
    return wanted


# --- the verification -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Condition:
    meetable: Infeasible | None  # None when it can be met
    satisfiable: bool  # met, or waived


class _Verifier:
    def __init__(self, workflow: CompiledWorkflow, seed: int, walks: int, steps: int) -> None:
        self.workflow = workflow
        self.seed, self.walks, self.steps = seed, walks, steps
        self.conditions: dict[str, _Condition] = {}
        self.paths: dict[str, list[Move]] = {}  # reachable stage -> the moves that reach it
        self.witness: dict[str, list[Event]] = {}  # reachable stage -> a log that reaches it
        self.fired: dict[Move, list[Event]] = {}
        self.blocked: dict[Move, str] = {}  # move -> why it can never be made
        self.moves_tried = 0
        self.notes: list[str] = []
        self.walk_log = _WalkLog()

    # --- analysis --------------------------------------------------------------------------------

    def analyse_conditions(self) -> None:
        granters = bool(self.workflow.definition.advance_roles)
        for condition_id in self.workflow.condition_order:
            planner = _Planner(self.workflow, strict=True)
            failure = planner._strictly(partial(planner.meet, condition_id, 0, 0, None))
            strength = self.workflow.conditions[condition_id].strength
            self.conditions[condition_id] = _Condition(
                failure, failure is None or (strength != "required" and granters)
            )

    def why_blocked(self, move: Move) -> str | None:
        """Why a move can never be made, from the analysis; None if it can."""
        if not move.roles and not move.automatic:
            roles = "advance_roles" if move.transition is None else "roles"
            return f"no role may make it (its {roles} list is empty)"
        reasons = []
        for need in move.needs:
            condition = self.workflow.conditions[need]
            state = self.conditions[need]
            if condition.strength == "advisory" or state.satisfiable:
                continue
            assert state.meetable is not None
            reasons.append(self._impossible(need, state.meetable))
        return "; ".join(reasons) if reasons else None

    def _impossible(self, condition_id: str, failure: Infeasible) -> str:
        if failure.culprit == condition_id:
            return f"it needs '{condition_id}', which can never be met: {failure.reason}"
        return f"it needs '{condition_id}', which can never be met because of '{failure.culprit}': {failure.reason}"

    def explore(self) -> None:
        """Breadth first over the stage graph: every move from every reachable stage, proven by replay."""
        start = self.workflow.start
        self.paths[start] = []
        queue = deque([start])
        while queue:
            stage = queue.popleft()
            for move in moves_from(self.workflow, stage):
                reason = self.why_blocked(move)
                if reason is not None:
                    self.blocked[move] = reason
                    continue
                result = self._witness(self.paths[stage] + [move])
                self.moves_tried += 1
                if result.failed is not None or result.stage != move.target:
                    self.blocked[move] = (
                        f"the search found no events that let it happen ({result.failed or result.stage})"
                    )
                    continue
                self.fired[move] = result.events
                if move.target not in self.paths:
                    self.paths[move.target] = self.paths[stage] + [move]
                    self.witness[move.target] = result.events
                    queue.append(move.target)
        if start not in self.witness:
            self.witness[start] = self._witness([]).events

    def _witness(self, path: Sequence[Move], attempt: Move | None = None, *, lenient: Sequence[str] = ()) -> Replay:
        plan = _Planner(self.workflow, strict=False)
        for move in path:
            plan.needs(move.needs)
        if attempt is not None:
            plan.needs(attempt.needs)
        for condition_id in lenient:
            plan.meet(condition_id, 0, 0, None)
        return replay(self.workflow, plan, path, attempt)

    def random_walks(self) -> None:
        rng = random.Random(self.seed)
        for _ in range(self.walks):
            if self._all_seen():
                break
            _walk(self.workflow, random.Random(rng.getrandbits(64)), self.steps, self.walk_log)
        for stage, events in self.walk_log.reached.items():
            if stage not in self.witness:
                self.notes.append(f"a random walk reached '{stage}', which the analysis had found unreachable")
                self.witness[stage] = events
        for (source, transition, target), events in self.walk_log.fired.items():
            move = next(
                (m for m in moves_from(self.workflow, source) if m.transition == transition and m.target == target),
                None,
            )
            if move is not None and move not in self.fired:
                self.notes.append(f"a random walk made {move.label}, which the analysis had found impossible")
                self.fired[move] = events
                self.blocked.pop(move, None)

    def _all_seen(self) -> bool:
        stages = {stage.id for stage in self.workflow.definition.stages}
        every_move = [move for stage in stages for move in moves_from(self.workflow, stage)]
        return set(self.witness) == stages and all(move in self.fired for move in every_move)

    # --- findings --------------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        found: list[Finding] = []
        found += self._impossible_conditions()
        found += self._unreachable_stages()
        found += self._silent_transitions()
        found += self._dead_ends()
        return found

    def _impossible_conditions(self) -> Iterable[Finding]:
        for condition_id in self.workflow.condition_order:
            failure = self.conditions[condition_id].meetable
            if failure is None or condition_id in self.walk_log.met:
                continue
            result = self._witness([], lenient=[condition_id])
            shown = next(c for c in result.status.conditions if c.condition == condition_id)
            if shown.met:
                self.notes.append(f"the closest layout met '{condition_id}', which the analysis had found impossible")
                continue
            condition = self.workflow.conditions[condition_id]
            if failure.culprit == condition_id:
                message = f"'{condition_id}' ({condition.kind}) can never be met: {failure.reason}"
            else:
                message = (
                    f"'{condition_id}' ({condition.kind}) can never be met, because '{failure.culprit}' "
                    f"can never be met: {failure.reason}"
                )
            if not failure.proven:
                message += " (no layout of events within the search bounds meets it)"
            if condition.strength == "waivable":
                message += "; it can only ever be waived"
            yield Finding(
                "impossible-condition",
                condition_id,
                message,
                _condition_hint(self.workflow, failure.culprit),
                tuple(result.events),
                f"after the witness, '{condition_id}' is unmet: {shown.detail}",
            )

    def _unreachable_stages(self) -> Iterable[Finding]:
        for stage in self.workflow.definition.stages:
            if stage.id in self.witness:
                continue
            route = self._route(stage.id)
            blocker_index = next(i for i, move in enumerate(route) if move not in self.fired)
            blocker = route[blocker_index]
            source_path = self.paths.get(blocker.source)
            reason = self.blocked.get(blocker, "the search found no events that let it happen")
            shown = " -> ".join([route[0].source, *(move.target for move in route)])
            if blocker.target == stage.id:
                message = f"no sequence of events reaches '{stage.id}': {blocker.label} can never be made: {reason}"
            else:
                message = (
                    f"no sequence of events reaches '{stage.id}': the shortest route ({shown}) is blocked at "
                    f"{blocker.label}, which can never be made: {reason}"
                )
            events, outcome = self._attempt(source_path, blocker)
            yield Finding(
                "unreachable-stage",
                stage.id,
                message,
                "lower the thresholds it needs, or add a transition that reaches it",
                events,
                outcome,
            )

    def _silent_transitions(self) -> Iterable[Finding]:
        for transition in self.workflow.definition.transitions:
            moves = [m for m in moves_from_all(self.workflow) if m.transition == transition.id]
            if any(move in self.fired for move in moves):
                continue
            reachable = [move for move in moves if move.source in self.paths]
            if not reachable:
                sources = ", ".join(f"'{name}'" for name in transition.from_)
                message = (
                    f"'{transition.id}' can never fire: none of the stages it starts from ({sources}) can be reached"
                )
                first = transition.from_[0]
                events = tuple(self._nearest(first))
                yield Finding(
                    "transition-never-fires",
                    transition.id,
                    message,
                    "make one of its 'from' stages reachable, or remove the transition",
                    events,
                    f"the witness gets as close to '{first}' as events allow",
                )
                continue
            move = reachable[0]
            reason = self.blocked.get(move, "the search found no events that let it happen")
            events, outcome = self._attempt(self.paths[move.source], move)
            yield Finding(
                "transition-never-fires",
                transition.id,
                f"'{transition.id}' can never fire: {reason}",
                "give it roles that may take it, or requirements that can be met",
                events,
                outcome,
            )
        for stage in self.workflow.ladder[:-1]:
            advance = moves_from(self.workflow, stage)[0]
            if stage in self.paths and advance not in self.fired and advance.target in self.witness:
                reason = self.blocked.get(advance, "the search found no events that let it happen")
                events, outcome = self._attempt(self.paths[stage], advance)
                yield Finding(
                    "transition-never-fires",
                    advance.label,
                    f"{advance.label} can never be made (the stage is reached another way): {reason}",
                    "lower what the stage requires, or let a role advance into it",
                    events,
                    outcome,
                )

    def _dead_ends(self) -> Iterable[Finding]:
        for stage in self.workflow.definition.stages:
            if stage.terminal or stage.id not in self.witness:
                continue
            moves = moves_from(self.workflow, stage.id)
            if any(move in self.fired for move in moves):
                continue
            if moves:
                why = "; ".join(
                    f"{move.label} can never be made: {self.blocked.get(move, 'no events found')}" for move in moves
                )
            elif stage.ladder:
                why = "it is the last stage of the ladder and no transition starts from it"
            else:
                why = "no transition starts from it"
            message = f"'{stage.id}' can be reached, but nothing can ever leave it, and it is not terminal: {why}"
            yield Finding(
                "dead-end",
                stage.id,
                message,
                "add a transition from it, or mark it 'terminal: true' if ending there is intended",
                tuple(self.witness[stage.id]),
                f"the witness reaches '{stage.id}'",
            )

    # --- helpers for findings ----------------------------------------------------------------------

    def _route(self, target: str) -> list[Move]:
        """The shortest route from the first stage to `target` in the graph of every move, guards aside."""
        previous: dict[str, Move | None] = {self.workflow.start: None}
        queue = deque([self.workflow.start])
        while queue:
            stage = queue.popleft()
            for move in moves_from(self.workflow, stage):
                if move.target not in previous:
                    previous[move.target] = move
                    queue.append(move.target)
        route: list[Move] = []
        step = previous[target]
        while step is not None:
            route.append(step)
            step = previous[step.source]
        return list(reversed(route))

    def _attempt(self, path: Sequence[Move] | None, move: Move) -> tuple[tuple[Event, ...], str]:
        """A witness reaching `move`'s source with as much of what it needs as can be laid out, then trying it."""
        if path is None and move.source in self.witness:
            return tuple(self.witness[move.source]), f"a random walk reaches '{move.source}'"
        if path is None:
            return tuple(self._nearest(move.source)), f"'{move.source}' itself cannot be reached"
        lenient = [need for need in move.needs if self.workflow.conditions[need].strength != "advisory"]
        result = self._witness(path, move if (move.roles or move.automatic) else None, lenient=lenient)
        if result.failed is not None:
            return tuple(result.events), f"the witness stops short: {result.failed}"
        if result.refused is not None:
            return tuple(
                result.events
            ), f"the witness reaches '{move.source}', then the engine refuses: {result.refused}"
        if not move.roles and not move.automatic:
            return tuple(result.events), f"the witness reaches '{move.source}'; nobody may make {move.label}"
        return tuple(result.events), f"the witness ends at '{result.stage}'"

    def _nearest(self, stage: str) -> list[Event]:
        if stage in self.witness:
            return self.witness[stage]
        route = self._route(stage)
        blocker = next(move for move in route if move not in self.fired)
        return list(self._attempt(self.paths.get(blocker.source), blocker)[0]) if blocker.source in self.paths else []


def moves_from_all(workflow: CompiledWorkflow) -> list[Move]:
    return [move for stage in workflow.definition.stages for move in moves_from(workflow, stage.id)]


def _condition_hint(workflow: CompiledWorkflow, culprit: str) -> str:
    match workflow.conditions[culprit]:
        case AttestationCondition() | ParticipationCondition():
            return f"ask for at most {len(COMMUNITIES)} communities in '{culprit}'"
        case MeetingsCondition():
            return f"shorten the span of '{culprit}' or lengthen the window that keeps it"
        case ScoreCondition():
            return f"ask for a level within the scale in '{culprit}'"
        case ExpiringCondition() | HeldCondition():
            return f"make the window of '{culprit}' longer than what it contains needs"
        case AnyCondition():
            return f"give '{culprit}' at least one alternative that can be met"
    return f"change what '{culprit}' asks for"


def verify_workflow(
    workflow: CompiledWorkflow | str, *, seed: int = 0, walks: int = 8, steps: int = 150
) -> VerificationReport:
    """Explore what a workflow allows and report its flaws, each with a witness log.

    `workflow` is a compiled workflow loaded from a file, a built-in id or a path.
    `walks` random walks of at most `steps` steps each, seeded by `seed`, cross-check
    the analysis (0 turns them off).
    """
    compiled = get_workflow(workflow) if isinstance(workflow, str) else workflow
    verifier = _Verifier(compiled, seed, walks, steps)
    verifier.analyse_conditions()
    verifier.explore()
    verifier.random_walks()
    findings = verifier.findings()
    order = {stage.id: index for index, stage in enumerate(compiled.definition.stages)}
    return VerificationReport(
        workflow=compiled.id,
        version=compiled.definition.version,
        source=compiled.source,
        findings=tuple(findings),
        reachable=tuple(sorted(verifier.witness, key=order.__getitem__)),
        moves_tried=verifier.moves_tried,
        walks=verifier.walks if verifier.walk_log.steps else 0,
        steps=verifier.walk_log.steps,
        seed=seed,
        notes=tuple(verifier.notes),
        stage_witnesses={stage: tuple(events) for stage, events in verifier.witness.items()},
    )
