"""Where an initiative stands: the status model the API returns and `coop status --json` prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from cooperation.compiled import CompiledWorkflow
from cooperation.evaluation import ConditionResult, Evaluator
from cooperation.facts import Facts


class ConditionStatus(BaseModel):
    """One condition's state: met, waived, or what is missing."""

    model_config = ConfigDict(frozen=True)

    condition: str
    title: str
    kind: str
    strength: str
    met: bool
    waived: bool
    blocking: bool
    detail: str
    progress: float


class UnmetCondition(BaseModel):
    """A prerequisite of the next stage that is not satisfied yet."""

    model_config = ConfigDict(frozen=True)

    condition: str
    title: str
    detail: str
    blocking: bool
    strength: str


class InitiativeStatus(BaseModel):
    """Where an initiative stands at `as_of`, what it lacks to move on, and why."""

    model_config = ConfigDict(frozen=True)

    initiative: str
    name: str
    workflow: str
    stage: str
    stage_title: str
    stage_since: str | None
    next: str | None
    can_advance: bool
    at_risk: bool
    at_risk_conditions: list[str]
    unmet: list[UnmetCondition]
    conditions: list[ConditionStatus]
    transitions: list[str]
    terminal: bool
    handed_off: dict[str, Any] | None
    version: int
    as_of: str


def _text(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def build_status(workflow: CompiledWorkflow, facts: Facts, evaluator: Evaluator, as_of: datetime) -> InitiativeStatus:
    """Assemble the status from facts and their evaluation (no I/O)."""
    stage = facts.stage
    following = workflow.next_stage(stage)
    pending = evaluator.unmet(workflow.needs(following)) if following else []
    # A stage whose own prerequisites no longer hold is at risk, not silently green.
    at_risk = [result.condition for result in evaluator.blocking(workflow.needs(stage))]
    conditions = evaluator.all_results()
    handed_off = dict(facts.handed_off_to) if facts.handed_off_to else None
    if handed_off:
        handed_off["at"] = _text(handed_off["at"])
    return InitiativeStatus.model_construct(
        initiative=facts.initiative,
        name=facts.name,
        workflow=workflow.id,
        stage=stage,
        stage_title=workflow.stages[stage].title,
        stage_since=_text(facts.stage_since),
        next=following,
        can_advance=following is not None and not any(result.blocking for result in pending),
        at_risk=bool(at_risk),
        at_risk_conditions=at_risk,
        unmet=[_unmet(result) for result in pending],
        conditions=[_condition(result) for result in conditions],
        transitions=[transition.id for transition in workflow.transitions_from(stage)],
        terminal=workflow.stages[stage].terminal,
        handed_off=handed_off,
        version=facts.version,
        as_of=_text(as_of) or "",
    )


def _unmet(result: ConditionResult) -> UnmetCondition:
    return UnmetCondition.model_construct(
        condition=result.condition,
        title=result.title,
        detail=result.detail,
        blocking=result.blocking,
        strength=result.strength,
    )


def _condition(result: ConditionResult) -> ConditionStatus:
    return ConditionStatus.model_construct(
        condition=result.condition,
        title=result.title,
        kind=result.kind,
        strength=result.strength,
        met=result.met,
        waived=result.waived,
        blocking=result.blocking,
        detail=result.detail,
        progress=result.progress,
    )
