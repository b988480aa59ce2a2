"""The SQLite registry: one file, zero set-up, safe for several processes at once.

The file is marked as ours twice: the SQLite header's application id and a `meta`
table, which also records the schema version. A file that is not ours, or that a newer
coop wrote, is refused before anything is written to it. Events are only ever
inserted; every write is one `BEGIN IMMEDIATE` transaction that checks each log's
version first, so a stale writer gets a ConflictError and writes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from cooperation.engine.events import Event
from cooperation.errors import StoreError
from cooperation.stores.appending import Batches, Chainer, refuse_future
from cooperation.stores.derived import SQLITE_MIGRATION as DERIVED_MIGRATION
from cooperation.stores.derived import SnapshotRow, SqliteDerived
from cooperation.stores.proposals import SQLITE_MIGRATION as PROPOSALS_MIGRATION
from cooperation.stores.proposals import SqliteProposals
from cooperation.stores.shared import (
    INIT_HINT,
    MARKER,
    ClosedAtExit,
    checked_versions,
    closed_error,
    log_from_json,
    marked_version,
    newer_schema_error,
    operating_system_account,
    recorded_now,
)
from cooperation.stores.sqlite_chain import WRITE_HEAD, ChainReads, chain_existing, read_head
from cooperation.stores.sqlite_file import (
    APPLICATION_ID,
    BUSY_TIMEOUT_SECONDS,
    foreign_database,
    inspect_file,
    is_busy,
    rollback,
    sqlite_error,
)
from cooperation.stores.together import SqliteTogether
from cooperation.stores.workflow_texts import SQLITE_MIGRATION, SqliteWorkflowTexts

MEMORY = ":memory:"  # a registry that lives in this store only, for tests and experiments


# Each migration brings the schema from its index to its index + 1; append, never edit.
_MIGRATIONS: list[tuple[str | Callable[[sqlite3.Connection], None], ...]] = [
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        """
        CREATE TABLE events (
            initiative  TEXT    NOT NULL,
            seq         INTEGER NOT NULL CHECK (seq >= 1),
            kind        TEXT    NOT NULL,
            at          TEXT    NOT NULL,
            actor       TEXT,
            data        TEXT    NOT NULL,
            recorded_at TEXT    NOT NULL,
            PRIMARY KEY (initiative, seq)
        ) WITHOUT ROWID
        """,
        # The log is append-only; these guards make the file itself refuse rewrites.
        "CREATE TRIGGER events_append_only_edit BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
        "CREATE TRIGGER events_append_only_removal BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    ),
    ("ALTER TABLE events ADD COLUMN recorded_by TEXT",),  # who wrote each (the OS user); before: unknown
    SQLITE_MIGRATION,  # the workflow texts initiatives are pinned to (stores/workflow_texts.py)
    PROPOSALS_MIGRATION,  # workshop proposals, beside the initiatives (stores/proposals.py)
    # A registry-wide position and the hash chain over every event (see stores/chain.py).
    (chain_existing,),
    DERIVED_MIGRATION,  # snapshots and materialised statuses, filled as logs are written and read
]

_INSERT = (
    "INSERT INTO events (initiative, seq, kind, at, actor, data, recorded_at, recorded_by, position, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_VERSION = "SELECT coalesce(max(seq), 0) FROM events WHERE initiative = ?"
_VERSIONS = """
    SELECT names.value, (SELECT coalesce(max(seq), 0) FROM events WHERE initiative = names.value)
    FROM json_each(?) AS names
"""
# One row per initiative: its whole log as one JSON array of [kind, at, data, actor, seq,
# recorded_at, recorded_by],
# so that reading every log costs one json.loads per initiative instead of one per event.
# The GROUP BY walks the primary key, so groups come by initiative and events by seq;
# each log is still sorted by seq, as group_concat does not promise an order.
# Logs are read a page at a time, each page by a statement run to its end, so that no
# statement stays open (holding an old snapshot) while the caller works on a log.
_LOGS = """
    SELECT initiative,
        '[' || group_concat(json_array(kind, at, json(data), actor, seq, recorded_at, recorded_by), ',') || ']'
    FROM events
    {where}
    GROUP BY initiative
    ORDER BY initiative
    LIMIT ?
"""
_FIRST_LOGS = _LOGS.format(where="")
_NEXT_LOGS = _LOGS.format(where="WHERE initiative > ?")
_ONE_LOG = _LOGS.format(where="WHERE initiative = ?")
_PAGE = 500


def _log(initiative: str, text: str) -> list[Event]:
    """A log read as one JSON array of entries (see `log_from_entries`), sorted: group_concat keeps no order."""
    return log_from_json(initiative, text, sort=True)


def schema_version() -> int:
    """The schema version this code writes (and the newest it can read)."""
    return len(_MIGRATIONS)


class SqliteStore(ChainReads, ClosedAtExit, SqliteWorkflowTexts, SqliteProposals, SqliteDerived, SqliteTogether):
    """Event logs in one SQLite file (WAL mode), safe for several processes at once.

    One connection per store; a store may be shared by threads, which take turns.
    With `create=False` a missing registry is an error instead of being made.
    The path ":memory:" gives a registry held in memory by this store alone.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, create: bool = True, clock: Callable[[], str] = recorded_now
    ) -> None:
        self._url, self._path, self._recorded_now = os.fspath(path), Path(path), clock  # clock: each recorded_at
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None
        self._connection = self._open(create=create)

    # --- the contract ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._url

    @property
    def account(self) -> str:
        return operating_system_account()

    @property
    def path(self) -> Path:
        return self._path

    def append(
        self, initiative: str, events: Sequence[Event], *, expected_version: int, snapshots: Sequence[SnapshotRow] = ()
    ) -> int:
        return self._write({initiative: (expected_version, events)}, snapshots=snapshots)[initiative]

    def append_batches(
        self,
        batches: Batches,
        *,
        order: Sequence[str] | None = None,
        keep_provenance: bool = False,
        snapshots: Sequence[SnapshotRow] = (),
    ) -> None:
        self._write(batches, order, keep_provenance=keep_provenance, snapshots=snapshots)

    @property
    def keeps_provenance(self) -> bool:
        """Whoever may write the file may restore an export's recorded_at and recorded_by."""
        return True

    def clock(self) -> datetime:
        """The clock that stamps `recorded_at` (this machine's: the file has no clock of its own)."""
        return datetime.fromisoformat(self._recorded_now().replace("Z", "+00:00"))

    def read(self, initiative: str) -> list[Event]:
        with self._lock:
            rows = self._query(_ONE_LOG, (initiative, 1))
        return _log(initiative, rows[0][1]) if rows else []

    def read_all(self) -> Iterator[tuple[str, list[Event]]]:
        """Every log, a page of initiatives at a time: each log whole and consistent as read.

        Logs appended to while the caller iterates show as they are when their page is read.
        """
        with self._lock:
            page = self._query(_FIRST_LOGS, (_PAGE,))
        while page:
            for initiative, text in page:
                yield initiative, _log(initiative, text)
            if len(page) < _PAGE:
                return
            with self._lock:
                page = self._query(_NEXT_LOGS, (page[-1][0], _PAGE))

    def initiatives(self) -> list[str]:
        with self._lock:
            rows = self._query("SELECT DISTINCT initiative FROM events ORDER BY initiative")
        return [initiative for (initiative,) in rows]

    def version(self, initiative: str) -> int:
        with self._lock:
            rows = self._query(_VERSION, (initiative,))
        return int(rows[0][0])

    def close(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                connection.close()

    def __repr__(self) -> str:
        return f"SqliteStore({self._url!r})"

    # --- writing ---------------------------------------------------------------------------

    def _write(
        self,
        batches: Batches,
        order: Sequence[str] | None = None,
        *,
        keep_provenance: bool = False,
        snapshots: Sequence[SnapshotRow] = (),
    ) -> dict[str, int]:
        refuse_future(batches, self.clock())
        with self._lock:
            connection, held = self._live(), self._held  # held: inside `one_transaction`, which commits
            try:
                connection.execute("SAVEPOINT append" if held else "BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._error(error, "write to") from None
            try:
                versions = checked_versions(batches, self._versions(connection, list(batches)))
                chainer = Chainer(read_head(connection))
                account = operating_system_account()
                rows = chainer.rows(batches, order, self._recorded_now(), account, keep_provenance=keep_provenance)
                connection.executemany(_INSERT, rows)
                connection.execute(WRITE_HEAD, (str(chainer.head),))
                self._put_derived(connection, snapshots, ())
                connection.execute("RELEASE append" if held else "COMMIT")
            except BaseException as error:
                rollback(connection)
                if isinstance(error, sqlite3.Error):
                    raise self._error(error, "write to") from None
                raise
            return versions

    @staticmethod
    def _versions(connection: sqlite3.Connection, initiatives: list[str]) -> dict[str, int]:
        """The current version of each initiative, asked in one query when there are many."""
        if len(initiatives) <= 4:
            return {initiative: connection.execute(_VERSION, (initiative,)).fetchone()[0] for initiative in initiatives}
        return dict(connection.execute(_VERSIONS, (json.dumps(initiatives),)).fetchall())

    # --- reading ---------------------------------------------------------------------------

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise closed_error(self._url)
        return self._connection

    def _query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._live().execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise self._error(error, "read") from None

    # --- opening ---------------------------------------------------------------------------

    def _open(self, *, create: bool) -> sqlite3.Connection:
        if self._url == MEMORY:
            connection = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
            self._prepare(connection, create=True)
            return connection
        found = inspect_file(self._path, self._url)
        if found == "missing":
            if not create:
                raise StoreError(
                    f"no registry at {self._url} (looked for {self._path.absolute()}): {INIT_HINT}, "
                    "or point at an existing one with --db PATH or the COOP_DB environment variable"
                )
            folder = self._path.parent
            if not folder.is_dir():
                raise StoreError(
                    f"cannot create a registry at {self._url}: the folder {folder} does not exist (create it first)"
                )
        elif found == "empty" and not create:
            raise StoreError(f"no registry at {self._url} (the file is empty): {INIT_HINT}")
        mode = "rwc" if found == "missing" else "rw"
        uri = f"{self._path.absolute().as_uri()}?mode={mode}"
        try:
            connection = sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise self._error(error, "open") from None
        try:
            self._prepare(connection, create=create)
        except BaseException:
            connection.close()
            raise
        return connection

    def _prepare(self, connection: sqlite3.Connection, *, create: bool) -> None:
        """Check what the file holds, create or migrate its schema, then switch on WAL.

        While several processes create one registry at once, SQLite may answer "locked"
        without waiting (to avoid a deadlock, e.g. when switching to WAL); the steps are
        safe to repeat, so they are retried until the busy timeout runs out.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                connection.execute("BEGIN")  # one snapshot for all the questions _identify asks
                try:
                    state, version = self._identify(connection)
                finally:
                    rollback(connection)
                if state == "blank" and not create:
                    raise StoreError(f"no registry at {self._url} (the database is empty): {INIT_HINT}")
                if state == "blank" or version < schema_version():
                    self._migrate(connection)
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode = WAL")
                # FULL: an acknowledged event is on disk before the append returns, even if
                # the machine loses power; NORMAL could lose the last commits.
                connection.execute("PRAGMA synchronous = FULL")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error) or time.monotonic() > deadline:
                    raise self._error(error, "open") from None
                import random  # only when the file is busy

                time.sleep(random.uniform(0.005, 0.05))
            except sqlite3.Error as error:
                raise self._error(error, "open") from None

    def _identify(self, connection: sqlite3.Connection) -> tuple[Literal["blank", "registry"], int]:
        """A blank database (ours to fill), or a registry and its schema version; else StoreError."""
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        if application_id != APPLICATION_ID:
            objects = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            user_version = connection.execute("PRAGMA user_version").fetchone()[0]
            if application_id == 0 and objects == 0 and user_version == 0:
                return "blank", 0
            raise foreign_database(self._url)
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError:
            meta = {}
        version = marked_version(meta)
        if version is None:
            raise StoreError(
                f"{self._url} is marked as a coop registry but its meta table is missing or damaged; "
                "it was left untouched: restore it from a backup or an export"
            )
        if version > schema_version():
            raise newer_schema_error(self._url, version, schema_version())
        return "registry", version

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Bring the schema up to date in one transaction, checking again under the write lock."""
        connection.execute("BEGIN IMMEDIATE")
        try:
            state, version = self._identify(connection)
            if state == "blank":
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for number in range(version + 1, schema_version() + 1):
                for statement in _MIGRATIONS[number - 1]:
                    if isinstance(statement, str):
                        connection.execute(statement)
                    else:
                        statement(connection)
                connection.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(number),)
                )
            if state == "blank":
                connection.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("application", MARKER), ("created_at", recorded_now())],
                )
            connection.execute("COMMIT")
        except BaseException:
            rollback(connection)
            raise

    # --- errors ----------------------------------------------------------------------------

    def _error(self, error: sqlite3.Error, action: str) -> StoreError:
        """A StoreError naming the file, what went wrong and what to do about it."""
        return sqlite_error(error, action, self._url, self._path.name)
