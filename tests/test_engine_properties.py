"""Properties of the engine, on random walks of the small ladder (tests/workflows/engine/ladder.yaml).

Every example gets its own SQLite file (made with tempfile, not a fixture) and a settable
clock that moves forward at least a minute per step, so that every event has its own moment.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_for_statistics
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cooperation.definition.catalog import get_workflow
from cooperation.engine.events import moment
from cooperation.engine.moves import moves_for
from cooperation.engine.workflow_lines import export_lines
from cooperation.errors import (
    ActorError,
    BlockedTransitionError,
    EventError,
    NotPermittedError,
    TransitionError,
)
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.testing import Clock
from cooperation.vocabulary import COMMUNITIES

LADDER_FILE = str(Path(__file__).resolve().parent / "workflows" / "engine" / "ladder.yaml")
WORKFLOW = get_workflow(LADDER_FILE)
MOVES = moves_for(WORKFLOW)
CONDITIONS = tuple(WORKFLOW.conditions)
EVIDENCE_CONDITIONS = ("problem", "vouched", "output", "receiver", "failure")
ATTESTATION_CONDITIONS = ("trust-attested", "comfort")
NAMES = ("Ada", "Ben", "Cy", "Di", "Ed")
START = datetime(2020, 1, 1, 9, tzinfo=UTC)
WALK = "walk"
LONG = "The outsider who would vouch for us has no role in this kind of initiative."

names = st.sampled_from(NAMES)
communities = st.sampled_from(COMMUNITIES[:3])
roles = st.sampled_from(("owner", "owner", "secretariat", "member", "member", "observer"))
minutes = st.one_of(st.integers(1, 90), st.integers(60 * 24, 60 * 24 * 12), st.integers(60 * 24 * 30, 60 * 24 * 40))


def _new_registry(folder: str, name: str, clock: Clock) -> Registry:
    return Registry(open_store(Path(folder) / name), clock=clock)


def _lines(registry: Registry) -> list[str]:
    """What `coop export` writes: the events, the workflow text they are pinned to first."""
    return list(export_lines(registry.export_events(), registry.store))


def _events_in(lines: list[str]) -> int:
    return sum(1 for line in lines if not line.startswith('{"coop_workflow":'))


# --- a helping hand: one fact towards the first thing the next stage lacks ------------------------


def _active(registry: Registry) -> dict[str, tuple[str, str]]:
    """Current participants: name -> (role, community), folded from the history in time order."""
    active: dict[str, tuple[str, str]] = {}
    for event in sorted(registry.history(WALK), key=lambda e: (e.moment, e.seq)):
        if event.kind == "participant_joined":
            active[event.data["name"]] = (event.data.get("role", "member"), event.data["community"])
        elif event.kind == "participant_left":
            active.pop(event.data["name"], None)
    return active


def _permitted(registry: Registry, actor: str, roles: tuple[str, ...]) -> bool:
    found = _active(registry).get(actor)
    return found is not None and found[0] in roles


def permitted_actor(registry: Registry, pick: int) -> str | None:
    advance = MOVES.advance(registry.status(WALK).stage)
    if advance is None:
        return None
    roles = advance.roles
    allowed = sorted(name for name, (role, _) in _active(registry).items() if role in roles)
    return allowed[pick % len(allowed)] if allowed else None


def help_next(registry: Registry, clock: Clock, pick: int) -> None:
    """Record one fact towards the first unsatisfied prerequisite of the next stage (may be refused);
    when no one may move the initiative on, someone who may joins first."""
    status = registry.status(WALK)
    if status.next is not None and permitted_actor(registry, pick) is None:
        return _newcomer(registry, _active(registry), pick, role="owner")
    unmet = [u.condition for u in status.unmet if u.blocking] or [u.condition for u in status.unmet]
    if unmet:
        satisfied = {c.condition for c in status.conditions if c.met or c.waived}
        _help(registry, clock, unmet[0], pick, satisfied)


def _help(registry: Registry, clock: Clock, condition: str, pick: int, satisfied: set[str]) -> None:
    definition = WORKFLOW.conditions[condition]
    missing = [name for name in definition.requires if name not in satisfied]
    if missing:
        return _help(registry, clock, missing[0], pick, satisfied)
    kind = definition.kind
    if kind in ("any", "all"):
        members = [m for m in definition.of if m not in satisfied] or list(definition.of)  # type: ignore[union-attr]
        return _help(registry, clock, members[pick % len(members)], pick, satisfied)
    if kind in ("expiring", "held"):
        if kind == "held":
            clock.now += timedelta(days=1)
        return _help(registry, clock, definition.condition, pick, satisfied)  # type: ignore[union-attr]
    active = _active(registry)
    voters = sorted(name for name, (role, _) in active.items() if role != "observer")
    if kind == "evidence":
        registry.record(WALK, "evidence_recorded", {"condition": condition, "text": "done"}, by="Ada")
    elif kind == "score":
        registry.record(WALK, "score_set", {"parameter": "trust-level", "level": 2 + pick % 3}, by="Ada")
    elif kind == "meetings":
        clock.now += timedelta(days=2)
        registry.record(WALK, "meeting_held", {"attendees": voters[:2] or sorted(active)[:1] or ["Ada"]}, by="Ada")
    elif kind == "attestation":
        attested = {
            e.by for e in registry.history(WALK) if e.kind == "attestation_given" and e.data["condition"] == condition
        }
        fresh = [name for name in voters if name not in attested]
        if fresh and (pick % 4 or kind != "attestation"):
            registry.record(WALK, "attestation_given", {"condition": condition}, by=fresh[pick % len(fresh)])
        else:
            _newcomer(registry, active, pick)
    elif kind == "participation":
        _newcomer(registry, active, pick)


def _newcomer(registry: Registry, active: dict[str, tuple[str, str]], pick: int, role: str = "member") -> None:
    present = {community for _, community in active.values()}
    community = next((c for c in COMMUNITIES if c not in present), COMMUNITIES[pick % len(COMMUNITIES)])
    name = next(f"P{n}" for n in range(100) if f"P{n}" not in active)
    registry.record(WALK, "participant_joined", {"name": name, "community": community, "role": role}, by="Ada")


# --- a random walk, as data: one tuple per step ------------------------------------------------

helping = st.tuples(st.just("help"), st.integers(0, 11))  # several in a row, as work tends to come
advancing = st.tuples(st.just("advance-permitted"), st.integers(0, 3))
noise = st.one_of(
    advancing,
    st.tuples(st.just("join"), names, communities, roles),
    st.tuples(st.just("leave"), names),
    st.tuples(st.just("meet"), st.lists(names, min_size=1, max_size=3, unique=True)),
    st.tuples(st.just("evidence"), st.sampled_from(EVIDENCE_CONDITIONS + CONDITIONS)),
    st.tuples(st.just("attest"), st.sampled_from(ATTESTATION_CONDITIONS + CONDITIONS), names),
    st.tuples(st.just("score"), st.integers(0, 4)),
    st.tuples(st.just("waive"), st.sampled_from(("vouched", "comfort", "problem")), names, st.booleans()),
    st.tuples(st.just("breach"), st.one_of(st.none(), names)),
    st.tuples(st.just("advance"), names),
    st.tuples(st.just("regress"), names),
    st.tuples(st.just("escalate"), names),
    st.tuples(st.just("handoff"), names, st.sampled_from(("standardisation", "legislation"))),
)
# Most steps work on what is next (or move on); the rest are anything at all. (one_of would flatten
# `noise` and weigh every kind of step alike.)
actions = st.integers(0, 9).flatmap(lambda n: helping if n < 6 else noise)
steps = st.lists(st.tuples(minutes, st.integers(0, 3), actions), min_size=5, max_size=60)


def start(registry: Registry, clock: Clock) -> None:
    registry.create("Walk", workflow=LADDER_FILE, initiative=WALK, at=clock.now, by="Ada")
    registry.record(
        WALK, "participant_joined", {"name": "Ada", "community": "technical", "role": "owner"}, at=clock.now, by="Ada"
    )


def step(registry: Registry, clock: Clock, action: tuple[Any, ...], at: datetime | None = None) -> bool:
    """One step of a walk; True if it moved the initiative. A refused step must write nothing."""
    kind, *args = action
    version = registry.store.version(WALK)
    try:
        if kind == "help":  # work on what the next stage lacks, or move on when nothing blocks
            actor = permitted_actor(registry, args[0])
            if actor is not None and registry.can_advance(WALK):
                registry.advance(WALK, by=actor)
                return True
            help_next(registry, clock, args[0])
        elif kind == "advance-permitted":
            actor = permitted_actor(registry, args[0])
            if actor is not None:
                registry.advance(WALK, by=actor)
                return True
        elif kind == "join":
            name, community, role = args
            registry.record(
                WALK, "participant_joined", {"name": name, "community": community, "role": role}, at=at, by="Ada"
            )
        elif kind == "leave":
            registry.record(WALK, "participant_left", {"name": args[0]}, at=at, by=args[0])
        elif kind == "meet":
            registry.record(WALK, "meeting_held", {"attendees": args[0]}, at=at, by="Ada")
        elif kind == "evidence":
            registry.record(WALK, "evidence_recorded", {"condition": args[0], "text": "seen"}, at=at, by="Ada")
        elif kind == "attest":
            registry.record(WALK, "attestation_given", {"condition": args[0]}, by=args[1], at=at)
        elif kind == "score":
            registry.record(WALK, "score_set", {"parameter": "trust-level", "level": args[0]}, at=at, by="Ada")
        elif kind == "waive":
            rationale = LONG if args[2] else "short"
            registry.record(WALK, "condition_waived", {"condition": args[0], "rationale": rationale}, by=args[1], at=at)
        elif kind == "breach":  # reported by anyone (or no one named), possibly late
            stage = registry.status(WALK).stage
            registry.record(WALK, "trust_breached", {"description": "A leak"}, by=args[0], at=at)
            if stage in ("trusted", "delivered"):  # regressed in the same write
                breach, regress = registry.history(WALK)[-2:]
                assert (breach.kind, regress.kind, regress.data["to"]) == (
                    "trust_breached",
                    "stage_regressed",
                    "formed",
                )
                assert registry.store.version(WALK) == version + 2
                return True
        elif kind == "advance":
            registry.advance(WALK, by=args[0])
            return True
        elif kind == "regress":
            registry.regress(WALK, by=args[0], reason="Start again", transition=_first("regress", registry))
            return True
        elif kind == "escalate":
            registry.escalate(WALK, by=args[0], reason="Stuck")
            return True
        elif kind == "handoff":
            registry.hand_off(WALK, by=args[0], body="ETSI", body_kind=args[1])
            assert args[1] == "standardisation"
            return True
    except (EventError, TransitionError) as error:
        assert registry.store.version(WALK) == version, f"a refused {kind} appended: {error}"
    return False


def play(registry: Registry, clock: Clock, walk: list[tuple[int, int, tuple[Any, ...]]], *, backdate: bool) -> int:
    """Apply the steps, ignoring refusals; return how many moves landed.

    With `backdate`, facts are dated up to a few hours before the clock (recorded late).
    """
    start(registry, clock)
    moves = 0
    for wait, late, action in walk:
        clock.now += timedelta(minutes=wait)
        moves += step(registry, clock, action, clock.now - timedelta(hours=late) if backdate else None)
    return moves


def _first(kind: str, registry: Registry) -> str | None:
    stage = registry.status(WALK).stage
    found = [m.transition for m in MOVES.transitions(stage) if m.kind == kind and m.on_event is None]
    return found[0] if found else None


# --- 1. replaying a log gives the same status ---------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk=steps, backdate=st.booleans(), later=st.integers(0, 60))
def test_replaying_a_log_gives_the_same_status(walk: list[Any], backdate: bool, later: int) -> None:
    folder = tempfile.mkdtemp()
    try:
        clock = Clock(START)
        with _new_registry(folder, "a.db", clock) as registry:
            moves = play(registry, clock, walk, backdate=backdate)
            note_for_statistics(f"moves: {min(moves, 3)}")
            note_for_statistics(f"ended at {registry.status(WALK).stage}")
            lines = _lines(registry)
            with _new_registry(folder, "b.db", clock) as copy:
                report = copy.import_lines(lines)
                assert report.events == _events_in(lines)
                assert _lines(copy) == lines
                assert copy.history(WALK) == registry.history(WALK)
                assert copy.status(WALK).to_json() == registry.status(WALK).to_json()
                clock.now += timedelta(days=later)  # expiring and held conditions agree later too
                assert copy.status(WALK).to_json() == registry.status(WALK).to_json()
                assert copy.can_advance(WALK) == registry.can_advance(WALK)
    finally:
        shutil.rmtree(folder)


# --- 4. status as of an event's date equals the status after replaying the log up to it ----------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    walk=steps,
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3),
    by_day=st.booleans(),
    backdate=st.booleans(),
)
def test_status_as_of_an_event_equals_the_replay_of_the_log_up_to_it(
    walk: list[Any], picks: list[int], by_day: bool, backdate: bool
) -> None:
    folder = tempfile.mkdtemp()
    try:
        clock = Clock(START)
        with _new_registry(folder, "a.db", clock) as registry:
            play(registry, clock, walk, backdate=backdate)
            history = registry.history(WALK)
            for number, pick in enumerate(sorted({pick % len(history) for pick in picks})):
                event = history[pick]
                as_of: str = event.at[:10] if by_day else event.at
                last = moment(as_of) + (timedelta(days=1) if by_day else timedelta(microseconds=1))
                prefix = [e.to_line() for e in history if e.moment < last]  # in recorded order
                with _new_registry(folder, f"prefix{number}.db", clock) as replay:
                    replay.import_lines([*_lines(registry)[:1], *prefix])  # the workflow's text, then the events
                    replayed = replay.status(WALK, as_of=as_of).to_json()
                    found = registry.status(WALK, as_of=as_of).to_json()
                    if backdate:
                        # Facts recorded late keep their place (seq) in the whole log, so the version as of
                        # a date (the highest seq applied) may differ from the replayed prefix's length.
                        assert found["version"] >= replayed["version"] == len(prefix)
                        del found["version"], replayed["version"]
                    else:
                        assert replayed["version"] == len(prefix)
                    assert replayed == found
    finally:
        shutil.rmtree(folder)


# --- 2, 3 and the moves: a rule-based walk --------------------------------------------------------


class Walk(RuleBasedStateMachine):
    """Work on what is next, any other step, time passing, and advances compared with can_advance."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp()
        self.clock = Clock(START)
        self.registry = _new_registry(self.folder, "walk.db", self.clock)
        start(self.registry, self.clock)

    def teardown(self) -> None:
        note_for_statistics(f"walk ended at {self.registry.status(WALK).stage}")
        try:
            self._every_advance_had_its_prerequisites()
        finally:
            self.registry.close()
            shutil.rmtree(self.folder)

    # --- helpers -------------------------------------------------------------------------

    def _tick(self, wait: int = 1) -> None:
        self.clock.now += timedelta(minutes=wait)

    def _attempt(self, action: Callable[[], Any]) -> BaseException | None:
        """Run a write; if refused, check that nothing was written (property 3)."""
        before = self.registry.history(WALK)
        try:
            action()
        except (EventError, TransitionError) as error:
            assert self.registry.history(WALK) == before, f"a refused write appended: {error}"
            assert self.registry.status(WALK).version == len(before)
            return error
        return None

    # --- facts, and any other step ----------------------------------------------------------

    @rule(pick=st.integers(0, 11), rounds=st.integers(1, 3))
    def work_on_what_is_next(self, pick: int, rounds: int) -> None:
        for _ in range(rounds):
            self._tick()
            self._attempt(lambda: help_next(self.registry, self.clock, pick))

    @rule(action=noise)
    def anything(self, action: tuple[Any, ...]) -> None:
        self._tick()
        step(self.registry, self.clock, action)

    @rule(wait=minutes)
    def time_passes(self, wait: int) -> None:
        self._tick(wait)

    # --- moves -------------------------------------------------------------------------------

    @rule(actor=names)
    def advance(self, actor: str) -> None:
        """2. can_advance is true exactly when advance succeeds, for a permitted actor."""
        self._tick()
        status = self.registry.status(WALK)
        may = self.registry.can_advance(WALK)
        assert may == status.can_advance
        following = status.next
        advance = MOVES.advance(status.stage)
        permitted = advance is not None and _permitted(self.registry, actor, advance.roles)
        before = len(self.registry.history(WALK))
        error = self._attempt(lambda: self.registry.advance(WALK, by=actor))
        note_for_statistics(f"advance: {type(error).__name__ if error else 'moved'}")
        if error is None:
            assert may and permitted
            history = self.registry.history(WALK)
            assert len(history) == before + 1
            moved = history[-1]
            assert (moved.kind, moved.by, moved.data) == (
                "stage_advanced",
                actor,
                {"from": status.stage, "to": following},
            )
        elif isinstance(error, NotPermittedError | ActorError):  # a role not allowed, or no current participant
            assert not permitted, error
        elif isinstance(error, BlockedTransitionError):
            assert not may and permitted, error
            assert [r.condition for r in error.unmet] == [u.condition for u in status.unmet if u.blocking]
        else:
            assert following is None and not may, error

    @rule(pick=st.integers(0, 11), rounds=st.integers(0, 4))
    def work_then_advance(self, pick: int, rounds: int) -> None:
        """Work on what is next, then try to move on, by someone who may (if anyone may)."""
        self.work_on_what_is_next(pick, rounds)
        actor = permitted_actor(self.registry, pick)
        self.advance(actor if actor is not None else NAMES[pick % len(NAMES)])

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def the_log_is_whole(self) -> None:
        history = self.registry.history(WALK)
        assert [event.seq for event in history] == list(range(1, len(history) + 1))
        assert self.registry.store.version(WALK) == len(history)

    def _every_advance_had_its_prerequisites(self) -> None:
        """No stage without its blocking prerequisites at the moment it moved there."""
        for event in self.registry.history(WALK):
            if event.kind != "stage_advanced":
                continue
            target = event.data["to"]
            status = self.registry.status(WALK, as_of=event.moment)
            assert status.stage == target
            blocking = [c.condition for c in status.conditions if c.condition in WORKFLOW.needs(target) and c.blocking]
            assert blocking == [], (event, blocking)
            assert not status.at_risk, (event, status.at_risk_conditions)


Walk.TestCase.settings = settings(
    max_examples=20, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_can_advance_is_true_exactly_when_advance_succeeds = Walk.TestCase


# --- the moves are events, and only they move an initiative --------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk=steps)
def test_the_stage_is_the_fold_of_the_recorded_moves(walk: list[Any]) -> None:
    folder = tempfile.mkdtemp()
    try:
        clock = Clock(START)
        with _new_registry(folder, "a.db", clock) as registry:
            play(registry, clock, walk, backdate=False)
            stage = WORKFLOW.start
            history = registry.history(WALK)
            for number, event in enumerate(history):
                if event.kind in ("stage_advanced", "stage_regressed", "escalated", "handed_off"):
                    assert event.data["from"] == stage, event
                    stage = event.data["to"]
                    if event.kind == "stage_advanced":
                        assert MOVES.next_stage(event.data["from"]) == stage
                    else:
                        assert WORKFLOW.transitions[event.data["transition"]].to == stage
                # between moves, the status agrees with the last move (a breach and its regress share a moment)
                if number + 1 == len(history) or history[number + 1].moment != event.moment:
                    assert registry.status(WALK, as_of=event.moment).stage == stage
            assert registry.status(WALK).stage == stage
    finally:
        shutil.rmtree(folder)
