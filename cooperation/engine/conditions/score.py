"""Score: met when a scored parameter stands at or above a level of its scale."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    MAX_LEVEL,
    AtLeast,
    AtMost,
    ConditionKind,
    Outcome,
    ParameterId,
    ratio,
)

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Checking, Guiding, Measuring, Planning
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["ScoreSettings"]


class ScoreSettings(NamedTuple):
    parameter: ParameterId
    at_least: Annotated[int, AtLeast(-MAX_LEVEL), AtMost(MAX_LEVEL, "levels")]


class Score(ConditionKind[ScoreSettings, int | None]):
    """Met when a scored parameter stands at or above a level of its scale."""

    name = "score"
    model_name = "ScoreCondition"
    settings = ScoreSettings

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> int | None:
        history = evaluator.facts.scores.get(condition.settings.parameter, [])
        if since is not None:
            history = [entry for entry in history if entry[0] >= since]
        return history[-1][1] if history else None

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: int | None) -> Outcome:
        parameter, need = condition.settings
        scale = workflow.scales[parameter]
        if measured is None:
            return (False, f"'{parameter}' not scored yet (needs {need} on {scale.min}..{scale.max})", 0.0)
        label = scale.labels.get(measured)
        shown = f"{measured} ({label})" if label else str(measured)
        progress = ratio(measured - scale.min, need - scale.min)
        return (measured >= need, f"'{parameter}' at {shown}, needs {need}", progress)

    def records(self, condition: Condition) -> tuple[str, str]:
        return ("scores", condition.settings.parameter)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset({"scores"})

    def describe(self, condition: Condition) -> str:
        parameter, level = condition.settings
        return f"'{parameter}' scored at least {level}"

    def check(self, condition: Condition, where: Checking) -> Iterable[Problem]:
        parameter, level = condition.settings
        scale = where.scales.get(parameter)  # an unknown parameter is reported with the other references
        if scale is not None and not scale.min <= level <= scale.max:
            yield where.problem(
                "at_least",
                f"level {level} is outside the scale of '{parameter}' ({scale.min}..{scale.max})",
                f"choose a level from {scale.min} to {scale.max}",
            )

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        parameter, level = condition.settings
        scale = planner.workflow.scales[parameter]
        if level > scale.max:
            planner.fail(
                condition.id,
                f"'{condition.id}' asks for '{parameter}' at {level}, "
                f"above the top of its scale ({scale.min}..{scale.max})",
            )
        at = planner.slot(condition.id, first, window)
        planner.record(at, "score_set", {"parameter": parameter, "level": scale.max})

    def room(self, planner: Planning, condition: Condition) -> int:
        return 0

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"ask for a level within the scale in '{condition.id}'"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        parameter, level = condition.settings
        top = guide.workflow.scales[parameter].max
        return guide.record("score_set", {"parameter": parameter, "level": guide.rng.randint(min(level, top), top)})


KIND = Score()
