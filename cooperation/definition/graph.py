"""The prerequisite graph: stages, conditions and transitions as nodes, built with networkx.

Edges point from what depends to what it depends on:

    requires   stage -> condition, condition -> condition, transition -> condition
    follows    ladder stage -> the ladder stage before it (it needs all that one needed)
    composes   condition -> the conditions it is made of (an all's or any's members, the one a held
               or expiring condition is about: the condition references of its kind's settings)
    moves      stage -> transition -> stage (how initiatives travel; not a prerequisite)

Checked once at load (no cycle among prerequisites, every stage reachable, every
condition used); `cooperation.definition.compile` then compiles it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Literal, TypeVar

import networkx as nx

from cooperation.definition.models import (
    ConditionDefinition,
    StageDefinition,
    TransitionDefinition,
    WorkflowDefinition,
)
from cooperation.definition.problems import problem_at
from cooperation.definition.yamlsafe import Document, PathKey
from cooperation.engine.conditions.base import references
from cooperation.engine.conditions.table import KINDS
from cooperation.errors import Problem

NodeKind = Literal["stage", "condition", "transition"]
_Item = TypeVar("_Item", StageDefinition, ConditionDefinition, TransitionDefinition)
PREREQUISITE_RELATIONS = frozenset({"requires", "follows", "composes"})


def node(kind: NodeKind, identifier: str) -> str:
    return f"{kind}:{identifier}"


def build_graph(definition: WorkflowDefinition) -> nx.DiGraph:
    """The whole graph; edges to undeclared ids are left out (the loader reports those)."""
    graph = nx.DiGraph(workflow=definition.id)
    # A duplicated id is reported by the reference checks; only its first declaration counts here.
    stages = _first_of_each(definition.stages)
    conditions = _first_of_each(definition.conditions)
    transitions = _first_of_each(definition.transitions)
    _add_nodes(graph, stages, conditions, transitions)
    _add_stage_edges(graph, stages)
    _add_condition_edges(graph, conditions)
    _add_transition_edges(graph, transitions)
    return graph


def _add_nodes(
    graph: nx.DiGraph,
    stages: list[tuple[int, StageDefinition]],
    conditions: list[tuple[int, ConditionDefinition]],
    transitions: list[tuple[int, TransitionDefinition]],
) -> None:
    for index, stage in stages:
        graph.add_node(
            node("stage", stage.id),
            kind="stage",
            id=stage.id,
            title=stage.title,
            order=index,
            ladder=stage.ladder,
            terminal=stage.terminal,
            path=("stages", index),
        )
    for index, condition in conditions:
        graph.add_node(
            node("condition", condition.id),
            kind="condition",
            id=condition.id,
            title=condition.title,
            order=index,
            strength=condition.strength,
            condition_kind=condition.kind,
            path=("conditions", index),
        )
    for index, transition in transitions:
        graph.add_node(
            node("transition", transition.id),
            kind="transition",
            id=transition.id,
            title=transition.title,
            order=index,
            transition_kind=transition.kind,
            path=("transitions", index),
        )


def _link(graph: nx.DiGraph, source: str, target: str, relation: str, path: PathKey) -> None:
    """An edge to a declared node (an undeclared one is the reference checks' to report)."""
    if target in graph:
        graph.add_edge(source, target, relation=relation, path=path)


def _add_stage_edges(graph: nx.DiGraph, stages: list[tuple[int, StageDefinition]]) -> None:
    previous: str | None = None
    for index, stage in stages:
        here = node("stage", stage.id)
        for position, reference in enumerate(stage.requires):
            _link(graph, here, node("condition", reference), "requires", ("stages", index, "requires", position))
        if stage.ladder:
            if previous is not None:
                _link(graph, here, previous, "follows", ("stages", index))
            previous = here


def _add_condition_edges(graph: nx.DiGraph, conditions: list[tuple[int, ConditionDefinition]]) -> None:
    for index, condition in conditions:
        here = node("condition", condition.id)
        for position, reference in enumerate(condition.requires):
            _link(graph, here, node("condition", reference), "requires", ("conditions", index, "requires", position))
        for where, reference, what in references(KINDS[condition.kind].settings, condition):
            if what == "condition":
                _link(graph, here, node("condition", reference), "composes", ("conditions", index, *where))


def _add_transition_edges(graph: nx.DiGraph, transitions: list[tuple[int, TransitionDefinition]]) -> None:
    for index, transition in transitions:
        here = node("transition", transition.id)
        for position, reference in enumerate(transition.requires):
            _link(graph, here, node("condition", reference), "requires", ("transitions", index, "requires", position))
        for position, origin in enumerate(transition.from_):
            if node("stage", origin) in graph:
                graph.add_edge(
                    node("stage", origin), here, relation="moves", path=("transitions", index, "from", position)
                )
        _link(graph, here, node("stage", transition.to), "moves", ("transitions", index, "to"))


def _first_of_each(items: Sequence[_Item]) -> list[tuple[int, _Item]]:
    seen: set[str] = set()
    first = []
    for index, item in enumerate(items):
        if item.id not in seen:
            seen.add(item.id)
            first.append((index, item))
    return first


def prerequisites(graph: nx.DiGraph) -> nx.DiGraph:
    """The view of `graph` with only prerequisite edges (no moves)."""
    return nx.subgraph_view(graph, filter_edge=lambda u, v: graph.edges[u, v]["relation"] in PREREQUISITE_RELATIONS)


def check_graph(graph: nx.DiGraph, document: Document | None, file: str) -> tuple[list[Problem], list[Problem]]:
    """Errors (cycles, unreachable stages) and warnings (unused conditions)."""
    errors = list(_cycles(graph, document, file))
    errors += _unreachable(graph, document, file)
    warnings = list(_unused(graph, document, file))
    return errors, warnings


def _cycles(graph: nx.DiGraph, document: Document | None, file: str) -> Iterable[Problem]:
    view = prerequisites(graph)
    for component in nx.strongly_connected_components(view):
        members = view.subgraph(component)
        if len(component) == 1 and not members.number_of_edges():
            continue
        cycle = nx.find_cycle(members)
        names = [graph.nodes[source]["id"] for source, _ in cycle] + [graph.nodes[cycle[0][0]]["id"]]
        first_edge = min(cycle, key=lambda edge: graph.nodes[edge[0]]["order"])
        yield problem_at(
            document,
            graph.edges[first_edge]["path"],
            f"cycle among prerequisites: {' -> '.join(names)}",
            file=file,
            hint="a condition cannot (even indirectly) require itself; remove one of these requirements",
        )


def _unreachable(graph: nx.DiGraph, document: Document | None, file: str) -> Iterable[Problem]:
    ladder = [n for n, data in graph.nodes(data=True) if data["kind"] == "stage" and data["ladder"]]
    if not ladder:
        return
    ladder.sort(key=lambda n: graph.nodes[n]["order"])
    moves = nx.DiGraph(nx.subgraph_view(graph, filter_edge=lambda u, v: graph.edges[u, v]["relation"] == "moves"))
    moves.add_nodes_from(ladder)
    moves.add_edges_from(pairwise(ladder))
    reachable = nx.descendants(moves, ladder[0]) | {ladder[0]}
    for name, data in graph.nodes(data=True):
        if data["kind"] == "stage" and name not in reachable:
            yield problem_at(
                document,
                data["path"],
                f"stage '{data['id']}' cannot be reached from '{graph.nodes[ladder[0]]['id']}'",
                file=file,
                hint="put it on the ladder (ladder: true) or add a transition whose 'to' is this stage",
            )


def _unused(graph: nx.DiGraph, document: Document | None, file: str) -> Iterable[Problem]:
    view = prerequisites(graph)
    for name, data in graph.nodes(data=True):
        if data["kind"] == "condition" and view.in_degree(name) == 0:
            yield Problem(
                f"condition '{data['id']}' is not needed by any stage or transition",
                path=f"conditions[{data['path'][1]}]",
                file=file,
                line=(document.locate(data["path"]) or (None, None))[0] if document else None,
                column=(document.locate(data["path"]) or (None, None))[1] if document else None,
                hint="list it under a stage's or transition's 'requires', or remove it",
                severity="warning",
            )
