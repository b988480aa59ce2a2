"""Calendar spans (`cooperation.engine.span`): reading ISO 8601 durations, moving moments on
the calendar, their bounds in seconds, and their words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cooperation.engine.conditions.base import changes_after
from cooperation.engine.span import DAY_SECONDS, Span, days
from cooperation.errors import DurationError
from cooperation.testing import calendar_moments, check_span, durations, spans


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- properties ---------------------------------------------------------------------------------


@given(spans(), calendar_moments())
def test_every_span_keeps_its_promises(span: Span, moment: datetime) -> None:
    check_span(span, moment)


@given(spans(), calendar_moments(), calendar_moments())
def test_moving_is_monotone(span: Span, one: datetime, other: datetime) -> None:
    early, late = sorted((one, other))
    assert span.before(early) <= span.before(late)
    assert span.after(early) <= span.after(late)


@given(spans(), calendar_moments(), calendar_moments())
def test_leaving_is_monotone(span: Span, one: datetime, other: datetime) -> None:
    early, late = sorted((one, other))
    assert span.leaves(early) <= span.leaves(late)  # what `changes_after` relies on


@given(
    st.lists(calendar_moments(), max_size=30).map(sorted),
    st.lists(spans(max_years=2), min_size=1, max_size=3),
    st.lists(calendar_moments(), max_size=4),
    calendar_moments(),
)
def test_the_changes_after_a_moment_come_in_order_each_once(
    moments: list[datetime], windows: list[Span], turns: list[datetime], now: datetime
) -> None:
    """The lazy merge a lapse date is found with gives what working out every instant and sorting them gives."""
    every = {span.leaves(moment) for moment in moments for span in windows} | set(turns)
    assert list(changes_after(now, moments, windows, turns)) == sorted(instant for instant in every if instant > now)


@given(st.integers(0, 36_525), calendar_moments())
def test_days_mean_days_of_24_hours(count: int, moment: datetime) -> None:
    span = days(count)
    assert span.before(moment) == moment - timedelta(days=count)
    assert span.after(moment) == moment + timedelta(days=count)
    assert span.leaves(moment) == moment + timedelta(days=count, seconds=1)
    assert span.shortest == span.longest == count * DAY_SECONDS
    assert span.slack == 0


@given(spans(calendar=True), calendar_moments())
def test_months_keep_the_day_or_clamp_to_the_last(span: Span, moment: datetime) -> None:
    moved = Span(span.months).before(moment)
    months = moment.year * 12 + moment.month - (moved.year * 12 + moved.month)
    assert months == span.months
    if moved.day != moment.day:  # only when the month lacks the day: its last day, to its end
        assert moved.day < moment.day
        assert (moved + timedelta(days=1)).day == 1
        assert (moved.hour, moved.minute, moved.second) == (23, 59, 59)
    else:
        assert moved.time() == moment.time()


@given(durations())
def test_written_durations_read_back_as_written(written: str) -> None:
    span = Span.parse(written)
    assert Span.parse(span.iso) == span
    years, months, weeks, day_count = (
        int(found) if found else 0
        for found in re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", written).groups()  # type: ignore[union-attr]
    )
    assert (span.months, span.days) == (12 * years + months, 7 * weeks + day_count)


@given(spans())
def test_text_and_iso_say_the_same_span(span: Span) -> None:
    assert Span.parse(span.iso) == span
    words = span.text.split()
    counted = dict(zip(words[1::2], map(int, words[::2]), strict=True))
    months = 12 * counted.get("years", counted.get("year", 0)) + counted.get("months", counted.get("month", 0))
    assert (months, counted.get("days", counted.get("day", 0))) == (span.months, span.days)


@given(spans(), st.integers(1, 20))
def test_longer_spans_are_longer(span: Span, more: int) -> None:
    longer = Span(span.months + more, span.days)
    assert longer.shortest >= span.shortest and longer.longest >= span.longest


# --- examples: the calendar's edges ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "written", "before"),
    [
        ("2023-03-31T10:00:00", "P1M", "2023-02-28T23:59:59.999999"),
        ("2024-03-31T10:00:00", "P1M", "2024-02-29T23:59:59.999999"),
        ("2024-02-29T08:00:00", "P1Y", "2023-02-28T23:59:59.999999"),
        ("2024-03-15T08:00:00", "P1M", "2024-02-15T08:00:00"),
        ("2027-01-15T09:00:00", "P3Y", "2024-01-15T09:00:00"),
        ("2024-03-01T00:00:00", "P2W", "2024-02-16T00:00:00"),
        ("2024-05-31T12:00:00", "P1Y2M10D", "2023-03-21T12:00:00"),
    ],
)
def test_moving_back(moment: str, written: str, before: str) -> None:
    assert Span.parse(written).before(at(moment)) == at(before)


@pytest.mark.parametrize(
    ("moment", "written", "after"),
    [
        ("2024-02-29T08:00:00", "P1Y", "2025-02-28T23:59:59.999999"),
        ("2024-02-29T08:00:00", "P4Y", "2028-02-29T08:00:00"),
        ("2023-01-31T10:00:00", "P1M", "2023-02-28T23:59:59.999999"),
        ("2024-01-31T10:00:00", "P1M", "2024-02-29T23:59:59.999999"),
        ("2024-01-15T09:00:00", "P3Y", "2027-01-15T09:00:00"),
    ],
)
def test_moving_forward(moment: str, written: str, after: str) -> None:
    assert Span.parse(written).after(at(moment)) == at(after)


def test_three_years_over_a_leap_year_are_not_1095_days() -> None:
    recorded = at("2024-01-15T09:00:00")
    assert Span.parse("P3Y").leaves(recorded) == at("2027-01-15T09:00:01")
    assert days(1095).leaves(recorded) == at("2027-01-14T09:00:01")  # a day early


def test_a_clamped_fact_leaves_at_the_start_of_the_next_month() -> None:
    assert Span.parse("P1M").leaves(at("2023-01-31T10:00:00")) == at("2023-03-01T00:00:00")


@pytest.mark.parametrize(
    ("written", "shortest", "longest"),
    [("P1M", 28, 31), ("P1Y", 365, 366), ("P100Y", 36_524, 36_525), ("P2W", 14, 14), ("P1Y1M", 393, 397)],
)
def test_bounds(written: str, shortest: int, longest: int) -> None:
    span = Span.parse(written)
    assert (span.shortest, span.longest) == (shortest * DAY_SECONDS, longest * DAY_SECONDS)


@pytest.mark.parametrize(
    ("written", "text", "iso"),
    [
        ("P3Y", "3 years", "P3Y"),
        ("P8M", "8 months", "P8M"),
        ("P60D", "60 days", "P60D"),
        ("P1D", "1 day", "P1D"),
        ("P2W", "14 days", "P14D"),
        ("P1Y6M", "1 year 6 months", "P1Y6M"),
        ("P18M", "1 year 6 months", "P1Y6M"),
    ],
)
def test_words(written: str, text: str, iso: str) -> None:
    assert (Span.parse(written).text, Span.parse(written).iso) == (text, iso)


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("P", "write e.g. P3Y"),
        ("", "write e.g. P3Y"),
        ("3Y", "write e.g. P3Y"),
        ("P1.5Y", "write e.g. P3Y"),
        ("P1D1Y", "write e.g. P3Y"),
        ("PT12H", "has a time part"),
        ("P1DT1H", "has a time part"),
        ("-P1D", "drop the '-'"),
        ("p3y", "write it in capitals, P3Y"),
    ],
)
def test_refused(written: str, says: str) -> None:
    with pytest.raises(DurationError, match=says.replace(".", r"\.")):
        Span.parse(written)


def test_a_span_is_a_value() -> None:
    import pickle

    assert Span.parse("P12M") == Span.parse("P1Y") and hash(Span.parse("P12M")) == hash(Span.parse("P1Y"))
    assert Span.parse("P60D") == days(60) and Span.parse("P2W") == days(14)
    assert pickle.loads(pickle.dumps(Span.parse("P1Y2M3D"))) == Span.parse("P1Y2M3D")
    assert not Span() and Span(0, 1)
