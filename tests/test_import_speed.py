"""The rules that make `coop import` faster, each held to what the slow, obvious way gives.

docs/architecture.md lists them (rules that exist only for speed) with these tests.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cooperation.engine.canonical import canonical_at
from cooperation.engine.event_schema import validate_event_line
from cooperation.engine.events import parse_at
from cooperation.engine.quick_lines import read_event_line
from cooperation.errors import EventError, MomentError
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


ANY_TEXTS = st.text(max_size=12)  # any characters: lengths count characters, not bytes


@given(
    st.sampled_from([GENESIS, "ab" * 32]),
    ANY_TEXTS,
    st.integers(1, 10**12),
    ANY_TEXTS,
    ANY_TEXTS,
    st.none() | ANY_TEXTS,
    ANY_TEXTS,
    st.none() | ANY_TEXTS,
    st.none() | ANY_TEXTS,
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


# --- a line read the quick way gives what the authority gives, or its very error -------------

WORDS = st.sampled_from(["Ada", "Ben Okafor", "government", "member", "challenge", "TLP:CLEAR", "x:y"])
ODD_TEXTS = st.text(alphabet='ab :"\\\u00e9\u2028\t\n\x01{}[],', min_size=1, max_size=6)  # quotes, escapes, colons


def _rarely(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` five times in six, so that most lines drawn are valid events and take the quick way."""
    return st.integers(0, 5).flatmap(lambda pick: odd if pick == 5 else usual)


TEXTS = _rarely(WORDS, ODD_TEXTS)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=True) | TEXTS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=2),
    max_leaves=6,
)
IN_RANGE = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(8999, 12, 31, 23, 59, 59))
MOMENTS = _rarely(
    IN_RANGE.map(lambda moment: moment.replace(microsecond=0).isoformat() + "Z")
    | IN_RANGE.map(lambda moment: moment.date().isoformat()),
    st.sampled_from(["2019-02-30", "2019-02-01T09:30+02:00", "0999-01-01"]),
)
VALID_DATA = {  # data each kind accepts, so that most lines drawn are events and the quick way is taken
    "participant_joined": st.fixed_dictionaries(
        {"name": TEXTS, "community": st.just("government")}, optional={"role": st.just("member")}
    ),
    "meeting_held": st.fixed_dictionaries({"attendees": st.lists(TEXTS, min_size=1, max_size=3)}),
    "evidence_recorded": st.fixed_dictionaries(
        {"condition": TEXTS, "text": TEXTS}, optional={"tlp": st.just("TLP:CLEAR")}
    ),
    "score_set": st.fixed_dictionaries({"parameter": TEXTS, "level": st.integers(-2, 2)}),
    "stage_advanced": st.fixed_dictionaries({"from": st.just("challenge"), "to": st.just("ownership")}),
}


def _object(pairs: list[tuple[str, str]], spacing: str) -> str:
    """A JSON object written by hand from its (key, JSON text) pairs, duplicates kept as given."""
    colon, comma = (":", ",") if spacing == "" else (spacing + ":" + spacing, "," + spacing)
    return "{" + comma.join(json.dumps(key) + colon + text for key, text in pairs) + "}"


@st.composite
def event_lines(draw: st.DrawFn) -> str:
    """Lines of events, most of them valid, some with a field odd, missing, extra or given twice,
    texts with quotes and escapes, written compact, spaced or with escaped non-ASCII."""
    ascii_only = draw(st.booleans())

    def text(value: object) -> str:
        return json.dumps(value, ensure_ascii=ascii_only)

    kind = draw(st.sampled_from(sorted(VALID_DATA)))
    data = [(key, text(value)) for key, value in draw(VALID_DATA[kind]).items()]
    if draw(st.integers(0, 4)) == 4:  # a field more, of any key and value
        data.append((draw(st.sampled_from(["name", "text", "level", "x"])), text(draw(VALUES))))
    top = [
        ("initiative", text(draw(_rarely(st.just("alpha"), st.just("a b"))))),
        ("kind", text(kind)),
        ("at", text(draw(MOMENTS))),
        *([] if draw(st.integers(0, 4)) == 4 else [("by", text(draw(_rarely(TEXTS, st.none()))))]),
    ]
    top = draw(st.permutations(top))
    spacing = draw(st.sampled_from(["", "", " ", "\t", " \n "]))
    if draw(st.integers(0, 3)) == 3:  # a key given twice, with the same value or another
        pairs = data if draw(st.booleans()) else top
        key, given = draw(st.sampled_from(pairs))
        pairs.insert(draw(st.integers(0, len(pairs))), (key, draw(st.just(given) | VALUES.map(text))))
    around = draw(st.sampled_from(["", "", "", " ", "\n", "\r\n", " x", "\ufeff"]))
    return _object([*top, ("data", _object(data, spacing))], spacing) + around


def _read(read: object, line: str) -> object:
    try:
        return read(line)  # type: ignore[operator]
    except EventError as error:
        return (type(error), str(error))


@settings(max_examples=400)
@given(event_lines())
@example('{"initiative":"a","kind":"participant_left","at":"2019-02-01","by":"Ada","data":{"name":"Ben","name":"Ada"}}')
@example(
    '{"initiative":"a","kind":"participant_left","at":"2019-02-01","by":"Ada","by" :"Ben","data":{"name":"B:\\""}}'
)
@example(
    '{"initiative":"a","kind":"participant_left","at":"2019-02-01","by":"Ada","data":{"name":"Ben","n\\u0061me":"A"}}'
)
@example(
    '{"initiative":"a","kind":"participant_left","at":"2019-02-01","by":null,"by":"Ada","data":{"name":"B\\"\\"n"}}'
)
@example('{"initiative":"a","kind":"meeting_held","at":"2019-02-01","by":"Ada","data":{"attendees":["Ada","Ben"]}}')
def test_a_line_read_quickly_is_what_the_authority_reads(line: str) -> None:
    assert _read(read_event_line, line) == _read(validate_event_line, line)


def test_plainly_well_formed_lines_take_the_quick_way(monkeypatch: pytest.MonkeyPatch) -> None:
    import cooperation.engine.quick_lines as quick

    asked: list[str] = []
    monkeypatch.setattr(quick, "validate_event_line", asked.append)
    line = (
        '{"initiative":"a","kind":"meeting_held","at":"2019-02-01T10:00:00Z","by":"Ada","data":{"attendees":["Ada"]}}'
    )
    assert read_event_line(line).data == {"attendees": ["Ada"], "neutral": False}
    twice = line.replace('"by":"Ada"', '"by":"Ada","by":"Ada"')
    read_event_line(twice)
    assert asked == [twice]  # a key given twice goes to the authority, which refuses it
