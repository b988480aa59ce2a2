"""A checked workflow, compiled into lookups that evaluation uses without rebuilding anything.

Built once per workflow per process by `cooperation.graph.compile_definition`; it holds
plain tuples and dicts only, so using it never imports networkx.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cooperation.definition import (
    ConditionDefinition,
    ParameterDefinition,
    StageDefinition,
    TransitionDefinition,
    WorkflowDefinition,
)
from cooperation.errors import Problem
from cooperation.vocabulary import Role


@dataclass(frozen=True, eq=False)
class CompiledWorkflow:
    """A valid workflow and, for every stage and transition, what it needs in working order."""

    definition: WorkflowDefinition
    source: str
    ladder: tuple[str, ...]
    stage_needs: Mapping[str, tuple[str, ...]]
    transition_needs: Mapping[str, tuple[str, ...]]
    condition_order: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()
    conditions: Mapping[str, ConditionDefinition] = field(init=False)
    stages: Mapping[str, StageDefinition] = field(init=False)
    transitions: Mapping[str, TransitionDefinition] = field(init=False)
    parameters: Mapping[str, ParameterDefinition] = field(init=False)
    automatic_events: frozenset[str] = field(init=False)  # event kinds that trigger a transition

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: derived lookups are filled in once here
        set_(self, "conditions", {condition.id: condition for condition in self.definition.conditions})
        set_(self, "stages", {stage.id: stage for stage in self.definition.stages})
        set_(self, "transitions", {transition.id: transition for transition in self.definition.transitions})
        set_(self, "parameters", {parameter.id: parameter for parameter in self.definition.parameters})
        set_(self, "automatic_events", frozenset(t.on_event for t in self.definition.transitions if t.on_event))

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def start(self) -> str:
        return self.ladder[0]

    def next_stage(self, stage: str) -> str | None:
        """The ladder stage after `stage`, or None at the top or off the ladder."""
        if stage not in self.ladder:
            return None
        position = self.ladder.index(stage) + 1
        return self.ladder[position] if position < len(self.ladder) else None

    def needs(self, stage: str) -> tuple[str, ...]:
        """Conditions stage `stage` needs (its own and its predecessors'), prerequisites first."""
        return self.stage_needs[stage]

    def advance_roles(self, target: str) -> tuple[Role, ...]:
        roles = self.stages[target].advance_roles
        return tuple(roles if roles is not None else self.definition.advance_roles)

    def transition_roles(self, transition: str) -> tuple[Role, ...]:
        roles = self.transitions[transition].roles
        return tuple(roles if roles is not None else self.definition.advance_roles)

    def transitions_from(self, stage: str) -> tuple[TransitionDefinition, ...]:
        return tuple(transition for transition in self.definition.transitions if stage in transition.from_)

    def waiver_min_rationale(self, condition: str) -> int:
        own = self.conditions[condition].waiver_min_rationale
        return own if own is not None else self.definition.waiver_min_rationale
