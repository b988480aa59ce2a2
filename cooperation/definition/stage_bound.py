"""Conditions bound to a stage, asked where they can never hold: found from the workflow alone.

A `time_in_stage` that asks the initiative to be still in a stage holds only while it is in
that stage, so a move from any other stage that cannot do without it can never be made
(a common slip: putting it in a ladder stage's `requires`, which every later advance
inherits). A `time_in_stage` or `since_stage` counts from the moment the initiative entered
its stage, so if every way into that stage needs one of them, the stage is never entered
at all. Both are proven from the definition, not searched for, and each comes with a fix:
`coop workflows check` warns of them (`warnings`) and `coop verify` reports them as findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.problems import problem_at
from cooperation.definition.yamlsafe import Document
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.moves import Move, moves_for
from cooperation.errors import Problem

STAGE_KINDS = ("time_in_stage", "since_stage")


@dataclass(frozen=True, slots=True)
class Misplaced:
    """A stage-bound condition that keeps `move` from ever being made, why, and how to fix it."""

    condition: str
    move: Move
    why: str
    hint: str


def unavoidable(workflow: CompiledWorkflow, needs: tuple[str, ...]) -> list[str]:
    """The conditions a move cannot do without: required ones among its needs, and, through
    them, their prerequisites and parts (not the alternatives of an `any`), in a stable order."""
    found: dict[str, None] = {}
    pending = list(reversed(needs))
    while pending:
        condition = workflow.compiled_conditions[pending.pop()]
        if condition.id in found or condition.strength != "required":
            continue
        found[condition.id] = None
        pending.extend(reversed(condition.requires))
        if not KINDS[condition.kind].alternatives:
            pending.extend(reversed(condition.parts))
    return list(found)


def misplaced(workflow: CompiledWorkflow, move: Move) -> list[Misplaced]:
    """The stage-bound conditions that keep `move` from ever being made."""
    found = []
    for condition_id in unavoidable(workflow, move.needs):
        condition = workflow.compiled_conditions[condition_id]
        if condition.kind not in STAGE_KINDS:
            continue
        stage = condition.settings.stage
        if condition.kind == "time_in_stage" and condition.settings.still_in and move.source != stage:
            found.append(
                Misplaced(
                    condition_id,
                    move,
                    f"it asks that the initiative be in '{stage}', but {move.label} is made from '{move.source}'",
                    f"ask for '{condition_id}' only on moves out of '{stage}' (a transition from it, or the "
                    f"requires of the stage after it when that ends the ladder), or set 'still_in: false'",
                )
            )
        elif move.target == stage != move.source and _never_entered(workflow, stage):
            found.append(
                Misplaced(
                    condition_id,
                    move,
                    f"it counts from when the initiative entered '{stage}', and every way into "
                    f"'{stage}' needs such a condition, so it is never entered",
                    f"ask for '{condition_id}' on moves out of '{stage}' (the requires of a later stage, "
                    "or of a transition from it), not on the way in",
                )
            )
    return found


def _never_entered(workflow: CompiledWorkflow, stage: str) -> bool:
    """Whether every move into `stage` (it not being the first) needs a condition counted from entering it."""
    if stage == workflow.start:
        return False
    into = [move for move in moves_for(workflow).rows if move.target == stage and move.source != stage]
    return all(
        any(
            workflow.compiled_conditions[need].kind in STAGE_KINDS
            and workflow.compiled_conditions[need].settings.stage == stage
            for need in unavoidable(workflow, move.needs)
        )
        for move in into
    )


def warnings(workflow: CompiledWorkflow, document: Document | None, file: str) -> Iterable[Problem]:
    """Each stage-bound condition asked where it can never hold, once, at its `stage` field."""
    places = {condition.id: index for index, condition in enumerate(workflow.definition.conditions)}
    reported: set[str] = set()
    for move in moves_for(workflow).rows:
        for found in misplaced(workflow, move):
            if found.condition not in reported:
                reported.add(found.condition)
                message = f"'{found.condition}' can never be met where it is asked: {move.label} needs it; {found.why}"
                yield problem_at(
                    document, ("conditions", places[found.condition], "stage"), message, file=file, hint=found.hint
                )
