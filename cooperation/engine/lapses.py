"""Lapses: the transitions a workflow takes by itself when a condition stops holding (`on_lapse`).

A transition may say `on_lapse: <condition>`: while the initiative is in one of its `from`
stages, the moment that condition stops holding with no new event (an `expiring` window
closes, a `held` span breaks) the transition is taken. Nothing is recorded at that moment, so
a lapse is derived on read: the fold (`cooperation.engine.rejudge.judged_fold`) applies each
lapse due between two events, and at the end up to the moment read, at its instant. The next
write to the initiative, and `coop lapse`, record it as a `stage_lapsed` event (no actor: the
engine), dated at its instant; a lapse recorded is judged like any move, and the derivation
stops short of it, so the two never double.

A condition that is not met (or is waived) when the initiative is in the stage cannot stop
holding, so it takes no lapse until it is met again. A workflow with no `on_lapse` pays one
falsy check per log (`MoveTable.lapsing`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cooperation.engine.evaluation import Evaluator
from cooperation.engine.events import LAPSE_KIND, Event, parse_at
from cooperation.engine.facts import Facts, apply, fold
from cooperation.engine.payloads import StageLapsedData, payload

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledWorkflow
    from cooperation.engine.moves import Move, MoveTable

FactsAt = Callable[[datetime], Facts]


@dataclass(frozen=True, slots=True)
class Lapse:
    """A lapse due: the move the workflow takes, at the instant its condition stops holding, and why."""

    at: datetime
    move: Move
    condition: str
    reason: str

    def event(self, initiative: str) -> Event:
        """The `stage_lapsed` event that records it: by no one (the engine), dated at its instant."""
        assert self.move.transition is not None, "only transitions are taken on a lapse"
        data: StageLapsedData = {
            "from": self.move.source,
            "to": self.move.target,
            "transition": self.move.transition,
            "condition": self.condition,
            "reason": self.reason,
        }
        return Event(initiative, LAPSE_KIND, parse_at(self.at), data)


def next_lapse(
    workflow: CompiledWorkflow, table: MoveTable, facts: Facts, facts_at: FactsAt, until: datetime, *, inclusive: bool
) -> Lapse | None:
    """The first lapse due from the facts' stage after their last event, up to `until` (included
    or not); None if none is. Several due: the earliest, ties in definition order."""
    moves = table.lapsing.get(facts.stage)
    if not moves or facts.last_event is None or facts.closed is not None:  # a closed initiative is kept as it was
        return None
    evaluator = Evaluator(workflow, facts, facts.last_event, facts_at)
    found: tuple[datetime, Move] | None = None
    for move in moves:
        condition = move.on_lapse
        assert condition is not None, "the table lists only moves taken on a lapse"
        if condition in facts.waivers or not evaluator.result(condition).met:
            continue  # not holding now (or waived, which holds whatever happens): it cannot stop holding
        instant = evaluator.lapses_on(condition)
        if instant is None or instant > until or (instant == until and not inclusive):
            continue
        if (found is None or instant < found[0]) and not evaluator.later(instant).blocking(move.needs):
            found = (instant, move)  # taken only if what it requires holds then, as any automatic move
    if found is None:
        return None
    instant, move = found
    condition = move.on_lapse or ""
    detail = evaluator.later(instant).result(condition).detail
    return Lapse(instant, move, condition, f"{condition} stopped holding: {detail}")


def derive_lapses(
    workflow: CompiledWorkflow,
    table: MoveTable,
    facts: Facts,
    events: Sequence[Event],
    until: datetime,
    *,
    inclusive: bool,
    folded: int | None = None,
) -> list[Event]:
    """Apply to `facts` (folded from the first `folded` of `events`, all by default, in time order)
    every lapse due up to `until`, one after another (a lapse may lead to a stage that lapses too);
    return their events (not in the log). The fold asks before each event of a stage that can lapse,
    so `events` is the whole log, cut only if a condition looks back (a copy of the prefix each
    time made reading a long log quadratic in its length)."""
    derived: list[Event] = []

    def facts_at(moment: datetime) -> Facts:  # conditions are functions of facts, never of the stage
        earlier = events if folded is None else events[:folded]
        return fold(facts.initiative, earlier, start=workflow.start, until=moment)

    while (lapse := next_lapse(workflow, table, facts, facts_at, until, inclusive=inclusive)) is not None:
        event = lapse.event(facts.initiative)
        apply(facts, event, lapse.at)
        derived.append(event)
    return derived


def lapse_misfit(
    workflow: CompiledWorkflow, table: MoveTable, facts: Facts, event: Event, facts_at: FactsAt
) -> str | None:
    """Why a recorded `stage_lapsed` does not fit `facts` (those it was recorded on); None if it does:
    it must be the lapse the engine derives, at the same instant, along the same transition."""
    data = payload(event, "stage_lapsed")
    if event.by is not None:
        return f"{event.by} recorded it, but only the engine records a lapse"
    if data["from"] != facts.stage:
        return f"it leaves '{data['from']}', but the initiative was at '{facts.stage}'"
    due = next_lapse(workflow, table, facts, facts_at, event.moment, inclusive=True)
    if due is None or due.at != event.moment:
        return f"no condition that '{facts.stage}' lapses on stopped holding at {event.at}"
    if (due.move.transition, due.condition, due.move.target) != (data["transition"], data["condition"], data["to"]):
        return f"at {event.at} the workflow takes '{due.move.transition}' to '{due.move.target}' on this lapse"
    return None


def pending_lapse(table: MoveTable, facts: Facts, evaluator: Evaluator) -> dict[str, str] | None:
    """The lapse a status announces: the first move its stage takes on a lapse, if nothing more is
    recorded: {on (date), at (instant), transition, to, condition}; None if none is coming."""
    found: tuple[datetime, Move] | None = None
    if facts.closed is not None:
        return None
    for move in table.lapsing.get(facts.stage, ()):
        condition = move.on_lapse or ""
        if condition in facts.waivers or not evaluator.result(condition).met:
            continue
        instant = evaluator.lapses_on(condition)
        if instant is None or (found is not None and instant >= found[0]):
            continue
        if not evaluator.later(instant).blocking(move.needs):
            found = (instant, move)
    if found is None:
        return None
    instant, move = found
    return {
        "on": instant.date().isoformat(),
        "at": parse_at(instant),
        "transition": move.transition or "",
        "to": move.target,
        "condition": move.on_lapse or "",
    }
