"""Spans of time in a workflow file: `days: N` or `duration: <ISO 8601 date duration>`, exactly one.

A settings field marked `Period` (`cooperation.engine.conditions.base`) holds a `Span` once
compiled; in the file it is two fields: the field's own name for a whole number of days
(24 hours each), and the same name with `days` replaced by `duration` (`min_span_days` ->
`min_span_duration`) for a calendar duration (`P3Y`, `P8M`, `P2W`, `P60D`, `P1Y6M`). Every
kind with such a field gets both, their checks and their errors, from here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cooperation.engine.conditions.base import MAX_DAYS, Period, duration_field, period_fields
from cooperation.engine.span import DAY_SECONDS, Span
from cooperation.errors import DurationError

_DURATION_HELP = (
    "An ISO 8601 date duration, evaluated on the calendar: P3Y, P8M, P2W, P60D, P1Y6M "
    "(a month before 31 March is the last day of February)."
)


# What a JSON Schema can check of a duration (the loader says more: what is wrong and the fix).
DURATION_PATTERN = r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$"


class PeriodFields(NamedTuple):
    """The two fields a `Period` is written as, the validator that checks them together, and the
    JSON Schema rule saying how many of the two to give."""

    fields: dict[str, tuple[Any, Any]]
    validator: Any
    schema_rule: dict[str, Any]


def schema_rules(periods: dict[str, PeriodFields]) -> dict[str, Any]:
    """The JSON Schema rules of a model's periods, for its `json_schema_extra`."""
    rules = [period.schema_rule for period in periods.values()]
    return rules[0] if len(rules) == 1 else {"allOf": rules}


def period_fields_of(settings: Any) -> dict[str, PeriodFields]:
    """Per `Period` field of the settings: its two fields in the file, and their check."""
    defaults = settings._field_defaults
    return {
        name: _period_fields(name, period, required=name not in defaults) for name, period in period_fields(settings)
    }


def _period_fields(name: str, period: Period, *, required: bool) -> PeriodFields:
    other = duration_field(name)
    choice = f"exactly one of '{name}' and '{other}'" if required else f"at most one of '{name}' and '{other}'"
    fields: dict[str, tuple[Any, Any]] = {
        name: (
            int | None,
            Field(
                None,
                ge=period.minimum_days,
                le=MAX_DAYS,
                description=f"Whole days of 24 hours; give {choice}.",
            ),
        ),
        other: (
            str | None,
            Field(
                None,
                description=f"{_DURATION_HELP} Give {choice}.",
                validate_default=True,
                json_schema_extra={"pattern": DURATION_PATTERN},
            ),
        ),
    }

    def check(cls: type, value: str | None, info: ValidationInfo) -> str | None:
        if name not in info.data:
            return value  # the days are wrong already, and said so
        days = info.data[name]
        if value is None:
            if days is None and required:
                raise _problem(f"give {choice}", f"add '{name}: 30' or '{other}: P1M'")
            return value
        if days is not None:
            raise _problem(f"both '{name}' and '{other}' are given", f"keep one: remove '{name}' or '{other}'")
        try:
            span = Span.parse(value)
        except DurationError as error:
            raise _problem(str(error).split(": ")[0], str(error).split(": ", 1)[-1]) from None
        if span.shortest < period.minimum_days * DAY_SECONDS:
            raise _problem(
                f"'{value}' is shorter than {period.minimum_days} day" + ("s" if period.minimum_days != 1 else ""),
                f"give a longer duration, e.g. P{max(1, period.minimum_days)}D",
            )
        if span.longest > MAX_DAYS * DAY_SECONDS:
            raise _problem(
                f"'{value}' can be longer than {MAX_DAYS} days (a hundred years)",
                "give a duration of at most P100Y",
            )
        return value

    if required:
        rule: dict[str, Any] = {"oneOf": [{"required": [name]}, {"required": [other]}]}
    else:
        rule = {"not": {"required": [name, other]}}
    return PeriodFields(fields, field_validator(other)(check), rule)


def _problem(message: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("period", "{message}", {"message": message, "hint": hint})
