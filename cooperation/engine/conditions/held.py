"""Held: met when another condition has been met without a break for at least a number of days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    ConditionId,
    ConditionKind,
    Outcome,
    Period,
    ratio,
)
from cooperation.engine.span import DAY_SECONDS, Span

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["HeldSettings"]


class HeldSettings(NamedTuple):
    condition: ConditionId
    days: Annotated[Span, Period(1)]


class Held(ConditionKind[HeldSettings, Outcome]):
    """Met when another condition has been met without a break for at least `days` (or `duration`)."""

    name = "held"
    model_name = "HeldCondition"
    settings = HeldSettings

    timed = True  # it becomes met with no new event, once its inner condition has held long enough

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Outcome:
        inner, days = condition.settings
        if not evaluator.member(inner, since)[0]:
            return (False, f"'{inner}' is not met", 0.0)
        facts, now = evaluator.facts, evaluator.now
        window_start = days.before(now)
        if not evaluator.knows_history() or facts.created is None:
            return (False, f"'{inner}' is met, but its history is not known here", 0.0)
        met_since = evaluator.once((condition.id, since), lambda: _met_since(evaluator, inner, window_start, since))
        held_days = (now - met_since).days
        if met_since == window_start and window_start >= facts.created:
            return (True, f"'{inner}' held for at least {days.text}", 1.0)
        return (False, f"'{inner}' held for {days.part(held_days)}", ratio(held_days, (now - window_start).days))

    def turns(self, evaluator: Measuring, condition: Condition) -> Iterable[datetime]:
        """When its result changes if nothing more is recorded, while its inner condition stays met: its
        detail counts whole days held (and, over a calendar span, the days the span is long now), so the
        next day it reads otherwise; and it becomes met once the span since it was last unmet is reached."""
        inner, days = condition.settings
        facts, now = evaluator.facts, evaluator.now
        if not evaluator.member(inner, None)[0] or not evaluator.knows_history() or facts.created is None:
            return ()
        window_start = days.before(now)
        met_since = evaluator.once((condition.id, None), lambda: _met_since(evaluator, inner, window_start, None))
        if met_since == window_start and window_start >= facts.created:
            return ()  # met: only a change of its inner condition (an event, a window, a turn) ends it
        next_day = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        whole_day = met_since + timedelta(days=(now - met_since).days + 1)
        return (next_day, whole_day, days.reaches(max(met_since, facts.created)))

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Outcome) -> Outcome:
        return measured

    def describe(self, condition: Condition) -> str:
        inner, days = condition.settings
        return f"'{inner}' held for at least {days.text}"

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        inner, days = condition.settings
        start = first - days.longest
        planner.creation = min(planner.creation, start)
        planner.member(inner, start, last, window, held_by=condition.id)

    def room(self, planner: Planning, condition: Condition) -> int | None:
        inner, days = condition.settings
        inner_room = planner.room(inner)
        return None if inner_room is None else days.longest + inner_room

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"make the window of '{condition.id}' longer than what it contains needs"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        inner, days = condition.settings
        if not guide.results[inner].satisfied:
            return guide.help(inner, fresh=fresh)
        return guide.wait(max(1.0, days.shortest / DAY_SECONDS / 3))


def _met_since(evaluator: Measuring, inner: str, window_start: datetime, since: datetime | None) -> datetime:
    """Since when `inner` (met now) has been met without a break, back to `window_start` at most.

    A condition changes only when an event happens, when a dated fact leaves an `expiring`
    window inside it, or when a timed kind inside it turns: checking the window's start and
    each such instant tells whether it held throughout. One pass over the log, forward."""
    facts, now = evaluator.facts, evaluator.now
    exits: set[datetime] = set()
    for window in evaluator.windows_under(inner):
        exits.update(window.leaves(moment) for moment in facts.moments)
    exits |= evaluator.turns_under(inner)  # a time in a stage that runs out, a held span that is reached
    changes = exits.union(facts.moments)
    moments = [window_start, *sorted(moment for moment in changes if window_start < moment <= now)]
    # Between two moments where nothing it reads was recorded and no fact left its windows,
    # it stays as it was: those moments are not evaluated again.
    quiet = evaluator.quiet_under(inner)
    met, last_unmet = True, -1
    for index, past in enumerate(evaluator.past_each(moments, ignoring=quiet, always=exits)):
        if past is not None:
            met = past.member(inner, since)[0]
        if not met:
            last_unmet = index
    if last_unmet < 0:
        return window_start
    return moments[last_unmet + 1] if last_unmet + 1 < len(moments) else now


KIND = Held()
