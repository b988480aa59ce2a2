"""Cross-references of a workflow definition: every id declared once, every reference known."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from cooperation.definition.compiled import CompiledScale, compile_condition
from cooperation.definition.lapse_checks import check_lapses
from cooperation.definition.models import WorkflowDefinition
from cooperation.definition.problems import problem_at
from cooperation.definition.role_checks import check_roles
from cooperation.definition.yamlsafe import Document, PathKey
from cooperation.engine.conditions.base import references
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.permissions import PERMISSIONS
from cooperation.errors import Problem
from cooperation.vocabulary import ROLES
from cooperation.wording import did_you_mean


@dataclass(frozen=True)
class _Place:
    """Where problems are reported: a file, read as `document` when it was YAML."""

    document: Document | None
    file: str

    def at(self, path: PathKey, message: str, hint: str = "") -> Problem:
        return problem_at(self.document, path, message, file=self.file, hint=hint)

    def unknown(self, path: PathKey, reference: str, what: str, known: Collection[str]) -> Iterable[Problem]:
        if reference not in known:
            hint = did_you_mean(reference, known) or f"declare it under '{what}s'"
            yield self.at(path, f"unknown {what} '{reference}'", hint)


@dataclass(frozen=True)
class _InCondition:
    """What a kind's own checks see: the scales declared, and the place of the condition checked."""

    place: _Place
    index: int
    scales: Mapping[str, CompiledScale]

    def problem(self, field: str, message: str, hint: str) -> Problem:
        return self.place.at(("conditions", self.index, field), message, hint)


def check_references(definition: WorkflowDefinition, document: Document | None, file: str) -> Iterable[Problem]:
    """Every id used must be declared once; every number must fit what it refers to."""
    place = _Place(document, file)
    yield from _duplicates(definition, place)
    yield from _ladder(definition, place)
    yield from _condition_references(definition, place)
    yield from _transition_references(definition, place)
    yield from _permissions(definition, place)
    yield from check_roles(definition, document, file)
    yield from check_lapses(definition, place.at, place.unknown)


def _duplicates(definition: WorkflowDefinition, place: _Place) -> Iterable[Problem]:
    for section, ids in (
        ("stages", [stage.id for stage in definition.stages]),
        ("conditions", [condition.id for condition in definition.conditions]),
        ("transitions", [transition.id for transition in definition.transitions]),
        ("parameters", [parameter.id for parameter in definition.parameters]),
    ):
        first_index: dict[str, int] = {}
        for index, identifier in enumerate(ids):
            if identifier in first_index:
                yield place.at(
                    (section, index, "id"),
                    f"duplicate id '{identifier}' (also {section}[{first_index[identifier]}])",
                    "give each one its own id",
                )
            else:
                first_index[identifier] = index


def _ladder(definition: WorkflowDefinition, place: _Place) -> Iterable[Problem]:
    if not definition.stages[0].ladder:
        yield place.at(
            ("stages", 0, "ladder"),
            "the first stage is where initiatives start and must be on the ladder",
            "remove 'ladder: false' or put another stage first",
        )
    ladder = [stage for stage in definition.stages if stage.ladder]
    for index, stage in enumerate(definition.stages):
        if stage.terminal and stage.ladder and stage is not ladder[-1]:
            yield place.at(
                ("stages", index, "terminal"),
                f"terminal stage '{stage.id}' has ladder stages after it",
                "move it to the end of the ladder, or set 'ladder: false'",
            )


def _condition_references(definition: WorkflowDefinition, place: _Place) -> Iterable[Problem]:
    """What stages and conditions require, what each condition names, and its kind's own checks."""
    declared = {
        "condition": {condition.id for condition in definition.conditions},
        "parameter": {parameter.id for parameter in definition.parameters},
        "stage": {stage.id for stage in definition.stages},
        "role": {*ROLES, *(role.id for role in definition.roles)},
    }
    scales = {p.id: CompiledScale(p.scale.min, p.scale.max, p.scale.labels) for p in definition.parameters}
    for index, stage in enumerate(definition.stages):
        for position, reference in enumerate(stage.requires):
            yield from place.unknown(
                ("stages", index, "requires", position), reference, "condition", declared["condition"]
            )
    for index, condition in enumerate(definition.conditions):
        for position, reference in enumerate(condition.requires):
            yield from place.unknown(
                ("conditions", index, "requires", position), reference, "condition", declared["condition"]
            )
        kind = KINDS[condition.kind]
        for where, reference, what in references(kind.settings, condition):
            yield from place.unknown(("conditions", index, *where), reference, what, declared[what])
        yield from kind.check(compile_condition(condition), _InCondition(place, index, scales))


def _transition_references(definition: WorkflowDefinition, place: _Place) -> Iterable[Problem]:
    stages = {stage.id for stage in definition.stages}
    conditions = {condition.id for condition in definition.conditions}
    terminal = {stage.id for stage in definition.stages if stage.terminal}
    for index, transition in enumerate(definition.transitions):
        for position, reference in enumerate(transition.from_):
            yield from place.unknown(("transitions", index, "from", position), reference, "stage", stages)
            if reference in terminal:
                yield place.at(
                    ("transitions", index, "from", position),
                    f"'{reference}' is a terminal stage: nothing leaves it",
                    "remove it from 'from', or drop 'terminal: true' from that stage",
                )
        yield from place.unknown(("transitions", index, "to"), transition.to, "stage", stages)
        for position, reference in enumerate(transition.requires):
            yield from place.unknown(("transitions", index, "requires", position), reference, "condition", conditions)
        if transition.body_kinds and transition.kind != "hand_off":
            yield place.at(
                ("transitions", index, "body_kinds"), "body_kinds only applies to hand_off transitions", "remove it"
            )


def _permissions(definition: WorkflowDefinition, place: _Place) -> Iterable[Problem]:
    """A workflow may narrow who records a kind of fact, never widen it beyond the defaults."""
    for kind, roles in definition.permissions.items():
        default = PERMISSIONS[kind].roles
        for index, role in enumerate(roles):
            if role not in default and role in ROLES:  # a role not built in: `check_roles` says what is wrong
                yield place.at(
                    ("permissions", kind, index),
                    f"role '{role}' may not record {kind} by default, and a workflow may only narrow who may",
                    f"keep to: {', '.join(default)}",
                )
