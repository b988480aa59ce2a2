"""The SQLite store's hash chain (see `chain`): its migration, its statements, and what it reads back.

Schema 3 gives every event a registry-wide `position` and the `hash` that chains it to the
event before it; the head (`HASH@POSITION`) is also kept in the meta table, updated by each
write, so that the removal of the last events shows too. Events stored before schema 3 are
chained by the migration in the order they were recorded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from cooperation.stores.chain import GENESIS, ChainRow, Head, link

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
