"""Meetings: met when enough meetings were held, over a long enough span of days."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from cooperation.engine.conditions.base import (
    DAY,
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionKind,
    Description,
    Outcome,
    Period,
    ratio,
)
from cooperation.engine.span import Span
from cooperation.wording import counted, plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["MeetingsSettings"]

# Meetings counted, the calendar days from the first to the last, and whether those reach the span.
Held = tuple[int, int, bool]
_NO_SPAN = Span()


class MeetingsSettings(NamedTuple):
    min_meetings: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "meetings")]
    min_span_days: Annotated[Span, Period(0)] = _NO_SPAN
    neutral_only: Annotated[bool, Description("Count only meetings held at a neutral venue.")] = False


class Meetings(ConditionKind[MeetingsSettings, Held]):
    """Met when at least `min_meetings` meetings were held over at least `min_span_days` (or `min_span_duration`)."""

    name = "meetings"
    model_name = "MeetingsCondition"
    settings = MeetingsSettings

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Held:
        neutral_only = condition.settings.neutral_only
        meetings = [
            meeting
            for meeting in evaluator.facts.meetings
            if (since is None or meeting.at >= since) and (meeting.neutral or not neutral_only)
        ]
        if not meetings:
            return (0, 0, not condition.settings.min_span_days)
        first, last = meetings[0].at.date(), meetings[-1].at.date()
        span = condition.settings.min_span_days
        reached = (last - first).days >= span.days if not span.months else span.after_date(first) <= last
        return (len(meetings), (last - first).days, reached)  # calendar days

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Held) -> Outcome:
        count, days, reached = measured
        need, span, neutral_only = condition.settings
        detail = counted(count, need, "meeting") + (" at a neutral venue" if neutral_only else "")
        if span and not span.months:
            detail += f", spanning {counted(days, span.days, 'day')}"
        elif span:
            detail += f", spanning {plural(days, 'day')}" + (
                f" ({span.text} needed)" if reached else f" of {span.text}"
            )
        spanned = 1.0 if reached else ratio(days, span.longest // DAY)
        return (count >= need and reached, detail, (ratio(count, need) + spanned) / 2)

    def records(self, condition: Condition) -> tuple[str, str]:
        return ("meetings", "")  # every meetings condition reads the one list of meetings

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset({"meetings"})

    def describe(self, condition: Condition) -> str:
        meetings, days, neutral = condition.settings
        where = " at a neutral venue" if neutral else ""
        return f"at least {plural(meetings, 'meeting')}{where} spanning at least {days.text}"

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        count, span, neutral = condition.settings
        latest = first
        earliest = latest - span.longest
        if window is not None and earliest < window.start:
            planner.fail(
                window.owner,
                f"'{condition.id}' needs meetings spanning {span.text}, but '{window.owner}' "
                f"keeps only the last {window.span.text}",
                proven=latest - span.shortest < window.start - window.span.slack,
            )
            earliest = max(window.start, earliest)
            latest = max(latest, earliest)
        number = max(count, 2 if span else 1)
        attendees = planner.pool.counted(2)
        step = (latest - earliest) // (number - 1) if number > 1 else 0
        for index in range(number):
            at = earliest + index * step if index < number - 1 else latest
            data: dict[str, Any] = {
                "attendees": attendees,
                "venue": "Neutral venue" if neutral else "A participant's office",
            }
            if neutral:
                data["neutral"] = True
            planner.record(at, "meeting_held", data)

    def room(self, planner: Planning, condition: Condition) -> int:
        return condition.settings.min_span_days.longest

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"shorten the span of '{condition.id}' or lengthen the window that keeps it"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        count, span, neutral = condition.settings
        spacing = span.longest / DAY / max(1, count - 1)
        held = [m for m in guide.facts.meetings if m.neutral or not neutral]
        if held and spacing:
            elapsed = (guide.now - held[-1].at).total_seconds() / DAY
            if elapsed < spacing:
                return guide.wait(min(spacing - elapsed + 0.01, 60.0))
        attendees = sorted(p.name for p in guide.facts.active_participants())[:4]
        if not attendees:
            return guide.join()
        return guide.record("meeting_held", {"attendees": attendees, "neutral": neutral or guide.rng.random() < 0.5})


KIND = Meetings()
