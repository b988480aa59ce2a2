"""Several appends held in one transaction: a large import written in chunks, all or nothing.

`coop import` checks and writes a large file a chunk at a time so that its memory stays flat
in the file's size; `one_transaction()` holds those appends together, so that the import still
lands whole or not at all. Inside it, each `append_batches` checks versions, numbers events and
extends the hash chain as it always does, reading what the earlier chunks wrote (the same
connection sees its own uncommitted rows); the commit comes at the end, a rollback on any error.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cooperation.errors import StoreError
from cooperation.stores.sqlite_file import rollback


class SqliteTogether:
    """The SQLite store's held transaction: one `BEGIN IMMEDIATE` for every append made inside."""

    _lock: threading.RLock
    _live: Callable[[], sqlite3.Connection]
    _error: Callable[[sqlite3.Error, str], StoreError]
    _held = False  # while True, an append joins the open transaction instead of making its own

    @contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Hold the appends made inside in one transaction: committed at the end, or none of them."""
        with self._lock:
            connection = self._live()
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._error(error, "write to") from None
            self._held = True
            try:
                yield
                connection.execute("COMMIT")
            except BaseException as error:
                rollback(connection)
                if isinstance(error, sqlite3.Error):
                    raise self._error(error, "write to") from None
                raise
            finally:
                self._held = False


class PostgresTogether:
    """The PostgreSQL store's held transaction: every append made inside runs in one."""

    _lock: threading.RLock
    _live: Callable[[], Any]  # a psycopg connection

    @contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Hold the appends made inside in one transaction: committed at the end, or none of them."""
        with self._lock, self._live().transaction():
            yield
