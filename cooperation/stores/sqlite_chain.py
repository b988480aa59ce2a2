"""The SQLite store's hash chain (see `chain`): its migration, its statements, and what it reads back.

Schema 3 gives every event a registry-wide `position` and the `hash` that chains it to the
event before it; the head (`HASH@POSITION`) is also kept in the meta table, updated by each
write, so that the removal of the last events shows too. Events stored before schema 3 are
chained by the migration in the order they were recorded.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator

from cooperation.errors import StoreError
from cooperation.stores.chain import GENESIS, ChainRow, Head, audit, link
from cooperation.stores.sqlite_file import rollback

HEAD_KEY = "chain_head"
READ_HEAD = "SELECT position, hash FROM events WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1"
WRITE_HEAD = "INSERT OR REPLACE INTO meta (key, value) VALUES ('chain_head', ?)"
CHAIN_ROWS = (
    "SELECT position, initiative, seq, kind, at, actor, data, recorded_at, recorded_by, hash "
    "FROM events ORDER BY position"
)
_EDIT_GUARD = (
    "CREATE TRIGGER events_append_only_edit BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
)


def chain_existing(connection: sqlite3.Connection) -> None:
    """Schema 3: add the chain's columns and chain the events already stored, oldest first."""
    connection.execute("ALTER TABLE events ADD COLUMN position INTEGER")
    connection.execute("ALTER TABLE events ADD COLUMN hash TEXT")
    rows = connection.execute(
        "SELECT initiative, seq, kind, at, actor, data, recorded_at, recorded_by FROM events "
        "ORDER BY recorded_at, initiative, seq"
    ).fetchall()
    previous, updates = GENESIS, []
    for position, (initiative, seq, kind, at, actor, data, recorded_at, recorded_by) in enumerate(rows, start=1):
        previous = link(previous, initiative, seq, kind, at, actor, data, recorded_at, recorded_by)
        updates.append((position, previous, initiative, seq))
    connection.execute("DROP TRIGGER events_append_only_edit")  # the one rewrite coop ever makes
    connection.executemany("UPDATE events SET position = ?, hash = ? WHERE initiative = ? AND seq = ?", updates)
    connection.execute(_EDIT_GUARD)
    connection.execute("CREATE UNIQUE INDEX events_position ON events (position)")
    connection.execute(WRITE_HEAD, (str(Head(len(rows), previous)),))


def read_head(connection: sqlite3.Connection) -> Head:
    row = connection.execute(READ_HEAD).fetchone()
    return Head(0, GENESIS) if row is None else Head(int(row[0]), str(row[1]))


def kept_head(connection: sqlite3.Connection) -> Head | None:
    """The head the meta table keeps, or None if it is missing or unreadable."""
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (HEAD_KEY,)).fetchone()
    if row is None:
        return None
    text, _, position = str(row[0]).partition("@")
    return Head(int(position), text) if position.isdigit() else None


def chain_rows(connection: sqlite3.Connection) -> Iterator[ChainRow]:
    """Every stored event as the chain covers it, in position order (an event with none first)."""
    cursor = connection.execute(CHAIN_ROWS)
    while rows := cursor.fetchmany(1000):
        for row in rows:
            yield ChainRow(*row)


PAGE_ROWS = 1000
_PAGE_ROWS = CHAIN_ROWS.replace("ORDER BY position", f"WHERE position > ? ORDER BY position LIMIT {PAGE_ROWS}")
_LOG_ROWS = CHAIN_ROWS.replace("ORDER BY position", "WHERE initiative = ? ORDER BY seq")


def chain_page(connection: sqlite3.Connection, after: int, initiative: str | None) -> list[ChainRow]:
    """The next page of stored events after position `after` (of one initiative: its whole log)."""
    if initiative is not None:
        return [ChainRow(*row) for row in connection.execute(_LOG_ROWS, (initiative,)).fetchall()]
    return [ChainRow(*row) for row in connection.execute(_PAGE_ROWS, (after,)).fetchall()]


class ChainReads:
    """The SQLite store's reading of its chain: the head, the events in chain order, the audit."""

    _lock: threading.RLock
    _live: Callable[[], sqlite3.Connection]
    _error: Callable[[sqlite3.Error, str], StoreError]

    def wait_for_appends(self, timeout: float) -> None:
        """SQLite tells no one of a write: wait, and let the caller look again (polling)."""
        time.sleep(timeout)

    def head(self) -> Head:
        with self._lock:
            try:
                return read_head(self._live())
            except sqlite3.Error as error:
                raise self._error(error, "read") from None

    def chain_rows(self, initiative: str | None = None, *, after: int = 0) -> Iterator[ChainRow]:
        """Events as stored, in position order, a page at a time (no statement stays open between pages)."""
        while True:
            with self._lock:
                try:
                    page = chain_page(self._live(), after, initiative)
                except sqlite3.Error as error:
                    raise self._error(error, "read") from None
            yield from page
            if initiative is not None or len(page) < PAGE_ROWS:
                return
            after = page[-1].position or 0

    def audit(self, *, expect: Head | None = None) -> Head:
        """Recompute the hash chain over every event, in one snapshot (see `chain.audit`)."""
        with self._lock:
            connection = self._live()
            try:
                connection.execute("BEGIN")
                try:
                    return audit(chain_rows(connection), kept=kept_head(connection), expect=expect)
                finally:
                    rollback(connection)
            except sqlite3.Error as error:
                raise self._error(error, "read") from None
