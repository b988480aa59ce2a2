"""Corrections and late facts through `coop`, end to end, as a coordinator meets them (issue 15).

A mistyped initiative renamed or withdrawn; evidence withdrawn, its condition unmet again and
the stage at risk; a forgotten meeting recorded after a later move and shown as late; what the
registry knew at a date (`--known-at`). Dates are relative to today: the CLI runs on the real clock.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_cli_registry import coop, day

from cooperation.registry import Registry
from cooperation.stores.sqlite import SqliteStore

PILOT = "no-defualt-pasword"  # the id as mistyped at `coop new`
RIGHT = "no-default-passwords"


def ok(db: Path, *args: str) -> str:
    result = coop(db, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def refused(db: Path, *args: str) -> str:
    """Run a command that must be refused as a user's mistake (exit 2), writing nothing."""
    before = ok(db, "export")
    result = coop(db, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert ok(db, "export") == before
    return result.stderr


def status(db: Path, *args: str) -> dict[str, Any]:
    return json.loads(ok(db, "status", *args, "--json"))  # type: ignore[no-any-return]


def history(db: Path, initiative: str) -> list[dict[str, Any]]:
    """The history as JSON, each event with its place in the log (`seq`, as the text shows it)."""
    events = json.loads(ok(db, "history", initiative, "--json"))
    return [{**event, "seq": place} for place, event in enumerate(events, start=1)]


@pytest.fixture
def pilot(tmp_path: Path) -> Path:
    """An initiative at `ownership`, entered on day 10 with its prerequisites met."""
    db = tmp_path / "coop.db"
    ok(db, "new", "No default passwords", "--id", PILOT, "--by", "Ada", "--community", "technical", "--at", day(0))
    ok(db, "join", PILOT, "Ben", "-c", "business", "-r", "member", "--by", "Ada", "--at", day(1))
    ok(db, "join", PILOT, "NIST", "-c", "government", "--by", "Ada", "--at", day(1))
    ok(db, "evidence", PILOT, "challenge", "Botnets use default passwords", "--by", "Ada", "--at", day(2))
    ok(db, "evidence", PILOT, "owner-declared", "Ada's group will own it", "--by", "Ada", "--at", day(2))
    ok(db, "meet", PILOT, "Ada", "Ben", "NIST", "--by", "Ada", "--at", day(3))
    ok(db, "advance", PILOT, "--by", "Ada", "--at", day(10))
    return db


def _seq(db: Path, kind: str, condition: str | None = None) -> int:
    return next(
        event["seq"]
        for event in history(db, PILOT)
        if event["kind"] == kind and (condition is None or event["data"].get("condition") == condition)
    )


def test_withdrawn_evidence_leaves_its_condition_unmet_and_the_stage_at_risk(pilot: Path) -> None:
    assert status(pilot, PILOT)["at_risk"] is False
    seq = _seq(pilot, "evidence_recorded", "owner-declared")
    # only its author or an owner/secretariat may withdraw it; the refusal writes nothing
    assert "Ben (member) may not withdraw" in refused(
        pilot, "withdraw", PILOT, str(seq), "--reason", "x", "--by", "Ben"
    )
    ok(pilot, "withdraw", PILOT, str(seq), "--reason", "Ada's group declined", "--by", "Ada", "--at", day(20))
    now = status(pilot, PILOT)
    assert now["stage"] == "ownership"  # the move stands as made
    assert now["at_risk"] is True and now["at_risk_conditions"] == ["ownership"]  # which needs owner-declared
    owner = next(c for c in now["conditions"] if c["condition"] == "owner-declared")
    assert owner["met"] is False
    assert "AT RISK" in ok(pilot, "status", PILOT)
    # before the withdrawal, the evidence still counted
    assert status(pilot, PILOT, "--as-of", day(15))["at_risk"] is False
    # the history keeps both, the original marked
    events = {event["seq"]: event for event in history(pilot, PILOT)}
    withdrawal = events[seq]["withdrawn"]
    assert events[withdrawal["by_event"]]["kind"] == "fact_withdrawn"
    assert (withdrawal["by"], withdrawal["reason"], withdrawal["at"]) == ("Ada", "Ada's group declined", day(20))
    assert f"WITHDRAWN by #{withdrawal['by_event']} on {day(20)}: Ada's group declined" in ok(pilot, "history", PILOT)


def test_a_withdrawal_is_refused_for_what_is_missing_not_a_fact_or_already_withdrawn(pilot: Path) -> None:
    seq = _seq(pilot, "evidence_recorded", "challenge")
    joined = _seq(pilot, "participant_joined")
    assert f"{PILOT} has no event #99" in refused(pilot, "withdraw", PILOT, "99", "--reason", "x", "--by", "Ada")
    message = refused(pilot, "withdraw", PILOT, str(joined), "--reason", "x", "--by", "Ada")
    assert f"event #{joined} of {PILOT} is a participant_joined; only evidence, attestations and waivers" in message
    ok(pilot, "withdraw", PILOT, str(seq), "--reason", "wrong condition", "--by", "Ada")
    message = refused(pilot, "withdraw", PILOT, str(seq), "--reason", "again", "--by", "Ada")
    assert f"event #{seq} of {PILOT} was already withdrawn" in message
    assert refused(pilot, "withdraw", PILOT, "0", "--reason", "x", "--by", "Ada")  # not a place in a log


def test_a_forgotten_meeting_is_recorded_after_a_later_move_and_shown_as_late(pilot: Path) -> None:
    advanced = _seq(pilot, "stage_advanced")
    # held before the move of day 10, recorded after it
    ok(pilot, "meet", PILOT, "Ada", "Ben", "--by", "Ben", "--at", day(5))
    late = history(pilot, PILOT)[-1]
    assert (late["kind"], late["at"], late["late"]) == (
        "meeting_held",
        day(5),
        {"after_move": advanced, "move_at": day(10)},
    )
    assert f"[LATE: recorded after the move #{advanced} of {day(10)}]" in ok(pilot, "history", PILOT)
    assert status(pilot, PILOT)["stage"] == "ownership"  # the move stands as made
    meetings = next(c for c in status(pilot, PILOT)["conditions"] if c["condition"] == "first-meeting")
    assert meetings["met"]


def test_a_mistyped_initiative_is_found_by_its_new_id(pilot: Path) -> None:
    assert "already found by the id" in refused(pilot, "rename", PILOT, "--alias", PILOT, "--by", "Ada")
    assert "members cannot rename initiatives" in refused(pilot, "rename", PILOT, "--alias", RIGHT, "--by", "Ben")
    ok(pilot, "rename", PILOT, "--alias", RIGHT, "--name", "No default passwords, ever", "--by", "Ada")
    found = status(pilot, RIGHT)
    assert (found["initiative"], found["name"], found["aliases"]) == (PILOT, "No default passwords, ever", [RIGHT])
    assert f"also found as: {RIGHT}" in ok(pilot, "status", RIGHT)
    ok(pilot, "evidence", RIGHT, "perspective", "A way forward", "--by", "Ada")  # recorded under its stored id
    assert history(pilot, RIGHT) == history(pilot, PILOT)
    # an id another initiative has, or was given, is refused
    ok(pilot, "new", "Other", "--id", "other", "--by", "Ben", "--community", "business")
    assert "is taken by another initiative" in refused(pilot, "rename", "other", "--alias", RIGHT, "--by", "Ben")
    assert "is taken by another initiative" in refused(pilot, "rename", "other", "--alias", PILOT, "--by", "Ben")


def test_a_withdrawn_initiative_leaves_the_portfolio_and_the_reports(pilot: Path) -> None:
    ok(pilot, "new", "No defualt pasword", "--id", "tpyo", "--by", "Ada", "--community", "technical")
    assert {item["initiative"] for item in status(pilot, "--all")} == {PILOT, "tpyo"}
    ok(pilot, "archive", "tpyo", "--withdrawn", "--reason", "Created with a mistyped id", "--by", "Ada")
    assert [item["initiative"] for item in status(pilot, "--all")] == [PILOT]
    shown = {item["initiative"]: item for item in status(pilot, "--all", "--include-archived")}
    assert shown["tpyo"]["closed"]["state"] == "withdrawn" and shown[PILOT]["closed"] is None
    assert "WITHDRAWN on" in ok(pilot, "status", "tpyo")  # asked for by id, it is shown, marked
    assert "tpyo" not in ok(pilot, "report", "-f", "json")
    assert "tpyo" in ok(pilot, "report", "-f", "json", "--include-archived")
    assert "takes no new events" in refused(pilot, "join", "tpyo", "Cy", "-c", "academia", "--by", "Ada")
    assert "initiative_created by Ada" in ok(pilot, "history", "tpyo")  # kept for the record
    # archiving, like renaming, is for an owner or secretariat (the creator is the first owner)
    assert "members cannot withdraw or archive initiatives" in refused(
        pilot, "archive", PILOT, "--reason", "Done", "--by", "Ben"
    )


def test_role_change_is_recorded_and_used(pilot: Path) -> None:
    assert "NIST is already a member" in refused(pilot, "role", PILOT, "NIST", "member", "--by", "Ada")
    ok(pilot, "role", PILOT, "NIST", "secretariat", "--by", "Ada")
    assert ok(
        pilot,
        "waive",
        PILOT,
        "anonymisation",
        "--rationale",
        "No data is shared at all, so none to anonymise here.",
        "--by",
        "NIST",
    )


def test_known_at_shows_what_the_registry_knew_then(tmp_path: Path) -> None:
    """A registry written on a clock the test controls, read through `coop status --known-at`."""
    db = tmp_path / "coop.db"
    clock = [datetime.now(UTC) - timedelta(days=30)]
    stamp = lambda: clock[0].strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    with Registry(SqliteStore(db, clock=stamp)) as registry:
        registry.create(
            "Pilot", workflow="cooperation-maturity", initiative="pilot", by="Ada", community="technical", at=day(0)
        )  # the creation and Ada's join as owner: version 2
        clock[0] += timedelta(days=10)
        registry.evidence("pilot", "challenge", "Recorded late", by="Ada", at=day(2))
    known = (clock[0] - timedelta(days=5)).date().isoformat()
    challenge = lambda shown: next(c for c in shown["conditions"] if c["condition"] == "challenge")["met"]  # noqa: E731
    assert challenge(status(db, "pilot")) is True
    assert challenge(status(db, "pilot", "--known-at", known)) is False
    assert [item["version"] for item in status(db, "--all", "--known-at", known)] == [2]
    before = (clock[0] - timedelta(days=20)).date().isoformat()
    assert "not recorded yet" in coop(db, "status", "pilot", "--known-at", before).stderr


def test_a_portfolio_of_archived_initiatives_says_why_none_is_shown(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    ok(db, "new", "Done", "--id", "done", "--by", "Ada", "--community", "technical", "--at", day(0))
    ok(db, "archive", "done", "--reason", "It delivered", "--by", "Ada")
    assert "withdrawn or archived (--include-archived)" in ok(db, "status", "--all")
    assert "done: Done" in ok(db, "status", "--all", "--include-archived")
    assert [item["closed"]["state"] for item in status(db, "--all", "--include-archived")] == ["archived"]
