"""A kind's period fields (`Period`), generically: written as days or as an ISO 8601 duration,
exactly one, compiled to a `Span`; a future kind with such a field gets all of it for free."""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

import pytest
from pydantic import ValidationError

from cooperation.definition.models import condition_model
from cooperation.engine.conditions.base import ConditionId, Period, period_fields, written_span
from cooperation.engine.conditions.held import Held
from cooperation.engine.span import Span


class _SinceSettings(NamedTuple):
    condition: ConditionId
    stage_days: Annotated[Span, Period(1)]
    grace_days: Annotated[Span, Period(0)] = Span()


class _Since(Held):  # borrows everything but its settings: only the model is looked at here
    """Met in a test only."""

    name = "since-test"
    model_name = "SinceTestCondition"
    settings = _SinceSettings  # type: ignore[assignment]


MODEL = condition_model(_Since())  # type: ignore[arg-type]
COMMON = {"id": "x", "title": "X", "description": "X.", "kind": "since-test", "condition": "c"}


def _errors(**fields: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as caught:
        MODEL.model_validate({**COMMON, **fields})
    return [
        (str(error["loc"][-1]), error["ctx"]["message"], error["ctx"]["hint"])
        if error["type"] == "period"
        else (str(error["loc"][-1]), error["type"], "")
        for error in caught.value.errors()
    ]


def test_a_new_kind_with_period_fields_gets_both_spellings() -> None:
    assert [field for field, _ in period_fields(_SinceSettings)] == ["stage_days", "grace_days"]
    fields = list(MODEL.model_fields)
    assert fields[-5:] == ["condition", "stage_days", "stage_duration", "grace_days", "grace_duration"]
    schema = MODEL.model_json_schema()
    assert schema["allOf"] == [
        {"oneOf": [{"required": ["stage_days"]}, {"required": ["stage_duration"]}]},
        {"not": {"required": ["grace_days", "grace_duration"]}},
    ]


@pytest.mark.parametrize(
    ("fields", "settings"),
    [
        ({"stage_days": 30}, (Span(0, 30), Span())),
        ({"stage_duration": "P8M"}, (Span(8), Span())),
        ({"stage_duration": "P1Y2M10D", "grace_duration": "P2W"}, (Span(14, 10), Span(0, 14))),
        ({"stage_days": 1, "grace_days": 0}, (Span(0, 1), Span())),
    ],
)
def test_either_spelling_compiles_to_a_span(fields: dict[str, Any], settings: tuple[Span, Span]) -> None:
    definition = MODEL.model_validate({**COMMON, **fields})
    defaults = _SinceSettings._field_defaults
    spans = tuple(written_span(definition, field, defaults.get(field)) for field in ("stage_days", "grace_days"))
    assert spans == settings


def test_exactly_one_of_a_required_period_and_at_most_one_of_an_optional_one() -> None:
    assert _errors() == [
        (
            "stage_duration",
            "give exactly one of 'stage_days' and 'stage_duration'",
            "add 'stage_days: 30' or 'stage_duration: P1M'",
        )
    ]
    assert _errors(stage_days=3, stage_duration="P1M")[0][1] == "both 'stage_days' and 'stage_duration' are given"
    assert _errors(stage_days=3, grace_days=1, grace_duration="P1D")[0][:2] == (
        "grace_duration",
        "both 'grace_days' and 'grace_duration' are given",
    )


@pytest.mark.parametrize(
    ("duration", "says"),
    [
        ("P0D", "is shorter than 1 day"),
        ("P0Y", "is shorter than 1 day"),
        ("P101Y", "can be longer than 36525 days"),
        ("P1201M", "can be longer than 36525 days"),
        ("PT1H", "has a time part"),
        ("P", "is not an ISO 8601 date duration"),
        ("-P1M", "is negative"),
    ],
)
def test_a_duration_out_of_bounds_or_malformed_is_refused_with_a_fix(duration: str, says: str) -> None:
    ((field, message, hint),) = _errors(stage_duration=duration)
    assert field == "stage_duration" and says in message and hint


def test_the_days_keep_their_bounds() -> None:
    assert _errors(stage_days=0) == [("stage_days", "greater_than_equal", "")]
    assert _errors(stage_days=36_526) == [("stage_days", "less_than_equal", "")]
    assert MODEL.model_validate({**COMMON, "stage_duration": "P100Y"})
