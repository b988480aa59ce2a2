"""Every condition kind is whole: one module, one table entry, every part present.

A new kind (time in stage, per-community minimums, ...) is a module under
`cooperation/engine/conditions/` and an entry in `table.KINDS`; these tests fail until it
has all it takes to be loaded, checked, evaluated, described and verified.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Annotated, Any, NamedTuple, get_args, get_origin, get_type_hints

import pytest

from cooperation.definition import models
from cooperation.definition.compiled import compile_condition
from cooperation.definition.loading import load_workflow_file
from cooperation.definition.schema import shipped_schema
from cooperation.engine.conditions.base import (
    MAX_DAYS,
    REQUIRED_METHODS,
    AtLeast,
    AtMost,
    ConditionKind,
    Period,
    duration_field,
    missing_parts,
    period_fields,
    references,
)
from cooperation.engine.conditions.evidence import Evidence
from cooperation.engine.conditions.table import KINDS
from cooperation.views.describe import summarise_condition

FULL = Path(__file__).resolve().parent / "workflows" / "valid" / "full.yaml"
COMMON_FIELDS = ["id", "title", "description", "strength", "requires", "waiver_min_rationale"]


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_has_every_part(name: str) -> None:
    kind = KINDS[name]
    assert missing_parts(kind) == []
    assert kind.name == name


@pytest.mark.parametrize("name", list(KINDS))
def test_each_model_is_the_common_fields_the_kind_and_its_settings(name: str) -> None:
    kind = KINDS[name]
    model = models.CONDITION_MODELS[name]
    assert model.__name__ == kind.model_name
    periods = dict(period_fields(kind.settings))  # a period is written as days or as a duration
    written = [
        name for field in kind.settings._fields for name in (field, duration_field(field))[: 1 + (field in periods)]
    ]
    assert list(model.model_fields) == [*COMMON_FIELDS, "kind", *written]
    assert get_args(model.model_fields["kind"].annotation) == (name,)
    assert model.__doc__ == type(kind).__doc__
    assert getattr(models, kind.model_name) is model  # where pickle looks for it


def test_the_table_and_the_models_discriminator_agree() -> None:
    assert tuple(KINDS) == models.CONDITION_KINDS
    assert list(models.CONDITION_MODELS) == list(KINDS)
    items = shipped_schema("workflow")["properties"]["conditions"]["items"]
    assert items["discriminator"]["mapping"] == {name: f"#/$defs/{kind.model_name}" for name, kind in KINDS.items()}
    assert [option["$ref"] for option in items["oneOf"]] == [f"#/$defs/{kind.model_name}" for kind in KINDS.values()]


def test_the_sample_uses_every_kind_and_every_kind_round_trips() -> None:
    """full.yaml has a condition of each kind: each compiles, describes itself and survives pickling."""
    workflow = load_workflow_file(FULL)
    used = {condition.kind for condition in workflow.compiled_conditions.values()}
    assert used == set(KINDS)
    for condition in workflow.compiled_conditions.values():
        assert summarise_condition(condition).strip()
        assert isinstance(condition.settings, KINDS[condition.kind].settings)
    again = pickle.loads(pickle.dumps(workflow))
    assert again.compiled_conditions == workflow.compiled_conditions
    assert pickle.loads(pickle.dumps(workflow.definition)) == workflow.definition


def test_parts_are_the_condition_references_of_the_settings() -> None:
    workflow = load_workflow_file(FULL)
    parts = {condition.id: condition.parts for condition in workflow.compiled_conditions.values() if condition.parts}
    assert parts == {
        "meeting-habit": ("meetings",),
        "trust-recent": ("trust-attested",),
        "trust": ("trust-recent", "trust-score"),
        "venue": ("venue-neutral", "venue-host"),
        "fresh-receiver": ("receiver",),  # a stage it names is not a part
    }
    score = workflow.conditions["trust-score"]
    assert references(KINDS["score"].settings, score) == [(("parameter",), "trust-level", "parameter")]
    assert compile_condition(score) == workflow.compiled_conditions["trust-score"]


# --- the completeness check can fail --------------------------------------------------------


class _Half(Evidence):
    """Met when the evidence is there, but it cannot guide anyone towards it."""

    name = "half"
    model_name = "HalfCondition"


_Half.guide = ConditionKind.guide  # type: ignore[method-assign]  # as if the author forgot it


class _Unsettled(ConditionKind[Any, Any]):
    """Met never: a kind with its name only."""

    name = "unsettled"
    model_name = "UnsettledCondition"


class _NoDoc(Evidence):
    name = "no-doc"


def test_a_kind_lacking_a_method_is_refused() -> None:
    assert missing_parts(_Half()) == ["guide"]


def test_a_kind_with_no_settings_and_no_methods_is_refused() -> None:
    assert missing_parts(_Unsettled()) == ["settings", *REQUIRED_METHODS]


def test_a_kind_that_does_not_say_when_it_is_met_is_refused() -> None:
    _NoDoc.__doc__ = None
    assert missing_parts(_NoDoc()) == ["docstring"]


def test_something_that_is_not_a_kind_lacks_everything() -> None:
    class Settings(NamedTuple):
        days: int

    class Lookalike:
        """Met when it looks right."""

        name = "lookalike"
        model_name = "LookalikeCondition"
        settings = Settings

    assert missing_parts(Lookalike()) == list(REQUIRED_METHODS)
    assert missing_parts(object()) == ["name", "model_name", "settings", *REQUIRED_METHODS]


@pytest.mark.parametrize("name", list(KINDS))
def test_every_number_a_kind_takes_is_bounded_both_ways(name: str) -> None:
    """A number without an upper bound let a file ask for a period that overflows a date or a
    count that exhausts the verifier (issue 16); the markers become the model's ge and le."""
    hints = get_type_hints(KINDS[name].settings, include_extras=True)
    for field, hint in hints.items():
        if any(isinstance(mark, Period) for mark in get_args(hint)[1:]):  # days, or a duration at most as long
            days = models.CONDITION_MODELS[name].model_json_schema()["properties"][field]["anyOf"][0]
            assert days["maximum"] == MAX_DAYS and days["minimum"] >= 0
            continue
        if get_origin(hint) is not Annotated or get_args(hint)[0] is not int:
            assert hint is not int, f"{name}.{field}: annotate it with AtLeast and AtMost"
            continue
        marks = get_args(hint)[1:]
        lowest = [mark.minimum for mark in marks if isinstance(mark, AtLeast)]
        highest = [mark.maximum for mark in marks if isinstance(mark, AtMost)]
        assert lowest and highest, f"{name}.{field}: needs both AtLeast and AtMost"
        model = models.CONDITION_MODELS[name]
        assert model.model_json_schema()["properties"][field]["maximum"] == highest[0]
