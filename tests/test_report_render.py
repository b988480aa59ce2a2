"""Rendering: the graph layout's rules, well-formed SVG, and registry text that cannot break its format."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_report_sample import AS_OF, SAMPLE_WORKFLOW, sample_db  # noqa: F401

from cooperation.definition.catalog import get_workflow
from cooperation.registry import Registry
from cooperation.reports.build import build_report, workflow_picture
from cooperation.reports.model import GraphEdge, GraphNode, WorkflowPicture
from cooperation.reports.svg import graph_layout, progress_svg, workflow_svg
from cooperation.reports.to_html import render_html
from cooperation.reports.to_json import render_json
from cooperation.reports.to_markdown import render_markdown

SVG = "{http://www.w3.org/2000/svg}"


def check_layout(picture: WorkflowPicture) -> None:
    """Every node once; every arrow runs rightwards, through one waypoint per column it crosses."""
    layout = graph_layout(picture)
    placed = [name for members in layout.layers for name in members if not name.startswith("~")]
    assert sorted(placed) == sorted(node.id for node in picture.nodes)
    for edge in picture.edges:
        source, target = layout.column(edge.source), layout.column(edge.target)
        assert source < target, f"{edge.source} -> {edge.target} does not run rightwards"
        route = layout.routes[edge.source, edge.target]
        assert [layout.column(waypoint) for waypoint in route] == list(range(source + 1, target))


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


@pytest.mark.parametrize("workflow", ["cooperation-maturity", SAMPLE_WORKFLOW])
def test_a_workflow_graph_is_laid_out_rightwards_and_drawn_as_valid_svg(workflow: str) -> None:
    picture = workflow_picture(get_workflow(workflow))
    check_layout(picture)
    root = parse(workflow_svg(picture))
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}g[@class]")) >= len(picture.nodes)
    assert len(root.findall(f".//{SVG}path[@marker-end]")) == len(picture.edges)


def test_every_stage_sits_right_of_what_it_needs() -> None:
    picture = workflow_picture(get_workflow("cooperation-maturity"))
    layout = graph_layout(picture)
    ladder = [layout.column(f"stage:{stage}") for stage in picture.ladder]
    assert ladder == sorted(ladder) and len(set(ladder)) == len(ladder)
    assert layout.column("stage:handed-off") > layout.column("transition:hand-off")


@st.composite
def pictures(draw: st.DrawFn) -> WorkflowPicture:
    """Random prerequisite graphs: edges only from an earlier node to a later one, so always acyclic."""
    count = draw(st.integers(1, 14))
    kinds = draw(st.lists(st.sampled_from(["stage", "condition", "transition"]), min_size=count, max_size=count))
    nodes = [
        GraphNode(
            id=f"{kind}:n{index}",
            kind=kind,
            name=f"n{index}",
            title=draw(st.text(max_size=60)),
            strength="required" if kind == "condition" else None,
        )
        for index, kind in enumerate(kinds)
    ]
    pairs = draw(st.sets(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=30))
    edges = [GraphEdge(source=nodes[a].id, target=nodes[b].id, relation="requires") for a, b in sorted(pairs) if a < b]
    return WorkflowPicture(
        id="random",
        version="1",
        title="Random",
        stages=[],
        ladder=[],
        conditions=[],
        nodes=nodes,
        edges=edges,
        mermaid="",
        dot="",
    )


@settings(max_examples=60, deadline=None)
@given(picture=pictures())
def test_any_prerequisite_graph_is_laid_out_by_the_rules_and_draws_valid_svg(picture: WorkflowPicture) -> None:
    check_layout(picture)
    parse(workflow_svg(picture))  # titles with any characters stay well-formed XML


# --- registry text in each format ------------------------------------------------------------------

HOSTILE = 'Tab|le <script>alert("x")</script> **bold** [link](javascript:alert(1))\nsecond line & `code`'


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("hostile") / "coop.db"
    with Registry.open(db) as registry:
        registry.create("Odd <names> | here", workflow=SAMPLE_WORKFLOW, initiative="odd", by="Ann", at="2024-01-01")
        registry.record(
            "odd",
            "participant_joined",
            {"name": "Ann", "community": "academia", "role": "owner"},
            at="2024-01-01",
            by="Ann",
        )
        registry.record(
            "odd",
            "evidence_recorded",
            {"condition": "statement", "text": HOSTILE, "tlp": "TLP:CLEAR", "link": "javascript:alert(1)"},
            by="Ann",
            at="2024-01-02",
        )
        report = build_report(registry, as_of=AS_OF)
    return {"md": render_markdown(report), "json": render_json(report), "html": render_html(report)}


def test_markdown_keeps_registry_text_inert(hostile_report: dict[str, str]) -> None:
    text = hostile_report["md"]
    assert "<script>" not in text and "\\<script\\>" in text
    assert "Tab\\|le" in text and "\\*\\*bold\\*\\*" in text
    evidence = next(line for line in text.splitlines() if "second line" in line)
    assert evidence.startswith("- 2024-01-02")  # the newline in the text did not start a new line
    for line in text.splitlines():
        if line.startswith("| 3 |"):  # the evidence in the history table: still seven cells
            assert line.replace("\\|", "").count("|") == 7  # and the cell of when and by whom it was recorded


def test_html_escapes_registry_text_and_links_only_to_the_web(hostile_report: dict[str, str]) -> None:
    text = hostile_report["html"]
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert 'href="javascript:' not in text and "<code>javascript:alert(1)</code>" in text
    assert "<title>Cooperation report: Odd &lt;names&gt; | here</title>" in text


def test_json_keeps_registry_text_exactly(hostile_report: dict[str, str]) -> None:
    report = json.loads(hostile_report["json"])
    assert report["initiatives"][0]["evidence"][0]["text"] == HOSTILE


def test_progress_is_drawn_for_every_stage_of_the_ladder(sample_db: Path) -> None:  # noqa: F811
    with Registry.open(sample_db, create=False) as registry:
        report = build_report(registry, as_of=AS_OF)
    picture = report.workflows[0]
    for item in report.initiatives:
        root = parse(progress_svg(item, picture))
        steps = root.findall(f".//{SVG}g[@class='stage-step']")
        assert len(steps) == len(picture.ladder)
        bars = root.findall(f".//{SVG}g[@class]")
        states = [bar.get("class", "").split()[-1] for bar in bars if "condition-bar" in bar.get("class", "")]
        assert len(states) == sum(line.for_next_stage for line in item.conditions)
    spam = next(item for item in report.initiatives if item.initiative == "spam-traps")
    spam_states = [
        g.get("class")
        for g in parse(progress_svg(spam, picture)).iter(f"{SVG}g")
        if "condition-bar" in (g.get("class") or "")
    ]
    assert "condition-bar blocking" in spam_states and "condition-bar met" in spam_states
