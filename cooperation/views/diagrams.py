"""The prerequisite graph as text other tools draw: Mermaid, Graphviz DOT, or JSON."""

from __future__ import annotations

import json
from typing import Literal

from cooperation.definition.compiled import CompiledWorkflow

DiagramFormat = Literal["mermaid", "dot", "json"]
_MERMAID_SHAPES = {"stage": ("([", "])"), "condition": ("[", "]"), "transition": ("{{", "}}")}
_DOT_SHAPES = {"stage": "box, style=rounded", "condition": "note", "transition": "hexagon"}
_ARROWS = {"requires": "-->", "follows": "==>", "composes": "-.->", "moves": "-.->"}


def render(workflow: CompiledWorkflow, diagram_format: DiagramFormat) -> str:
    from cooperation.definition.graph import build_graph

    graph = build_graph(workflow.definition)
    nodes = sorted(graph.nodes(data=True), key=lambda item: (item[1]["kind"], item[1]["order"]))
    edges = sorted(graph.edges(data=True), key=lambda item: (item[0], item[1]))
    if diagram_format == "json":
        return (
            json.dumps(
                {
                    "workflow": workflow.id,
                    "nodes": [{"id": name, "kind": data["kind"], "title": data["title"]} for name, data in nodes],
                    "edges": [{"from": u, "to": v, "relation": data["relation"]} for u, v, data in edges],
                },
                indent=2,
            )
            + "\n"
        )
    ids = {name: f"n{index}" for index, (name, _) in enumerate(nodes)}
    if diagram_format == "mermaid":
        lines = ["flowchart TD"]
        for name, data in nodes:
            left, right = _MERMAID_SHAPES[data["kind"]]
            lines.append(f'    {ids[name]}{left}"{_mermaid_text(data["title"])}"{right}')
        for u, v, data in edges:
            lines.append(f"    {ids[u]} {_ARROWS[data['relation']]}|{data['relation']}| {ids[v]}")
        return "\n".join(lines) + "\n"
    lines = [f"digraph {_dot_text(workflow.id)} {{", "    rankdir=TB;"]
    for name, data in nodes:
        lines.append(f"    {ids[name]} [label={_dot_text(data['title'])}, shape={_DOT_SHAPES[data['kind']]}];")
    for u, v, data in edges:
        style = ", style=dashed" if data["relation"] in ("composes", "moves") else ""
        lines.append(f"    {ids[u]} -> {ids[v]} [label={_dot_text(data['relation'])}{style}];")
    return "\n".join(lines) + "\n}\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
