"""A checked workflow, compiled into lookups that evaluation uses without rebuilding anything.

Built once per workflow per process by `cooperation.definition.compile.compile_definition`. What
reading and moving initiatives needs (conditions, stages, transitions, scales) is kept
as plain records defined here (named tuples: cheap to define, so cheap to import), so
that `coop status` never imports pydantic, YAML or networkx. The validated definition
travels with it, pickled, and is unpickled only by what describes or verifies a workflow.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from cooperation.engine.conditions.base import period_fields, references, written_span
from cooperation.engine.conditions.table import KINDS
from cooperation.vocabulary import ROLES, BodyKind

if TYPE_CHECKING:
    from cooperation.definition.models import (
        ConditionDefinition,
        ParameterDefinition,
        StageDefinition,
        Strength,
        TransitionDefinition,
        TransitionKind,
        WorkflowDefinition,
    )
    from cooperation.errors import Problem

SettingsT = TypeVar("SettingsT")


class CompiledCondition(NamedTuple, Generic[SettingsT]):
    """A condition as evaluation reads it: what every kind has, and its kind's own settings record."""

    id: str
    kind: str
    title: str
    strength: Strength
    requires: tuple[str, ...]
    waiver_min_rationale: int | None
    parts: tuple[str, ...]  # the conditions it is made of (an `all`'s members, the one a `held` is about)
    settings: SettingsT


def compile_condition(definition: ConditionDefinition) -> CompiledCondition[Any]:
    """The record of a condition read from a workflow file (lists become tuples)."""
    settings_type = KINDS[definition.kind].settings
    periods = {field for field, _ in period_fields(settings_type)}
    defaults = settings_type._field_defaults
    settings = settings_type(
        *(
            written_span(definition, field, defaults.get(field))
            if field in periods
            else _frozen(getattr(definition, field))
            for field in settings_type._fields
        )
    )
    parts = tuple(named for _, named, what in references(settings_type, settings) if what == "condition")
    return CompiledCondition(
        definition.id,
        definition.kind,
        definition.title,
        definition.strength,
        tuple(definition.requires),
        definition.waiver_min_rationale,
        parts,
        settings,
    )


class CompiledStage(NamedTuple):
    id: str
    title: str
    ladder: bool
    terminal: bool
    advance_roles: tuple[str, ...] | None


class CompiledRole(NamedTuple):
    """A role the workflow declares (`roles:`): the kinds of fact its holders may record."""

    id: str
    title: str
    may: frozenset[str]


class CompiledTransition(NamedTuple):
    id: str
    kind: TransitionKind
    title: str
    from_: tuple[str, ...]
    to: str
    roles: tuple[str, ...] | None
    on_event: str | None
    body_kinds: tuple[BodyKind, ...]
    on_roles: tuple[str, ...] = ()  # with an on_event about a participant: only one holding these roles
    on_lapse: str | None = None  # the condition whose lapse takes it by itself


class CompiledScale(NamedTuple):
    min: int
    max: int
    labels: Mapping[int, str]


@dataclass(frozen=True, eq=False)
class CompiledWorkflow:
    """A valid workflow and, for every stage and transition, what it needs in working order."""

    id: str
    source: str
    ladder: tuple[str, ...]
    stage_needs: Mapping[str, tuple[str, ...]]
    transition_needs: Mapping[str, tuple[str, ...]]
    condition_order: tuple[str, ...]
    compiled_conditions: Mapping[str, CompiledCondition[Any]]
    compiled_stages: Mapping[str, CompiledStage]  # in the definition's order
    compiled_transitions: Mapping[str, CompiledTransition]  # in the definition's order
    scales: Mapping[str, CompiledScale]  # by parameter
    default_roles: tuple[str, ...]  # who may advance, unless a stage or transition says otherwise
    default_waiver_min_rationale: int
    pickled_definition: bytes = field(repr=False)
    warnings: tuple[Problem, ...] = ()
    permissions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # event kind -> roles, narrowed
    declared_roles: Mapping[str, CompiledRole] = field(default_factory=dict)  # its own roles (`roles:`), in order

    @classmethod
    def build(
        cls,
        definition: WorkflowDefinition,
        *,
        source: str,
        ladder: tuple[str, ...],
        stage_needs: Mapping[str, tuple[str, ...]],
        transition_needs: Mapping[str, tuple[str, ...]],
        condition_order: tuple[str, ...],
        warnings: tuple[Problem, ...] = (),
    ) -> CompiledWorkflow:
        return cls(
            id=definition.id,
            source=source,
            ladder=ladder,
            stage_needs=stage_needs,
            transition_needs=transition_needs,
            condition_order=condition_order,
            compiled_conditions={c.id: compile_condition(c) for c in definition.conditions},
            compiled_stages={
                stage.id: CompiledStage(
                    stage.id, stage.title, stage.ladder, stage.terminal, _optional_tuple(stage.advance_roles)
                )
                for stage in definition.stages
            },
            compiled_transitions={
                t.id: CompiledTransition(
                    t.id,
                    t.kind,
                    t.title,
                    tuple(t.from_),
                    t.to,
                    _optional_tuple(t.roles),
                    t.on_event,
                    tuple(t.body_kinds),
                    tuple(t.on_roles),
                    t.on_lapse,
                )
                for t in definition.transitions
            },
            scales={p.id: CompiledScale(p.scale.min, p.scale.max, dict(p.scale.labels)) for p in definition.parameters},
            default_roles=tuple(definition.advance_roles),
            default_waiver_min_rationale=definition.waiver_min_rationale,
            pickled_definition=pickle.dumps(definition, protocol=pickle.HIGHEST_PROTOCOL),
            warnings=warnings,
            permissions={kind: tuple(roles) for kind, roles in definition.permissions.items()},
            declared_roles={
                role.id: CompiledRole(role.id, role.title or role.id, frozenset(role.may)) for role in definition.roles
            },
        )

    def __getstate__(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in fields(self)}  # cached properties are rebuilt on use

    # --- the validated definition, for describing and verifying (loads pydantic) --------------

    @cached_property
    def definition(self) -> WorkflowDefinition:
        definition: WorkflowDefinition = pickle.loads(self.pickled_definition)
        return definition

    @cached_property
    def conditions(self) -> Mapping[str, ConditionDefinition]:
        return {condition.id: condition for condition in self.definition.conditions}

    @cached_property
    def stages(self) -> Mapping[str, StageDefinition]:
        return {stage.id: stage for stage in self.definition.stages}

    @cached_property
    def transitions(self) -> Mapping[str, TransitionDefinition]:
        return {transition.id: transition for transition in self.definition.transitions}

    @cached_property
    def parameters(self) -> Mapping[str, ParameterDefinition]:
        return {parameter.id: parameter for parameter in self.definition.parameters}

    # --- lookups for reading (a workflow's moves: `cooperation.engine.moves`) -----------------------

    @property
    def start(self) -> str:
        return self.ladder[0]

    @property
    def role_names(self) -> tuple[str, ...]:
        """Every role a participant may hold in this workflow: the four built in, then those it declares."""
        return (*ROLES, *self.declared_roles)

    def needs(self, stage: str) -> tuple[str, ...]:
        """Conditions stage `stage` needs (its own and its predecessors'), prerequisites first."""
        return self.stage_needs[stage]

    def waiver_min_rationale(self, condition: str) -> int:
        own = self.compiled_conditions[condition].waiver_min_rationale
        return own if own is not None else self.default_waiver_min_rationale


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):  # a `Keyed` setting: its pairs, in the file's order
        return tuple(value.items())
    return tuple(value) if isinstance(value, list) else value


def _optional_tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)
