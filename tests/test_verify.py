"""`coop verify`: every deliberately flawed workflow is caught with its witness; the built-ins verify clean.

Witnesses are checked by importing them into real SQLite registries: a finding is only
as good as the event log that shows it.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.definition.catalog import builtin_workflow_ids, get_workflow
from cooperation.definition.pinned import read_named
from cooperation.engine.events import Event
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.verify.analysis import (
    ANCHOR,
    FINDING_KINDS,
    Finding,
    VerificationReport,
    verify_workflow,
)
from cooperation.verify.walks import WalkLog
from cooperation.verify.walks import walk as random_walk

REPO = Path(__file__).resolve().parent.parent
FLAWED = Path(__file__).resolve().parent / "workflows" / "flawed"
CI = bool(os.environ.get("CI"))

# Each flawed workflow, and exactly what verify must find in it: (kind, subject).
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "attestation-beyond-communities": {("impossible-condition", "trust")},
    "calendar-held-longer-than-window": {("impossible-condition", "recent-pledge"), ("unreachable-stage", "committed")},
    "calendar-span-longer-than-window": {
        ("impossible-condition", "recent-meetings"),
        ("unreachable-stage", "trusted"),
    },
    "dead-end": {("dead-end", "review")},
    "held-longer-than-window": {("impossible-condition", "recent-commitment"), ("unreachable-stage", "committed")},
    "no-one-may-advance": {("unreachable-stage", "delivered")},
    "no-way-in": {("unreachable-stage", "regulation"), ("transition-never-fires", "regulate")},
    "participation-beyond-communities": {
        ("impossible-condition", "wide-group"),
        ("unreachable-stage", "critical-mass"),
    },
    "span-longer-than-window": {("impossible-condition", "recent-meetings"), ("unreachable-stage", "trusted")},
    "transition-never-fires": {("impossible-condition", "everyone-agrees"), ("transition-never-fires", "restart")},
}


def _flawed(name: str) -> str:
    return str(FLAWED / f"{name}.yaml")


def _clock_after(events: Sequence[Event]) -> datetime:
    """Witnesses are judged at ANCHOR, when they make their moves (random walks may end later)."""
    return max([ANCHOR, *(event.moment for event in events)])


def _import(path: Path, events: Sequence[Event], workflow: str) -> Registry:
    """A real SQLite registry holding the witness, and `workflow` (a file or built-in) it is pinned to."""
    moment = _clock_after(events)
    registry = Registry(open_store(path), clock=lambda: moment)
    registry.workflows.keep(read_named(workflow))
    registry.import_lines([event.to_line() for event in events], source="witness")
    return registry


def _coop(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "cli.py", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


# --- the flawed workflows --------------------------------------------------------------------------


def test_every_flawed_workflow_has_its_expected_findings() -> None:
    assert sorted(path.stem for path in FLAWED.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verify_finds_each_flaw_with_a_witness_that_replays(name: str, tmp_path: Path) -> None:
    report = verify_workflow(_flawed(name), walks=3, steps=60)
    assert {(finding.kind, finding.subject) for finding in report.findings} == EXPECTED[name]
    assert not report.clean
    workflow = get_workflow(_flawed(name))
    for number, finding in enumerate(report.findings):
        assert finding.message and finding.hint and finding.outcome
        assert finding.witness[0].kind == "initiative_created"
        with _import(tmp_path / f"witness{number}.db", finding.witness, _flawed(name)) as registry:
            status = registry.status("witness")
        _check_witness_shows(finding, status, workflow, report)


def _check_witness_shows(finding: Finding, status: Any, workflow: Any, report: VerificationReport) -> None:
    """What each kind of witness must show once replayed."""
    if finding.kind == "impossible-condition":
        shown = next(c for c in status.conditions if c.condition == finding.subject)
        assert not shown.met, shown
        assert shown.detail in finding.outcome
    elif finding.kind == "unreachable-stage":
        assert status.stage != finding.subject
        assert status.stage in report.reachable
    elif finding.kind == "transition-never-fires":
        transition = workflow.transitions[finding.subject]
        if set(transition.from_) & set(report.reachable):
            assert status.stage in transition.from_
        else:  # the witness gets as close as it can to one of its stages
            assert status.stage in report.reachable
        assert all(event.data.get("transition") != finding.subject for event in finding.witness)
    else:
        assert status.stage == finding.subject


def test_a_condition_that_can_only_be_waived_leaves_its_stage_reachable_by_a_waiver() -> None:
    report = verify_workflow(_flawed("attestation-beyond-communities"), walks=0)
    assert report.reachable == ("start", "trusted")
    witness = report.stage_witnesses["trusted"]
    assert [event.kind for event in witness][-2:] == ["condition_waived", "stage_advanced"]
    (finding,) = report.findings
    assert "9 communities" in finding.message and "only 7 stakeholder communities" in finding.message
    assert "can only ever be waived" in finding.message


def test_findings_explain_the_cause_in_words() -> None:
    span = verify_workflow(_flawed("span-longer-than-window"), walks=0)
    messages = {finding.kind: finding.message for finding in span.findings}
    assert (
        "spanning 90 days" in messages["impossible-condition"] or "90 days of facts" in messages["impossible-condition"]
    )
    assert "last 30 days" in messages["impossible-condition"]
    assert "advance start -> trusted can never be made" in messages["unreachable-stage"]
    roles = verify_workflow(_flawed("no-way-in"), walks=0)
    assert all("roles list is empty" in finding.message for finding in roles.findings)


# --- the built-in workflows ------------------------------------------------------------------------------


@pytest.mark.parametrize("workflow_id", builtin_workflow_ids())
def test_every_builtin_workflow_verifies_clean(workflow_id: str, tmp_path: Path) -> None:
    report = verify_workflow(workflow_id)
    assert report.findings == (), "\n".join(finding.message for finding in report.findings)
    workflow = get_workflow(workflow_id)
    assert set(report.reachable) == set(workflow.stages)
    for number, (stage, witness) in enumerate(sorted(report.stage_witnesses.items())):
        with _import(tmp_path / f"{number}.db", witness, workflow_id) as registry:
            assert registry.status("witness").stage == stage


def test_the_same_seed_gives_the_same_report() -> None:
    first = verify_workflow(_flawed("no-way-in"), seed=7, walks=3, steps=40).to_json()
    again = verify_workflow(_flawed("no-way-in"), seed=7, walks=3, steps=40).to_json()
    assert first == again
    assert first["seed"] == 7


# --- the command ---------------------------------------------------------------------------------------


def test_the_command_exits_1_with_findings_and_prints_witnesses_as_json() -> None:
    result = _coop("verify", _flawed("no-way-in"), "--json", "--walks", "2")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["clean"] is False
    assert {(f["kind"], f["subject"]) for f in report["findings"]} == EXPECTED["no-way-in"]
    for finding in report["findings"]:
        assert finding["kind"] in FINDING_KINDS
        assert finding["witness"][0]["kind"] == "initiative_created"
    text = _coop("verify", _flawed("no-way-in"), "--walks", "2")
    assert text.returncode == 1
    assert "unreachable-stage: regulation" in text.stdout and "witness (" in text.stdout


def test_the_command_exits_0_for_a_builtin_workflow() -> None:
    result = _coop("verify", "cooperation-maturity")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": clean (" in result.stdout


def test_the_command_exits_2_for_an_invalid_file_and_says_why(tmp_path: Path) -> None:
    broken = REPO / "tests" / "workflows" / "broken" / "unknown-condition-in-stage.yaml"
    result = _coop("verify", str(broken), "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["problems"][0]["line"]
    assert "unknown condition" in result.stderr and "Traceback" not in result.stderr
    missing = _coop("verify", str(tmp_path / "nothing.yaml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_verify_runs_without_hypothesis() -> None:
    """`coop verify` is a runtime command: hypothesis is a test dependency only."""
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'hypothesis':\n"
        "            raise ImportError('hypothesis is not installed here')\n"
        "sys.meta_path.insert(0, Block())\n"
        "sys.argv = ['coop', 'verify', sys.argv[1], '--walks', '1']\n"
        "from cooperation.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocker, _flawed("dead-end")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "dead-end: review" in result.stdout


# --- random workflows: every claim verify makes is backed by the engine -------------------------------


@st.composite
def workflows(draw: st.DrawFn) -> dict[str, Any]:
    """Small valid workflows with every condition kind, some thresholds out of reach."""
    conditions: list[dict[str, Any]] = []
    top = draw(st.integers(1, 4))
    parameter: dict[str, Any] = {"id": "level", "title": "Level", "scale": {"min": 0, "max": top}}

    def base(index: int) -> dict[str, Any]:
        kind = draw(st.sampled_from(("evidence", "attestation", "meetings", "participation", "score")))
        found: dict[str, Any] = {"id": f"c{index}", "kind": kind, "title": f"C{index}", "description": "Generated."}
        if kind == "evidence":
            found["min_items"] = draw(st.integers(1, 3))
        elif kind in ("attestation", "participation"):
            communities = draw(st.integers(1, 9))
            found["min_communities"] = communities
            found["min_participants"] = draw(st.integers(communities, communities + 2))
            if kind == "participation" and draw(st.booleans()):
                found["required_communities"] = draw(st.lists(st.sampled_from(("business", "media")), unique=True))
            if kind == "participation" and draw(st.booleans()):
                found["min_per_community"] = draw(
                    st.dictionaries(st.sampled_from(("media", "academia")), st.integers(1, 3))
                )
        elif kind == "meetings":
            found["min_meetings"] = draw(st.integers(1, 3))
            span = draw(st.sampled_from((0, 10, 40, 100, "P1M", "P2M", "P1Y")))  # days, or a calendar duration
            found["min_span_duration" if isinstance(span, str) else "min_span_days"] = span
            found["neutral_only"] = draw(st.booleans())
        else:
            found["parameter"] = "level"
            found["at_least"] = draw(st.integers(0, top))
        return found

    for index in range(draw(st.integers(1, 4))):
        conditions.append(base(index))
    for index in range(len(conditions), len(conditions) + draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(("held", "expiring", "all", "any")))
        earlier = [condition["id"] for condition in conditions]
        found: dict[str, Any] = {"id": f"c{index}", "kind": kind, "title": f"C{index}", "description": "Generated."}
        if kind in ("held", "expiring"):
            found["condition"] = draw(st.sampled_from(earlier))
            period = draw(st.sampled_from((5, 30, 90, "P1M", "P3M", "P1Y2M")))  # days, or a calendar duration
            found["duration" if isinstance(period, str) else "days"] = period
        elif len(earlier) >= 2:
            found["of"] = draw(st.lists(st.sampled_from(earlier), min_size=2, max_size=3, unique=True))
            if kind == "any":
                found["at_least"] = draw(st.integers(1, len(found["of"])))
        else:
            found.update(kind="held", condition=earlier[0], days=20)
        conditions.append(found)
    for condition in conditions:
        condition["strength"] = draw(st.sampled_from(("required", "required", "waivable", "advisory")))
        earlier = [other["id"] for other in conditions if other["id"] < condition["id"]]
        if earlier and draw(st.integers(0, 3)) == 0:
            condition["requires"] = [draw(st.sampled_from(earlier))]
    ids = [condition["id"] for condition in conditions]
    ladder: list[dict[str, Any]] = [
        {
            "id": f"s{index}",
            "title": f"S{index}",
            "requires": draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)),
        }
        for index in range(draw(st.integers(2, 4)))
    ]
    ladder[0]["requires"] = []
    ladder[-1]["terminal"] = draw(st.booleans())
    stages: list[dict[str, Any]] = [
        *ladder,
        {"id": "aside", "title": "Aside", "ladder": False, "terminal": draw(st.booleans())},
    ]
    sources = [stage["id"] for stage in ladder if not stage.get("terminal")]
    transitions = [
        {
            "id": "step-aside",
            "kind": "escalate",
            "title": "Step aside",
            "from": draw(st.lists(st.sampled_from(sources), min_size=1, unique=True)),
            "to": "aside",
            "requires": draw(st.lists(st.sampled_from(ids), max_size=1)),
            **({"roles": []} if draw(st.integers(0, 4)) == 0 else {}),
        },
    ]
    if not stages[-1]["terminal"] and draw(st.booleans()):
        transitions.append({"id": "return", "kind": "regress", "title": "Return", "from": ["aside"], "to": "s0"})
    return {
        "id": "generated",
        "version": "1",
        "title": "Generated",
        "description": "A generated workflow.",
        "parameters": [parameter],
        "stages": stages,
        "conditions": conditions,
        "transitions": transitions,
    }


@settings(
    max_examples=30 if CI else 10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(definition=workflows(), seed=st.integers(0, 1000))
def test_every_claim_of_verify_is_backed_by_the_engine(
    definition: dict[str, Any], seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("generated")
    path = folder / "generated.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
    report = verify_workflow(str(path), seed=seed, walks=2, steps=60)
    workflow = get_workflow(str(path))
    # Reachable stages: each witness replays to its stage.
    for number, (stage, witness) in enumerate(report.stage_witnesses.items()):
        with _import(folder / f"stage{number}.db", witness, str(path)) as registry:
            assert registry.status("witness").stage == stage
    # Findings: each witness is a valid log that shows what it claims.
    for number, finding in enumerate(report.findings):
        with _import(folder / f"finding{number}.db", finding.witness, str(path)) as registry:
            _check_witness_shows(finding, registry.status("witness"), workflow, report)
    # Independent random walks never reach what verify calls unreachable, nor meet what it calls impossible.
    log = WalkLog()
    for walk in range(2):
        random_walk(workflow, random.Random(seed * 31 + walk + 1), 60, log)
    unreachable = {f.subject for f in report.findings if f.kind == "unreachable-stage"}
    impossible = {f.subject for f in report.findings if f.kind == "impossible-condition"}
    assert not unreachable & set(log.reached)
    assert not impossible & log.met
    assert report.clean == (not report.findings)
    if not unreachable:
        assert set(report.reachable) == set(workflow.stages)


def test_witnesses_end_at_the_anchor_moment() -> None:
    report = verify_workflow(_flawed("dead-end"), walks=0)
    witness = report.stage_witnesses["review"]
    assert witness[-1].moment == ANCHOR and all(event.moment <= ANCHOR for event in witness)


# --- findings grouped by root cause ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_are_grouped_under_their_root_cause(name: str) -> None:
    report = verify_workflow(get_workflow(_flawed(name)), walks=2, steps=60)
    groups = report.by_cause()
    assert sorted(id(f) for root, rest in groups for f in (root, *rest)) == sorted(map(id, report.findings))
    subjects = {finding.subject for finding in report.findings}
    for root, consequences in groups:
        assert root.cause is None or root.cause not in subjects or root.cause == root.subject
        for finding in consequences:
            assert finding.cause is not None  # a consequence names what it follows from


def test_an_impossible_condition_is_the_cause_of_the_stage_it_keeps_unreachable() -> None:
    report = verify_workflow(get_workflow(_flawed("held-longer-than-window")), walks=2, steps=60)
    [(root, consequences)] = report.by_cause()
    assert (root.kind, root.subject) == ("impossible-condition", "recent-commitment")
    assert [(f.kind, f.subject) for f in consequences] == [("unreachable-stage", "committed")]
    text = _coop("verify", _flawed("held-longer-than-window"), "--walks", "2", "--steps", "60").stdout
    assert "2 findings from 1 root cause" in text
    assert "cause: impossible-condition: recent-commitment" in text
    assert "    - unreachable-stage: committed: " in text
    assert text.count("witness (") == 1  # one witness, for the cause
    verbose = _coop("verify", _flawed("held-longer-than-window"), "--walks", "2", "--steps", "60", "--verbose").stdout
    assert verbose.count("witness (") == 2 and "follows from 'recent-commitment': unreachable-stage" in verbose
    listed = json.loads(_coop("verify", _flawed("held-longer-than-window"), "--json").stdout)["findings"]
    assert {(item["subject"], item["cause"]) for item in listed} == {
        ("recent-commitment", None),
        ("committed", "recent-commitment"),
    }
