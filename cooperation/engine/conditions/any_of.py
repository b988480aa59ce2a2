"""Any: met when at least `at_least` of the listed conditions are met (or waived); one by default."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.all_of import measure_members, room_of_members
from cooperation.engine.conditions.base import (
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionId,
    ConditionKind,
    Description,
    MinItems,
    Outcome,
)

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Checking, Guiding, Measuring, Planning
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Infeasible, Window

    Condition = CompiledCondition["AnyOfSettings"]

SHOWN_MISSING = 5  # a detail names this many missing members, then says how many more


class AnyOfSettings(NamedTuple):
    of: Annotated[tuple[ConditionId, ...], MinItems(2)]
    at_least: Annotated[
        int,
        AtLeast(1),
        AtMost(MAX_COUNT, "conditions"),
        Description("How many of `of` must be met (waived ones count); 1 is any one of them."),
    ] = 1


def missing_words(missing: list[str]) -> str:
    """The members still missing, the first few by name and then how many more."""
    shown = ", ".join(missing[:SHOWN_MISSING])
    more = len(missing) - SHOWN_MISSING
    return f"{shown} and {more} more" if more > 0 else shown


class AnyOf(ConditionKind[AnyOfSettings, tuple[Outcome, ...]]):
    """Met when at least `at_least` (default 1) of the listed conditions are met."""

    name = "any"
    model_name = "AnyCondition"
    settings = AnyOfSettings
    alternatives = True

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> tuple[Outcome, ...]:
        return measure_members(evaluator, condition.settings.of, since)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset()

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: tuple[Outcome, ...]) -> Outcome:
        members, need = condition.settings
        if need == 1:  # any one: named by the first alternative met, progress that of the closest
            for member, outcome in zip(members, measured, strict=True):
                if outcome[0]:
                    return (True, f"met through {member}", 1.0)
            return (False, f"none of {', '.join(members)} met yet", max(outcome[2] for outcome in measured))
        missing = [member for member, outcome in zip(members, measured, strict=True) if not outcome[0]]
        met = len(members) - len(missing)
        detail = f"{met} of {len(members)} met, need {need}"
        if met < need:
            detail += f"; missing: {missing_words(missing)}"
        return (met >= need, detail, min(1.0, met / need))

    def describe(self, condition: Condition) -> str:
        members, need = condition.settings
        if need == 1:
            return "any of: " + ", ".join(members)
        return f"at least {need} of: " + ", ".join(members)

    def check(self, condition: Condition, where: Checking) -> Iterable[Problem]:
        members, need = condition.settings
        repeated = sorted({member for member in members if members.count(member) > 1})
        if repeated:  # each would count once per listing towards at_least
            yield where.problem("of", f"lists {', '.join(repeated)} more than once", "list each condition once")
        if need > len(members):
            yield where.problem(
                "at_least",
                f"asks for {need} of only {len(members)} conditions",
                f"lower at_least to at most {len(members)}, or list more conditions in 'of'",
            )

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        members, need = condition.settings
        if need > len(members):
            planner.fail(condition.id, f"'{condition.id}' asks for {need} of only {len(members)} conditions")
            need = len(members)
        laid: list[str] = []
        failures: list[Infeasible] = []
        for member in members:  # alternatives that can be met, before those that can only be waived
            attempt = (
                partial(planner.meet, member, first, last, None)
                if window is None
                else partial(planner.member, member, first, last, window)
            )
            failure = planner.strictly(attempt)
            if failure is None:
                laid.append(member)
                if len(laid) == need:
                    return
            else:
                failures.append(failure)
        for member in members if window is None else ():
            if member not in laid and planner.strictly(partial(planner.satisfy, member, first, last)) is None:
                laid.append(member)
                if len(laid) == need:
                    return
        self._short(planner, condition, laid, failures, (first, last, window))

    def _short(
        self,
        planner: Planning,
        condition: Condition,
        laid: list[str],
        failures: list[Infeasible],
        span: tuple[int, int, Window | None],
    ) -> None:
        """Fewer alternatives than asked can be met: say why, then lay out the closest (when lenient)."""
        members, need = condition.settings
        reasons = "; ".join(failure.reason for failure in failures)
        if need == 1:
            reason = f"none of '{condition.id}''s alternatives can be met: {reasons}"
        else:
            reason = f"only {len(laid)} of '{condition.id}''s alternatives can be met, it needs {need}: {reasons}"
        planner.fail(condition.id, reason, proven=all(failure.proven for failure in failures))
        for member in [member for member in members if member not in laid][: need - len(laid)]:
            planner.member(member, *span)

    def room(self, planner: Planning, condition: Condition) -> int | None:
        rooms = room_of_members(planner, condition.settings.of)
        dated = sorted(room for room in rooms if room is not None)
        undated, need = len(rooms) - len(dated), condition.settings.at_least
        if undated >= need:  # enough alternatives read nothing dated
            return None
        return dated[min(len(dated), need - undated) - 1]  # the room of the k alternatives needing least

    def unmeetable_hint(self, condition: Condition) -> str:
        if condition.settings.at_least == 1:
            return f"give '{condition.id}' at least one alternative that can be met"
        return f"give '{condition.id}' at least {condition.settings.at_least} alternatives that can be met"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        members, need = condition.settings
        if need == 1 or fresh:
            return guide.help(guide.rng.choice(list(members)), fresh=fresh)
        results = guide.results
        open_members = [member for member in members if not results[member].satisfied]
        short = need - (len(members) - len(open_members))
        if short <= 0:
            return guide.help(guide.rng.choice(list(members)), fresh=fresh)
        # the closest ones: only as many as are still needed, not every alternative
        closest = sorted(open_members, key=lambda member: -results[member].progress)[:short]
        return guide.help(guide.rng.choice(closest), fresh=fresh)


KIND = AnyOf()
