"""A workflow in plain text, for people reading it in a terminal."""

from __future__ import annotations

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.models import (
    AllCondition,
    AnyCondition,
    AttestationCondition,
    ConditionDefinition,
    EvidenceCondition,
    ExpiringCondition,
    HeldCondition,
    MeetingsCondition,
    ParticipationCondition,
    ScoreCondition,
)
from cooperation.engine.moves import moves_for


def summarise_condition(condition: ConditionDefinition) -> str:
    """One line saying what it takes to meet a condition."""
    match condition:
        case EvidenceCondition(min_items=items):
            return "evidence recorded" if items == 1 else f"at least {items} pieces of evidence"
        case AttestationCondition(min_participants=people, min_communities=communities):
            return f"attested by at least {people} participant(s) from at least {communities} community(ies)"
        case MeetingsCondition(min_meetings=meetings, min_span_days=days, neutral_only=neutral):
            where = " at a neutral venue" if neutral else ""
            return f"at least {meetings} meeting(s){where} spanning at least {days} day(s)"
        case ParticipationCondition(min_participants=people, min_communities=communities, required_communities=named):
            present = f", including {', '.join(named)}" if named else ""
            return f"at least {people} active participant(s) from at least {communities} community(ies){present}"
        case ScoreCondition(parameter=parameter, at_least=level):
            return f"'{parameter}' scored at least {level}"
        case HeldCondition(condition=inner, days=days):
            return f"'{inner}' held for at least {days} day(s)"
        case ExpiringCondition(condition=inner, days=days):
            return f"'{inner}' met on facts from the last {days} day(s)"
        case AllCondition(of=members):
            return "all of: " + ", ".join(members)
        case AnyCondition(of=members):
            return "any of: " + ", ".join(members)
    raise AssertionError(f"unhandled condition kind {condition.kind}")


def describe_workflow(workflow: CompiledWorkflow) -> str:
    definition = workflow.definition
    lines = [f"{definition.title} ({definition.id} v{definition.version})", "", definition.description.strip(), ""]
    lines.append("Ladder: " + " -> ".join(workflow.ladder))
    lines.append("")
    lines.append("Stages, with what each needs, prerequisites first:")
    previous: str | None = None
    for stage in definition.stages:
        marks = [mark for mark, on in (("off the ladder", not stage.ladder), ("terminal", stage.terminal)) if on]
        lines.append(f"  {stage.id}: {stage.title}" + (f" ({', '.join(marks)})" if marks else ""))
        inherited = set(workflow.needs(previous)) if stage.ladder and previous else set()
        if inherited:
            lines.append(f"    - everything '{previous}' needs, then:")
        for condition_id in workflow.needs(stage.id):
            if condition_id not in inherited:
                lines.append(f"    - {condition_id} [{workflow.conditions[condition_id].strength}]")
        if stage.ladder:
            previous = stage.id
    lines.append("")
    lines.append("Conditions:")
    for condition in definition.conditions:
        lines.append(f"  {condition.id} [{condition.kind}, {condition.strength}]: {summarise_condition(condition)}")
        if condition.requires:
            lines.append(f"      requires: {', '.join(condition.requires)}")
    if definition.transitions:
        lines.append("")
        lines.append("Transitions:")
        for transition in definition.transitions:
            roles = ", ".join(moves_for(workflow).of_transition(transition.id)[0].roles)
            automatic = f", automatic on {transition.on_event}" if transition.on_event else ""
            lines.append(
                f"  {transition.id} ({transition.kind}{automatic}): {', '.join(transition.from_)} -> {transition.to}"
                f"  by {roles}"
            )
            needs = workflow.transition_needs[transition.id]
            if needs:
                lines.append(f"      needs: {', '.join(needs)}")
    for warning in workflow.warnings:
        lines.append(f"warning: {warning.message}")
    return "\n".join(lines) + "\n"
