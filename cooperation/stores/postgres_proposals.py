"""Workshop proposals in the PostgreSQL registry: the `coop_proposals` table and `PostgresStore`'s proposal methods.

The same contract as SQLite's (`cooperation.stores.proposals.ProposalStore`): rows of
fields as JSON, put all or nothing, claimed for a merge only when none is claimed yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from cooperation.errors import StoreError
from cooperation.stores.proposals import StoredProposal

POSTGRES_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE {proposals} (
        id          text COLLATE "C" NOT NULL PRIMARY KEY,
        data        json        NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now(),
        merged_into text,
        merged_at   text
    )
    """,
)
"""The proposals table, as a migration of the PostgreSQL registry ({proposals}: its qualified name)."""


class PostgresProposals:
    """The proposal methods of `PostgresStore`, which provides its connection, lock, names and error wording."""

    _lock: threading.RLock
    _names: dict[str, str]
    _live: Callable[[], psycopg.Connection[Any]]
    _error: Callable[[psycopg.Error, str], StoreError]

    def put_proposals(self, rows: Sequence[tuple[str, str]]) -> None:
        table = self._names["proposals"]
        with self._lock:
            connection = self._live()
            try:
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} (id, data) VALUES (%s, %s) "
                        "ON CONFLICT (id) DO UPDATE SET data = excluded.data, imported_at = now()",
                        list(rows),
                    )
            except psycopg.Error as error:
                raise self._error(error, "write to") from None

    def read_proposals(self) -> list[StoredProposal]:
        table = self._names["proposals"]
        with self._lock:
            try:
                rows = (
                    self._live()
                    .execute(f"SELECT id, data::text, merged_into, merged_at FROM {table} ORDER BY id")
                    .fetchall()
                )
            except psycopg.Error as error:
                raise self._error(error, "read") from None
        return [StoredProposal(*row) for row in rows]

    def claim_proposals(self, ids: Sequence[str], initiative: str, *, at: str) -> list[str]:
        table = self._names["proposals"]
        with self._lock:
            connection = self._live()
            try:
                with connection.transaction() as transaction, connection.cursor() as cursor:
                    claimed = {
                        identifier
                        for (identifier,) in cursor.execute(
                            f"UPDATE {table} SET merged_into = %s, merged_at = %s "
                            "WHERE id = ANY(%s) AND merged_into IS NULL RETURNING id",
                            (initiative, at, list(ids)),
                        ).fetchall()
                    }
                    refused = [identifier for identifier in ids if identifier not in claimed]
                    if refused:  # all or none
                        raise psycopg.Rollback(transaction)
            except psycopg.Error as error:
                raise self._error(error, "write to") from None
        return refused

    def release_proposals(self, ids: Sequence[str], initiative: str) -> None:
        table = self._names["proposals"]
        with self._lock:
            try:
                self._live().execute(
                    f"UPDATE {table} SET merged_into = NULL, merged_at = NULL WHERE id = ANY(%s) AND merged_into = %s",
                    (list(ids), initiative),
                )
            except psycopg.Error as error:
                raise self._error(error, "write to") from None
