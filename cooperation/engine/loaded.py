"""An initiative read from its store and folded: ready to evaluate, to take new events, to move.

The registry loads one for every call; an import keeps one per initiative it writes to,
and checks each line against it. Taking an event in (`admit`) checks it against the
initiative (`cooperation.engine.admission`), a move also against its roles and guards
(made through the workflow's Machine), and adds the move the workflow then takes by
itself, if any.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.admission import admit
from cooperation.engine.evaluation import Evaluator
from cooperation.engine.events import LAPSE_KIND, MOVE_KINDS, Event, parse_at
from cooperation.engine.facts import Facts, apply, fold, time_ordered
from cooperation.engine.history import History
from cooperation.engine.moves import Move, MoveTable, moves_for
from cooperation.engine.payloads import (
    EscalatedData,
    EventData,
    StageRegressedData,
    move_payload,
    payload,
)
from cooperation.engine.rejudge import Switch, judged_fold
from cooperation.engine.snapshot import Snapshot, resumed
from cooperation.engine.triggers import automatic_reason, role_held
from cooperation.errors import (
    BlockedTransitionError,
    CooperationError,
    EventError,
    NotPermittedError,
    UnknownInitiativeError,
)
from cooperation.wording import did_you_mean


@dataclass(slots=True)
class LoadedInitiative:
    """An initiative read from the store and folded, ready to evaluate, extend or move."""

    workflow: CompiledWorkflow
    events: list[Event]  # in time order
    facts: Facts
    version: int
    awaiting: Event | None = None  # while replaying a log: the automatic move it must hold next
    _moves: MoveTable | None = field(default=None, repr=False)  # looked up on the first event taken in
    # For folding the log again (a late fact, a withdrawal): the workflow it was created with, and
    # the one each `workflow_changed` names, so that each move is judged by the workflow it was made under.
    created_with: CompiledWorkflow | None = field(default=None, repr=False)
    resolve_changed: Switch | None = field(default=None, repr=False)
    # Lapses due since the last event (`cooperation.engine.lapses`), taken in by `catch_up` and
    # written before the next event admitted; `stored_version` is the log's version without them.
    lapses: list[Event] = field(default_factory=list, repr=False)
    resumed_from: int = field(default=0, repr=False)  # the events a stored snapshot gave folded (0: none)

    @property
    def stored_version(self) -> int:
        """The version of the log as stored: what an append is guarded by."""
        return self.version - len(self.lapses)

    def catch_up(self, moment: datetime, *, inclusive: bool = True) -> list[Event]:
        """Take in the lapses due by `moment` (after the last event), to be recorded before what comes next."""
        last = self.facts.last_event
        if not self.moves.lapsing or last is None or moment <= last:
            return []
        from cooperation.engine.lapses import derive_lapses  # only for a workflow with lapses

        derived = derive_lapses(self.workflow, self.moves, self.facts, self.events, moment, inclusive=inclusive)
        self.lapses += [self._logged(event) for event in derived]  # the facts hold them already
        self.facts.version = self.version
        return self.lapses

    def facts_at(self, moment: datetime) -> Facts:
        return fold(self.facts.initiative, self.events, start=self.workflow.start, until=moment)

    def evaluator(self, moment: datetime) -> Evaluator:
        history = History(self.facts.initiative, self.events, start=self.workflow.start)
        return Evaluator(self.workflow, self.facts, moment, history)

    def facts_for(self, event: Event) -> Facts:
        """The facts as they stood when `event` happened (it may be dated before later facts)."""
        last = self.facts.last_event
        return self.facts if last is None or event.moment >= last else self.facts_at(event.moment)

    def latest(self, clock: datetime) -> datetime:
        """The moment a move made now takes: now, or the latest fact if one is dated ahead."""
        last = self.facts.last_event
        return clock if last is None or clock >= last else last

    def switch(self, workflow: CompiledWorkflow) -> None:
        """Judge the initiative by another workflow from now on (a `workflow_changed` taken in).

        Its current stage must be one of the new workflow's: a stage is a fact, never remapped.
        """
        if self.facts.stage not in workflow.compiled_stages:
            stages = ", ".join(workflow.compiled_stages)
            raise EventError(
                f"{self.facts.initiative} is at stage '{self.facts.stage}', which workflow {workflow.id} does not "
                f"have (its stages: {stages}); choose a workflow that has it"
            )
        holding = sorted(
            {p.role for p in self.facts.active_participants() if p.role not in workflow.role_names}
        )  # a role is a fact too: one the new workflow has not would be held by no rule
        if holding:
            raise EventError(
                f"current participants of {self.facts.initiative} hold roles that workflow {workflow.id} does not "
                f"have ({', '.join(holding)}; its roles: {', '.join(workflow.role_names)}): change their roles "
                "first, or choose a workflow that declares them"
            )
        self.workflow, self._moves = workflow, None

    @property
    def moves(self) -> MoveTable:
        if self._moves is None:
            self._moves = moves_for(self.workflow)
        return self._moves

    def _logged(self, event: Event) -> Event:
        """Put an event the facts already hold into the log, with its place."""
        self.version += 1
        event = replace(event, seq=self.version)
        self.events.append(event)
        return event

    def add(self, event: Event) -> Event:
        """Take an admitted event into the log (for checking the events that follow it)."""
        self.version += 1
        event = Event(
            event.initiative,
            event.kind,
            event.at,
            event.data,
            event.by,
            self.version,
            event.recorded_at,
            event.recorded_by,
        )
        at = event.moment
        if self.facts.last_event is None or at >= self.facts.last_event:
            self.events.append(event)  # the usual case: in time order already
            apply(self.facts, event, at)
        else:  # a late fact, dated before facts already recorded
            self.events.insert(bisect_right(self.events, (at, event.seq), key=_order), event)
        if event.kind == "fact_withdrawn" or self.events[-1] is not event:
            self.facts = judged_fold(
                self.facts.initiative, self.events, self.created_with or self.workflow, switch=self.resolve_changed
            )
        return event

    def admit(
        self, event: Event, *, clock: datetime, replaying: bool = False, account: str | None = None
    ) -> list[Event]:
        """Check an event against the initiative (a move also against its roles and guards), add
        it, and return what to append: the event, and the automatic move it causes.

        A log being replayed holds its automatic moves: the next event must be that move.
        `clock`: the present against which future dates are refused; `account`: where accounts
        are bound, the account it is written as.
        """
        if self.awaiting is not None:
            expected, self.awaiting = self.awaiting, None
            if (event.kind, event.at, event.data) != (expected.kind, expected.at, expected.data):
                automatic = move_payload(expected)
                raise EventError(
                    f"the workflow moved {self.facts.initiative} by itself after the previous event: the log must "
                    f"record that {expected.kind} to '{automatic['to']}' next (transition "
                    f"{automatic['transition']}, at {expected.at}, reason {automatic['reason']!r})"
                )
            return [self.add(event)]
        if self.moves.lapsing:
            self._lapses_before(event, replaying=replaying)
            if event.kind == LAPSE_KIND:
                return [self.add(event)]
        then = self.facts_for(event)
        event = admit(self.workflow, self.facts, event, then=then, clock=clock, log=self.events, account=account)
        if event.kind in MOVE_KINDS:
            event = self._make_move(event)
        last = self.facts.last_event
        role = role_held(then, event) if event.kind in self.moves.automatic_events else None
        batch, self.lapses = [*self.lapses, self.add(event)], []  # on error the caller drops `self`: safe
        follow_up = self._automatic_move(event, role)
        if follow_up is not None and last is not None and event.moment < last:
            raise EventError(
                f"this {event.kind} moves {self.facts.initiative} back to '{move_payload(follow_up)['to']}', "
                f"so it cannot be dated before facts already recorded (up to {parse_at(last)}): date it later"
            )
        if follow_up is not None:
            if replaying:
                self.awaiting = follow_up
            else:
                batch.append(self.add(follow_up))
        return batch

    def _lapses_before(self, event: Event, *, replaying: bool) -> None:
        """Take in the lapses due before `event` (at its moment too, unless it records a lapse): written
        before it; in a log being replayed, derived as a reading derives them. A lapse it records must
        be the one the workflow takes then."""
        from cooperation.engine.lapses import derive_lapses, lapse_misfit  # only for a workflow with lapses

        inclusive = event.kind != LAPSE_KIND
        last = self.facts.last_event
        if replaying and last is not None and event.moment > last:
            derive_lapses(self.workflow, self.moves, self.facts, self.events, event.moment, inclusive=inclusive)
        elif not replaying:
            self.catch_up(event.moment, inclusive=inclusive)
        if event.kind == LAPSE_KIND:
            why = lapse_misfit(self.workflow, self.moves, self.facts, event, self.facts_at)
            if why is not None:
                raise EventError(f"{self.facts.initiative}: this {LAPSE_KIND} is not the lapse of its workflow: {why}")

    def _make_move(self, event: Event) -> Event:
        """Make an admitted move on the Machine: the actor's role must allow it and its blocking
        prerequisites must be met. The event records the stage the Machine arrives at."""
        facts = self.facts
        transition = None if event.kind == "stage_advanced" else move_payload(event)["transition"]
        move = self.moves.move(facts.stage, transition)
        assert move is not None, "admission completes a move with one the workflow has"
        name = move.transition or "advance"
        participant = facts.participants.get(event.by) if event.by is not None else None
        if participant is None or not participant.active:
            current = [other for other, someone in facts.participants.items() if someone.active]
            hint = did_you_mean(event.by or "", current)
            reason = "not a current participant" + (f", {hint}" if hint else "")
            raise NotPermittedError(facts.initiative, name, event.by, move.roles, reason)
        if participant.role not in move.roles:
            role = participant.role
            raise NotPermittedError(facts.initiative, name, event.by, move.roles, f"{_article(role)} {role} may not")
        evaluator = self.evaluator(event.moment)
        arrived = self.moves.make(move, evaluator)
        if arrived is None:
            unmet = evaluator.to_work_on(move.needs, blocking_only=True)
            raise BlockedTransitionError(facts.initiative, move_payload(event)["to"], unmet)
        return _arriving(event, arrived)

    def _automatic_move(self, event: Event, role: str | None) -> Event | None:
        """The move the workflow makes by itself on this kind of event (a trust breach regresses; the
        owner leaving may), about a participant in `role`, if its own prerequisites are met once the
        event is recorded."""
        move: Move | None = self.moves.automatic(self.facts.stage, event.kind, role)
        if move is None:
            return None
        arrived = self.moves.make(move, self.evaluator(event.moment))
        if arrived is None:
            return None
        reason = automatic_reason(event, role)
        assert move.transition is not None, "the workflow moves by itself only along its transitions"
        data: AutomaticMoveData = {
            "from": self.facts.stage,
            "to": arrived,
            "reason": reason,
            "transition": move.transition,
        }
        return Event(self.facts.initiative, move.event_kind, event.at, data)  # by nobody: the workflow moved


AutomaticMoveData = StageRegressedData | EscalatedData  # what the workflow records when it moves by itself


WorkflowNamed = Callable[[Mapping[str, object]], CompiledWorkflow]
"""Finds the workflow an event's data names (`workflow`, and `workflow_hash` when pinned)."""


def load_initiative(
    initiative: str,
    events: Sequence[Event],
    workflow_named: WorkflowNamed,
    *,
    until: datetime | None = None,
    snapshot: Snapshot | None = None,
) -> LoadedInitiative:
    """Fold an initiative's events (as of `until`, if given) under the workflow it is judged by then:
    the one its creation names, or the one its last `workflow_changed` up to then names. A stored
    `snapshot` of its first events spares folding them again, when it fits (`engine.snapshot`)."""
    if not events:
        raise UnknownInitiativeError(initiative)
    try:
        workflow = _workflow(initiative, payload(events[0], "initiative_created"), workflow_named)
    except CooperationError:
        changes = [event for event in events if event.kind == "workflow_changed"]
        if not changes:
            raise
        # Pinned later to another workflow: the one it was created with (a file path, say) may not load.
        workflow = _workflow(initiative, changes[-1].data, workflow_named)
    ordered = time_ordered(events)

    def switch(reference: Mapping[str, object]) -> CompiledWorkflow:
        return _workflow(initiative, reference, workflow_named)

    created_with = workflow
    resume = resumed(snapshot, ordered, workflow, until)
    facts = judged_fold(initiative, ordered, workflow, until=until, switch=switch, resume=resume)
    if facts.workflow_changed is not None:
        workflow = switch(facts.workflow_changed)
    return LoadedInitiative(
        workflow,
        ordered,
        facts,
        len(events),
        created_with=created_with,
        resolve_changed=switch,
        resumed_from=resume[1] if resume is not None else 0,
    )


def judged_by(events: Sequence[Event], until: datetime | None = None) -> Mapping[str, object]:
    """The data that names the workflow a log is judged by (at `until`): its last `workflow_changed`
    up to then, else its creation. A scan of the log: for reports, not for reading statuses."""
    reference: Mapping[str, object] = payload(events[0], "initiative_created")
    for event in events:
        if event.kind == "workflow_changed" and (until is None or event.moment <= until):
            reference = event.data
    return reference


def _workflow(initiative: str, reference: Mapping[str, object], workflow_named: WorkflowNamed) -> CompiledWorkflow:
    try:
        return workflow_named(reference)
    except CooperationError as error:
        failed = CooperationError(f"{initiative}: its workflow cannot be loaded: {error}")
        failed.original = error
        raise failed from None


def new_initiative(initiative: str, workflow: CompiledWorkflow) -> LoadedInitiative:
    """An initiative not yet in the store: no events, at its workflow's first stage."""
    return LoadedInitiative(workflow, [], fold(initiative, [], start=workflow.start), 0, created_with=workflow)


def _arriving(event: Event, stage: str) -> Event:
    """The move event with the stage the Machine arrived at as its target."""
    if move_payload(event)["to"] == stage:
        return event
    return replace(event, data=cast("EventData", {**event.data, "to": stage}))


def _order(event: Event) -> tuple[datetime, int]:
    return (event.moment, event.seq)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
