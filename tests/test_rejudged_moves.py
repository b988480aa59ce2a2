"""Moves re-judged on read: a move written around coop that did not fit when it was made is not
honoured; the initiative stays where the valid moves put it, and the status names the move."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import ENGINE_LADDER

from cooperation.engine.events import Event
from cooperation.engine.facts import fold, time_ordered
from cooperation.engine.rejudge import judged_fold
from cooperation.errors import EventError
from cooperation.registry import Registry
from cooperation.testing import event_logs
from cooperation.views.status_text import status_text

BUILTIN = "cooperation-maturity"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    """Initiative 'pilot' at its first stage, created by Ada; Obs is an observer."""
    path = tmp_path / "coop.db"
    with Registry.open(path) as registry:
        registry.create("Pilot", workflow=BUILTIN, initiative="pilot", by="Ada", community="technical", at="2018-01-01")
        registry.join("pilot", "Obs", community="media", role="observer", by="Ada", at="2018-01-01")
    yield path


def _insert(db: Path, kind: str, at: str, by: str | None, data: dict[str, str]) -> int:
    """Write a row as a raw INSERT, around coop (the append-only triggers refuse only rewrites)."""
    with sqlite3.connect(db) as connection:
        (seq,) = connection.execute("SELECT max(seq) + 1 FROM events WHERE initiative = 'pilot'").fetchone()
        connection.execute(
            "INSERT INTO events (initiative, seq, kind, at, actor, data, recorded_at, recorded_by) "
            "VALUES ('pilot', ?, ?, ?, ?, ?, '2018-01-05T00:00:00.000000Z', 'mallory')",
            (seq, kind, at, by, json.dumps(data)),
        )
    return int(seq)


def _ready_for_ownership(registry: Registry) -> None:
    """Record what the pilot needs to move to ownership, on 2018-01-06 and 07."""
    for condition, text in (("challenge", "A problem"), ("owner-declared", "Ada owns it")):
        registry.evidence("pilot", condition, text, by="Ada", at="2018-01-06")
    registry.join("pilot", "Ben", community="business", by="Ada", at="2018-01-06")
    registry.join("pilot", "Cy", community="government", by="Ada", at="2018-01-06")
    registry.meet("pilot", ["Ada", "Ben", "Cy"], neutral=True, by="Ada", at="2018-01-07")
    for name in ("Ada", "Ben", "Cy"):
        registry.attest("pilot", "voluntary", by=name, at="2018-01-07")


FORGERIES = [
    ("stage_advanced", "Ada", {"from": "challenge", "to": "result"}, "goes to 'ownership', not 'result'"),
    ("stage_advanced", "Ada", {"from": "challenge", "to": "ownership"}, "its prerequisites were unmet at 2018-01-05"),
    ("stage_advanced", "Obs", {"from": "challenge", "to": "ownership"}, "Obs was observer"),
    ("stage_advanced", "Zed", {"from": "challenge", "to": "ownership"}, "Zed was not a current participant"),
    ("stage_advanced", None, {"from": "challenge", "to": "ownership"}, "no one made it"),
    ("stage_advanced", "Ada", {"from": "trust", "to": "common-cause"}, "it leaves 'trust'"),
    ("stage_regressed", "Ada", {"from": "challenge", "to": "trust", "reason": "x", "transition": "nope"}, "no regress"),
]


@pytest.mark.parametrize(("kind", "by", "data", "why"), FORGERIES, ids=[f[3][:30] for f in FORGERIES])
def test_a_forged_move_is_not_honoured_and_is_named(
    db: Path, kind: str, by: str | None, data: dict[str, str], why: str
) -> None:
    seq = _insert(db, kind, "2018-01-05", by, data)
    with Registry.open(db) as registry:
        status = registry.status("pilot")
        assert status.stage == "challenge"
        [invalid] = status.invalid_moves
        assert (invalid.seq, invalid.kind, invalid.at) == (seq, kind, "2018-01-05") and why in invalid.why
        assert status.to_json()["invalid_moves"] == [{"seq": seq, "kind": kind, "at": "2018-01-05", "why": invalid.why}]
        assert f"NOT HONOURED: {kind} #{seq} at 2018-01-05: {invalid.why}" in status_text(status)
        [listed] = list(registry.statuses())
        assert listed.stage == "challenge" and listed.invalid_moves == status.invalid_moves


def test_a_valid_move_after_a_forged_one_still_counts(db: Path) -> None:
    forged = _insert(db, "stage_advanced", "2018-01-05", "Ada", {"from": "challenge", "to": "result"})
    with Registry.open(db) as registry:
        _ready_for_ownership(registry)
        assert registry.advance("pilot", by="Ada", at="2018-01-08").stage == "ownership"
        status = registry.status("pilot")
        assert status.stage == "ownership" and [move.seq for move in status.invalid_moves] == [forged]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=event_logs(ENGINE_LADDER, max_steps=40))
def test_every_move_coop_made_is_honoured(log: list[Event]) -> None:
    """Logs made through the registry: re-judging honours every move, so the fold is the plain fold."""
    from cooperation.definition.catalog import get_workflow

    workflow = get_workflow(ENGINE_LADDER)
    ordered = time_ordered(log)
    judged = judged_fold("example", ordered, workflow)
    plain = fold("example", ordered, start=workflow.start)
    assert judged.invalid_moves == []
    assert (judged.stage, judged.moves) == (plain.stage, plain.moves)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=event_logs(ENGINE_LADDER, max_steps=40), data=st.data())
def test_a_move_dropped_from_a_log_makes_every_later_move_from_its_target_invalid(
    log: list[Event], data: st.DataObject
) -> None:
    """Take a move out: the ones after it that left its target no longer fit, and none is honoured blindly."""
    from cooperation.definition.catalog import get_workflow
    from cooperation.engine.events import MOVE_KINDS

    moves = [event for event in log if event.kind in MOVE_KINDS and event.by is not None]
    if not moves:
        return
    dropped = data.draw(st.sampled_from(moves))
    workflow = get_workflow(ENGINE_LADDER)
    rest = [event for event in log if event is not dropped]
    judged = judged_fold("example", time_ordered(rest), workflow)
    following = [e for e in rest if e.kind in MOVE_KINDS and e.seq > dropped.seq]
    if following and following[0].data.get("from") == dropped.data.get("to") != dropped.data.get("from"):
        assert following[0].seq in {move.seq for move in judged.invalid_moves}
    assert all(move.at >= dropped.at for move in judged.invalid_moves)


def test_a_move_not_honoured_is_named_until_a_steward_withdraws_it(db: Path) -> None:
    forged = _insert(db, "stage_advanced", "2018-01-05", "Ada", {"from": "challenge", "to": "result"})
    with Registry.open(db) as registry:
        registry.join("pilot", "Ben", community="business", by="Ada", at="2018-01-06")
        with pytest.raises(EventError, match=r"owner or secretariat"):
            registry.withdraw("pilot", forged, reason="Written around coop", by="Ben")  # a member: not theirs to do
        registry.withdraw("pilot", forged, reason="Written around coop; see the audit", by="Ada", at="2018-01-07")
        status = registry.status("pilot")
        assert (status.stage, status.invalid_moves) == ("challenge", [])
        history = registry.history("pilot")
        assert [event.kind for event in history if event.seq == forged] == ["stage_advanced"]  # kept, marked


def test_a_move_that_was_honoured_cannot_be_withdrawn(db: Path) -> None:
    with Registry.open(db) as registry:
        _ready_for_ownership(registry)
        registry.advance("pilot", by="Ada", at="2018-01-08")
        moved = registry.history("pilot")[-1].seq
        before = registry.store.version("pilot")
        with pytest.raises(EventError, match="a move that was honoured; a move is undone by another move"):
            registry.withdraw("pilot", moved, reason="Changed our minds", by="Ada", at="2018-01-09")
        assert registry.store.version("pilot") == before
