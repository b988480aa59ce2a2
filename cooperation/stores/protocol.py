"""The contract every registry store keeps.

A store holds append-only event logs, one per initiative. It knows nothing of
workflows or rules: it keeps events in order and refuses a write made against a
stale version, so that two writers can never both append the same next event.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from cooperation.definition.pinned import StoredWorkflow
from cooperation.engine.events import Event
from cooperation.stores.chain import ChainRow, Head
from cooperation.stores.derived import DerivedStore, SnapshotRow


class EventStore(DerivedStore, Protocol):
    """Append-only event logs, one per initiative, with version-guarded appends."""

    @property
    def url(self) -> str:
        """Where the registry lives, for messages."""
        ...

    @property
    def account(self) -> str:
        """The account this store writes as, which it records with every event it appends:
        the database's session user, or the operating system's user for a local file."""
        ...

    def append(
        self, initiative: str, events: Sequence[Event], *, expected_version: int, snapshots: Sequence[SnapshotRow] = ()
    ) -> int:
        """Append atomically if the log is at `expected_version`; return the new version.

        Raises ConflictError (and writes nothing) when another writer got there first.
        Version 0 means the initiative does not exist yet. `snapshots` are kept in the same
        transaction (`stores.derived`).
        """
        ...

    def append_batches(
        self,
        batches: Mapping[str, tuple[int, Sequence[Event]]],
        *,
        order: Sequence[str] | None = None,
        keep_provenance: bool = False,
        snapshots: Sequence[SnapshotRow] = (),
    ) -> None:
        """Append to several logs in one transaction: all of it lands, or none of it.

        `batches` maps an initiative to (expected version, events). `order`, if given, names
        the initiative of each event in the order to append them (an import or copy keeping
        its source's registry-wide order). `keep_provenance` keeps each event's own
        recorded_at and recorded_by (from a verified export) where the store allows it
        (`keeps_provenance`); else the store sets them, as for every other write.
        """
        ...

    def one_transaction(self) -> AbstractContextManager[None]:
        """Hold every append made inside in one transaction: all of them land at the end, or none
        (a large import written in chunks, `stores.together`)."""
        ...

    @property
    def keeps_provenance(self) -> bool:
        """Whether this account may restore recorded_at and recorded_by from an export (the admin path)."""
        ...

    def clock(self) -> datetime:
        """The store's clock, against which events dated in the future are refused: the database
        server's, or this machine's for a local file."""
        ...

    def head(self) -> Head:
        """The head of the registry's hash chain: the last event's position and hash."""
        ...

    def chain_rows(self, initiative: str | None = None, *, after: int = 0) -> Iterator[ChainRow]:
        """Every event as stored (data as its JSON text), in the chain's order (those after position
        `after`); of one initiative, its log."""
        ...

    def wait_for_appends(self, timeout: float) -> None:
        """Return when events may have been appended by anyone, or after `timeout` seconds at most
        (`coop events --follow`): PostgreSQL is told by the server, SQLite just waits."""
        ...

    def audit(self, *, expect: Head | None = None) -> Head:
        """Recompute the hash chain over every event and return its head; TamperedRecordError
        naming the first event altered, removed, inserted or reordered (see `chain.audit`)."""
        ...

    def read(self, initiative: str) -> list[Event]:
        """The whole log of one initiative, in append order (empty if unknown)."""
        ...

    def read_all(self) -> Iterator[tuple[str, list[Event]]]:
        """Every log, one initiative at a time, ordered by initiative id."""
        ...

    def initiatives(self) -> list[str]:
        """Ids of every initiative, sorted."""
        ...

    def version(self, initiative: str) -> int:
        """Number of events in the log (0 if unknown)."""
        ...

    def store_workflow(self, workflow_id: str, text: str) -> str:
        """Keep a workflow's text, addressed by its hash (`definition.pinned.content_hash`), which it returns.

        Storing a text already kept changes nothing; a kept text is never changed or removed.
        """
        ...

    def workflow_text(self, digest: str) -> str | None:
        """The workflow text kept under `digest`, or None."""
        ...

    def stored_workflows(self) -> list[StoredWorkflow]:
        """Every workflow version kept, by id then hash."""
        ...

    def close(self) -> None: ...
