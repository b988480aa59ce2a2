"""The documented PostgreSQL roles (README, "PostgreSQL roles"), each a real login role holding
exactly the documented rights: the writer appends only through coop's function, can choose
neither an event's place nor its accounts, and imports any number of initiatives; a rewrite
by the table's owner is caught by the audit. (The store contract suite runs as the writer too.)"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

if not os.environ.get("CI"):  # in CI a missing psycopg must fail, not skip
    pytest.importorskip("psycopg", reason='psycopg is not installed (pip install ".[postgres]")')

import psycopg
from postgres_server import PostgresServer

from cooperation.engine.events import Event
from cooperation.errors import StoreError, TamperedRecordError
from cooperation.stores.postgres import PostgresStore


def event(initiative: str, n: int = 1, kind: str = "meeting_held") -> Event:
    return Event(initiative=initiative, kind=kind, at="2019-02-01", data={"n": n}, by="alice")


@pytest.fixture
def roles(postgres_server: PostgresServer, tmp_path: Path) -> dict[str, str]:
    return postgres_server.role_urls(str(tmp_path))


@pytest.fixture
def writer(roles: dict[str, str]) -> Iterator[PostgresStore]:
    with PostgresStore(roles["writer"], create=False) as store:
        store.append("pilot", [event("pilot", 1), event("pilot", 2)], expected_version=0)
        yield store


def _role(url: str) -> str:
    return url.split("://", 1)[1].split(":", 1)[0]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO coop_events (initiative, seq, kind, at, actor, data, position, hash) "
        "VALUES ('pilot', 3, 'stage_advanced', '2019-03-01', 'mallory', '{}', 3, 'x')",
        "UPDATE coop_events SET actor = 'mallory'",
        "DELETE FROM coop_events",
        "UPDATE coop_meta SET value = 'x' WHERE key = 'chain_head'",
        "SELECT coop_append_rows(ARRAY['pilot'], ARRAY[2], ARRAY['pilot'], ARRAY['meeting_held'], "
        "ARRAY['2019-02-01'], ARRAY['bob'], ARRAY['{}'], ARRAY['2019-02-01T00:00:00.000000Z'], ARRAY['someone'])",
    ],
    ids=["insert", "update", "delete", "meta", "restore-path"],
)
def test_a_writer_cannot_write_around_the_append_function(
    roles: dict[str, str], writer: PostgresStore, statement: str
) -> None:
    with (
        psycopg.connect(roles["writer"], autocommit=True) as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        connection.execute(statement)
    assert writer.version("pilot") == 2
    assert writer.audit().position == 2


def test_the_writer_is_recorded_by_the_server_and_cannot_restore_accounts(
    roles: dict[str, str], writer: PostgresStore
) -> None:
    forged = Event("pilot", "meeting_held", "2019-02-02", {"n": 3}, "alice", 0, "2001-01-01T00:00:00.000000Z", "ada")
    writer.append_batches({"pilot": (2, [forged])}, keep_provenance=True)

    stored = writer.read("pilot")[-1]
    assert stored.recorded_by == _role(roles["writer"]) == writer.account
    assert stored.recorded_at is not None and not stored.recorded_at.startswith("2001")
    assert not writer.keeps_provenance
    with PostgresStore(roles["admin"], create=False) as admin:
        assert admin.keeps_provenance
        admin.append_batches({"pilot": (3, [forged])}, keep_provenance=True)
        restored = admin.read("pilot")[-1]
        assert (restored.recorded_at, restored.recorded_by) == ("2001-01-01T00:00:00.000000Z", "ada")
        assert admin.audit().position == 4


def test_a_writer_appends_to_more_logs_at_once_than_any_lock_limit(writer: PostgresStore) -> None:
    batches = {f"i{number:03}": (0, [event(f"i{number:03}")]) for number in range(150)}
    writer.append_batches(batches)
    assert len(writer.initiatives()) == 151
    assert writer.audit().position == 152


def test_a_reader_reads_and_audits_but_cannot_append(roles: dict[str, str], writer: PostgresStore) -> None:
    with PostgresStore(roles["reader"], create=False) as reader:
        assert reader.audit() == writer.audit()
        assert [e.seq for e in reader.read("pilot")] == [1, 2]
        with pytest.raises(StoreError, match="GRANT EXECUTE ON FUNCTION"):
            reader.append("pilot", [event("pilot", 3)], expected_version=2)


def test_the_owner_rewriting_rows_is_caught_by_the_audit(roles: dict[str, str], writer: PostgresStore) -> None:
    head = writer.audit()
    with psycopg.connect(roles["admin"], autocommit=True) as owner:
        owner.execute("ALTER TABLE coop_events DISABLE TRIGGER coop_events_append_only")
        owner.execute("UPDATE coop_events SET actor = 'mallory' WHERE seq = 1")
        owner.execute("ALTER TABLE coop_events ENABLE TRIGGER coop_events_append_only")
    with pytest.raises(TamperedRecordError, match=r"position 1 .*does not match its hash"):
        writer.audit()
    with pytest.raises(TamperedRecordError):
        writer.audit(expect=head)


def test_the_writer_holds_no_right_to_insert_into_the_events_table(
    roles: dict[str, str], writer: PostgresStore
) -> None:
    with psycopg.connect(roles["writer"], autocommit=True) as connection:
        rights = connection.execute(
            "SELECT has_table_privilege('coop_events', 'INSERT'), has_table_privilege('coop_events', 'SELECT')"
        ).fetchone()
    assert rights == (False, True)
