"""All: met when every listed condition is met (or waived)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

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
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["AllOfSettings"]


class AllOfSettings(NamedTuple):
    of: Annotated[tuple[ConditionId, ...], MinItems(2)]


def measure_members(evaluator: Measuring, members: tuple[str, ...], since: datetime | None) -> tuple[Outcome, ...]:
    """The outcome of each member, in order (shared by `all` and `any`)."""
    return tuple(evaluator.member(member, since) for member in members)


def room_of_members(planner: Planning, members: tuple[str, ...]) -> list[int | None]:
    return [planner.room(member) for member in members]


class AllOf(ConditionKind[AllOfSettings, tuple[Outcome, ...]]):
    """Met when every listed condition is met."""

    name = "all"
    model_name = "AllCondition"
    settings = AllOfSettings
    misplaced_keys = (("at_least", "use kind: any with at_least: k; all needs every one of 'of'"),)

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> tuple[Outcome, ...]:
        return measure_members(evaluator, condition.settings.of, since)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset()

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: tuple[Outcome, ...]) -> Outcome:
        members = condition.settings.of
        missing = [member for member, outcome in zip(members, measured, strict=True) if not outcome[0]]
        detail = f"{len(members) - len(missing)} of {len(members)} met" + (
            f": missing {', '.join(missing)}" if missing else ""
        )
        return (not missing, detail, sum(outcome[2] for outcome in measured) / len(members))

    def describe(self, condition: Condition) -> str:
        return "all of: " + ", ".join(condition.settings.of)

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        for member in condition.settings.of:
            planner.member(member, first, last, window)

    def room(self, planner: Planning, condition: Condition) -> int | None:
        rooms = [room for room in room_of_members(planner, condition.settings.of) if room is not None]
        return max(rooms) if rooms else None

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"change what '{condition.id}' asks for"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        members = condition.settings.of
        open_members = [member for member in members if not guide.results[member].satisfied]
        pick = open_members[0] if open_members and not fresh else guide.rng.choice(list(members))
        return guide.help(pick, fresh=fresh)


KIND = AllOf()
