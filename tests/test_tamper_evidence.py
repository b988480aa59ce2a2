"""`audit` finds every single-row alteration (of each column), removal, insertion and reordering,
made around coop on both stores: with SQLite's append-only triggers dropped, or PostgreSQL's
disabled by the table's owner. A randomised test: hypothesis picks the registry and the change."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.engine.events import Event
from cooperation.errors import TamperedRecordError
from cooperation.stores.chain import ChainRow, link
from cooperation.stores.protocol import EventStore

COLUMNS = ("initiative", "seq", "kind", "at", "actor", "data", "recorded_at", "recorded_by", "position", "hash")
CHANGES = [*(f"alter {column}" for column in COLUMNS), "remove", "insert", "insert chained", "reorder"]
_counter = itertools.count()


class Raw:
    """Plain SQL on a store's tables, behind its back, with the append-only guards out of the way."""

    def __init__(self, execute: Callable[[str, tuple[Any, ...]], list[Any]], table: str, pg: bool) -> None:
        self.execute, self.table, self.pg = execute, table, pg


def _sqlite(folder: Path) -> tuple[EventStore, Raw, Callable[[], None]]:
    from cooperation.stores.sqlite import SqliteStore

    path = folder / f"r{next(_counter)}.db"
    store = SqliteStore(path)
    connection = sqlite3.connect(path, isolation_level=None)

    def execute(statement: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        connection.execute("DROP TRIGGER IF EXISTS events_append_only_edit")
        connection.execute("DROP TRIGGER IF EXISTS events_append_only_removal")
        return connection.execute(statement.replace("%s", "?"), parameters).fetchall()

    def close() -> None:
        connection.close()
        store.close()

    return store, Raw(execute, "events", pg=False), close


def _postgresql(folder: Path) -> tuple[EventStore, Raw, Callable[[], None]]:
    import psycopg
    from postgres_server import registry_url

    from cooperation.stores.postgres import PostgresStore

    url = registry_url(folder / f"r{next(_counter)}")
    store = PostgresStore(url)
    connection = psycopg.connect(url, autocommit=True)  # the server's superuser: the table's owner, and more

    def execute(statement: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        connection.execute("ALTER TABLE coop_events DISABLE TRIGGER coop_events_append_only")
        try:
            cursor = connection.execute(statement.replace("?", "%s"), parameters)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []
        finally:
            connection.execute("ALTER TABLE coop_events ENABLE TRIGGER coop_events_append_only")

    def close() -> None:
        connection.close()
        store.close()

    return store, Raw(execute, "coop_events", pg=True), close


def _rows(store: EventStore) -> list[ChainRow]:
    return list(store.chain_rows())


def _tamper(raw: Raw, rows: list[ChainRow], change: str, pick: int) -> None:
    """Make one change to one row (a reordering swaps two rows' places)."""
    row = rows[pick % len(rows)]
    key = (row.initiative, row.seq)
    where = "WHERE initiative = %s AND seq = %s"
    if change.startswith("alter "):
        column = change.removeprefix("alter ")
        raw.execute(f"UPDATE {raw.table} SET {column} = %s {where}", (_other(raw, row, column), *key))
    elif change == "remove":
        raw.execute(f"DELETE FROM {raw.table} {where}", key)
    elif change == "reorder":
        other = rows[(pick + 1) % len(rows)]
        assert other.position is not None and row.position is not None
        raw.execute(f"UPDATE {raw.table} SET position = -1 {where}", key)
        raw.execute(f"UPDATE {raw.table} SET position = %s {where}", (row.position, other.initiative, other.seq))
        raw.execute(f"UPDATE {raw.table} SET position = %s WHERE position = -1", (other.position,))
    else:  # an insertion at the end, by someone who may even know how to chain it
        last = rows[-1]
        seq = max(r.seq for r in rows if r.initiative == row.initiative) + 1
        data, recorded_at = '{"to":"result"}', "2024-01-01T00:00:00.000000Z"
        assert last.hash is not None and last.position is not None
        chained = link(
            last.hash, row.initiative, seq, "stage_advanced", "2024-01-01", "mallory", data, recorded_at, "x"
        )
        forged = chained if change == "insert chained" else "f" * 64
        values = (row.initiative, seq, "stage_advanced", "2024-01-01", "mallory", data, recorded_at, "x")
        raw.execute(
            f"INSERT INTO {raw.table} (initiative, seq, kind, at, actor, data, recorded_at, recorded_by, "
            "position, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (*values, last.position + 1, forged),
        )


def _other(raw: Raw, row: ChainRow, column: str) -> Any:
    """A value for `column` that differs from the row's, and that the table accepts."""
    return {
        "initiative": row.initiative + "-forged",
        "seq": row.seq + 1000,
        "kind": "stage_advanced" if row.kind != "stage_advanced" else "meeting_held",
        "at": "2001-01-01" if row.at != "2001-01-01" else "2002-02-02",
        "actor": (row.by or "") + "mallory",
        "data": '{"forged":true}',
        "recorded_at": "2001-01-01T00:00:00.000000Z",
        "recorded_by": (row.recorded_by or "") + "mallory",
        "position": (row.position or 0) + 1000,
        "hash": "e" * 64,
    }[column]


logs = st.lists(
    st.tuples(st.sampled_from(["alpha", "beta", "gamma"]), st.integers(0, 3), st.none() | st.sampled_from(["ada"])),
    min_size=2,
    max_size=12,
)


@pytest.mark.parametrize("make", [pytest.param(_sqlite, id="sqlite"), pytest.param(_postgresql, id="postgresql")])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=logs, change=st.sampled_from(CHANGES), pick=st.integers(0, 1000))
def test_the_audit_finds_any_single_change_made_around_coop(
    make: Callable[[Path], tuple[EventStore, Raw, Callable[[], None]]],
    tmp_path: Path,
    writes: list[tuple[str, int, str | None]],
    change: str,
    pick: int,
) -> None:
    store, raw, close = make(tmp_path)
    try:
        for initiative, n, by in writes:  # one append each: the chain runs across initiatives
            version = store.version(initiative)
            store.append(
                initiative, [Event(initiative, "meeting_held", "2019-02-01", {"n": n}, by)], expected_version=version
            )
        rows = _rows(store)
        head = store.audit()
        assert head.position == len(writes)
        _tamper(raw, rows, change, pick)
        with pytest.raises(TamperedRecordError):
            store.audit()
        with pytest.raises(TamperedRecordError):
            store.audit(expect=head)
    finally:
        close()
