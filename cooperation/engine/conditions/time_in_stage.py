"""Time in a stage: met when the initiative last entered a stage at least a number of days (or a
calendar `duration`) ago (and, unless `still_in: false`, is in it now).

Entering a stage is a move whose target is that stage from another one, or the initiative's
creation for the first stage (when no move has brought it back there since). The stage and
the moves are read from the facts as of the moment evaluated, so a status `--as-of`, a
`held` above it and a lapse date each see the stage as it was then. With no new event it
changes by itself only once: when its span has run (`turns`), which the evaluator counts
among the instants a condition above it may change. A span has run when the window of that
span ending now starts at or after the entry (`Span.reaches`), as `held` counts its windows:
a month from 31 January has run on 1 March.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    ConditionKind,
    Description,
    Outcome,
    Period,
    Reference,
    ratio,
)
from cooperation.engine.span import DAY_SECONDS, Span
from cooperation.wording import plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.engine.facts import Facts
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["TimeInStageSettings"]

StageId = Annotated[str, Reference("stage")]
ONE_DAY = timedelta(seconds=DAY_SECONDS)

# What a measurement says: never entered; entered before the facts counted (inside a window);
# left (asked to be still in it); in it (or entered, when `still_in` is false) for less than its
# span; or for at least its span.
NEVER, BEFORE, LEFT, IN, RAN = "never", "before", "left", "in", "ran"
Measured = tuple[str, str, int, int]  # (one of the above, the date entered, whole days since, days it takes)


class TimeInStageSettings(NamedTuple):
    stage: StageId
    days: Annotated[Span, Period(1)]
    still_in: Annotated[
        bool, Description("The initiative must still be in the stage (true), or only have entered it (false).")
    ] = True


def entries(workflow: CompiledWorkflow, facts: Facts, stage: str) -> Iterator[datetime]:
    """Every moment the initiative entered `stage`, latest first: moves into it, then its creation
    if it is the first stage. A move that stays in the stage (a repeated hand-off) enters nothing."""
    for move in reversed(facts.moves):
        if move.target == stage and move.source != stage:
            yield move.at
    if stage == workflow.start and facts.created is not None:
        yield facts.created


def last_entered(workflow: CompiledWorkflow, facts: Facts, stage: str) -> datetime | None:
    """When the initiative last entered `stage`; None if it never has."""
    return next(entries(workflow, facts, stage), None)


class TimeInStage(ConditionKind[TimeInStageSettings, Measured]):
    """Met when the initiative last entered `stage` at least `days` (or `duration`) ago and, if
    `still_in`, is in it now."""

    name = "time_in_stage"
    model_name = "TimeInStageCondition"
    settings = TimeInStageSettings
    timed = True

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Measured:
        stage, days, still_in = condition.settings
        facts = evaluator.facts
        entered = last_entered(evaluator.workflow, facts, stage)
        if entered is None:
            return (NEVER, "", 0, 0)
        date = entered.date().isoformat()
        if still_in and facts.stage != stage:
            return (LEFT, date, 0, 0)
        if since is not None and entered < since:  # the move in is a fact from before those counted
            return (BEFORE, date, 0, 0)
        runs_out = days.reaches(entered)
        needed = -((entered - runs_out) // ONE_DAY)  # whole days, rounded up: a month from 31 January, 30 of them
        return (RAN if evaluator.now >= runs_out else IN, date, (evaluator.now - entered) // ONE_DAY, needed)

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Measured) -> Outcome:
        stage, days, still_in = condition.settings
        state, date, elapsed, needed = measured
        if state == NEVER:
            return (False, f"never entered '{stage}'", 0.0)
        if state == LEFT:
            return (False, f"not in '{stage}' (last entered on {date})", 0.0)
        if state == BEFORE:
            return (False, f"entered '{stage}' on {date}, before the facts counted here", 0.0)
        where = f"in '{stage}' since" if still_in else f"entered '{stage}' on"
        if state == RAN:
            return (True, f"{where} {date}: {plural(elapsed, 'day')}, at least {days.text}", 1.0)
        return (False, f"{where} {date}: {days.part(elapsed)}", ratio(elapsed, needed))

    def turns(self, evaluator: Measuring, condition: Condition) -> Iterator[datetime]:
        stage, days, _ = condition.settings
        return (days.reaches(entered) for entered in entries(evaluator.workflow, evaluator.facts, stage))

    def describe(self, condition: Condition) -> str:
        stage, days, still_in = condition.settings
        if still_in:
            return f"in '{stage}' for at least {days.text}"
        return f"entered '{stage}' at least {days.text} ago"

    # --- verification ---

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        stage, days, still_in = condition.settings
        if still_in and planner.stage is not None and planner.stage != stage:
            planner.fail(
                condition.id,
                f"'{condition.id}' asks that the initiative be in '{stage}', but it is asked in '{planner.stage}'",
            )
            return
        entry = planner.entered.get(stage)
        if entry is None and (stage == planner.workflow.start or planner.stage is None):
            # Entered when it was created (made early enough), or asked alone: as if entered in time.
            planner.creation = min(planner.creation, planner.slot(condition.id, first - days.longest, window))
            return
        if entry is None:
            planner.fail(condition.id, f"the moves laid out never enter '{stage}'", proven=False)
            return
        if entry > first - days.longest:
            planner.fail(
                condition.id,
                f"the verifier makes every move at one moment, so it cannot keep the initiative in '{stage}' "
                f"for {days.text} before it is asked",
                proven=False,
            )

    def room(self, planner: Planning, condition: Condition) -> int:
        return condition.settings.days.longest

    def unmeetable_hint(self, condition: Condition) -> str:
        stage = condition.settings.stage
        return (
            f"ask for '{condition.id}' only on moves out of '{stage}' (or set 'still_in: false'), "
            f"and give it fewer days than any window around it keeps"
        )

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        stage, days, still_in = condition.settings
        facts = guide.facts
        entered = last_entered(guide.workflow, facts, stage)
        if entered is None or (still_in and facts.stage != stage):
            return guide.enter(stage)  # advance into it first, if a move from here does
        left = (days.reaches(entered) - guide.now) / ONE_DAY
        return guide.wait(max(1.0, left))


KIND = TimeInStage()
