"""Since a stage: met when another condition is met on facts dated at or after the moment the
initiative last entered a stage only, so that each cycle through the stage needs fresh facts.

As `expiring` does with its window's start, it measures the other condition's own test on
the facts from that moment on (inside a window, from the later of the two). Entering a stage
is read as `time_in_stage` reads it: a move into it, or the creation for the first stage.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from cooperation.engine.conditions.base import (
    DAY,
    MAX_DAYS,
    ConditionId,
    ConditionKind,
    Outcome,
    in_days,
)
from cooperation.engine.conditions.time_in_stage import StageId, last_entered
from cooperation.engine.span import Span

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["SinceStageSettings"]

Measured = tuple[str, Outcome] | None  # (the date entered, the other condition's outcome); None: never entered
_ALWAYS = -4 * MAX_DAYS * DAY  # a window start no layout reaches: every fact counts


class SinceStageSettings(NamedTuple):
    stage: StageId
    condition: ConditionId


class SinceStage(ConditionKind[SinceStageSettings, Measured]):
    """Met when another condition is met on facts dated at or after the moment the initiative last entered `stage`."""

    name = "since_stage"
    model_name = "SinceStageCondition"
    settings = SinceStageSettings
    members_decide = False  # it reads when the stage was entered, too

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Measured:
        stage, inner = condition.settings
        entered = last_entered(evaluator.workflow, evaluator.facts, stage)
        if entered is None:
            return None
        start = max(entered, since) if since is not None else entered
        return (entered.date().isoformat(), evaluator.member(inner, start))

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Measured) -> Outcome:
        stage = condition.settings.stage
        if measured is None:
            return (False, f"never entered '{stage}', so nothing counts yet", 0.0)
        date, (met, detail, progress) = measured
        return (met, f"since entering '{stage}' on {date}: {detail}", progress)

    def describe(self, condition: Condition) -> str:
        stage, inner = condition.settings
        return f"'{inner}' met on facts since the initiative last entered '{stage}'"

    # --- verification ---

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        stage, inner = condition.settings
        entry = planner.entered.get(stage)
        if entry is None and stage != planner.workflow.start and planner.stage is not None:
            planner.fail(condition.id, f"the moves laid out never enter '{stage}'", proven=False)
        room = planner.room(inner) or 0
        if entry is not None and entry > first - room:
            planner.fail(
                condition.id,
                f"'{inner}' needs {in_days(room)} days of facts, and the verifier makes every move at one "
                f"moment, so '{condition.id}' could count none from before it entered '{stage}'",
                proven=False,
            )
            entry = None
        # Only the other condition's own test counts (as inside a window): never its waiver.
        own = planner.window(entry if entry is not None else _ALWAYS, condition.id, Span())
        planner.meet(inner, first, last, window if window is not None and window.start >= own.start else own)

    def room(self, planner: Planning, condition: Condition) -> int | None:
        return planner.room(condition.settings.condition)

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"ask less of '{condition.settings.condition}', or count its facts from an earlier stage"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        stage, inner = condition.settings
        if last_entered(guide.workflow, guide.facts, stage) is None:
            return guide.enter(stage)
        return guide.help(inner, fresh=True)


KIND = SinceStage()
