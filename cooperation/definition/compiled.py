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
from typing import TYPE_CHECKING, Any, NamedTuple

from cooperation.vocabulary import BodyKind, Role

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


class CompiledCondition(NamedTuple):
    """A condition as evaluation reads it: every kind's settings in one record, unused ones at their defaults."""

    id: str
    kind: str
    title: str
    strength: Strength
    requires: tuple[str, ...] = ()
    waiver_min_rationale: int | None = None
    min_items: int = 1  # evidence
    min_participants: int = 1  # attestation, participation
    min_communities: int = 1
    required_communities: tuple[str, ...] = ()  # participation
    min_meetings: int = 0  # meetings
    min_span_days: int = 0
    neutral_only: bool = False
    parameter: str = ""  # score
    at_least: int = 0
    condition: str = ""  # held, expiring
    days: int = 0
    of: tuple[str, ...] = ()  # all, any


class CompiledStage(NamedTuple):
    id: str
    title: str
    ladder: bool
    terminal: bool
    advance_roles: tuple[Role, ...] | None


class CompiledTransition(NamedTuple):
    id: str
    kind: TransitionKind
    title: str
    from_: tuple[str, ...]
    to: str
    roles: tuple[Role, ...] | None
    on_event: str | None
    body_kinds: tuple[BodyKind, ...]


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
    compiled_conditions: Mapping[str, CompiledCondition]
    compiled_stages: Mapping[str, CompiledStage]  # in the definition's order
    compiled_transitions: Mapping[str, CompiledTransition]  # in the definition's order
    scales: Mapping[str, CompiledScale]  # by parameter
    default_roles: tuple[Role, ...]  # who may advance, unless a stage or transition says otherwise
    default_waiver_min_rationale: int
    pickled_definition: bytes = field(repr=False)
    warnings: tuple[Problem, ...] = ()

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
            compiled_conditions={c.id: CompiledCondition(**_plain(c.model_dump())) for c in definition.conditions},
            compiled_stages={
                stage.id: CompiledStage(
                    stage.id, stage.title, stage.ladder, stage.terminal, _optional_tuple(stage.advance_roles)
                )
                for stage in definition.stages
            },
            compiled_transitions={
                t.id: CompiledTransition(
                    t.id, t.kind, t.title, tuple(t.from_), t.to, _optional_tuple(t.roles), t.on_event,
                    tuple(t.body_kinds),
                )
                for t in definition.transitions
            },
            scales={p.id: CompiledScale(p.scale.min, p.scale.max, dict(p.scale.labels)) for p in definition.parameters},
            default_roles=tuple(definition.advance_roles),
            default_waiver_min_rationale=definition.waiver_min_rationale,
            pickled_definition=pickle.dumps(definition, protocol=pickle.HIGHEST_PROTOCOL),
            warnings=warnings,
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

    def needs(self, stage: str) -> tuple[str, ...]:
        """Conditions stage `stage` needs (its own and its predecessors'), prerequisites first."""
        return self.stage_needs[stage]

    def waiver_min_rationale(self, condition: str) -> int:
        own = self.compiled_conditions[condition].waiver_min_rationale
        return own if own is not None else self.default_waiver_min_rationale


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """A model's dump with lists made tuples, for a frozen record (descriptions are not needed here)."""
    values.pop("description", None)
    return {key: tuple(value) if isinstance(value, list) else value for key, value in values.items()}


def _optional_tuple(values: list[Role] | None) -> tuple[Role, ...] | None:
    return None if values is None else tuple(values)
