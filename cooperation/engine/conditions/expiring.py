"""Expiring: met when another condition is met on facts recorded within the last number of days only."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    DAY,
    ConditionId,
    ConditionKind,
    Outcome,
    Period,
    in_days,
)
from cooperation.engine.span import Span

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["ExpiringSettings"]

MAX_PIECES = 4_000  # the planner does not attempt a layout needing more refreshes than this


class ExpiringSettings(NamedTuple):
    condition: ConditionId
    days: Annotated[Span, Period(1)]


class Expiring(ConditionKind[ExpiringSettings, Outcome]):
    """Met when another condition is met on facts recorded within the last `days` (or `duration`) only."""

    name = "expiring"
    model_name = "ExpiringCondition"
    settings = ExpiringSettings

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Outcome:
        inner, days = condition.settings
        window_start = days.before(evaluator.now)
        start = max(window_start, since) if since else window_start
        return evaluator.member(inner, start)

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Outcome) -> Outcome:
        met, detail, progress = measured
        return (met, f"in the last {condition.settings.days.text}: {detail}", progress)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset()  # its part only, and the clock through its window

    def window_span(self, condition: Condition) -> Span:
        return condition.settings.days

    def describe(self, condition: Condition) -> str:
        inner, days = condition.settings
        return f"'{inner}' met on facts from the last {days.text}"

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        inner, days = condition.settings
        room = planner.room(inner)
        if room is None:  # nothing in it is dated: the window changes nothing
            planner.meet(inner, first, last, window) if window else planner.satisfy(inner, first, last)
            return
        # The window is as short as `days.shortest` where it falls: facts are laid out to fit that,
        # and an impossibility is proven only when even the longest window is too short.
        least = room - planner.slack(inner)  # what it needs where its own calendar spans are shortest
        if room > days.shortest:
            needs = in_days(room) if least == room else f"at least {in_days(least)}"
            kept = f"{days.text} (at most {in_days(days.longest)} days)" if days.calendar else days.text
            planner.fail(
                condition.id,
                f"'{inner}' needs {needs} days of facts, but '{condition.id}' keeps only the last {kept}",
                proven=least > days.longest,
            )
        # Cover [first, last] with pieces short enough that facts laid out for a piece stay
        # inside the window of every moment of it; each piece refreshes them.
        piece = (days.shortest - room) // 2 if last > first else 0
        if last > first and piece <= 0:
            planner.fail(
                condition.id,
                f"'{condition.id}' keeps only the last {days.text}, all of which '{inner}' "
                "needs, so it cannot hold without a break",
                proven=(days.longest - least) // 2 <= 0,
            )
            piece = max(piece, DAY)
        count = 1 if last == first else -(-(last - first) // piece) + 1
        if count > MAX_PIECES:
            planner.fail(
                condition.id, f"keeping '{condition.id}' met would take {count} refreshes of '{inner}'", proven=False
            )
            count = MAX_PIECES
        end = last
        for _ in range(count):
            start = max(first, end - piece)
            own = planner.window(end - days.shortest, condition.id, days)
            bounded = own if window is None or own.start >= window.start else window
            planner.meet(inner, start, end, bounded)
            if start == first:
                break
            end = start

    def room(self, planner: Planning, condition: Condition) -> int | None:
        return planner.room(condition.settings.condition)

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"make the window of '{condition.id}' longer than what it contains needs"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        return guide.help(condition.settings.condition, fresh=True)


KIND = Expiring()
