"""Evidence: met when enough pieces of evidence are recorded for the condition."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionKind,
    Outcome,
    ratio,
)
from cooperation.wording import plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["EvidenceSettings"]


class EvidenceSettings(NamedTuple):
    min_items: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "items")] = 1


class Evidence(ConditionKind[EvidenceSettings, int]):
    """Met when at least `min_items` pieces of evidence are recorded for it."""

    name = "evidence"
    model_name = "EvidenceCondition"
    settings = EvidenceSettings

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> int:
        items = evaluator.facts.evidence.get(condition.id, ())
        return len(items) if since is None else sum(1 for item in items if item.at >= since)

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: int) -> Outcome:
        have, need = measured, condition.settings.min_items
        if have >= need:
            return (True, f"{plural(have, 'piece')} of evidence recorded", 1.0)
        if have == 0:
            return (False, "no evidence recorded yet", 0.0)
        return (False, f"{have} of {need} pieces of evidence recorded", ratio(have, need))

    def records(self, condition: Condition) -> tuple[str, str]:
        return ("evidence", condition.id)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset({"evidence"})

    def describe(self, condition: Condition) -> str:
        items = condition.settings.min_items
        return "evidence recorded" if items == 1 else f"at least {items} pieces of evidence"

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        at = planner.slot(condition.id, first, window)
        data = {"condition": condition.id, "text": f"Evidence for {condition.id}."}
        for _ in range(condition.settings.min_items):
            planner.record(at, "evidence_recorded", dict(data))

    def room(self, planner: Planning, condition: Condition) -> int:
        return 0

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"change what '{condition.id}' asks for"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        return guide.record("evidence_recorded", {"condition": condition.id, "text": "Progress noted."})


KIND = Evidence()
