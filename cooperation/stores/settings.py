"""Registry-wide settings, kept in the store's meta table beside its schema version.

A setting is a property of the whole registry, not of any one initiative's log, such as
whether accounts are bound (`cooperation.accounts`). It is kept as a row of the meta table
that both stores already have (its key prefixed, so that it can never clash with the
store's own keys), read with one lookup and written in one statement.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from cooperation.errors import StoreError
from cooperation.stores.sqlite import SqliteStore

if TYPE_CHECKING:
    from cooperation.stores.protocol import EventStore

PREFIX = "setting."


def read_setting(store: EventStore, name: str) -> str | None:
    """The value of setting `name` in the registry `store` holds, or None when never set."""
    if isinstance(store, SqliteStore):
        rows: list[Any] = store._query("SELECT value FROM meta WHERE key = ?", (PREFIX + name,))
    else:
        table = _postgres_meta(store)
        rows = store._query(f"SELECT value FROM {table} WHERE key = %s", (PREFIX + name,))  # type: ignore[attr-defined]
    return str(rows[0][0]) if rows else None


def write_setting(store: EventStore, name: str, value: str) -> None:
    """Set `name` to `value`, in one statement (a store that cannot be written raises StoreError)."""
    key = PREFIX + name
    if isinstance(store, SqliteStore):
        with store._lock:
            try:
                store._live().execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
            except sqlite3.Error as error:
                raise store._error(error, "write to") from None
        return
    table = _postgres_meta(store)
    store._query(  # type: ignore[attr-defined]
        f"INSERT INTO {table} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value "
        "RETURNING key",
        (key, value),
    )


def _postgres_meta(store: EventStore) -> str:
    names = getattr(store, "_names", None)
    if not isinstance(names, dict) or "meta" not in names:
        raise StoreError(f"the registry {store.url} keeps no settings (its store has no meta table)")
    return str(names["meta"])
