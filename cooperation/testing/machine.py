"""`WorkflowMachine`: the rule-based machine's base, with the checks that hold for any workflow.

It holds one initiative in a registry in memory and knows how to read it, how to write
to it so that a refused write is checked to change nothing, and how to try a move and
check the engine's answer against the guards. Its invariants and its checks at random
points hold for every workflow; `workflow_state_machine` adds the rules for one workflow.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar, Literal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.evaluation import Evaluator
from cooperation.engine.events import MOVE_KINDS, Event, moment
from cooperation.engine.facts import Facts, fold, time_ordered
from cooperation.engine.moves import moves_for
from cooperation.engine.payloads import RecordableKind, move_payload
from cooperation.engine.permissions import who_may_record
from cooperation.engine.status import InitiativeStatus
from cooperation.engine.workflow_lines import export_lines
from cooperation.errors import (
    ActorError,
    BlockedTransitionError,
    CooperationError,
    EventError,
    NotPermittedError,
    TransitionError,
)
from cooperation.registry import Registry
from cooperation.testing.strategies import START
from cooperation.verify.guide import Guide, take_step
from cooperation.verify.moves import Move, apply_move, moves_from
from cooperation.verify.walks import Clock
from cooperation.verify.witness import CONVENOR, memory_registry, workflow_reference

Breaches = Literal["anyone", "guarded"]


class WorkflowMachine(RuleBasedStateMachine):
    """One initiative of `workflow`, in a registry held in memory, driven by hypothesis.

    Build one with `workflow_state_machine`; subclass it to add rules or invariants of your own.
    """

    workflow: ClassVar[CompiledWorkflow]
    initiative: ClassVar[str] = "example"
    start: ClassVar[datetime] = START
    breaches_by: ClassVar[Breaches] = "anyone"

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock(self.start)  # START by default: a Monday morning in 2020
        self.registry = self.make_registry()
        self.registry.create(
            "Example",
            workflow=workflow_reference(self.workflow),
            initiative=self.initiative,
            by=CONVENOR,
            community="technical",
            at=self.clock.now,
        )
        self.guide = Guide(self.workflow)
        self._moves_checked = 0
        self._cache: tuple[tuple[int, datetime], InitiativeStatus, Facts] | None = None

    def make_registry(self) -> Registry:
        """The registry the machine drives, on `self.clock`: in memory; override for another store."""
        return memory_registry(self.clock)

    def teardown(self) -> None:
        try:
            self.replaying_the_log_gives_the_same_status()
            self.recording_the_lapses_changes_no_status()
        finally:
            self.registry.close()

    # --- reading the initiative ------------------------------------------------------------------

    def status(self) -> InitiativeStatus:
        return self._state()[0]

    def facts(self) -> Facts:
        return self._state()[1]

    def _state(self) -> tuple[InitiativeStatus, Facts]:
        key = (self.registry.store.version(self.initiative), self.clock.now)
        if self._cache is None or self._cache[0] != key:
            history = self.registry.history(self.initiative)
            facts = fold(self.initiative, time_ordered(history), start=self.workflow.start)
            self._cache = (key, self.registry.status(self.initiative), facts)
        return self._cache[1], self._cache[2]

    def permitted(self, roles: Sequence[str]) -> list[str]:
        """Current participants whose role may make a move open to `roles`."""
        return sorted(p.name for p in self.facts().active_participants() if p.role in roles)

    def _blocking(self, needs: Sequence[str]) -> list[str]:
        # At a stage with no next one, a status lists only what the moves from there need: a move
        # that does not start here may need conditions it leaves out (and is refused for that anyway).
        shown = {condition.condition: condition for condition in self.status().conditions}
        return [need for need in needs if need in shown and shown[need].blocking]

    # --- writing, with the property that a refused write changes nothing ---------------------------

    def attempt(self, action: Any) -> CooperationError | None:
        """Run a write; if the engine refuses it, check that nothing was written."""
        before = self.registry.history(self.initiative)
        try:
            action()
        except (EventError, TransitionError) as error:
            assert self.registry.history(self.initiative) == before, f"a refused write appended events: {error}"
            return error
        return None

    def record(self, kind: RecordableKind, data: Mapping[str, Any], by: str | None = None) -> CooperationError | None:
        """Record one fact: by `by`, or else by a current participant who may (refused when no one may)."""
        self.clock.advance(minutes=1)
        by = by or who_may_record(self.workflow, self.facts(), kind)
        given: Any = data  # the rules pair kinds and data; the event schema checks the pair
        return self.attempt(lambda: self.registry.record(self.initiative, kind, given, by=by))

    # --- moves -----------------------------------------------------------------------------------

    def try_advance(self, actor: str, *, tick: bool = True) -> None:
        """can_advance agrees with the result of advance; a refusal names exactly what blocks."""
        if tick:
            self.clock.advance(minutes=1)
        status = self.status()
        following = status.next
        may = self.registry.can_advance(self.initiative)
        assert may == status.can_advance
        advance = moves_for(self.workflow).advance(status.stage)
        permitted = advance is not None and actor in self.permitted(advance.roles)
        error = self.attempt(lambda: self.registry.advance(self.initiative, by=actor))
        if following is None:
            assert type(error) is TransitionError, error
        elif not permitted:
            assert isinstance(error, NotPermittedError | ActorError), error  # a role not allowed, or no participant
        elif not may:
            assert isinstance(error, BlockedTransitionError), error
            assert [r.condition for r in error.unmet] == [u.condition for u in status.unmet if u.blocking]
        else:
            assert error is None, error
            moved = self.registry.history(self.initiative)[-1]
            assert (moved.kind, moved.by, moved.data) == (
                "stage_advanced",
                actor,
                {"from": status.stage, "to": following},
            )

    def try_transition(self, transition_id: str, actor: str, *, tick: bool = True) -> None:
        """A transition succeeds exactly when it starts here, the actor may take it and nothing blocks it."""
        if tick:
            self.clock.advance(minutes=1)
        status = self.status()
        transition = self.workflow.transitions[transition_id]
        move = replace(moves_for(self.workflow).of_transition(transition.id)[0], source=status.stage)
        blocking = self._blocking(move.needs)
        error = self.attempt(lambda: apply_move(self.registry, self.initiative, move, by=actor))
        if status.stage not in transition.from_:
            assert type(error) is TransitionError, error
        elif actor not in self.permitted(move.roles):
            assert isinstance(error, NotPermittedError | ActorError), error  # a role not allowed, or no participant
        elif blocking:
            assert isinstance(error, BlockedTransitionError), error
            listed = [r.condition for r in error.unmet]
            # every blocking need, in working order, each after the unmet parts it is made of
            assert [condition for condition in listed if condition in move.needs] == blocking, listed
            assert all(r.blocking for r in error.unmet), listed
        else:
            assert error is None, error
            moved = self.registry.history(self.initiative)[-1]
            arrived = move_payload(moved)
            assert arrived.get("transition") == transition.id and arrived["to"] == transition.to, moved

    def _advance_open(self) -> str | None:
        """Someone who may advance now, when the guard allows it (a rule's precondition)."""
        status = self.status()
        if status.next is None or not status.can_advance:
            return None
        advance = moves_for(self.workflow).advance(status.stage)
        allowed = self.permitted(advance.roles) if advance is not None else []
        return allowed[0] if allowed else None

    def _advance_blocked(self) -> str | None:
        """Someone who may advance, when the guard refuses it (a rule's precondition)."""
        status = self.status()
        if status.next is None or status.can_advance:
            return None
        advance = moves_for(self.workflow).advance(status.stage)
        allowed = self.permitted(advance.roles) if advance is not None else []
        return allowed[0] if allowed else None

    def _open_transitions(self) -> list[tuple[str, str]]:
        """(transition, actor) for every transition from here that nothing blocks and someone may take."""
        open_now = []
        for move in moves_from(self.workflow, self.status().stage):
            if move.transition is None or self._blocking(move.needs):
                continue
            allowed = self.permitted(move.roles)
            if allowed:
                open_now.append((move.transition, allowed[0]))
        return open_now

    # --- the invariants ------------------------------------------------------------------------------

    @invariant()
    def the_log_is_whole_and_the_stage_is_the_fold_of_its_moves(self) -> None:
        history = self.registry.history(self.initiative)
        assert [event.seq for event in history] == list(range(1, len(history) + 1))
        stage = self.workflow.start
        lapsing = moves_for(self.workflow).lapsing  # and the lapses due since the last event (`on_lapse`)
        derived = self.registry.derived_lapses(self.initiative) if lapsing else []
        for event in [*time_ordered(history), *derived]:
            if event.kind in MOVE_KINDS:
                assert move_payload(event)["from"] == stage, event
                stage = move_payload(event)["to"]
        assert self.status().stage == stage

    @invariant()
    def no_stage_was_entered_with_its_blocking_prerequisites_unmet(self) -> None:
        ordered = time_ordered(self.registry.history(self.initiative))
        moves = [index for index, event in enumerate(ordered) if event.kind in MOVE_KINDS]
        for index in moves[self._moves_checked :]:
            move = ordered[index]
            # judged as made: by the facts dated before it that were recorded before it (not late ones)
            before = [event for event in ordered[:index] if event.seq < move.seq]
            facts = fold(self.initiative, before, start=self.workflow.start)

            def facts_at(at: datetime, before: list[Event] = before) -> Facts:
                return fold(self.initiative, before, start=self.workflow.start, until=at)

            made = move_payload(move)
            transition = made.get("transition")
            needs = self.workflow.transition_needs[transition] if transition else self.workflow.needs(made["to"])
            blocking = [r.condition for r in Evaluator(self.workflow, facts, move.moment, facts_at).blocking(needs)]
            assert not blocking, f"{move.kind} to '{made['to']}' at {move.at} with {blocking} unmet"
        self._moves_checked = len(moves)

    # --- checks run at random points (too costly to run after every step) ------------------------------

    @rule()
    def replaying_the_log_gives_the_same_status(self) -> None:
        lines = list(export_lines(self.registry.export_events(self.initiative), self.registry.store))
        with memory_registry(self.clock) as copy:
            copy.import_lines(lines, source="replay")
            assert copy.status(self.initiative).to_json() == self.registry.status(self.initiative).to_json()
            assert copy.can_advance(self.initiative) == self.registry.can_advance(self.initiative)

    def recording_the_lapses_changes_no_status(self) -> None:
        """A lapse reading derives (`on_lapse`) reads the same once recorded, but for the version; once only."""
        if not moves_for(self.workflow).lapsing:
            return
        derived = self.registry.status(self.initiative).to_json()
        written = self.registry.record_lapses(self.initiative)
        assert self.registry.record_lapses(self.initiative) == [], "a lapse was recorded twice"
        recorded = self.registry.status(self.initiative).to_json()
        assert recorded.pop("version") == derived.pop("version") + len(written)
        assert recorded == derived

    @rule(pick=st.integers(0, 10_000))
    def status_as_of_a_past_moment_equals_the_replay_up_to_it(self, pick: int) -> None:
        history = self.registry.history(self.initiative)
        as_of = history[pick % len(history)].at
        cutoff = moment(as_of)
        prefix = [event for event in history if event.moment <= cutoff]
        with memory_registry(self.clock) as copy:
            copy.import_lines(export_lines(prefix, self.registry.store), source="prefix")  # with its workflow
            then = self.registry.status(self.initiative, as_of=as_of).to_json()
            replayed = copy.status(self.initiative, as_of=as_of).to_json()
        assert replayed.pop("version") == len(prefix)
        then.pop("version")  # the original log may hold later-recorded events dated before the cutoff
        assert replayed == then

    # --- time, and work towards the next move -----------------------------------------------------------

    @rule(days=st.sampled_from((1 / 1440, 1 / 24, 1.0, 3.0, 14.0, 45.0, 200.0)))
    def time_passes(self, days: float) -> None:
        self.clock.advance(days)

    @rule(seed=st.integers(0, 2**32 - 1), rounds=st.integers(1, 40))
    def work_towards_a_move(self, seed: int, rounds: int) -> None:
        """Record what a next move lacks, then make it: keeps walks reaching the later stages."""
        rng = random.Random(seed)
        target: Move | None = None
        moves = 0
        for _ in range(rounds):
            self.clock.advance(minutes=rng.choice((1, 30, 600)))
            stage = self.status().stage
            if target is None or target.source != stage:
                if moves == 2:  # leave room for the other rules between moves
                    return
                target = self.guide.choose_move(stage, rng)
                if target is None:
                    return
            step = self.guide.next_step(
                self.registry, self.initiative, self.clock.now, rng, target, known=self._state()
            )
            if step is None:
                return
            error = self.attempt(lambda step=step: take_step(self.registry, self.initiative, step, self.clock.advance))
            if step.action == "move" and error is None:
                moves, target = moves + 1, None
