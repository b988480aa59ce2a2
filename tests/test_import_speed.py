"""The rules that make `coop import` faster, each held to what the slow, obvious way gives.

docs/architecture.md lists them (rules that exist only for speed) with these tests.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from cooperation.engine.canonical import canonical_at
from cooperation.engine.events import parse_at
from cooperation.errors import MomentError
from cooperation.stores.chain import GENESIS, link

# Texts near the canonical forms: digits, separators and the letters a moment may hold, so that
# wrong days, wrong times, other spellings and stray characters all come up.
NEAR_MOMENTS = st.text(alphabet="0123456789-:TtZz+. \u0663", min_size=8, max_size=26)
CANONICAL_DAYS = st.dates().map(lambda day: day.isoformat())
CANONICAL_SECONDS = st.datetimes().map(lambda moment: moment.replace(microsecond=0).isoformat() + "Z")


def _parsed(value: object) -> str | None:
    try:
        return parse_at(value)  # type: ignore[arg-type]  # any value: parse_at says what it takes
    except MomentError:
        return None


@given(NEAR_MOMENTS | CANONICAL_DAYS | CANONICAL_SECONDS | st.text(max_size=24))
@example("2019-02-30")
@example("2019-02-29")
@example("2020-02-29T12:00:00Z")
@example("2019-04-31T00:00:00Z")
@example("2019-02-28T24:00:00Z")
@example("0999-12-31T23:59:59Z")
@example("9000-01-01")
@example("2019-02-01T09:30:00z")
@example(" 2019-02-01")
def test_a_moment_recognised_as_canonical_is_what_parse_at_gives(value: str) -> None:
    recognised = canonical_at(value)
    if recognised is not None:
        assert recognised == _parsed(value) == value


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(8999, 12, 31, 23, 59, 59)), st.booleans())
def test_every_canonical_moment_in_range_is_recognised(moment: datetime, whole_day: bool) -> None:
    written = moment.date().isoformat() if whole_day else moment.replace(microsecond=0).isoformat() + "Z"
    assert canonical_at(written) == written == parse_at(written)


@given(st.datetimes(timezones=st.just(UTC)) | st.dates() | st.integers() | st.none())
def test_what_is_not_text_is_left_to_parse_at(value: object) -> None:
    assert canonical_at(value) is None


# --- each event's hash is SHA-256 of the text the chain's documentation gives ---------------


def _documented_hash(previous: str, *fields: str | None) -> str:
    """As stores/chain.py's docstring says: the previous hash, then each field as LENGTH:TEXT, `-` for NULL."""
    text = previous + "".join("-" if value is None else f"{len(value)}:{value}" for value in fields)
    return hashlib.sha256(text.encode()).hexdigest()


TEXTS = st.text(max_size=12)  # any characters: lengths count characters, not bytes


@given(
    st.sampled_from([GENESIS, "ab" * 32]),
    TEXTS,
    st.integers(1, 10**12),
    TEXTS,
    TEXTS,
    st.none() | TEXTS,
    TEXTS,
    st.none() | TEXTS,
    st.none() | TEXTS,
)
def test_an_events_hash_is_the_documented_one(
    previous: str,
    initiative: str,
    seq: int,
    kind: str,
    at: str,
    by: str | None,
    data: str,
    recorded_at: str | None,
    recorded_by: str | None,
) -> None:
    fields = (initiative, str(seq), kind, at, by, data, recorded_at, recorded_by)
    assert link(previous, initiative, seq, kind, at, by, data, recorded_at, recorded_by) == _documented_hash(
        previous, *fields
    )
