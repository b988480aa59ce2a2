"""`participation` with `min_per_community`: at least so many active participants from each named community.

Example tests for each documented case (the detail names the communities present with their
counts and those short with what is asked; the checks of a file; the planner lays out enough
of each; the guide brings in whom a minimum lacks), and properties: met exactly when every
count is reached, and a minimum of 1 for each required community is `required_communities`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.loading import load_workflow_text
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.evaluation import ConditionResult, Evaluator
from cooperation.engine.events import Event
from cooperation.engine.facts import fold
from cooperation.testing import community_groups, community_minimums
from cooperation.verify.analysis import verify_workflow
from cooperation.verify.guide import Guide, take_step
from cooperation.verify.walks import Clock
from cooperation.verify.witness import memory_registry
from cooperation.vocabulary import Community

START = datetime(2024, 1, 1, 9, tzinfo=UTC)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Minimums = tuple[tuple[str, int], ...]


def _definition(participants: int, communities: int, minimums: dict[str, int], required: list[str]) -> dict[str, Any]:
    broad: dict[str, Any] = {
        "id": "broad",
        "kind": "participation",
        "title": "Broad",
        "description": "Broad enough.",
        "min_participants": participants,
        "min_communities": communities,
    }
    if minimums:
        broad["min_per_community"] = minimums
    if required:
        broad["required_communities"] = required
    return {
        "id": "per-community",
        "version": "1",
        "title": "Per community",
        "description": "Generated for the per-community tests.",
        "stages": [
            {"id": "start", "title": "Start"},
            {"id": "done", "title": "Done", "requires": ["broad"], "terminal": True},
        ],
        "conditions": [broad],
    }


@cache
def _workflow(participants: int, communities: int, minimums: Minimums, required: tuple[str, ...]) -> CompiledWorkflow:
    text = yaml.safe_dump(_definition(participants, communities, dict(minimums), list(required)), sort_keys=False)
    return load_workflow_text(text)


def _result(workflow: CompiledWorkflow, joined: list[Event], left: tuple[str, ...] = ()) -> ConditionResult:
    events = [Event("x", "initiative_created", START.isoformat(), {"name": "X", "workflow": workflow.id}), *joined]
    later = (START + timedelta(days=1)).isoformat()
    events += [Event("x", "participant_left", later, {"name": name}) for name in left]
    return Evaluator(workflow, fold("x", events, start=workflow.start), START + timedelta(days=2), None).result("broad")


def _joins(*people: tuple[str, Community, str]) -> list[Event]:
    return [
        Event("x", "participant_joined", START.isoformat(), {"name": name, "community": community, "role": role})
        for name, community, role in people
    ]


TEAM = _joins(
    ("Ada", "government", "owner"),
    ("Ben", "business", "member"),
    ("Cy", "business", "member"),
    ("Di", "technical", "member"),
    ("Ed", "government", "observer"),  # observers never count
)


# --- the documented cases ----------------------------------------------------------------------


def test_the_detail_names_those_present_with_counts_and_those_short_with_what_is_asked() -> None:
    workflow = _workflow(3, 1, (("government", 2), ("business", 1), ("academia", 1)), ())
    result = _result(workflow, TEAM)
    assert not result.met
    assert result.detail == (
        "4 participants (3 needed), from 3 communities (1 needed): government 1, business 2, technical 1; "
        "missing government (1 of 2), academia (0 of 1)"
    )
    assert result.progress == pytest.approx((1 + 1 + 2 / 4) / 3, abs=0.001)  # 1 of 2, 1 of 1, 0 of 1


def test_met_once_every_minimum_is_reached() -> None:
    workflow = _workflow(3, 1, (("government", 2), ("business", 1)), ())
    joined = [*TEAM, *_joins(("Fay", "government", "member"))]
    result = _result(workflow, joined)
    assert result.met and result.progress == 1.0
    assert result.detail.endswith(": government 2, business 2, technical 1")
    assert not _result(workflow, joined, left=("Fay",)).met  # who has left no longer counts


def test_required_communities_ask_for_one_each_in_the_same_words() -> None:
    workflow = _workflow(1, 1, (("government", 2),), ("media",))
    assert _result(workflow, TEAM).detail.endswith("; missing government (1 of 2), media (0 of 1)")


def test_without_minimums_the_detail_is_as_before() -> None:
    result = _result(_workflow(3, 1, (), ("media",)), TEAM)
    assert result.detail == (
        "4 participants (3 needed), from 3 communities (1 needed): government, business, technical; missing media"
    )


def test_describe_lists_the_minimums() -> None:
    condition = _workflow(3, 1, (("government", 2), ("business", 1)), ()).compiled_conditions["broad"]
    assert KINDS["participation"].describe(condition) == (
        "at least 3 active participants from at least 1 community "
        "(at least 2 from government; at least 1 from business)"
    )


# --- properties ----------------------------------------------------------------------------------


@SETTINGS
@given(minimums=community_minimums(), drawn=community_groups("x", at=START), data=st.data())
def test_met_exactly_when_every_count_is_reached(
    minimums: dict[Community, int], drawn: tuple[dict[Community, int], list[Event]], data: st.DataObject
) -> None:
    counts, joined = drawn
    communities = data.draw(st.integers(1, 3), label="min_communities")
    participants = data.draw(st.integers(communities, 6), label="min_participants")
    workflow = _workflow(participants, communities, tuple(minimums.items()), ())
    result = _result(workflow, joined)
    expected = (
        sum(counts.values()) >= participants
        and len(counts) >= communities
        and all(counts.get(name, 0) >= need for name, need in minimums.items())
    )
    assert result.met == expected
    assert (result.progress == 1.0) == expected
    for name, need in minimums.items():
        assert (f"{name} ({counts.get(name, 0)} of {need})" in result.detail) == (counts.get(name, 0) < need)
    for name, count in counts.items():
        assert f"{name} {count}" in result.detail


@SETTINGS
@given(
    required=st.lists(st.sampled_from(("government", "business", "media", "academia")), min_size=1, unique=True),
    drawn=community_groups("x", at=START),
)
def test_a_minimum_of_one_for_each_required_community_is_required_communities(
    required: list[str], drawn: tuple[dict[Community, int], list[Event]]
) -> None:
    _, joined = drawn
    as_required = _result(_workflow(1, 1, (), tuple(required)), joined)
    as_minimums = _result(_workflow(1, 1, tuple((name, 1) for name in required), ()), joined)
    assert (as_minimums.met, as_minimums.progress) == (as_required.met, as_required.progress)


# --- the checks of a file ---------------------------------------------------------------------


def _write(tmp_path: Path, definition: dict[str, Any]) -> str:
    path = tmp_path / "per-community.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
    return str(path)


def test_a_misspelt_community_is_named_with_the_one_meant(tmp_path: Path) -> None:
    path = _write(tmp_path, _definition(2, 1, {"govrnment": 2}, []))
    result = CliRunner().invoke(app, ["workflows", "check", path])
    assert result.exit_code == 2
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if "govrnment" in text)
    column = lines[line - 1].index("govrnment") + 1
    assert f"{path}:{line}:{column}: " in result.output  # the place of the key itself
    assert "conditions[0].min_per_community.govrnment: 'govrnment' is not allowed here" in result.output
    assert "did you mean 'government'?" in result.output


@pytest.mark.parametrize("value", [0, 1001, "two"])
def test_a_minimum_is_a_whole_number_from_1_to_the_largest_count(tmp_path: Path, value: object) -> None:
    result = CliRunner().invoke(app, ["workflows", "check", _write(tmp_path, _definition(2, 1, {"media": value}, []))])  # type: ignore[dict-item]
    assert result.exit_code == 2 and "conditions[0].min_per_community.media" in result.output


def test_minimums_count_as_participants_asked_for_when_communities_are_checked(tmp_path: Path) -> None:
    # three communities from one participant cannot be, but from the four the minimums ask for can
    alone = CliRunner().invoke(app, ["workflows", "check", _write(tmp_path, _definition(1, 3, {}, []))])
    assert alone.exit_code == 2 and "3 communities cannot come from 1 participants" in alone.output
    fed = _definition(1, 3, {"government": 2, "media": 2}, [])
    assert CliRunner().invoke(app, ["workflows", "check", _write(tmp_path, fed)]).exit_code == 0


# --- the verifier and the guide --------------------------------------------------------------------


def test_verify_lays_out_enough_participants_of_each_community(tmp_path: Path) -> None:
    report = verify_workflow(_write(tmp_path, _definition(2, 3, {"media": 3, "academia": 2}, ["business"])), walks=0)
    assert report.clean and "done" in report.reachable
    joined = [e.data["community"] for e in report.stage_witnesses["done"] if e.kind == "participant_joined"]
    assert joined.count("media") >= 3 and joined.count("academia") >= 2 and "business" in joined


def test_the_guide_brings_in_whom_a_minimum_lacks(tmp_path: Path) -> None:
    path = _write(tmp_path, _definition(1, 1, {"academia": 2}, []))
    workflow = _workflow(1, 1, (("academia", 2),), ())
    clock, guide, rng = Clock(START), Guide(workflow), random.Random(3)
    with memory_registry(clock) as registry:
        registry.create("Guided", workflow=path, initiative="g", by="Ada", community="technical", at=clock.now)
        joined: list[str] = []
        for _ in range(10):
            if registry.status("g").stage == "done":
                break
            clock.advance(1.0)
            step = guide.next_step(registry, "g", clock.now, rng)
            assert step is not None
            if step.kind == "participant_joined":
                joined.append(step.data["community"])
            take_step(registry, "g", step, clock.advance)
        assert registry.status("g").stage == "done"
    assert joined == ["academia", "academia"]
