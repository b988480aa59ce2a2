"""Any: met when at least one listed condition is met (or waived)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.all_of import measure_members, room_of_members
from cooperation.engine.conditions.base import (
    ConditionId,
    ConditionKind,
    MinItems,
    Outcome,
)

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Infeasible, Window

    Condition = CompiledCondition["AnyOfSettings"]


class AnyOfSettings(NamedTuple):
    of: Annotated[tuple[ConditionId, ...], MinItems(2)]


class AnyOf(ConditionKind[AnyOfSettings, tuple[Outcome, ...]]):
    """Met when at least one listed condition is met."""

    name = "any"
    model_name = "AnyCondition"
    settings = AnyOfSettings
    alternatives = True

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> tuple[Outcome, ...]:
        return measure_members(evaluator, condition.settings.of, since)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset()

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: tuple[Outcome, ...]) -> Outcome:
        members = condition.settings.of
        for member, outcome in zip(members, measured, strict=True):
            if outcome[0]:
                return (True, f"met through {member}", 1.0)
        return (False, f"none of {', '.join(members)} met yet", max(outcome[2] for outcome in measured))

    def describe(self, condition: Condition) -> str:
        return "any of: " + ", ".join(condition.settings.of)

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        members = condition.settings.of
        failures: list[Infeasible] = []
        for member in members:  # an alternative that can be met, before one that can only be waived
            attempt = (
                partial(planner.meet, member, first, last, None)
                if window is None
                else partial(planner.member, member, first, last, window)
            )
            failure = planner.strictly(attempt)
            if failure is None:
                return
            failures.append(failure)
        if window is None and any(planner.strictly(partial(planner.satisfy, m, first, last)) is None for m in members):
            return
        reasons = "; ".join(failure.reason for failure in failures)
        planner.fail(
            condition.id,
            f"none of '{condition.id}''s alternatives can be met: {reasons}",
            proven=all(failure.proven for failure in failures),
        )
        planner.member(members[0], first, last, window)

    def room(self, planner: Planning, condition: Condition) -> int | None:
        options = room_of_members(planner, condition.settings.of)
        return None if None in options else min(room for room in options if room is not None)

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"give '{condition.id}' at least one alternative that can be met"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        return guide.help(guide.rng.choice(list(condition.settings.of)), fresh=fresh)


KIND = AnyOf()
