"""Workshop proposals kept in the registry beside the initiatives: the contract, and SQLite's side of it.

A proposal is not an initiative and has no event log: it is one row, its fields as
JSON, and, once it is merged into an initiative, the id of that initiative and when.
The stores hold no rules about proposals (which may be replaced, which merge): they
keep rows, put many at once all or nothing, and claim proposals for a merge only when
none of them is claimed already, so that a proposal merges once even when two people
merge at the same time. The rules are in `cooperation.proposals.desk`.

The table comes in its own migration, appended to each store's list
(`SQLITE_MIGRATION` here, `postgres_proposals.POSTGRES_MIGRATION` for PostgreSQL).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from cooperation.errors import StoreError
from cooperation.stores.shared import recorded_now

SQLITE_MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE proposals (
        id          TEXT NOT NULL PRIMARY KEY,
        data        TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        merged_into TEXT,
        merged_at   TEXT
    ) WITHOUT ROWID
    """,
)
"""The proposals table, as a migration of the SQLite registry."""


class StoredProposal(NamedTuple):
    """One stored proposal: its id, its fields as JSON text, and its merge (None until merged)."""

    id: str
    data: str
    merged_into: str | None
    merged_at: str | None


@runtime_checkable
class ProposalStore(Protocol):
    """What a registry store keeps of workshop proposals."""

    def put_proposals(self, rows: Sequence[tuple[str, str]]) -> None:
        """Store (id, fields as JSON) rows, replacing those with the same id, all in one transaction."""
        ...

    def read_proposals(self) -> list[StoredProposal]:
        """Every stored proposal, ordered by id."""
        ...

    def claim_proposals(self, ids: Sequence[str], initiative: str, *, at: str) -> list[str]:
        """Mark `ids` as merged into `initiative` at `at`, all or none.

        Returns the ids that are missing or already merged; when there are any, nothing is written.
        """
        ...

    def release_proposals(self, ids: Sequence[str], initiative: str) -> None:
        """Undo a claim of `ids` by `initiative` (when the initiative could not be written after all)."""
        ...


class SqliteProposals:
    """The proposal methods of `SqliteStore`, which provides its connection, lock and error wording."""

    _lock: threading.RLock
    _live: Callable[[], sqlite3.Connection]
    _error: Callable[[sqlite3.Error, str], StoreError]

    def put_proposals(self, rows: Sequence[tuple[str, str]]) -> None:
        now = recorded_now()

        def put(connection: sqlite3.Connection) -> bool:
            connection.executemany(
                "INSERT INTO proposals (id, data, imported_at) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, imported_at = excluded.imported_at",
                [(identifier, data, now) for identifier, data in rows],
            )
            return True

        self._transaction(put)

    def read_proposals(self) -> list[StoredProposal]:
        with self._lock:
            try:
                rows = (
                    self._live()
                    .execute("SELECT id, data, merged_into, merged_at FROM proposals ORDER BY id")
                    .fetchall()
                )
            except sqlite3.Error as error:
                raise self._error(error, "read") from None
        return [StoredProposal(*row) for row in rows]

    def claim_proposals(self, ids: Sequence[str], initiative: str, *, at: str) -> list[str]:
        refused: list[str] = []

        def claim(connection: sqlite3.Connection) -> bool:
            for identifier in ids:
                changed = connection.execute(
                    "UPDATE proposals SET merged_into = ?, merged_at = ? WHERE id = ? AND merged_into IS NULL",
                    (initiative, at, identifier),
                ).rowcount
                if changed != 1:
                    refused.append(identifier)
            return not refused  # all or none

        self._transaction(claim)
        return refused

    def release_proposals(self, ids: Sequence[str], initiative: str) -> None:
        def release(connection: sqlite3.Connection) -> bool:
            connection.executemany(
                "UPDATE proposals SET merged_into = NULL, merged_at = NULL WHERE id = ? AND merged_into = ?",
                [(identifier, initiative) for identifier in ids],
            )
            return True

        self._transaction(release)

    def _transaction(self, work: Callable[[sqlite3.Connection], bool]) -> None:
        """Run `work` in one write transaction: committed if it returns True, else (or on any error) rolled back."""
        with self._lock:
            connection = self._live()
            try:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    keep = work(connection)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT" if keep else "ROLLBACK")
            except sqlite3.Error as error:
                raise self._error(error, "write to") from None


def copy_proposals(source: object, target: object) -> int:
    """Copy every proposal, with its merge, from one store to another; the number copied (0 if either keeps none)."""
    if not isinstance(source, ProposalStore) or not isinstance(target, ProposalStore):
        return 0
    rows = source.read_proposals()
    if rows:
        target.put_proposals([(row.id, row.data) for row in rows])
    merges: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        if row.merged_into is not None:
            merges.setdefault((row.merged_into, row.merged_at or ""), []).append(row.id)
    for (initiative, at), ids in merges.items():
        target.claim_proposals(ids, initiative, at=at)
    return len(rows)
