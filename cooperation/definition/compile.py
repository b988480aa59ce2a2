"""Compiling a checked definition: conditions in working order, what each stage and transition needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import networkx as nx

from cooperation.definition import stage_bound, stage_windows
from cooperation.definition.checks import check_references
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.graph import build_graph, check_graph
from cooperation.definition.models import WorkflowDefinition
from cooperation.definition.problems import in_file_order
from cooperation.definition.yamlsafe import Document
from cooperation.errors import WorkflowDefinitionError


def compile_definition(
    definition: WorkflowDefinition, *, document: Document | None = None, file: str = "<workflow>"
) -> CompiledWorkflow:
    """Check the graph and compile it; raise WorkflowDefinitionError naming every problem."""
    graph = build_graph(definition)
    errors, warnings = check_graph(graph, document, file)
    errors[:0] = check_references(definition, document, file)
    if errors:
        raise WorkflowDefinitionError(in_file_order(errors))

    # Conditions in one order, prerequisites first, ties broken by declaration order;
    # every stage's list is this order filtered, which keeps it a valid working order.
    requires_only = nx.DiGraph()
    requires_only.add_nodes_from(condition.id for condition in definition.conditions)
    for condition in definition.conditions:
        requires_only.add_edges_from((prerequisite, condition.id) for prerequisite in condition.requires)
    declared = {condition.id: index for index, condition in enumerate(definition.conditions)}
    order = tuple(nx.lexicographical_topological_sort(requires_only, key=declared.__getitem__))

    def closure(roots: Iterable[str]) -> set[str]:
        found = set(roots)
        for root in list(found):
            found |= nx.ancestors(requires_only, root)
        return found

    def ordered(members: set[str]) -> tuple[str, ...]:
        return tuple(condition for condition in order if condition in members)

    stage_needs: dict[str, tuple[str, ...]] = {}
    inherited: set[str] = set()
    for stage in definition.stages:
        own = closure(stage.requires)
        if stage.ladder:
            inherited |= own
            stage_needs[stage.id] = ordered(inherited)
        else:
            stage_needs[stage.id] = ordered(own)
    stages = {stage.id: stage for stage in definition.stages}
    transition_needs = {
        transition.id: ordered(
            closure(transition.requires)
            | (closure(stages[transition.to].requires) if not stages[transition.to].ladder else set())
        )
        for transition in definition.transitions
    }
    compiled = CompiledWorkflow.build(
        definition,
        source=file,
        ladder=tuple(stage.id for stage in definition.stages if stage.ladder),
        stage_needs=stage_needs,
        transition_needs=transition_needs,
        condition_order=order,
        warnings=tuple(warnings),
    )
    misplaced = list(stage_bound.warnings(compiled, document, file))  # needs the moves: after compiling
    misplaced += stage_windows.warnings(compiled, document, file)
    return replace(compiled, warnings=(*compiled.warnings, *misplaced)) if misplaced else compiled
