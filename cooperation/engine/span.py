"""Calendar spans: `days: N` (N days of 24 hours) or an ISO 8601 date duration (`P3Y`, `P8M`, `P2W`, `P60D`).

A span is years and months (kept as months) and days (weeks are 7 days). Moving a
moment by whole months keeps its day of the month and its time of day; a day the
target month lacks (31 March less a month; 29 February less a year) becomes the end
of that month's last day, so that moving is monotone: a later moment never moves to an
earlier one, and a window's start only ever advances. Days are 24 hours (all moments
are UTC). Moving back takes the months first, then the days; moving forward adds the
days first, then the months, so that forward undoes back without passing the start.

Plain on purpose (no pydantic): windows are computed on the path of reading a status,
and a span of days alone costs what a timedelta does.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from cooperation.errors import DurationError

DAY_SECONDS = 86_400
_SECOND = timedelta(seconds=1)
_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")
_EXAMPLES = "P3Y, P8M, P2W, P60D or P1Y6M"
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # by month number; February of a leap year has 29


class Span:
    """A length of time on the calendar: whole months, then whole days (24 hours each)."""

    __slots__ = ("days", "delta", "months")

    def __init__(self, months: int = 0, days: int = 0) -> None:
        if months < 0 or days < 0:
            raise DurationError("a span cannot be negative")
        self.months = months
        self.days = days
        self.delta = timedelta(days=days)

    # --- reading and writing ---

    @classmethod
    def parse(cls, text: str) -> Span:
        """An ISO 8601 date duration: `P3Y`, `P8M`, `P2W`, `P60D`, `P1Y6M`, `P1Y2M10D`."""
        written = text.strip()
        if written.startswith("-"):
            raise DurationError(f"'{text}' is negative; a duration is a length: drop the '-'")
        if "T" in written.upper() and written.upper().startswith("P"):
            raise DurationError(
                f"'{text}' has a time part; durations here are whole days: "
                "write days, e.g. P1D, or drop the part after T"
            )
        found = _DURATION.fullmatch(written)
        if found is None and _DURATION.fullmatch(written.upper()) and written.upper() != "P":
            raise DurationError(f"'{text}' is written in lower case: write it in capitals, {written.upper()}")
        if found is None or written == "P":
            raise DurationError(f"'{text}' is not an ISO 8601 date duration: write e.g. {_EXAMPLES}")
        years, months, weeks, days = (int(part) if part else 0 for part in found.groups())
        return cls(years * 12 + months, weeks * 7 + days)

    @property
    def iso(self) -> str:
        """The span as an ISO 8601 duration (`P1Y6M`, `P60D`; `P0D` when empty)."""
        years, months = divmod(self.months, 12)
        parts = [f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (self.days, "D")) if n]
        return "P" + ("".join(parts) or "0D")

    @property
    def text(self) -> str:
        """For a person: `3 years`, `1 year 6 months`, `60 days`."""
        years, months = divmod(self.months, 12)
        units = ((years, "year"), (months, "month"), (self.days, "day"))
        words = [f"{n} {unit}" + ("" if n == 1 else "s") for n, unit in units if n]
        return " ".join(words) or "0 days"

    def part(self, count: int) -> str:
        """`count` days as a part of this span: `12 of 60 days`, `12 days of 8 months`."""
        return f"{count} of {self.days} days" if not self.months else f"{count} days of {self.text}"

    @property
    def calendar(self) -> bool:
        """Whether its length depends on where it falls on the calendar (it counts months)."""
        return self.months != 0

    # --- lengths, for the verifier's planner (whole seconds) ---

    @property
    def shortest(self) -> int:
        """Its length in seconds wherever it falls where it is shortest."""
        return self._length(longest=False)

    @property
    def longest(self) -> int:
        """Its length in seconds wherever it falls where it is longest."""
        return self._length(longest=True)

    def _length(self, longest: bool) -> int:
        # Bounds, not exact: at most one leap day in any four years, and at least those of its
        # whole four-year runs less a skipped leap year per (begun) century; months of 28 to 31 days,
        # of which only February is under 30.
        years, months = divmod(self.months, 12)
        if longest:
            length = 365 * years + -(-years // 4) + 31 * months
        else:
            length = 365 * years + max(0, years // 4 - -(-years // 100)) + (30 * months - 2 if months else 0)
        return (length + self.days) * DAY_SECONDS

    @property
    def slack(self) -> int:
        """How many seconds its longest length exceeds its shortest (0 for plain days)."""
        return self.longest - self.shortest if self.months else 0

    # --- moving moments ---

    def after_date(self, day: date) -> date:
        """The calendar day this span after `day` (a day the month lacks becomes its last day)."""
        return self.after(datetime(day.year, day.month, day.day)).date()

    def before(self, moment: datetime) -> datetime:
        """The moment this span before `moment`: the start of a window that ends at `moment`."""
        if not self.months:
            return moment - self.delta
        return _months_later(moment, -self.months)[0] - self.delta

    def after(self, moment: datetime) -> datetime:
        """The moment this span after `moment`: the last moment whose window still reaches back to it."""
        if not self.months:
            return moment + self.delta
        return _months_later(moment + self.delta, self.months)[0]

    def reaches(self, moment: datetime) -> datetime:
        """The first moment whose window of this span starts at or after `moment`: when a time of
        this span since `moment` has run (entered on 31 January, a month has run on 1 March, since
        a window ending on 29 February starts on the 29th of January)."""
        if not self.months:
            return moment + self.delta
        later, clamped = _months_later(moment + self.delta, self.months)
        return later + timedelta(microseconds=1) if clamped else later

    def leaves(self, moment: datetime) -> datetime:
        """The first whole second at which a fact of `moment` has left a window of this span."""
        if not self.months:
            return moment + self.delta + _SECOND
        later, clamped = _months_later(moment + self.delta, self.months)
        return later.replace(microsecond=0) + _SECOND if clamped else later + _SECOND

    # --- a value ---

    def __bool__(self) -> bool:
        return bool(self.months or self.days)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and self.months == other.months and self.days == other.days

    def __hash__(self) -> int:
        return hash((self.months, self.days))

    def __repr__(self) -> str:
        return f"Span({self.iso})"

    def __reduce__(self) -> tuple[type[Span], tuple[int, int]]:
        return (Span, (self.months, self.days))


def days(count: int) -> Span:
    """`days: N`: N days of 24 hours."""
    return Span(0, count)


def _months_later(moment: datetime, months: int) -> tuple[datetime, bool]:
    """`moment` moved by whole months (back when negative), and whether its day had to be clamped."""
    year, month = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    month += 1
    last = _MONTH_DAYS[month]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    if moment.day <= last:
        return moment.replace(year=year, month=month), False
    end = moment.replace(year=year, month=month, day=last, hour=23, minute=59, second=59, microsecond=999_999)
    return end, True
