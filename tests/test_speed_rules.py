"""The rules that exist only for speed, each held to what the slow, obvious way gives.

docs/architecture.md lists every such rule with the test that guards it; the ones without
a better home are tested here.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import json
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cooperation.engine.event_schema import validate_event, validate_event_line
from cooperation.engine.events import Event, moment
from cooperation.engine.facts import time_ordered
from cooperation.engine.replay import _cycle_collection_paused
from cooperation.errors import EventError
from cooperation.registry import Registry

KINDS = ("participant_joined", "evidence_recorded", "meeting_held", "score_set", "no_such_kind")
DATES = st.dates().map(lambda day: day.isoformat()) | st.datetimes().map(lambda moment: moment.isoformat() + "Z")
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
DATA = st.dictionaries(
    st.sampled_from(["name", "community", "role", "condition", "text", "attendees", "parameter", "level", "tlp", "x"]),
    VALUES | st.sampled_from(["Ada", "government", "member", "challenge", "TLP:CLEAR"]) | st.just(["Ada", "Ben"]),
    max_size=4,
)
LINES = st.fixed_dictionaries(
    {"initiative": st.sampled_from(["i", ""]), "kind": st.sampled_from(KINDS), "at": DATES, "data": DATA},
    optional={"by": st.none() | st.text(max_size=4)},
)


# --- the import reads JSON lines with one scanner built once, refusing duplicate keys --------


def _outcome(check: Any, value: Any) -> Event | type[Exception]:
    try:
        return check(value)
    except EventError as error:
        return type(error)


@given(LINES)
def test_reading_a_line_gives_what_parsing_then_validating_gives(line: dict[str, Any]) -> None:
    text = json.dumps(line, ensure_ascii=False)
    assert _outcome(validate_event_line, text) == _outcome(validate_event, json.loads(text))


@pytest.mark.parametrize("text", ['{"kind": "a"} trailing', '{"kind": "a", "kind": "b"}', "[1, 2]", "", "{"])
def test_what_json_would_not_take_as_one_event_object_is_refused(text: str) -> None:
    with pytest.raises(EventError):
        validate_event_line(text)


# --- a log already in time order is not sorted again ---------------------------------------


@given(st.lists(DATES, max_size=12))
def test_time_order_is_by_moment_then_place_in_the_log(dates: list[str]) -> None:
    events = [Event("i", "evidence_recorded", at, seq=seq) for seq, at in enumerate(dates, start=1)]
    ordered = time_ordered(events)
    assert ordered == sorted(events, key=lambda event: (event.moment, event.seq))
    assert ordered is not events  # a new list: the caller may extend it


# --- a moment in a canonical form is read whole by the C parser ---------------------------


def _read_the_general_way(at: str) -> tuple[datetime, str] | str:
    """What `moment` gives for any text without its quick path: the instant and how it is written, or the error."""
    try:
        found = (
            datetime.fromisoformat(at).replace(tzinfo=UTC)
            if len(at) == 10
            else datetime.fromisoformat(at.replace("Z", "+00:00"))
        )
    except ValueError as error:
        return str(error)
    return found, found.isoformat()


MOMENT_TEXTS = (
    DATES
    | st.datetimes().map(lambda moment: moment.replace(microsecond=0).isoformat() + "Z")
    | st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat())
    | st.text(alphabet="0123456789-:TWZz+. ", max_size=22)
)


@given(MOMENT_TEXTS)
def test_a_moment_read_the_quick_way_is_the_one_read_the_general_way(at: str) -> None:
    try:
        found = moment.__wrapped__(at)  # not its cache: each text read afresh
    except ValueError as error:
        assert str(error) == _read_the_general_way(at)
    else:
        assert (found, found.isoformat()) == _read_the_general_way(at)
        assert found.tzinfo is not None


# --- an import pauses the cycle collector and gives it back --------------------------------


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("fails", [True, False])
def test_the_cycle_collector_is_given_back_as_it_was(enabled: bool, fails: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError) if fails else nullcontext(), _cycle_collection_paused():
            assert not gc.isenabled()
            if fails:
                raise RuntimeError("the import failed")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# --- records are mutable for speed, and nothing that reads them changes them ---------------


def test_reading_statuses_changes_no_event_and_no_shared_result(tmp_path: Path) -> None:
    """Events and facts are slotted, not frozen (creating frozen ones costs a quarter of a read)."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    with Registry.open(tmp_path / "coop.db") as registry:
        for log in sorted(examples.glob("*.jsonl")):
            registry.import_lines(log.read_text(encoding="utf-8").splitlines(), source=log.name)
        events = {initiative: registry.history(initiative) for initiative in registry.initiatives()}
        before = copy.deepcopy(events)
        statuses = list(registry.statuses(as_of="2030-01-01"))
        results = [(result, dataclasses.astuple(result)) for status in statuses for result in status.conditions]
        again = list(registry.statuses(as_of="2030-01-01"))
    assert events == before
    assert [status.to_json() for status in again] == [status.to_json() for status in statuses]
    assert all(dataclasses.astuple(result) == values for result, values in results)
