"""`kind: any` with `at_least: k`: met when at least k of its members are met (waived ones count).

Example tests for each documented case (detail, progress, the checks of a file, the planner
and the guide), and properties: at least 1 is today's any, at least n is all, and in between
the count decides. Facts are folded from events built here, as in tests/test_evaluation.py;
the verifier and the guide replay through real SQLite registries held in memory.
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
from cooperation.engine.conditions.any_of import missing_words
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.evaluation import ConditionResult, Evaluator
from cooperation.engine.events import Event
from cooperation.engine.facts import fold
from cooperation.errors import WorkflowDefinitionError
from cooperation.testing import k_of_n
from cooperation.verify.analysis import verify_workflow
from cooperation.verify.guide import Guide, take_step
from cooperation.verify.walks import Clock
from cooperation.verify.witness import CONVENOR, memory_registry

START = datetime(2024, 1, 1, 9, tzinfo=UTC)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _members(count: int) -> list[str]:
    return [f"m{index}" for index in range(count)]


def _definition(count: int, need: int, *, extra: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    members = _members(count)
    conditions: list[dict[str, Any]] = [
        {"id": m, "kind": "evidence", "title": m, "description": "A piece.", "strength": "waivable"} for m in members
    ]
    conditions += [
        {"id": "pick", "kind": "any", "title": "k of n", "description": "Some.", "of": members, "at_least": need},
        {"id": "one", "kind": "any", "title": "any", "description": "One.", "of": members},
        {"id": "every", "kind": "all", "title": "all", "description": "All.", "of": members},
        *extra,
    ]
    return {
        "id": "k-of-n",
        "version": "1",
        "title": "K of n",
        "description": "Generated for the k-of-n tests.",
        "stages": [
            {"id": "start", "title": "Start"},
            {"id": "done", "title": "Done", "requires": ["pick"], "terminal": True},
        ],
        "conditions": conditions,
    }


@cache
def _workflow(count: int, need: int) -> CompiledWorkflow:
    return load_workflow_text(yaml.safe_dump(_definition(count, need), sort_keys=False))


def _results(count: int, need: int, met: set[int], waived: set[int] = frozenset()) -> dict[str, ConditionResult]:  # type: ignore[assignment]
    workflow = _workflow(count, need)
    events = [Event("x", "initiative_created", START.isoformat(), {"name": "X", "workflow": workflow.id})]
    events += [
        Event("x", "evidence_recorded", (START + timedelta(days=1)).isoformat(), {"condition": f"m{i}", "text": "t"})
        for i in sorted(met)
    ]
    events += [
        Event(
            "x",
            "condition_waived",
            (START + timedelta(days=2)).isoformat(),
            {"condition": f"m{i}", "rationale": "Not relevant to this initiative at all."},
        )
        for i in sorted(waived)
    ]
    evaluator = Evaluator(workflow, fold("x", events, start=workflow.start), START + timedelta(days=3), None)
    return {name: evaluator.result(name) for name in ("pick", "one", "every")}


# --- the documented cases ----------------------------------------------------------------------


def test_the_detail_counts_names_the_need_and_the_missing_ones() -> None:
    short = _results(4, 3, {0, 2})["pick"]
    assert (short.met, short.detail) == (False, "2 of 4 met, need 3; missing: m1, m3")
    assert short.progress == pytest.approx(2 / 3, abs=0.001)
    enough = _results(4, 3, {0, 2, 3})["pick"]
    assert (enough.met, enough.detail, enough.progress) == (True, "3 of 4 met, need 3", 1.0)
    assert _results(4, 3, {0, 1, 2, 3})["pick"].detail == "4 of 4 met, need 3"


def test_a_long_list_of_missing_members_is_cut_after_five() -> None:
    result = _results(45, 30, set(range(12)))["pick"]
    assert result.detail == "12 of 45 met, need 30; missing: m12, m13, m14, m15, m16 and 28 more"
    assert result.progress == pytest.approx(12 / 30, abs=0.001)
    assert missing_words(["a", "b"]) == "a, b"
    assert missing_words(list("abcdef")) == "a, b, c, d, e and 1 more"


def test_waived_members_count_as_met() -> None:
    result = _results(3, 2, {0}, waived={2})["pick"]
    assert result.met and result.detail == "2 of 3 met, need 2"


def test_at_least_one_reads_as_any_always_did() -> None:
    assert _results(3, 1, set())["pick"].detail == "none of m0, m1, m2 met yet"
    assert _results(3, 1, {1})["pick"].detail == "met through m1"


def test_describe_says_how_many() -> None:
    def describe(need: int) -> str:
        return KINDS["any"].describe(_workflow(3, need).compiled_conditions["pick"])

    assert describe(2) == "at least 2 of: m0, m1, m2"
    assert describe(1) == "any of: m0, m1, m2"


# --- properties ----------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data(), count=st.integers(2, 7))
def test_met_exactly_when_at_least_k_members_are_satisfied(data: st.DataObject, count: int) -> None:
    need = data.draw(st.integers(1, count), label="k")
    met = data.draw(st.sets(st.integers(0, count - 1)), label="met")
    waived = data.draw(st.sets(st.integers(0, count - 1)), label="waived")
    results = _results(count, need, met, waived)
    satisfied = len(met | waived)
    assert results["pick"].met == (satisfied >= need)
    if need > 1:
        assert results["pick"].progress == pytest.approx(min(1.0, satisfied / need), abs=0.001)
    else:  # at least 1 is the any of before: same result, word for word
        pick, one = results["pick"], results["one"]
        assert (pick.met, pick.waived, pick.detail, pick.progress) == (one.met, one.waived, one.detail, one.progress)
    if need == count:  # at least n is all
        assert results["pick"].met == results["every"].met


@SETTINGS
@given(definition=k_of_n(_members(5), condition_id="pick"))
def test_the_strategy_writes_conditions_a_workflow_accepts(definition: dict[str, Any]) -> None:
    assert 1 <= definition["at_least"] <= len(definition["of"])
    text = _definition(5, 1)
    text["conditions"] = [c for c in text["conditions"] if c["id"] != "pick"] + [definition]
    workflow = load_workflow_text(yaml.safe_dump(text, sort_keys=False))
    assert workflow.compiled_conditions["pick"].settings.at_least == definition["at_least"]


# --- the checks of a file ---------------------------------------------------------------------


def _write(tmp_path: Path, definition: dict[str, Any]) -> str:
    path = tmp_path / "k-of-n.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
    return str(path)


def test_k_above_n_is_an_error_at_its_place_with_a_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, _definition(3, 4))
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_workflow_text(Path(path).read_text(), file=path)
    (problem,) = raised.value.problems
    assert problem.path == "conditions[3].at_least" and problem.line is not None and problem.column is not None
    assert "asks for 4 of only 3 conditions" in problem.message and "lower at_least to at most 3" in problem.hint
    for command in (["workflows", "check", path], ["verify", path]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert f"{path}:{problem.line}:{problem.column}: conditions[3].at_least: asks for 4" in result.output


def test_a_condition_listed_twice_is_an_error_rather_than_counted_twice(tmp_path: Path) -> None:
    definition = _definition(3, 3)
    definition["conditions"][3]["of"] = [*_members(3)[:2], _members(3)[0]]  # three listed, two distinct
    path = _write(tmp_path, definition)
    result = CliRunner().invoke(app, ["workflows", "check", path])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"conditions[3].of: lists {_members(3)[0]} more than once" in result.output
    assert "list each condition once" in result.output


def test_all_refuses_at_least_and_points_to_any(tmp_path: Path) -> None:
    definition = _definition(3, 2)
    definition["conditions"][-1]["at_least"] = 2  # `every`, the all
    path = _write(tmp_path, definition)
    result = CliRunner().invoke(app, ["workflows", "check", path])
    assert result.exit_code == 2
    assert "conditions[5].at_least: 'at_least' does not belong in a condition of kind 'all'" in result.output
    assert "use kind: any with at_least" in result.output


@pytest.mark.parametrize("value", [0, -1, "two"])
def test_at_least_must_be_a_positive_whole_number(tmp_path: Path, value: object) -> None:
    definition = _definition(3, 2)
    definition["conditions"][3]["at_least"] = value
    result = CliRunner().invoke(app, ["workflows", "check", _write(tmp_path, definition)])
    assert result.exit_code == 2 and "conditions[3].at_least" in result.output


# --- the verifier and the guide --------------------------------------------------------------------


def _impossible(index: int) -> dict[str, Any]:
    """A member no facts can meet: more communities than there are."""
    return {
        "id": f"m{index}",
        "kind": "participation",
        "title": "x",
        "description": "x.",
        "min_participants": 9,
        "min_communities": 8,
    }


def _with_impossible(count: int, need: int, impossible: int) -> dict[str, Any]:
    definition = _definition(count, need)
    for index in range(impossible):
        definition["conditions"][index] = _impossible(index)
    definition["conditions"] = [c for c in definition["conditions"] if c["id"] not in ("one", "every")]
    return definition


def test_verify_lays_out_k_members_that_can_be_met(tmp_path: Path) -> None:
    report = verify_workflow(_write(tmp_path, _with_impossible(4, 2, 2)), walks=0)
    assert "done" in report.reachable
    assert "pick" not in {finding.subject for finding in report.findings}
    recorded = {e.data["condition"] for e in report.stage_witnesses["done"] if e.kind == "evidence_recorded"}
    assert recorded == {"m2", "m3"}  # the two that can be met, and no more


def test_verify_finds_k_that_too_few_members_can_reach(tmp_path: Path) -> None:
    report = verify_workflow(_write(tmp_path, _with_impossible(4, 3, 2)), walks=0)
    found = next(finding for finding in report.findings if finding.subject == "pick")
    assert found.kind == "impossible-condition"
    assert "only 2 of 'pick''s alternatives can be met, it needs 3" in found.message
    assert "done" not in report.reachable


def test_the_guide_works_on_as_many_members_as_are_missing_not_all(tmp_path: Path) -> None:
    path = _write(tmp_path, _definition(8, 2))
    workflow = _workflow(8, 2)
    clock, guide, rng = Clock(START), Guide(workflow), random.Random(7)
    recorded: list[str] = []
    with memory_registry(clock) as registry:
        registry.create("Guided", workflow=path, initiative="g", by=CONVENOR, community="technical", at=clock.now)
        for _ in range(20):
            if registry.status("g").stage == "done":
                break
            clock.advance(1.0)
            step = guide.next_step(registry, "g", clock.now, rng)
            assert step is not None
            if step.kind in ("evidence_recorded", "condition_waived"):
                recorded.append(step.data["condition"])
            take_step(registry, "g", step, clock.advance)
        assert registry.status("g").stage == "done"
    # two steps, each on one of the first two members (ties go in order); none of the six others touched
    assert sorted(recorded) == ["m0", "m1"]
