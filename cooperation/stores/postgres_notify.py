"""PostgreSQL tells listeners of each write (`coop events --follow`): a trigger notifies, the store listens.

The migration adds a statement-level trigger on the events table that sends a notification on
the channel `coop_events` whose payload is the registry's schema, delivered when the writing
transaction commits. `wait_for_appends` listens on its own connection (the store's main one
stays free for reading) and returns as soon as its registry is named, or when the timeout runs out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg

from cooperation.errors import StoreError

NOTIFY_CHANNEL = "coop_events"  # what appends notify, with the registry's schema as the payload

NOTIFY_MIGRATION: tuple[str, ...] = (
    f"""
    CREATE FUNCTION {{notify}}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{NOTIFY_CHANNEL}', TG_TABLE_SCHEMA);
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER coop_events_notify AFTER INSERT ON {events} FOR EACH STATEMENT EXECUTE FUNCTION {notify}()",
)


class PostgresListening:
    """`wait_for_appends` for the PostgreSQL store, which provides the attributes below."""

    _lock: threading.RLock
    _schema: str
    _listener: psycopg.Connection[Any] | None
    _connect: Callable[..., psycopg.Connection[Any]]
    _error: Callable[[psycopg.Error, str], StoreError]

    def wait_for_appends(self, timeout: float) -> None:
        """Wait for the server's word that events were appended to this registry, at most `timeout` seconds."""
        with self._lock:
            if self._listener is None:
                self._listener = self._connect(action="listen to")
                self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            listener = self._listener
        try:
            for notice in listener.notifies(timeout=timeout):
                if notice.payload == self._schema:
                    return
        except psycopg.Error as error:
            raise self._error(error, "listen to") from None
