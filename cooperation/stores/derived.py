"""Rows derived from the logs, kept to spare work on reading: snapshots and materialised statuses.

Neither is the record: the log is. A snapshot (`engine.snapshot`) holds an initiative's judged
facts as of one of its events; a status row holds its status JSON as `coop status --all --json`
prints it, with the version of the log and of the workflow it was computed from and the moment
it stops being valid (`reading.materialised`). Both are checked against the log before use and
ignored when they do not fit, so a missing, stale or damaged row costs time, never a wrong answer;
`coop snapshots --rebuild` drops and fills them again, `--check` recomputes and compares.

The SQLite half lives here (`SQLITE_MIGRATION`, `SqliteDerived`); PostgreSQL's is in
`stores/postgres_derived.py`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, Protocol

from cooperation.engine.events import Event
from cooperation.engine.snapshot import Snapshot
from cooperation.errors import StoreError
from cooperation.stores.shared import log_from_json

SQLITE_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE snapshots (
        initiative   TEXT    NOT NULL PRIMARY KEY,
        seq          INTEGER NOT NULL,
        workflow_key TEXT    NOT NULL,
        body         TEXT    NOT NULL
    )
    """,
    """
    CREATE TABLE statuses (
        initiative   TEXT    NOT NULL PRIMARY KEY,
        seq          INTEGER NOT NULL,
        workflow_key TEXT    NOT NULL,
        reference    TEXT    NOT NULL,
        valid_until  TEXT,
        closed       INTEGER NOT NULL,
        can_advance  INTEGER NOT NULL,
        as_of        TEXT    NOT NULL,
        body         TEXT    NOT NULL
    )
    """,
)
"""The snapshot and status tables, as a migration of the SQLite registry (filled lazily)."""


class StatusRow(NamedTuple):
    """One initiative's materialised status.

    `seq`: the log's version it was computed from; `workflow_key`: the workflow version and code
    (`engine.snapshot.workflow_key`); `reference`: the JSON naming that workflow (as its log does);
    `valid_until`: the instant (ISO 8601) from which it may differ, None for never; `as_of`: the
    moment it was computed for, as written in `body`, the status JSON."""

    initiative: str
    seq: int
    workflow_key: str
    reference: str
    valid_until: str | None
    closed: bool
    can_advance: bool
    as_of: str
    body: str


class Listed(NamedTuple):
    """An initiative as the status listing meets it: its log's version and its status row, if any."""

    initiative: str
    version: int
    row: StatusRow | None


SnapshotRow = tuple[str, Snapshot]
"""An initiative and the snapshot to keep for it."""


class DerivedStore(Protocol):
    """What a store offers for derived rows (both stores keep it; `tests/test_store_contract.py`)."""

    def listed(self) -> Iterator[Listed]:
        """Every initiative, by id, with its version and status row (a page at a time)."""
        ...

    def logs_with_snapshots(self, initiatives: Sequence[str]) -> Iterator[tuple[str, list[Event], Snapshot | None]]:
        """The log and the snapshot of each initiative named (those with events), in the order given."""
        ...

    def listed_one(self, initiative: str) -> Listed | None:
        """One initiative as `listed` gives it (None when it has no events): for reading one status."""
        ...

    def snapshot(self, initiative: str) -> Snapshot | None: ...

    def put_derived(self, snapshots: Sequence[SnapshotRow] = (), statuses: Sequence[StatusRow] = ()) -> None:
        """Keep rows (replacing an initiative's earlier ones); StoreError when the store is read-only."""
        ...

    def drop_derived(self) -> None:
        """Forget every snapshot and status row (they are filled again on reading)."""
        ...


_PUT_SNAPSHOT = "INSERT OR REPLACE INTO snapshots (initiative, seq, workflow_key, body) VALUES (?, ?, ?, ?)"
_PUT_STATUS = (
    "INSERT OR REPLACE INTO statuses (initiative, seq, workflow_key, reference, valid_until, closed, can_advance, "
    "as_of, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The ids a page at a time, each found by one seek past the last (the events' key is (initiative, seq)).
_LISTED = """
    WITH RECURSIVE ids(initiative) AS (
        SELECT (SELECT initiative FROM events WHERE initiative > ? ORDER BY initiative LIMIT 1)
        UNION ALL
        SELECT (SELECT initiative FROM events WHERE initiative > ids.initiative ORDER BY initiative LIMIT 1)
        FROM ids WHERE ids.initiative IS NOT NULL
        LIMIT ?
    )
    SELECT ids.initiative, (SELECT max(seq) FROM events WHERE initiative = ids.initiative),
        s.seq, s.workflow_key, s.reference, s.valid_until, s.closed, s.can_advance, s.as_of, s.body
    FROM ids LEFT JOIN statuses AS s ON s.initiative = ids.initiative
    WHERE ids.initiative IS NOT NULL
"""
_LISTED_ONE = """
    SELECT ?, (SELECT max(seq) FROM events WHERE initiative = ?),
        s.seq, s.workflow_key, s.reference, s.valid_until, s.closed, s.can_advance, s.as_of, s.body
    FROM (SELECT 1) LEFT JOIN statuses AS s ON s.initiative = ?
"""
_PAGE = 500
# The logs of the initiatives named (a JSON array), each as one JSON array as `SqliteStore` reads them.
_SOME_LOGS = """
    SELECT initiative,
        '[' || group_concat(json_array(kind, at, json(data), actor, seq, recorded_at, recorded_by), ',') || ']'
    FROM events WHERE initiative IN (SELECT value FROM json_each(?))
    GROUP BY initiative
"""
_SOME_SNAPSHOTS = (
    "SELECT initiative, seq, workflow_key, body FROM snapshots WHERE initiative IN (SELECT value FROM json_each(?))"
)


def listed_row(found: Sequence[object]) -> Listed:
    """A row of the listing query (id, version, then the status row's columns or NULLs)."""
    initiative, version, seq = str(found[0]), int(found[1]), found[2]  # type: ignore[call-overload]
    if seq is None:
        return Listed(initiative, version, None)
    key, reference, until, closed, can_advance, as_of, body = found[3:]
    row = StatusRow(initiative, seq, key, reference, until, bool(closed), bool(can_advance), as_of, body)  # type: ignore[arg-type]
    return Listed(initiative, version, row)


def status_values(row: StatusRow) -> tuple[object, ...]:
    """A status row as the parameters of an insert."""
    return tuple(row)


class SqliteDerived:
    """Snapshots and status rows in the SQLite registry (a mixin of `SqliteStore`)."""

    _lock: threading.RLock
    _live: Callable[[], sqlite3.Connection]
    _query: Callable[..., list[Any]]
    _error: Callable[[sqlite3.Error, str], StoreError]

    def listed(self) -> Iterator[Listed]:
        last = ""
        while True:
            with self._lock:
                page = self._query(_LISTED, (last, _PAGE))
            for found in page:
                yield listed_row(found)
            if len(page) < _PAGE:
                return
            last = page[-1][0]

    def listed_one(self, initiative: str) -> Listed | None:
        with self._lock:
            found = self._query(_LISTED_ONE, (initiative, initiative, initiative))[0]
        return None if found[1] is None else listed_row(found)

    def snapshot(self, initiative: str) -> Snapshot | None:
        with self._lock:
            rows = self._query("SELECT seq, workflow_key, body FROM snapshots WHERE initiative = ?", (initiative,))
        return Snapshot(*rows[0]) if rows else None

    def logs_with_snapshots(self, initiatives: Sequence[str]) -> Iterator[tuple[str, list[Event], Snapshot | None]]:
        wanted = json.dumps(list(initiatives))
        with self._lock:
            logs = dict(self._query(_SOME_LOGS, (wanted,)))
            kept = {row[0]: Snapshot(*row[1:]) for row in self._query(_SOME_SNAPSHOTS, (wanted,))}
        for initiative in initiatives:
            if initiative in logs:
                yield initiative, log_from_json(initiative, logs[initiative], sort=True), kept.get(initiative)

    def put_derived(self, snapshots: Sequence[SnapshotRow] = (), statuses: Sequence[StatusRow] = ()) -> None:
        with self._lock:
            connection = self._live()
            try:
                connection.execute("BEGIN IMMEDIATE")
                self._put_derived(connection, snapshots, statuses)
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise self._error(error, "write to") from None

    @staticmethod
    def _put_derived(
        connection: sqlite3.Connection, snapshots: Sequence[SnapshotRow], statuses: Sequence[StatusRow]
    ) -> None:
        """Write rows inside the caller's transaction (an append's, or `put_derived`'s own)."""
        if snapshots:
            connection.executemany(_PUT_SNAPSHOT, [(initiative, *kept) for initiative, kept in snapshots])
        if statuses:
            connection.executemany(_PUT_STATUS, [status_values(row) for row in statuses])

    def drop_derived(self) -> None:
        with self._lock:
            connection = self._live()
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("DELETE FROM snapshots")
                connection.execute("DELETE FROM statuses")
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise self._error(error, "write to") from None
