"""Shared condition results and the fast status JSON: the same answers as computing alone."""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from cooperation.engine import evaluation
from cooperation.engine.evaluation import ConditionResult
from cooperation.engine.status import InitiativeStatus
from cooperation.engine.who import Who
from cooperation.registry import Registry
from cooperation.views.status_json import status_json
from tests.test_engine_properties import START, WALK, Clock, _new_registry, play, steps

# Any text, control characters, quotes, backslashes and characters outside the BMP included.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
results = st.builds(
    ConditionResult,
    condition=texts,
    title=texts,
    kind=texts,
    strength=st.sampled_from(("required", "expected", "advisory")),
    met=st.booleans(),
    waived=st.booleans(),
    blocking=st.booleans(),
    detail=texts,
    progress=st.integers(0, 1000).map(lambda thousandths: thousandths / 1000),
    lapses_on=st.none() | texts,
)
handed_off = st.none() | st.fixed_dictionaries({"body": texts, "body_kind": texts, "at": texts})
people = st.lists(texts, max_size=3)
who = st.none() | st.dictionaries(texts, st.builds(Who, kind=texts, names=people, could_still=people), max_size=3)


@st.composite
def statuses(draw: st.DrawFn) -> InitiativeStatus:
    shared = draw(st.lists(results, max_size=4))  # the same objects in several lists, as in a portfolio
    listed = st.lists(st.sampled_from(shared) if shared else results, max_size=5)
    return InitiativeStatus(
        initiative=draw(texts),
        name=draw(texts),
        workflow=draw(texts),
        stage=draw(texts),
        stage_title=draw(texts),
        stage_since=draw(st.none() | texts),
        next=draw(st.none() | texts),
        can_advance=draw(st.booleans()),
        at_risk=draw(st.booleans()),
        at_risk_conditions=draw(st.lists(texts, max_size=3)),
        unmet=draw(listed),
        conditions=draw(listed),
        transitions=draw(st.lists(texts, max_size=3)),
        terminal=draw(st.booleans()),
        handed_off=draw(handed_off),
        version=draw(st.integers(0, 2**53)),
        as_of=draw(texts),
        lapses_on=draw(st.none() | texts),
        last_event=draw(st.none() | texts),
        who=draw(who),
        aliases=draw(st.none() | st.lists(texts, max_size=2)),
        closed=draw(st.none() | st.fixed_dictionaries({"state": texts, "at": texts})),
    )


# An independent encoder to check ours against: pydantic's, for the same dataclass.
pydantic_json = TypeAdapter(InitiativeStatus).dump_json


@settings(max_examples=300)
@given(status=statuses())
def test_status_json_is_what_pydantic_writes(status: InitiativeStatus) -> None:
    assert status_json(status) == pydantic_json(status).decode()
    assert json.loads(status_json(status, indent=2)) == json.loads(status_json(status)) == status.to_json()
    assert status.to_json() == dataclasses.asdict(status)  # the public fast path, against the obvious slow one
    assert status.to_json_text(indent=2) == status_json(status, indent=2)


def test_a_result_cannot_be_changed_by_one_holder_behind_the_others_back() -> None:
    result = ConditionResult("c", "C", "evidence", "required", False, False, True, "none yet", 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.met = True  # type: ignore[misc]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk=steps, backdate=st.booleans(), later=st.integers(0, 400))
def test_shared_results_are_the_results_computed_alone(walk: list[Any], backdate: bool, later: int) -> None:
    folder = tempfile.mkdtemp()
    try:
        clock = Clock(START)
        with _new_registry(folder, "a.db", clock) as registry:
            play(registry, clock, walk, backdate=backdate)
            clock.now += timedelta(days=later)
            shared = registry.status(WALK)  # after earlier examples filled the shared results
            evaluation._judgements.clear()
            alone = registry.status(WALK)
            assert shared == alone
            assert status_json(shared) == pydantic_json(alone).decode()
            # Taking the fixed result for what has nothing recorded changes nothing either.
            loaded = registry._load(WALK, registry.store.read(WALK))
            every_one = loaded.evaluator(clock.now)
            assert loaded.evaluator(clock.now).all_results() == [
                every_one.result(condition) for condition in loaded.workflow.condition_order
            ]
    finally:
        shutil.rmtree(folder)


def test_initiatives_in_the_same_situation_share_results(tmp_path: Any) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        for name in ("First", "Second"):
            registry.create(name, workflow="cooperation-maturity", at="2024-01-01", by="Ada", community="technical")
            registry.record(
                name.lower(),
                "evidence_recorded",
                {"condition": "challenge", "text": "A problem"},
                at="2024-01-02",
                by="Ada",
            )
        first, second = registry.statuses()
        assert first.conditions == second.conditions
        assert all(mine is theirs for mine, theirs in zip(first.conditions, second.conditions, strict=False))
