"""A workflow in plain text, for people reading it in a terminal."""

from __future__ import annotations

from typing import Any

from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.moves import moves_for
from cooperation.wording import for_terminal


def summarise_condition(condition: CompiledCondition[Any]) -> str:
    """One line saying what it takes to meet a condition."""
    return KINDS[condition.kind].describe(condition)


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
        lines.extend(
            f"    - {condition_id} [{workflow.conditions[condition_id].strength}]"
            for condition_id in workflow.needs(stage.id)
            if condition_id not in inherited
        )
        if stage.ladder:
            previous = stage.id
    lines.append("")
    lines.append("Conditions:")
    for condition in definition.conditions:
        summary = summarise_condition(workflow.compiled_conditions[condition.id])
        lines.append(f"  {condition.id} [{condition.kind}, {condition.strength}]: {summary}")
        if condition.requires:
            lines.append(f"      requires: {', '.join(condition.requires)}")
    if definition.transitions:
        lines.append("")
        lines.append("Transitions:")
        for transition in definition.transitions:
            roles = ", ".join(moves_for(workflow).of_transition(transition.id)[0].roles)
            automatic = f", automatic on {transition.on_event}" if transition.on_event else ""
            if transition.on_roles:
                automatic += f" about {' or '.join(transition.on_roles)}"
            automatic += f", automatic when {transition.on_lapse} lapses" if transition.on_lapse else ""
            lines.append(
                f"  {transition.id} ({transition.kind}{automatic}): {', '.join(transition.from_)} -> {transition.to}"
                f"  by {roles}"
            )
            needs = workflow.transition_needs[transition.id]
            if needs:
                lines.append(f"      needs: {', '.join(needs)}")
    lines.extend(_declared_roles(workflow))
    lines.extend(f"warning: {warning.message}" for warning in workflow.warnings)
    return for_terminal("\n".join(lines)) + "\n"


def _declared_roles(workflow: CompiledWorkflow) -> list[str]:
    """The roles a workflow declares beside the built-in ones, and what each may record (none: no lines)."""
    if not workflow.declared_roles:
        return []
    lines = ["", "Roles of its own (besides owner, secretariat, member, observer):"]
    for role in workflow.declared_roles.values():
        may = ", ".join(sorted(role.may)) or "nothing"
        lines.append(f"  {role.id} ({role.title}): may record {may}")
    return lines
