"""Terminal and off-ladder stages: only what the moves still possible need, and a progress bar drawn right."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.definition.catalog import get_workflow
from cooperation.engine.moves import moves_for
from cooperation.engine.status import _applicable
from cooperation.registry import Registry
from cooperation.reports.build import build_report, workflow_picture
from cooperation.reports.svg import progress_svg

RUNNER = CliRunner()
EXAMPLE = Path(__file__).parent.parent / "examples" / "no-default-passwords.jsonl"
BUILT_IN = ("cooperation-maturity", "best-practice-forum", "solution-track", "pilot-topic", "intersessional-pilot")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("terminal") / "coop.db")
    result = RUNNER.invoke(app, ["import", str(EXAMPLE), "--db", path])
    assert result.exit_code == 0, result.stdout + result.stderr
    return path


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_stage_with_no_next_one_lists_exactly_what_its_moves_need(name: str) -> None:
    workflow = get_workflow(name)
    table = moves_for(workflow)
    for stage in workflow.compiled_stages:
        places = _applicable(workflow, stage)
        if table.next_stage(stage) is not None:
            assert places is None
            continue
        assert places is not None
        listed = {workflow.condition_order[place] for place in places}
        direct = {need for move in table.transitions(stage) for need in move.needs}
        assert direct <= listed  # each move's own needs, and what they are made of or require
        for condition in listed - direct:
            assert any(
                condition in (*workflow.compiled_conditions[other].parts, *workflow.compiled_conditions[other].requires)
                for other in listed
            )


def test_a_handed_off_initiative_shows_only_what_its_moves_need(db: str) -> None:
    workflow = get_workflow("intersessional-pilot")
    hand_off = {need for move in moves_for(workflow).transitions("handed-off") for need in move.needs}
    status = json.loads(RUNNER.invoke(app, ["status", "no-default-passwords", "--json", "--db", db]).stdout)
    shown = {item["condition"] for item in status["conditions"]}
    assert hand_off <= shown < set(workflow.condition_order)
    assert "pilot-selected" not in shown  # the first stage's prerequisite: no move from here needs it
    report = RUNNER.invoke(app, ["report", "no-default-passwords", "--db", db]).stdout
    table = report.split("### Conditions", 1)[1].split("###", 1)[0]
    assert {re.search(r"\(`([^`]+)`\)", row).group(1) for row in table.splitlines() if "(`" in row} == shown  # type: ignore[union-attr]


def test_a_handed_off_progress_bar_shows_the_ladder_passed_and_the_pill_inside(db: str) -> None:
    with Registry.open(db, create=False) as registry:
        report = build_report(registry, ["no-default-passwords"])
    item = report.initiatives[0]
    for name in BUILT_IN:  # the longest ladder leaves the least room after it
        picture = workflow_picture(get_workflow(name))
        long_title = item.model_copy(update={"stage_title": "Handed off to a receiving body (closed)"})
        root = ElementTree.fromstring(progress_svg(long_title, picture))
        width = float(root.get("viewBox", "").split()[2])
        pill = root.find(f"{SVG}rect")
        assert pill is not None
        assert float(pill.get("x", "")) + float(pill.get("width", "")) <= width
        label = "".join(root.find(f".//{SVG}text[@font-weight='bold']").itertext())  # type: ignore[union-attr]
        assert len(label) <= 16
    root = ElementTree.fromstring(progress_svg(item, workflow_picture(get_workflow("intersessional-pilot"))))
    states = [step.findtext(f"{SVG}title") for step in root.iter(f"{SVG}g") if step.get("class") == "stage-step"]
    assert states and all(state.endswith(": passed") for state in states), states  # type: ignore[union-attr]
