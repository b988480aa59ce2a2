"""Cross-references of a workflow definition: every id declared once, every reference known."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cooperation.definition.models import (
    AllCondition,
    AnyCondition,
    AttestationCondition,
    ExpiringCondition,
    HeldCondition,
    ParticipationCondition,
    ScoreCondition,
    WorkflowDefinition,
)
from cooperation.definition.problems import problem_at
from cooperation.definition.yamlsafe import Document, PathKey
from cooperation.errors import Problem
from cooperation.wording import did_you_mean


def check_references(definition: WorkflowDefinition, document: Document | None, file: str) -> Iterable[Problem]:
    """Every id used must be declared once; every number must fit what it refers to."""

    def at(path: PathKey, message: str, hint: str = "") -> Problem:
        return problem_at(document, path, message, file=file, hint=hint)

    stages = {stage.id for stage in definition.stages}
    conditions = {condition.id for condition in definition.conditions}
    parameters = {parameter.id: parameter for parameter in definition.parameters}

    for section, items in (
        ("stages", definition.stages),
        ("conditions", definition.conditions),
        ("transitions", definition.transitions),
        ("parameters", definition.parameters),
    ):
        first_index: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.id in first_index:
                yield at(
                    (section, index, "id"),
                    f"duplicate id '{item.id}' (also {section}[{first_index[item.id]}])",
                    "give each one its own id",
                )
            else:
                first_index[item.id] = index

    def unknown(path: PathKey, reference: str, what: str, known: Sequence[str] | set[str]) -> Iterable[Problem]:
        if reference not in known:
            hint = did_you_mean(reference, known) or f"declare it under '{what}s'"
            yield at(path, f"unknown {what} '{reference}'", hint)

    if not definition.stages[0].ladder:
        yield at(
            ("stages", 0, "ladder"),
            "the first stage is where initiatives start and must be on the ladder",
            "remove 'ladder: false' or put another stage first",
        )
    ladder = [stage for stage in definition.stages if stage.ladder]
    for index, stage in enumerate(definition.stages):
        if stage.terminal and stage.ladder and stage is not ladder[-1]:
            yield at(
                ("stages", index, "terminal"),
                f"terminal stage '{stage.id}' has ladder stages after it",
                "move it to the end of the ladder, or set 'ladder: false'",
            )
    terminal = {stage.id for stage in definition.stages if stage.terminal}
    for index, stage in enumerate(definition.stages):
        for position, reference in enumerate(stage.requires):
            yield from unknown(("stages", index, "requires", position), reference, "condition", conditions)
    for index, condition in enumerate(definition.conditions):
        for position, reference in enumerate(condition.requires):
            yield from unknown(("conditions", index, "requires", position), reference, "condition", conditions)
        if isinstance(condition, AllCondition | AnyCondition):
            for position, reference in enumerate(condition.of):
                yield from unknown(("conditions", index, "of", position), reference, "condition", conditions)
        elif isinstance(condition, HeldCondition | ExpiringCondition):
            yield from unknown(("conditions", index, "condition"), condition.condition, "condition", conditions)
        elif isinstance(condition, ScoreCondition):
            parameter = parameters.get(condition.parameter)
            if parameter is None:
                yield from unknown(("conditions", index, "parameter"), condition.parameter, "parameter", set(parameters))
            elif not parameter.scale.min <= condition.at_least <= parameter.scale.max:
                scale = parameter.scale
                yield at(
                    ("conditions", index, "at_least"),
                    f"level {condition.at_least} is outside the scale of '{parameter.id}' ({scale.min}..{scale.max})",
                    f"choose a level from {scale.min} to {scale.max}",
                )
        elif isinstance(condition, AttestationCondition | ParticipationCondition):
            if condition.min_communities > condition.min_participants:
                yield at(
                    ("conditions", index, "min_communities"),
                    f"{condition.min_communities} communities cannot come from {condition.min_participants} participants",
                    "raise min_participants or lower min_communities",
                )
    for index, transition in enumerate(definition.transitions):
        for position, reference in enumerate(transition.from_):
            yield from unknown(("transitions", index, "from", position), reference, "stage", stages)
            if reference in terminal:
                yield at(
                    ("transitions", index, "from", position),
                    f"'{reference}' is a terminal stage: nothing leaves it",
                    "remove it from 'from', or drop 'terminal: true' from that stage",
                )
        yield from unknown(("transitions", index, "to"), transition.to, "stage", stages)
        for position, reference in enumerate(transition.requires):
            yield from unknown(("transitions", index, "requires", position), reference, "condition", conditions)
        if transition.body_kinds and transition.kind != "hand_off":
            yield at(("transitions", index, "body_kinds"), "body_kinds only applies to hand_off transitions", "remove it")
