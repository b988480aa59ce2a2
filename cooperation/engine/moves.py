"""The one table of a workflow's moves, and the `transitions` Machine that makes them.

A move is one edge of the stage graph: the advance from a ladder stage to the next, or
one of the workflow's transitions (regress, escalate, hand off) from one of its stages.
`MoveTable` lists them once per compiled workflow, as plain records, and answers every
question about them: what leaves a stage, which move a request means, which move an
event takes by itself. Reading a status asks the table and so never imports
`transitions`.

Making a move is the Machine's job. It is built from the same records when the first
move is made, and holds them: each of its transitions is guarded by its record's
prerequisites, and the stage the Machine arrives at is the stage the move records.
Attaching every initiative to a Machine would cost memory per initiative (some 34 KB)
and time quadratic in their number (`add_model`), so each workflow has one Machine with
one reusable cursor behind a lock: the cursor is put at the initiative's stage and the
move's trigger is fired.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from cooperation.engine.payloads import MoveEventKind
from cooperation.errors import TransitionError
from cooperation.vocabulary import BodyKind

if TYPE_CHECKING:
    from transitions import EventData, Machine

    from cooperation.definition.compiled import CompiledTransition, CompiledWorkflow
    from cooperation.engine.evaluation import Evaluator

MoveKind = Literal["advance", "regress", "escalate", "hand_off"]
ADVANCE: Literal["advance"] = "advance"

# The one map between the kinds of move and the kinds of event that record them.
EVENT_KIND_OF_MOVE: Mapping[MoveKind, MoveEventKind] = {
    "advance": "stage_advanced",
    "regress": "stage_regressed",
    "escalate": "escalated",
    "hand_off": "handed_off",
}
MOVE_KIND_OF_EVENT: Mapping[str, MoveKind] = {event: move for move, event in EVENT_KIND_OF_MOVE.items()}


def trigger_name(transition_id: str | None) -> str:
    """The Machine trigger of a move (transitions prefixed: an id may not clash with 'advance')."""
    return ADVANCE if transition_id is None else f"take:{transition_id}"


@dataclass(frozen=True, slots=True)
class Move:
    """One move from one stage: an advance (no transition id) or a workflow transition."""

    kind: MoveKind
    source: str
    target: str
    transition: str | None
    roles: tuple[str, ...]  # who may make it
    needs: tuple[str, ...]  # the conditions that guard it, in working order
    on_event: str | None = None  # the event kind on which the workflow makes it by itself
    body_kinds: tuple[BodyKind, ...] = ()  # a hand-off: the kinds of body it may go to (empty: any)
    on_roles: tuple[str, ...] = ()  # with on_event about a participant: only one holding these roles
    on_lapse: str | None = None  # the condition whose lapse makes the workflow take it by itself

    @property
    def trigger(self) -> str:
        return trigger_name(self.transition)

    @property
    def event_kind(self) -> MoveEventKind:
        """The kind of event that records this move."""
        return EVENT_KIND_OF_MOVE[self.kind]

    @property
    def automatic(self) -> bool:
        """Taken by the engine itself on an event (a breach, the owner leaving) or when a condition lapses."""
        return self.on_event is not None or self.on_lapse is not None

    def taken_on(self, role: str | None) -> bool:
        """Whether it is taken on an event about a participant holding `role` (None: about no one)."""
        return not self.on_roles or role in self.on_roles

    @property
    def label(self) -> str:
        if self.transition is None:
            return f"advance {self.source} -> {self.target}"
        return f"'{self.transition}' ({self.source} -> {self.target})"


class MoveTable:
    """Every move of one workflow, by the stage it leaves: the advance first, then the transitions
    in the definition's order. Built once per compiled workflow (see `moves_for`)."""

    def __init__(self, workflow: CompiledWorkflow) -> None:
        self.stages = tuple(workflow.compiled_stages)
        self.start = workflow.start
        self._ladder = frozenset(workflow.ladder)
        following = dict(zip(workflow.ladder, workflow.ladder[1:], strict=False))
        transitions = workflow.compiled_transitions.values()  # in definition order
        leaving: dict[str, tuple[Move, ...]] = {}
        for stage in self.stages:
            moves = [_advance(workflow, stage, following[stage])] if stage in following else []
            moves += [_transition(workflow, stage, t) for t in transitions if stage in t.from_]
            leaving[stage] = tuple(moves)
        self._leaving = leaving
        self.rows = tuple(move for moves in leaving.values() for move in moves)  # in stage order
        self._by_trigger = {(move.source, move.transition): move for move in self.rows}
        self._by_transition: dict[str, tuple[Move, ...]] = {}
        for move in self.rows:
            if move.transition is not None:
                self._by_transition[move.transition] = (*self._by_transition.get(move.transition, ()), move)
        self._automatic: dict[tuple[str, str], tuple[Move, ...]] = {}
        for move in self.rows:  # in definition order: the first that applies is taken
            if move.on_event is not None:
                key = (move.source, move.on_event)
                self._automatic[key] = (*self._automatic.get(key, ()), move)
        self.automatic_events = frozenset(event for _, event in self._automatic)
        # The moves taken when a condition lapses, by the stage they leave (in definition order).
        # Empty for most workflows: reading them then costs one falsy check per log.
        self.lapsing: dict[str, tuple[Move, ...]] = {}
        for move in self.rows:
            if move.on_lapse is not None:
                self.lapsing[move.source] = (*self.lapsing.get(move.source, ()), move)
        self._machine: StageMachine | None = None
        self._machine_lock = threading.Lock()

    # --- what leaves a stage ------------------------------------------------------------------

    def leaving(self, stage: str) -> tuple[Move, ...]:
        """Every move from `stage`: the advance first, then the transitions in definition order."""
        return self._leaving.get(stage, ())

    def advance(self, stage: str) -> Move | None:
        """The advance from `stage`, or None at the top of the ladder or off it."""
        moves = self._leaving.get(stage, ())
        return moves[0] if moves and moves[0].transition is None else None

    def next_stage(self, stage: str) -> str | None:
        """The ladder stage after `stage`, or None at the top or off the ladder."""
        advance = self.advance(stage)
        return advance.target if advance is not None else None

    def transitions(self, stage: str) -> tuple[Move, ...]:
        """The workflow transitions from `stage`, in definition order (no advance)."""
        return tuple(move for move in self._leaving.get(stage, ()) if move.transition is not None)

    def move(self, stage: str, transition: str | None) -> Move | None:
        """The move from `stage` through `transition` (None: the advance), if the workflow has it."""
        return self._by_trigger.get((stage, transition))

    def of_transition(self, transition: str) -> tuple[Move, ...]:
        """The moves a workflow transition makes, one per stage it leaves."""
        return self._by_transition[transition]

    def automatic(self, stage: str, event_kind: str, role: str | None = None) -> Move | None:
        """The move the workflow makes by itself from `stage` when an event of this kind is recorded,
        about a participant holding `role` (for the kinds about a participant): the first that applies."""
        if event_kind not in self.automatic_events:
            return None
        return next((move for move in self._automatic.get((stage, event_kind), ()) if move.taken_on(role)), None)

    # --- which move a request means -----------------------------------------------------------

    def matching(
        self, stage: str, kind: MoveKind, *, transition: str | None = None, target: str | None = None
    ) -> tuple[Move, ...]:
        """The moves of `kind` from `stage` that fit the transition id and target given (None: any)."""
        return tuple(
            move
            for move in self._leaving.get(stage, ())
            if move.kind == kind and transition in (None, move.transition) and target in (None, move.target)
        )

    def choose(
        self, initiative: str, stage: str, kind: MoveKind, *, transition: str | None = None, target: str | None = None
    ) -> Move:
        """The one move a request means, or TransitionError saying what moves there are."""
        if kind == ADVANCE:
            advance = self.advance(stage)
            if advance is None:
                raise TransitionError(self._no_next_stage(initiative, stage))
            return advance
        candidates = self.matching(stage, kind, transition=transition, target=target)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            available = ", ".join(f"{m.transition} ({m.kind} to {m.target})" for m in self.transitions(stage)) or "none"
            raise TransitionError(f"{initiative} is at '{stage}': no {kind} move matches; moves from here: {available}")
        choices = ", ".join(f"{m.transition} (to {m.target})" for m in candidates)
        raise TransitionError(f"{initiative} is at '{stage}': several {kind} moves fit ({choices}); name one")

    def _no_next_stage(self, initiative: str, stage: str) -> str:
        options = ", ".join(f"{move.transition} ({move.kind})" for move in self.transitions(stage))
        where = "the last stage of the ladder" if stage in self._ladder else "off the ladder"
        suffix = f"; moves from here: {options}" if options else "; nothing moves on from here"
        return f"{initiative} is at '{stage}', {where}{suffix}"

    # --- making a move ---------------------------------------------------------------------------

    @property
    def machine(self) -> StageMachine:
        """The workflow's Machine, built from these moves on first use (it imports `transitions`)."""
        with self._machine_lock:
            if self._machine is None:
                self._machine = StageMachine(self)
            return self._machine

    def make(self, move: Move, evaluator: Evaluator) -> str | None:
        """The stage `move` arrives at, or None when its guard (its unmet blocking needs) refuses it."""
        return self.machine.fire(move, evaluator)


def _advance(workflow: CompiledWorkflow, stage: str, target: str) -> Move:
    roles = workflow.compiled_stages[target].advance_roles
    return Move(
        ADVANCE, stage, target, None, roles if roles is not None else workflow.default_roles, workflow.needs(target)
    )


def _transition(workflow: CompiledWorkflow, stage: str, transition: CompiledTransition) -> Move:
    roles = transition.roles if transition.roles is not None else workflow.default_roles
    needs = workflow.transition_needs[transition.id]
    return Move(
        transition.kind,
        stage,
        transition.to,
        transition.id,
        roles,
        needs,
        transition.on_event,
        transition.body_kinds,
        transition.on_roles,
        transition.on_lapse,
    )


class _Guard:
    """The condition of one Machine transition: it holds the move and asks the evaluator."""

    __slots__ = ("move",)

    def __init__(self, move: Move) -> None:
        self.move = move

    def __call__(self, event: EventData) -> bool:
        evaluator: Evaluator = event.kwargs["evaluator"]
        return not evaluator.blocking(self.move.needs)


class _Cursor:
    state: str


class StageMachine:
    """The `transitions` Machine of one workflow: a transition per move of its table."""

    def __init__(self, table: MoveTable) -> None:
        from transitions import Machine  # only moving initiatives needs it

        self._cursor = _Cursor()
        self._lock = threading.Lock()
        self._machine: Machine = Machine(
            model=self._cursor,
            states=list(table.stages),
            transitions=[
                {"trigger": move.trigger, "source": move.source, "dest": move.target, "conditions": [_Guard(move)]}
                for move in table.rows
            ],
            initial=table.start,
            send_event=True,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )

    def moves(self) -> list[Move]:
        """The moves the Machine holds, one per transition it has."""
        return [
            condition.func.move
            for event in self._machine.events.values()
            for transitions in event.transitions.values()
            for transition in transitions
            for condition in transition.conditions
            if isinstance(condition.func, _Guard)
        ]

    def fire(self, move: Move, evaluator: Evaluator) -> str | None:
        """Put the cursor at the move's source and fire its trigger: the stage arrived at, or None if refused."""
        with self._lock:
            self._machine.set_state(move.source, model=self._cursor)
            moved: Any = self._cursor.trigger(move.trigger, evaluator=evaluator)  # type: ignore[attr-defined]
            return self._cursor.state if moved else None


_tables: weakref.WeakKeyDictionary[CompiledWorkflow, MoveTable] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()


def moves_for(workflow: CompiledWorkflow) -> MoveTable:
    """The move table of a workflow, built on first use and kept as long as the workflow is."""
    table = _tables.get(workflow)
    if table is None:
        with _tables_lock:
            table = _tables.get(workflow)
            if table is None:
                table = _tables[workflow] = MoveTable(workflow)
    return table
