"""The typed kinds and payloads (`engine/payloads.py`) never drift from the event schema, and mypy
uses them: a misspelt kind or key, when recording or reading, is a type error."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_events import FULL_DATA, REQUIRED_FIELDS

from cooperation.engine.event_schema import DATA_MODELS, validate_event
from cooperation.engine.events import LAPSE_KIND, MOVE_KINDS, parse_at
from cooperation.engine.moves import EVENT_KIND_OF_MOVE
from cooperation.engine.payloads import (
    EVENT_KINDS,
    PAYLOAD_TYPES,
    RECORDABLE_KINDS,
    EventKind,
    MoveData,
    MoveEventKind,
)
from cooperation.errors import CooperationError, EventError, MomentError

REPO = Path(__file__).resolve().parent.parent


def _schema_keys(kind: EventKind) -> tuple[set[str], set[str]]:
    """The keys of a kind's data in its pydantic model, as stored (aliases): required, optional."""
    fields = DATA_MODELS[kind].model_fields
    required = {field.alias or name for name, field in fields.items() if field.is_required()}
    optional = {field.alias or name for name, field in fields.items() if not field.is_required()}
    return required, optional


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_each_typed_payload_has_the_keys_of_its_schema_model(kind: EventKind) -> None:
    required, optional = _schema_keys(kind)
    typed = PAYLOAD_TYPES[kind]
    assert set(typed.__required_keys__) == required, kind
    assert set(typed.__optional_keys__) == optional, kind


def test_the_kinds_are_one_list() -> None:
    assert tuple(DATA_MODELS) == EVENT_KINDS == get_args(EventKind) == tuple(PAYLOAD_TYPES)
    assert len(set(EVENT_KINDS)) == len(EVENT_KINDS) == 22
    # the move kinds come from the move table, and the lapse the engine records; the Literal must say the same
    assert MOVE_KINDS == set(EVENT_KIND_OF_MOVE.values()) | {LAPSE_KIND} == set(get_args(MoveEventKind))
    # recordable: every fact but the creation, which `create` makes, the moves, which the moves make,
    # and a change of workflow, which `upgrade_workflow` makes
    made_otherwise = ("initiative_created", "workflow_changed")
    derived = tuple(kind for kind in EVENT_KINDS if kind not in made_otherwise and kind not in MOVE_KINDS)
    assert derived == RECORDABLE_KINDS


def test_the_move_view_holds_every_key_a_move_may_carry() -> None:
    move_keys = set().union(*(set().union(*_schema_keys(kind)) for kind in sorted(MOVE_KINDS)))
    view = MoveData.__required_keys__ | MoveData.__optional_keys__
    assert view == move_keys
    # `from` and `to` are in every move as stored: a hand-off has them filled in when admitted
    assert MoveData.__required_keys__ == {"from", "to"}


@given(kind=st.sampled_from(EVENT_KINDS), leave_out=st.sets(st.text(min_size=1, max_size=12)))
def test_stored_data_keeps_to_its_typed_keys(kind: EventKind, leave_out: set[str]) -> None:
    """What validation stores has every required key of the TypedDict and no key outside it."""
    optional = set(FULL_DATA[kind]) - set(REQUIRED_FIELDS[kind])
    data = {key: value for key, value in FULL_DATA[kind].items() if key not in (leave_out & optional)}
    line = {"initiative": "typed", "kind": kind, "at": "2024-01-01", "data": data}
    stored = validate_event(line).data
    typed = PAYLOAD_TYPES[kind]
    assert set(typed.__required_keys__) <= set(stored), (kind, stored)
    assert set(stored) <= set(typed.__required_keys__) | set(typed.__optional_keys__), (kind, stored)


def test_an_unreadable_moment_is_one_of_our_errors() -> None:
    with pytest.raises(MomentError) as raised:
        parse_at("20190201")
    assert isinstance(raised.value, EventError) and isinstance(raised.value, CooperationError)
    assert isinstance(raised.value, ValueError)  # so pydantic reports it at its place


# Each line marked `# error` must be reported by mypy, and no other line.
_MISUSE = """
from cooperation.engine.events import Event
from cooperation.engine.payloads import move_payload, payload
from cooperation.registry import Registry


def record(registry: Registry) -> None:
    registry.record("it", "participant_joined", {"name": "Ada", "community": "technical", "role": "owner"})
    registry.record("it", "participant_joind", {"name": "Ada", "community": "technical"})  # error
    registry.record("it", "participant_joined", {"nam": "Ada", "community": "technical"})  # error
    registry.record("it", "participant_joined", {"name": "Ada", "community": "technicians"})  # error
    registry.record("it", "evidence_recorded", {"condition": "c", "text": "Noted.", "tlp": "TLP:PINK"})  # error
    registry.record("it", "initiative_created", {"name": "It", "workflow": "w"})  # error
    registry.record("it", "score_set", {"parameter": "p", "level": 2})


def read(event: Event) -> str:
    joined = payload(event, "participant_joined")
    joined["nam"]  # error
    payload(event, "participant_joind")  # error
    event.data["name"]  # error
    move_payload(event)["too"]  # error
    Event("it", "meeting_hold", "2024-01-01", {"attendees": ["Ada"]})  # error
    return joined["name"] + move_payload(event)["to"] + joined.get("role", "member")
"""


def test_mypy_reports_a_misspelt_kind_or_key(tmp_path: Path) -> None:
    snippet = tmp_path / "misuse.py"
    snippet.write_text(_MISUSE)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), str(snippet)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    reported = {int(line) for line in re.findall(r"misuse\.py:(\d+): error", result.stdout)}
    expected = {number for number, text in enumerate(_MISUSE.splitlines(), start=1) if text.endswith("# error")}
    assert reported == expected, result.stdout + result.stderr
