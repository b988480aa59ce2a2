"""The record as evidence (issue 14): the store's clock, `coop audit` and `--expect`, and export and
import in both formats, through the API and the command line, on the real SQLite store."""

from __future__ import annotations

import getpass
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.errors import FutureEventError, TamperedRecordError
from cooperation.registry import Registry
from cooperation.stores.appending import FUTURE_TOLERANCE
from cooperation.stores.sqlite import SqliteStore

RUNNER = CliRunner()


def coop(db: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, [*args, "--db", str(db)], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    """A registry with two initiatives, written one event at a time."""
    path = tmp_path / "coop.db"
    with Registry.open(path) as registry:
        for name in ("Alpha", "Beta"):
            initiative = registry.create(name, workflow="cooperation-maturity", by="Ada", at="2024-01-01")
            registry.join(initiative, "Ada", community="technical", role="owner", by="Ada", at="2024-01-02")
            registry.evidence(initiative, "challenge", f"{name}: routers ship with default passwords", by="Ada")
    yield path


# --- the store's clock ------------------------------------------------------------------------


def test_a_client_a_year_ahead_is_refused_by_the_store_and_blocks_no_one(db: Path) -> None:
    ahead = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    with SqliteStore(db, create=False) as store:
        skewed, honest = Registry(store, clock=lambda: ahead), Registry(store)
        before = store.head()
        with pytest.raises(FutureEventError, match="ahead of the registry's clock"):
            skewed.evidence("alpha", "challenge", "dated by a fast clock", by="Ada")  # undated: the client's now
        with pytest.raises(FutureEventError):
            skewed.join("alpha", "Mallory", community="business", by="Ada")
        assert store.head() == before  # nothing was written
        honest.evidence("alpha", "challenge", "dated by a right clock", by="Ada")
        honest.join("alpha", "Ben", community="business", by="Ada")
        honest.breach("beta", "a leak", by="Ada")
        assert [event.kind for event in honest.history("alpha")][-2:] == ["evidence_recorded", "participant_joined"]


def test_a_clock_a_little_fast_is_forgiven(db: Path) -> None:
    slightly = datetime.now(UTC).replace(microsecond=0) + FUTURE_TOLERANCE - timedelta(minutes=1)
    with SqliteStore(db, create=False) as store:
        Registry(store, clock=lambda: slightly).evidence("alpha", "challenge", "a minute inside", by="Ada")
        assert store.clock() < slightly


def test_the_cli_refuses_a_future_date_with_exit_2_and_writes_nothing(db: Path) -> None:
    before = coop(db, "export")[1]
    future = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    code, _, error = coop(db, "evidence", "alpha", "challenge", "from the future", "--by", "Ada", "--at", future)
    assert code == 2 and "future" in error and "Traceback" not in error
    assert coop(db, "export")[1] == before


# --- the audit --------------------------------------------------------------------------------


def _tamper(db: Path, statement: str) -> None:
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("DROP TRIGGER events_append_only_edit")
    connection.execute("DROP TRIGGER events_append_only_removal")
    connection.executescript(statement)
    connection.close()


def test_audit_prints_the_head_and_expect_accepts_it_and_any_earlier_one(db: Path) -> None:
    code, out, _ = coop(db, "audit")
    assert code == 0 and out.startswith("sound: 6 events chained, head ")
    head = out.split("head ", 1)[1].strip()
    with Registry.open(db, create=False) as registry:
        assert str(registry.audit()) == head == str(registry.head())
        registry.evidence("beta", "challenge", "one more", by="Ada")
    assert coop(db, "audit", "--expect", head)[0] == 0  # a later record still holds an earlier head
    code, out, _ = coop(db, "audit", "--json")
    assert code == 0 and json.loads(out)["position"] == 7


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE events SET actor = 'Mallory' WHERE initiative = 'alpha' AND seq = 3", "position 3"),
        ("DELETE FROM events WHERE position = 2", "position 2 is missing"),
        (
            "INSERT INTO events VALUES ('alpha', 4, 'stage_advanced', '2024-02-01', 'Ada', "
            '\'{"from":"challenge","to":"ownership"}\', \'2024-02-01T00:00:00.000000Z\', \'x\', 7, \''
            + "a" * 64
            + "')",
            "position 7",
        ),
        (
            "UPDATE events SET position = -1 WHERE position = 1; UPDATE events SET position = 1 WHERE position = 2; "
            "UPDATE events SET position = 2 WHERE position = -1",
            "position 1",
        ),
    ],
    ids=["altered", "removed", "inserted", "reordered"],
)
def test_audit_names_the_first_event_changed_around_coop_with_exit_1(db: Path, statement: str, named: str) -> None:
    code, out, _ = coop(db, "audit")
    head = out.split("head ", 1)[1].strip()
    _tamper(db, statement)
    code, out, error = coop(db, "audit")
    assert code == 1 and out == "" and named in error and "Traceback" not in error
    assert coop(db, "audit", "--expect", head)[0] == 1


def test_expect_names_a_head_the_record_no_longer_holds(db: Path) -> None:
    with Registry.open(db, create=False) as registry:
        head = registry.head()
    forged = f"{'0' * 64}@{head.position}"
    code, _, error = coop(db, "audit", "--expect", forged)
    assert code == 1 and "published earlier" in error
    code, _, error = coop(db, "audit", "--expect", f"{head.hash}@{head.position + 5}")
    assert code == 1 and "past the end" in error
    code, _, error = coop(db, "audit", "--expect", "not-a-head")
    assert code == 2 and "HASH" not in error and "64 hex digits" in error
    with Registry.open(db, create=False) as registry, pytest.raises(TamperedRecordError):
        registry.audit(expect=forged)


# --- export and import ------------------------------------------------------------------------


def test_export_v2_imports_into_an_empty_registry_with_the_same_chain_and_accounts(db: Path, tmp_path: Path) -> None:
    exported = coop(db, "export")[1]
    header, *lines = exported.splitlines()
    assert json.loads(header) == {"coop_export": 2, "chain": "whole", "head": coop(db, "audit")[1].split()[-1]}
    records = [json.loads(line) for line in lines]
    # the text of each workflow the initiatives are pinned to is carried once, before the events
    assert [record["coop_workflow"]["id"] for record in records if "coop_workflow" in record] == [
        "cooperation-maturity"
    ]
    first = next(record for record in records if "coop_workflow" not in record)
    assert (first["position"], first["seq"], first["recorded_by"]) == (1, 1, getpass.getuser())
    fresh = tmp_path / "fresh.db"
    code, out, _ = coop(fresh, "import", "-", stdin=exported)
    assert code == 0 and "kept from the file" in out
    assert coop(fresh, "export")[1] == exported
    assert coop(fresh, "history", "alpha", "--json")[1] == coop(db, "history", "alpha", "--json")[1]
    assert (
        coop(fresh, "status", "--all", "--json", "--as-of", "2030-01-01")[1]
        == coop(db, "status", "--all", "--json", "--as-of", "2030-01-01")[1]
    )


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (lambda lines: [*lines[:3], lines[3].replace('"by":"Ada"', '"by":"Mallory"'), *lines[4:]], 4),
        (lambda lines: [*lines[:3], *lines[4:]], 4),  # a line removed
        (lambda lines: [*lines[:3], lines[4], lines[3], *lines[5:]], 4),  # two lines swapped
        (lambda lines: [*lines[:2], lines[2].replace('"recorded_by":"', '"recorded_by":"x'), *lines[3:]], 3),
    ],
    ids=["altered", "removed", "reordered", "account"],
)
def test_an_export_whose_chain_does_not_verify_is_refused_naming_the_line(
    db: Path, tmp_path: Path, change: object, line: int
) -> None:
    lines = coop(db, "export")[1].splitlines()
    broken = "\n".join(change(lines)) + "\n"  # type: ignore[operator]
    fresh = tmp_path / "fresh.db"
    code, _, error = coop(fresh, "import", "-", stdin=broken)
    assert code == 2 and f"<stdin>:{line}: the export's hash chain does not verify" in error
    with Registry.open(fresh) as registry:
        assert registry.initiatives() == []


def test_a_truncated_export_is_refused(db: Path, tmp_path: Path) -> None:
    lines = coop(db, "export")[1].splitlines()
    code, _, error = coop(tmp_path / "fresh.db", "import", "-", stdin="\n".join(lines[:-1]) + "\n")
    assert code == 2 and "lines were removed" in error


def test_export_v1_still_imports_and_gets_this_registrys_accounts(db: Path, tmp_path: Path) -> None:
    v1 = coop(db, "export", "--format", "v1")[1]
    assert "coop_export" not in v1 and "recorded_at" not in v1
    fresh = tmp_path / "fresh.db"
    code, out, _ = coop(fresh, "import", "-", stdin=v1)
    assert code == 0 and "kept" not in out
    assert coop(fresh, "export", "--format", "v1")[1] == v1
    assert coop(fresh, "audit")[0] == 0


def test_export_of_one_initiative_carries_the_previous_hash_and_verifies(db: Path, tmp_path: Path) -> None:
    exported = coop(db, "export", "beta")[1]
    header, *lines = exported.splitlines()
    assert json.loads(header)["chain"] == "part"
    events = [event for event in map(json.loads, lines) if "coop_workflow" not in event]  # not workflow texts
    assert all("prev" in event for event in events) and len(events) == 3
    assert coop(tmp_path / "fresh.db", "import", "-", stdin=exported)[0] == 0
    forged = exported.replace("default passwords", "no passwords")
    code, _, error = coop(tmp_path / "other.db", "import", "-", stdin=forged)
    assert code == 2 and "does not verify" in error
