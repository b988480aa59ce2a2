"""Events: the append-only facts an initiative is made of (public format v1).

One JSON object per line: `initiative`, `kind`, `at` (ISO 8601 date or datetime), `by`
(optional actor) and `data` (fields per kind). The pydantic models of
`cooperation.engine.event_schema` check an event's shape once, when it is written or imported;
reading back uses the light `Event` record, so folding thousands of logs pays no
validation cost, and a command that only reads never loads those models.
"""

from __future__ import annotations

import json
import json.encoder
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from cooperation.engine.moves import EVENT_KIND_OF_MOVE
from cooperation.engine.payloads import EventData, EventKind, MoveEventKind
from cooperation.errors import MomentError

FORMAT_VERSION = 1
FILTERED_EXPORT_KEY = "coop_filtered_export"
"""The key of the first line of an export filtered for an audience or anonymised: such a file is
not a backup (text is left out, names may be pseudonyms), and importing it is refused."""

# The events that move an initiative: one per kind of move, and the lapse the engine records.
LAPSE_KIND: MoveEventKind = "stage_lapsed"
MOVE_KINDS: frozenset[MoveEventKind] = frozenset((*EVENT_KIND_OF_MOVE.values(), LAPSE_KIND))


# --- time ---------------------------------------------------------------------------------


_EXTENDED_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}.*)?$")

EARLIEST = date(1000, 1, 1)
"""The first day a moment may fall on (as written, before any time zone is applied)."""
LATEST = date(8999, 12, 31)
"""The last day a moment may fall on. Far enough from Python's year 1 and year 9999 that
a time zone, the end of an as-of day and the longest period a condition may declare
(`cooperation.engine.conditions.base.MAX_DAYS`) all stay within the calendar."""
SUPPORTED_RANGE = f"{EARLIEST.isoformat()} to {LATEST.isoformat()}"


def _within_range(day: date, written: object) -> None:
    if not EARLIEST <= day <= LATEST:
        raise MomentError(f"{written} is outside the supported range of dates, {SUPPORTED_RANGE}")


def parse_at(value: str | date | datetime) -> str:
    """Canonical text for a moment: 'YYYY-MM-DD' for a date, UTC 'YYYY-MM-DDTHH:MM:SSZ' for a datetime.

    Naive datetimes are taken as UTC; fractions of a second are dropped, so that the
    canonical forms sort as text in time order.
    """
    if isinstance(value, datetime):
        _within_range(value.date(), value.isoformat())  # first: converting near year 1 or 9999 overflows
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        utc = moment.astimezone(UTC).replace(microsecond=0)
        _within_range(utc.date(), value.isoformat())
        return utc.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        _within_range(value, value.isoformat())
        return value.isoformat()
    if not isinstance(value, str):
        raise MomentError(f"{value!r} is not a date: give an ISO 8601 date or datetime as text")
    return _parse_text(value)


MOMENTS_KEPT = 1_024
"""The size of each cache of parsed or written moments. Logs share dates, so a small cache hits
often; one sized to a portfolio's every moment (65,536) held 15 MB of strings never asked for again,
half a status listing's peak memory, for no measurable gain in time. From 4,096 to 1,024: 1.5 MB
less at a listing's peak, for 0.6% more instructions (the datetimes of diverse logs rarely repeat)."""


@lru_cache(maxsize=MOMENTS_KEPT)  # an import reads the same dates again and again
def _parse_text(value: str) -> str:
    text = value.strip()
    try:
        if not _EXTENDED_FORM.match(text):
            raise ValueError(text)  # e.g. the basic form 20190201, which Python reads as a datetime
        if len(text) == 10:
            day = date.fromisoformat(text)
        else:
            written = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            day = written.date()
    except ValueError:
        raise MomentError(
            f"'{value}' is not an ISO 8601 date (2019-02-01) or datetime (2019-02-01T09:30:00Z)"
        ) from None
    _within_range(day, f"'{value}'")
    return day.isoformat() if len(text) == 10 else parse_at(written)


@lru_cache(maxsize=MOMENTS_KEPT)  # logs share dates; parsing each once is much of a fold's cost
def moment(at: str) -> datetime:
    """The instant a canonical `at` stands for (a date means its start, in UTC)."""
    try:  # the canonical forms, each read whole by the C parser (which reads a Z since Python 3.11)
        if len(at) == 10:
            return datetime.fromisoformat(at + "T00:00:00+00:00")  # `.replace(tzinfo=UTC)` costs as much again
        if len(at) == 20 and at[19] == "Z":
            return datetime.fromisoformat(at)
    except ValueError:
        pass  # read below, as any other text is, which also says why it cannot be
    if len(at) == 10:
        return datetime.fromisoformat(at).replace(tzinfo=UTC)
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def cutoff(as_of: str | date | datetime) -> datetime:
    """The last instant that 'as of' includes: the end of the day for a date, its last whole
    second (T23:59:59Z), the one spelling of it: moments are recorded in whole seconds."""
    canonical = parse_at(as_of)
    if len(canonical) == 10:
        return moment(canonical) + timedelta(days=1) - timedelta(seconds=1)
    return moment(canonical)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- the record every layer passes around ---------------------------------------------------


@dataclass(slots=True)  # not frozen: creating frozen ones costs a quarter of reading a registry
class Event:
    """One stored (or about to be stored) event; `seq` is its 1-based place in its log.

    Read-only by convention: the log it comes from is append-only. `data` is typed as the
    data of any kind; code that has matched `kind` reads it through `payloads.payload`.
    `at` is when the fact happened, as claimed; `recorded_at` (UTC, to the microsecond) and
    `recorded_by` (the account that wrote it: the database's session user, or the operating
    system's user for SQLite) are set by the store, never by the writer, and are None for an
    event not stored yet (or, for `recorded_by`, one stored before accounts were kept). They
    are the record's bookkeeping, not the fact, so they take no part in comparing events.
    """

    initiative: str
    kind: EventKind
    at: str
    data: EventData = field(default_factory=dict)  # type: ignore[assignment]  # {} fits no kind: for tests only
    by: str | None = None
    seq: int = 0
    recorded_at: str | None = field(default=None, compare=False)
    recorded_by: str | None = field(default=None, compare=False)

    @property
    def moment(self) -> datetime:
        return moment(self.at)

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {"initiative": self.initiative, "kind": self.kind, "at": self.at}
        if self.by is not None:
            line["by"] = self.by
        line["data"] = self.data
        return line

    def to_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


def _unencodable(value: object) -> object:
    raise TypeError(f"event data must be JSON: {type(value).__name__} is not ({value!r})")


def _data_encoder() -> Callable[[Any], str]:
    """Compact, key-sorted JSON text without NaN, as every store writes it.

    JSONEncoder.encode builds a new C encoder on every call; building it once and
    calling it directly makes encoding a million small events about three times faster.
    """
    checked = json.JSONEncoder(
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_unencodable
    ).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return checked
    chunks = make(None, _unencodable, json.encoder.encode_basestring, None, ":", ",", True, False, False)

    def encode(data: Any) -> str:
        return "".join(chunks(data, 0))

    sample = {"b": [1, 2.5, None, True, {"z": "é\n\u2028"}], "a": ""}
    return encode if encode(sample) == checked(sample) else checked


encode_data = _data_encoder()  # event data as every store writes it
