"""Moves re-judged on read: the fold honours a move only if it fitted the workflow when it was made.

A move is written only after the engine checked it, but a row can reach the log around coop
(a raw INSERT into the SQLite file, a database role writing to the table). So the fold that
every status reads (`judged_fold`) checks each move against the facts as they stood at its
moment: dated up to its `at` and recorded before it (an earlier place in the log, as appends to
one log are serialised; "moves stand as judged when made"). A move fits when it leaves the
stage the valid moves reached, along a move the workflow has, to that move's target, made by a
current participant in one of its roles (or, for the workflow's own move after a breach of
trust, by no one, right after the breach) with none of its blocking prerequisites unmet.

A move that does not fit is not applied: the initiative stays where the valid moves put it, and
the facts list the move in `invalid_moves` (with why), which the status shows.

The cost is one evaluation of a move's prerequisites per move read; condition results are
shared between initiatives in the same situation (`cooperation.engine.evaluation`), so a
portfolio of initiatives that moved alike pays for each situation once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cooperation.engine.evaluation import Evaluator, FactsAt
from cooperation.engine.events import LAPSE_KIND, MOVE_KINDS, Event
from cooperation.engine.facts import Facts, InvalidMove, apply
from cooperation.engine.history import History
from cooperation.engine.lapses import derive_lapses, lapse_misfit
from cooperation.engine.moves import MOVE_KIND_OF_EVENT, Move, MoveTable, moves_for
from cooperation.engine.payloads import move_payload
from cooperation.engine.triggers import role_in_log

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledWorkflow


Switch = Callable[[Mapping[str, object]], "CompiledWorkflow"]
"""The workflow a `workflow_changed` names: moves after it are judged by that one."""


def judged_fold(
    initiative: str,
    events: Sequence[Event],
    workflow: CompiledWorkflow,
    *,
    until: datetime | None = None,
    switch: Switch | None = None,
    resume: tuple[Facts, int] | None = None,
) -> Facts:
    """Like `facts.fold` (events in time order, up to `until`), honouring only the moves that fitted.

    A withdrawn fact is left out as `fold` leaves it out, but a move made before the withdrawal is
    still judged with it: the move stands as judged when made. `resume`: the judged facts of the
    first events (a snapshot, `engine.snapshot`, which decides when they can be trusted) and how many."""
    facts = _judged_pass(initiative, events, workflow, until, switch, withdrawn=None, resume=resume)
    if facts.withdrawn:  # rare: again, without what was withdrawn
        facts = _judged_pass(initiative, events, workflow, until, switch, withdrawn=facts.withdrawn)
    return facts


def _judged_pass(
    initiative: str,
    events: Sequence[Event],
    workflow: CompiledWorkflow,
    until: datetime | None,
    switch: Switch | None,
    withdrawn: Mapping[int, datetime] | None,
    resume: tuple[Facts, int] | None = None,
) -> Facts:
    facts, start = resume or (Facts(initiative, stage=workflow.start), 0)
    judge: _Judge | None = None
    judging = workflow
    if facts.workflow_changed is not None and switch is not None:
        judging = switch(facts.workflow_changed)
    lapsing = moves_for(judging).lapsing  # empty for most workflows: then lapses cost nothing
    for index in range(start, len(events)):
        event = events[index]
        at = event.moment
        if until is not None and at > until:
            break
        if withdrawn is not None and event.seq in withdrawn:
            continue
        if lapsing and facts.stage in lapsing and facts.last_event is not None and at > facts.last_event:
            # a lapse due before it came first
            inclusive = event.kind != LAPSE_KIND
            derive_lapses(judging, moves_for(judging), facts, events, at, inclusive=inclusive, folded=index)
        if event.kind in MOVE_KINDS:
            judge = judge or _Judge(initiative, events, workflow, judging, switch, refold=withdrawn is not None)
            why = judge.misfit(facts, index)
            if why is not None:
                facts.version = max(facts.version, event.seq)
                facts.invalid_moves.append(InvalidMove(event.seq, event.kind, event.at, why))
                continue
        elif event.kind == "workflow_changed" and switch is not None:
            judging, judge = switch(event.data), None  # the moves after it are judged by the new workflow
            lapsing = moves_for(judging).lapsing
        apply(facts, event, at)
    if lapsing and until is not None and facts.stage in lapsing:  # and those due since the last event
        derive_lapses(judging, moves_for(judging), facts, events, until, inclusive=True)
    return facts


class _Judge:
    """Judges the moves of one log (in time order), each against the facts it was made on."""

    def __init__(
        self,
        initiative: str,
        events: Sequence[Event],
        created_with: CompiledWorkflow,
        workflow: CompiledWorkflow,
        switch: Switch | None,
        *,
        refold: bool,
    ) -> None:
        self.initiative = initiative
        self.events = events
        self.created_with = created_with
        self.workflow = workflow
        self.switch = switch
        self.table = moves_for(workflow)
        # In the usual log, time order is log order: every fact before a move was recorded before it.
        places = [event.seq for event in events]
        self.in_log_order = places == sorted(places)
        self.refold = refold  # a fact was withdrawn: each move is judged on what was recorded before it

    def misfit(self, facts: Facts, index: int) -> str | None:
        """Why the move at `index` did not fit, given `facts`, those of every event before it; None if it did."""
        move = self.events[index]
        if self.refold or (not self.in_log_order and any(event.seq > move.seq for event in self.events[:index])):
            # A fact recorded after the move but dated before it, or one withdrawn since: the move is
            # judged on what was recorded before it.
            earlier = [event for event in self.events if event.seq < move.seq]
            facts = judged_fold(self.initiative, earlier, self.created_with, until=move.moment, switch=self.switch)
        previous = self.events[index - 1] if index else None
        automatic = move.by is None and previous is not None and previous.kind in self.table.automatic_events
        role = role_in_log(self.events, index - 1) if automatic else None  # only a move no one made needs it
        return _misfit(self.workflow, self.table, facts, move, previous, self.events, role)


def _misfit(
    workflow: CompiledWorkflow,
    table: MoveTable,
    facts: Facts,
    event: Event,
    previous: Event | None,
    events: Sequence[Event],
    previous_role: str | None = None,
) -> str | None:
    """Why the move `event` did not fit the initiative whose `facts` are those it was made on; None if it did.

    `previous_role`: the role of the participant the event before it is about, if any (`on_roles`)."""
    data = move_payload(event)
    stage = facts.stage
    source = data.get("from") or stage
    if source != stage:
        return f"it leaves '{source}', but the valid moves had put the initiative at '{stage}'"
    if event.kind == LAPSE_KIND:
        return lapse_misfit(workflow, table, facts, event, _facts_at(facts.initiative, events, workflow, event))
    if event.by is None:
        automatic = previous is not None and previous.kind in table.automatic_events and previous.at == event.at
        move = table.automatic(stage, previous.kind, previous_role) if previous is not None and automatic else None
        if move is None or move.event_kind != event.kind:
            cause = "a breach of trust" if previous is None or previous.kind == "trust_breached" else previous.kind
            return f"no one made it, and it is not the move the workflow makes by itself after {cause}"
    else:
        found = _move_of(table, stage, event)
        if isinstance(found, str):
            return found
        move = found
        participant = facts.participants.get(event.by)
        if participant is None or not participant.active:
            return f"{event.by} was not a current participant"
        if participant.role not in move.roles:
            return f"{event.by} was {participant.role}, and only {', '.join(move.roles) or 'no role'} may make it"
    if data.get("to") != move.target:
        return f"from '{stage}' it goes to '{move.target}', not '{data.get('to')}'"
    evaluator = Evaluator(workflow, facts, event.moment, _facts_at(facts.initiative, events, workflow, event))
    blocking = [result.condition for result in evaluator.blocking(move.needs)]
    if blocking:
        return f"its prerequisites were unmet at {event.at}: {', '.join(blocking)}"
    return None


def _move_of(table: MoveTable, stage: str, event: Event) -> Move | str:
    """The workflow's move the event records, or why it has none."""
    kind = MOVE_KIND_OF_EVENT[event.kind]
    transition = None if kind == "advance" else move_payload(event).get("transition")
    if kind != "advance" and transition is None:
        candidates = table.matching(stage, kind, target=move_payload(event).get("to"))
        move = candidates[0] if candidates else None
    else:
        move = table.move(stage, transition)
    if move is None or move.kind != kind:
        what = "advance" if kind == "advance" else f"{kind} '{transition}'" if transition else kind
        return f"the workflow has no {what} from '{stage}'"
    return move


def _facts_at(initiative: str, events: Sequence[Event], workflow: CompiledWorkflow, move: Event) -> FactsAt:
    """The facts at an earlier moment, for conditions that look back (windows): those recorded before the move.

    Conditions are functions of facts, never of the stage, so a plain fold serves."""
    return History(initiative, events, start=workflow.start, below=move.seq)
