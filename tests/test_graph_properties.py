"""Properties of the prerequisite graph, on random workflows.

Random definitions are acyclic by construction: conditions are created one by one, and
each may require (or be made of) only conditions created before it. They are then
declared in a shuffled order, so the loader cannot rely on declaration order.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation import CompiledWorkflow, WorkflowDefinition, WorkflowDefinitionError, load_workflow_text
from cooperation.definition.compile import compile_definition

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CYCLE = re.compile(r"cycle among prerequisites: (?P<chain>.+)$")


@st.composite
def acyclic_workflows(draw: st.DrawFn) -> dict[str, Any]:
    created: list[dict[str, Any]] = []
    for index in range(draw(st.integers(min_value=0, max_value=12))):
        earlier = [condition["id"] for condition in created]
        condition: dict[str, Any] = {
            "id": f"c{index}",
            "title": f"Condition {index}",
            "description": "Generated.",
            "requires": draw(st.lists(st.sampled_from(earlier), unique=True, max_size=4)) if earlier else [],
        }
        kinds = ["evidence"] + (["held", "expiring"] if earlier else []) + (["all", "any"] if len(earlier) >= 2 else [])
        kind = draw(st.sampled_from(kinds))
        condition["kind"] = kind
        if kind in ("held", "expiring"):
            condition["condition"] = draw(st.sampled_from(earlier))
            condition["days"] = 30
        elif kind in ("all", "any"):
            condition["of"] = draw(st.lists(st.sampled_from(earlier), unique=True, min_size=2, max_size=3))
        created.append(condition)
    ids = [condition["id"] for condition in created]

    def some_conditions() -> list[str]:
        return draw(st.lists(st.sampled_from(ids), unique=True, max_size=4)) if ids else []

    ladder = [
        {"id": f"s{index}", "title": f"Stage {index}", "requires": some_conditions()}
        for index in range(draw(st.integers(min_value=1, max_value=6)))
    ]
    aside = [
        {"id": f"x{index}", "title": f"Aside {index}", "ladder": False, "requires": some_conditions()}
        for index in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    transitions = [
        {
            "id": f"t{index}",
            "kind": "escalate",
            "title": f"To {stage['id']}",
            "from": [draw(st.sampled_from([s["id"] for s in ladder]))],
            "to": stage["id"],
            "requires": some_conditions(),
        }
        for index, stage in enumerate(aside)
    ]
    stages = ladder + aside  # off-ladder stages may sit anywhere but first
    if aside:
        order = draw(st.permutations(range(1, len(stages))))
        stages = [stages[0]] + [stages[i] for i in order]
    return {
        "id": "generated",
        "version": "1",
        "title": "Generated",
        "description": "A generated workflow.",
        "stages": stages,
        "conditions": draw(st.permutations(created)),
        "transitions": transitions,
    }


def _requires(data: dict[str, Any]) -> dict[str, list[str]]:
    return {condition["id"]: list(condition["requires"]) for condition in data["conditions"]}


def _composes(data: dict[str, Any]) -> dict[str, list[str]]:
    made_of: dict[str, list[str]] = {}
    for condition in data["conditions"]:
        made_of[condition["id"]] = list(condition.get("of", [])) + (
            [condition["condition"]] if "condition" in condition else []
        )
    return made_of


def _closure(roots: list[str], edges: dict[str, list[str]]) -> set[str]:
    found: set[str] = set()
    pending = list(roots)
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(edges[current])
    return found


def _compile(data: dict[str, Any]) -> CompiledWorkflow:
    return compile_definition(WorkflowDefinition.model_validate(data))


@SETTINGS
@given(acyclic_workflows())
def test_acyclic_workflows_load_and_compile(data: dict[str, Any]) -> None:
    workflow = _compile(data)
    assert workflow.ladder == tuple(stage["id"] for stage in data["stages"] if stage.get("ladder", True))
    assert all(warning.severity == "warning" for warning in workflow.warnings)


@SETTINGS
@given(acyclic_workflows())
def test_needs_lists_prerequisites_first(data: dict[str, Any]) -> None:
    workflow = _compile(data)
    requires = _requires(data)
    for stage in workflow.stages:
        needs = workflow.needs(stage)
        assert len(needs) == len(set(needs)), f"{stage} lists a condition twice: {needs}"
        position = {condition: index for index, condition in enumerate(needs)}
        for condition in needs:
            for prerequisite in _closure(requires[condition], requires):
                assert prerequisite in position, f"{stage}: {condition} needs {prerequisite}, missing from {needs}"
                assert position[prerequisite] < position[condition], f"{stage}: {prerequisite} after {condition}"
    order = {condition: index for index, condition in enumerate(workflow.condition_order)}
    assert set(order) == set(requires)
    for condition, prerequisites in requires.items():
        assert all(order[p] < order[condition] for p in prerequisites)


@SETTINGS
@given(acyclic_workflows())
def test_needs_is_own_requires_plus_ladder_predecessor(data: dict[str, Any]) -> None:
    workflow = _compile(data)
    requires = _requires(data)
    previous: set[str] = set()
    for stage in data["stages"]:
        needs = set(workflow.needs(stage["id"]))
        own = _closure(stage["requires"], requires)
        assert set(stage["requires"]) <= needs
        if stage.get("ladder", True):
            assert previous <= needs
            assert needs == own | previous
            previous = needs
        else:
            assert needs == own
    stages = {stage["id"]: stage for stage in data["stages"]}
    for transition in data["transitions"]:
        expected = _closure(transition["requires"], requires) | _closure(stages[transition["to"]]["requires"], requires)
        assert set(workflow.transition_needs[transition["id"]]) == expected


@settings(SETTINGS, max_examples=50)  # the pure-Python YAML round trip is the slow part
@given(acyclic_workflows())
def test_yaml_text_and_model_give_the_same_compilation(data: dict[str, Any]) -> None:
    from_model = _compile(data)
    from_text = load_workflow_text(yaml.safe_dump(data, sort_keys=False), file="generated.yaml")
    assert from_text.definition == from_model.definition
    assert dict(from_text.stage_needs) == dict(from_model.stage_needs)
    assert dict(from_text.transition_needs) == dict(from_model.transition_needs)
    assert from_text.condition_order == from_model.condition_order
    assert [w.message for w in from_text.warnings] == [w.message for w in from_model.warnings]


@SETTINGS
@given(acyclic_workflows().filter(lambda data: data["conditions"]), st.data())
def test_a_back_edge_is_reported_as_a_real_cycle(data: dict[str, Any], draw: st.DataObject) -> None:
    requires, composes = _requires(data), _composes(data)
    depends = {c: requires[c] + composes[c] for c in requires}
    later = draw.draw(st.sampled_from(sorted(requires)), label="later")
    earlier = draw.draw(st.sampled_from(sorted(_closure([later], depends))), label="earlier")
    for condition in data["conditions"]:
        if condition["id"] == earlier:
            condition["requires"] = [*condition["requires"], later]
    requires, composes = _requires(data), _composes(data)

    try:
        _compile(data)
    except WorkflowDefinitionError as error:
        problems = error.problems
    else:
        raise AssertionError(f"{earlier} -> {later} closes a cycle, but the workflow loaded")

    assert problems
    for problem in problems:
        match = CYCLE.match(problem.message)
        assert match, f"not a cycle message: {problem}"
        chain = match["chain"].split(" -> ")
        assert len(chain) >= 2 and chain[0] == chain[-1], chain
        for source, target in itertools.pairwise(chain):
            assert target in requires[source] or target in composes[source], f"{source} -> {target} is not an edge"
    named = {name for problem in problems for name in CYCLE.match(problem.message)["chain"].split(" -> ")}  # type: ignore[index]
    assert earlier in named and later in named
