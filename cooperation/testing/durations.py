"""Hypothesis strategies for spans of time, and the invariants every span keeps.

`durations()` makes ISO 8601 date durations as a workflow file writes them (`P3Y`, `P1Y6M`,
`P2W`, `P60D`); `spans()` makes the `Span` they compile to, calendar or plain days;
`check_span` asserts, for one span and one moment, what moving on the calendar promises.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from cooperation.engine.span import DAY_SECONDS, Span

_UNITS = ("Y", "M", "W", "D")


def durations(*, max_years: int = 10, plain_days: bool = True) -> SearchStrategy[str]:
    """ISO 8601 date durations of at most about `max_years` years, each unit at most once, in order,
    at least one unit given and the whole at least a day (`P0D` is never made)."""
    limits = {"Y": max_years, "M": 11 + 12 * max_years // 2, "W": 52, "D": 400}
    units = st.lists(st.sampled_from(_UNITS if plain_days else _UNITS[:2]), min_size=1, max_size=4, unique=True)

    @st.composite
    def written(draw: st.DrawFn) -> str:
        chosen = sorted(draw(units), key=_UNITS.index)
        counts = [draw(st.integers(0, limits[unit])) for unit in chosen]
        if not any(counts):
            counts[-1] = 1
        return "P" + "".join(f"{count}{unit}" for count, unit in zip(counts, chosen, strict=True))

    return written()


def spans(*, max_years: int = 10, calendar: bool | None = None) -> SearchStrategy[Span]:
    """Spans of at least a day: with months (`calendar=True`), of days only (`False`), or either."""
    with_months = st.builds(Span, st.integers(1, 12 * max_years), st.integers(0, 60))
    days_only = st.integers(1, 366 * max_years).map(lambda count: Span(0, count))
    if calendar is None:
        return with_months | days_only
    return with_months if calendar else days_only


def calendar_moments(
    start: datetime = datetime(1970, 1, 1, tzinfo=UTC), end: datetime = datetime(2200, 1, 1, tzinfo=UTC)
) -> SearchStrategy[datetime]:
    """Moments in whole seconds (UTC), weighted towards the edges of months: their last days
    (28 to 31) and midnights, where calendar arithmetic goes wrong if it does."""
    days = (end - start).days
    anywhere = st.integers(0, days * DAY_SECONDS).map(lambda seconds: start + timedelta(seconds=seconds))
    month_ends = st.builds(
        lambda year, month, day, second: _on(year, month, day) + timedelta(seconds=second),
        st.integers(start.year + 1, end.year - 1),
        st.integers(1, 12),
        st.integers(27, 31),
        st.sampled_from((0, 1, 43_200, DAY_SECONDS - 1)),
    )
    return anywhere | month_ends


def check_span(span: Span, moment: datetime) -> None:
    """Assert what a span promises at `moment`: moving back then forward never passes the start;
    a window of it is between its shortest and longest lengths; a fact of `moment` is outside the
    window from `span.leaves(moment)` on and inside it a second before; plain days are timedeltas."""
    back = span.before(moment)
    assert span.after(back) <= moment, f"{span!r}: back then forward passes {moment}"
    assert span.shortest <= (moment - back).total_seconds() <= span.longest, f"{span!r}: length at {moment}"
    forward = span.after(moment)
    assert span.shortest <= (forward - moment).total_seconds() <= span.longest, f"{span!r}: forward from {moment}"
    leaves = span.leaves(moment)
    assert span.before(leaves) > moment, f"{span!r}: a fact of {moment} is still kept at {leaves}"
    assert span.before(leaves - timedelta(seconds=1)) <= moment, f"{span!r}: {moment} left before {leaves}"
    if not span.months:
        assert back == moment - timedelta(days=span.days) and forward == moment + timedelta(days=span.days)


def _on(year: int, month: int, day: int) -> datetime:
    """Midnight of that day, or of the month's last day when it has fewer."""
    while True:
        try:
            return datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            day -= 1
