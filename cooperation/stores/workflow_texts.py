"""The workflow texts a registry keeps, addressed by the hash of each text (both stores).

One table beside the events: a row per workflow version (hash, id, text, when stored),
written once and never changed (the same guards as the events refuse an update or a
delete). Storing a text that is there already changes nothing, so two writers pinning
the same version at once both succeed. The stores take these methods in as a mixin;
the SQL of each store's migration lives here too, so the store modules only name it.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from cooperation.definition.pinned import StoredWorkflow, content_hash
from cooperation.errors import UnstorableEventError
from cooperation.stores.shared import recorded_now

if TYPE_CHECKING:
    import threading
    from collections.abc import Mapping, Sequence

    from cooperation.errors import StoreError

SQLITE_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE workflows (
        hash      TEXT NOT NULL PRIMARY KEY,
        id        TEXT NOT NULL,
        text      TEXT NOT NULL,
        stored_at TEXT NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE TRIGGER workflows_append_only_edit BEFORE UPDATE ON workflows "
    "BEGIN SELECT RAISE(ABORT, 'workflow texts are append-only'); END",
    "CREATE TRIGGER workflows_append_only_removal BEFORE DELETE ON workflows "
    "BEGIN SELECT RAISE(ABORT, 'workflow texts are append-only'); END",
)
"""The SQLite migration that adds the table (appended to `sqlite._MIGRATIONS`)."""

POSTGRES_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE {workflows} (
        hash      text COLLATE "C" PRIMARY KEY,
        id        text NOT NULL,
        text      text NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE TRIGGER coop_workflows_append_only BEFORE UPDATE OR DELETE ON {workflows} "
    "FOR EACH ROW EXECUTE FUNCTION {refuse}()",
    "CREATE TRIGGER coop_workflows_no_truncate BEFORE TRUNCATE ON {workflows} "
    "FOR EACH STATEMENT EXECUTE FUNCTION {refuse}()",
)
"""The PostgreSQL migration that adds the table (appended to `postgres._MIGRATIONS`)."""

POSTGRES_TABLE = "coop_workflows"


class SqliteWorkflowTexts:
    """`store_workflow`, `workflow_text` and `stored_workflows` for `SqliteStore`."""

    if TYPE_CHECKING:
        _lock: threading.RLock

        def _live(self) -> sqlite3.Connection: ...
        def _query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]: ...
        def _error(self, error: sqlite3.Error, action: str) -> StoreError: ...

    def store_workflow(self, workflow_id: str, text: str) -> str:
        """Keep a workflow's text (once per version); return its hash."""
        digest = content_hash(text)
        with self._lock:
            try:
                self._live().execute(
                    "INSERT OR IGNORE INTO workflows (hash, id, text, stored_at) VALUES (?, ?, ?, ?)",
                    (digest, workflow_id, text, recorded_now()),
                )
            except sqlite3.Error as error:
                raise self._error(error, "write to") from None
        return digest

    def workflow_text(self, digest: str) -> str | None:
        """The text stored under `digest`, or None."""
        with self._lock:
            rows = self._query("SELECT text FROM workflows WHERE hash = ?", (digest,))
        return str(rows[0][0]) if rows else None

    def stored_workflows(self) -> list[StoredWorkflow]:
        """Every stored version, by id then hash."""
        with self._lock:
            rows = self._query("SELECT hash, id, text FROM workflows ORDER BY id, hash")
        return [StoredWorkflow(*row) for row in rows]


class PostgresWorkflowTexts:
    """`store_workflow`, `workflow_text` and `stored_workflows` for `PostgresStore`."""

    if TYPE_CHECKING:
        _names: dict[str, str]

        def _query(self, statement: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]: ...

    def store_workflow(self, workflow_id: str, text: str) -> str:
        """Keep a workflow's text (once per version); return its hash."""
        if "\x00" in text or "\x00" in workflow_id:
            raise UnstorableEventError("a workflow text holds a NUL character, which cannot be stored")
        digest = content_hash(text)
        table = self._names["workflows"]
        self._query(
            f"INSERT INTO {table} (hash, id, text) VALUES (%s, %s, %s) ON CONFLICT (hash) DO NOTHING RETURNING hash",
            (digest, workflow_id, text),
        )
        return digest

    def workflow_text(self, digest: str) -> str | None:
        """The text stored under `digest`, or None."""
        rows = self._query(f"SELECT text FROM {self._names['workflows']} WHERE hash = %s", (digest,))
        return str(rows[0][0]) if rows else None

    def stored_workflows(self) -> list[StoredWorkflow]:
        """Every stored version, by id then hash."""
        rows = self._query(f"SELECT hash, id, text FROM {self._names['workflows']} ORDER BY id, hash")
        return [StoredWorkflow(*row) for row in rows]
