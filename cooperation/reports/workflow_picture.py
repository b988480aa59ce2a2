"""A workflow as a report shows it: its stages, conditions and prerequisite graph, with diagram text."""

from __future__ import annotations

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.graph import build_graph, node, prerequisites
from cooperation.reports.model import (
    ConditionInfo,
    GraphEdge,
    GraphNode,
    StageInfo,
    WorkflowPicture,
)
from cooperation.views.diagrams import render


def workflow_picture(workflow: CompiledWorkflow) -> WorkflowPicture:
    """A workflow's stages and prerequisite graph, with the Mermaid and DOT text of `cooperation.views.diagrams`."""
    definition = workflow.definition
    graph = prerequisites(build_graph(definition))
    nodes: list[GraphNode] = []
    stages_first = sorted(
        graph.nodes(data=True), key=lambda item: (item[1]["kind"] != "stage", item[1]["kind"], item[1]["order"])
    )
    for name, data in stages_first:
        if data["kind"] == "transition" and graph.out_degree(name) == 0:
            continue  # a move with no prerequisites of its own adds nothing to this picture
        nodes.append(
            GraphNode(
                id=name,
                kind=data["kind"],
                name=data["id"],
                title=data["title"],
                strength=data.get("strength"),
                ladder=bool(data.get("ladder", False)),
            )
        )
    kept = {item.id for item in nodes}
    edges = [
        GraphEdge(source=needed, target=needing, relation=data["relation"])
        for needing, needed, data in sorted(graph.edges(data=True), key=lambda edge: (edge[0], edge[1]))
        if needing in kept and needed in kept
    ]
    # A move with prerequisites of its own leads to a stage off the ladder: draw where it goes.
    for transition in definition.transitions:
        source, target = node("transition", transition.id), node("stage", transition.to)
        if source in kept and target in kept and not workflow.stages[transition.to].ladder:
            edges.append(GraphEdge(source=source, target=target, relation="leads to"))
    return WorkflowPicture(
        id=workflow.id,
        version=definition.version,
        title=definition.title,
        stages=[StageInfo(id=s.id, title=s.title, ladder=s.ladder, terminal=s.terminal) for s in definition.stages],
        ladder=list(workflow.ladder),
        conditions=[
            ConditionInfo(id=c.id, title=c.title, kind=c.kind, strength=c.strength)
            for c in (workflow.conditions[name] for name in workflow.condition_order)
        ],
        nodes=nodes,
        edges=edges,
        mermaid=render(workflow, "mermaid"),
        dot=render(workflow, "dot"),
    )
