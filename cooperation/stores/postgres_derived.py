"""Snapshots and materialised statuses in the PostgreSQL registry (see `stores/derived.py`).

Who may write them: the admin, and the writer role (granted INSERT, UPDATE and DELETE on both
tables, `postgres_roles`), whose appends keep a snapshot in the same transaction and whose reads
refresh stale status rows; the reader role only reads them, and its reads recompute what is stale
without keeping it. A writer could write a wrong row by hand, as it could append a forged move:
every row is checked against the log's version and the workflow's before use, and
`coop snapshots --check` recomputes each from the log and names those that differ
(`--rebuild` drops them all).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg

from cooperation.engine.events import Event
from cooperation.engine.snapshot import Snapshot
from cooperation.errors import StoreError
from cooperation.stores.derived import Listed, SnapshotRow, StatusRow, listed_row, status_values
from cooperation.stores.shared import log_from_json

POSTGRES_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE {snapshots} (
        initiative   text COLLATE "C" NOT NULL PRIMARY KEY,
        seq          integer NOT NULL,
        workflow_key text    NOT NULL,
        body         text    NOT NULL
    )
    """,
    """
    CREATE TABLE {statuses} (
        initiative   text COLLATE "C" NOT NULL PRIMARY KEY,
        seq          integer NOT NULL,
        workflow_key text    NOT NULL,
        reference    text    NOT NULL,
        valid_until  text,
        closed       boolean NOT NULL,
        can_advance  boolean NOT NULL,
        as_of        text    NOT NULL,
        body         text    NOT NULL
    )
    """,
)
"""The snapshot and status tables, as a migration of the PostgreSQL registry (filled lazily)."""

_PAGE = 500


def _put_snapshot(table: str) -> str:
    return (
        f"INSERT INTO {table} (initiative, seq, workflow_key, body) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (initiative) DO UPDATE SET seq = excluded.seq, workflow_key = excluded.workflow_key, "
        "body = excluded.body"
    )


def _put_status(table: str) -> str:
    columns = ["seq", "workflow_key", "reference", "valid_until", "closed", "can_advance", "as_of", "body"]
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns)
    return (
        f"INSERT INTO {table} (initiative, {', '.join(columns)}) VALUES ({', '.join(['%s'] * 9)}) "
        f"ON CONFLICT (initiative) DO UPDATE SET {updates}"
    )


class PostgresDerived:
    """The derived-row methods of `PostgresStore`, which provides its connection, lock, names and errors."""

    _lock: threading.RLock
    _names: dict[str, str]
    _sql: dict[str, str]
    _live: Callable[[], psycopg.Connection[Any]]
    _query: Callable[..., list[Any]]
    _error: Callable[[psycopg.Error, str], StoreError]

    def listed(self) -> Iterator[Listed]:
        events, statuses = self._names["events"], self._names["statuses"]
        query = f"""
            SELECT page.initiative, (SELECT max(seq) FROM {events} WHERE initiative = page.initiative),
                s.seq, s.workflow_key, s.reference, s.valid_until, s.closed, s.can_advance, s.as_of, s.body
            FROM (
                SELECT initiative FROM {events} WHERE initiative > %(after)s AND seq = 1
                ORDER BY initiative LIMIT %(page)s
            ) AS page
            LEFT JOIN {statuses} AS s ON s.initiative = page.initiative
            ORDER BY page.initiative
        """
        after = ""
        while True:
            page = self._query(query, {"after": after, "page": _PAGE})
            for found in page:
                yield listed_row(found)
            if len(page) < _PAGE:
                return
            after = page[-1][0]

    def listed_one(self, initiative: str) -> Listed | None:
        events, statuses = self._names["events"], self._names["statuses"]
        found = self._query(
            f"""SELECT %(id)s, (SELECT max(seq) FROM {events} WHERE initiative = %(id)s),
                s.seq, s.workflow_key, s.reference, s.valid_until, s.closed, s.can_advance, s.as_of, s.body
            FROM (SELECT 1) AS one LEFT JOIN {statuses} AS s ON s.initiative = %(id)s""",
            {"id": initiative},
        )[0]
        return None if found[1] is None else listed_row(found)

    def snapshot(self, initiative: str) -> Snapshot | None:
        table = self._names["snapshots"]
        rows = self._query(f"SELECT seq, workflow_key, body FROM {table} WHERE initiative = %s", (initiative,))
        return Snapshot(*rows[0]) if rows else None

    def logs_with_snapshots(self, initiatives: Sequence[str]) -> Iterator[tuple[str, list[Event], Snapshot | None]]:
        events, snapshots = self._names["events"], self._names["snapshots"]
        wanted = list(initiatives)
        logs = dict(
            self._query(
                f"SELECT initiative, json_agg(json_build_array(kind, at, data, actor, seq, "
                "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), recorded_by) "
                f"ORDER BY seq)::text FROM {events} WHERE initiative = ANY(%s) GROUP BY initiative",
                (wanted,),
            )
        )
        kept = {
            initiative: Snapshot(seq, key, body)
            for initiative, seq, key, body in self._query(
                f"SELECT initiative, seq, workflow_key, body FROM {snapshots} WHERE initiative = ANY(%s)", (wanted,)
            )
        }
        for initiative in wanted:
            if initiative in logs:
                yield initiative, log_from_json(initiative, logs[initiative], sort=False), kept.get(initiative)

    def put_derived(self, snapshots: Sequence[SnapshotRow] = (), statuses: Sequence[StatusRow] = ()) -> None:
        with self._lock:
            connection = self._live()
            try:
                with connection.transaction():
                    self._put_derived(connection, snapshots, statuses)
            except psycopg.Error as error:
                raise self._error(error, "write to") from None

    def _put_derived(
        self, connection: psycopg.Connection[Any], snapshots: Sequence[SnapshotRow], statuses: Sequence[StatusRow]
    ) -> None:
        """Write rows inside the caller's transaction (an append's, or `put_derived`'s own)."""
        with connection.cursor() as cursor:
            if snapshots:
                rows = [(initiative, *kept) for initiative, kept in snapshots]
                cursor.executemany(_put_snapshot(self._names["snapshots"]), rows)
            if statuses:
                cursor.executemany(_put_status(self._names["statuses"]), [status_values(row) for row in statuses])

    def drop_derived(self) -> None:
        with self._lock:
            connection = self._live()
            try:
                with connection.transaction():
                    connection.execute(f"DELETE FROM {self._names['snapshots']}")
                    connection.execute(f"DELETE FROM {self._names['statuses']}")
            except psycopg.Error as error:
                raise self._error(error, "write to") from None
