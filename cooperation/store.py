"""The contract every registry store keeps, and how a URL or path selects one.

A store holds append-only event logs, one per initiative. It knows nothing of
workflows or rules: it keeps events in order and refuses a write made against a
stale version, so that two writers can never both append the same next event.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from cooperation.errors import StoreError
from cooperation.events import Event

DEFAULT_DB = "coop.db"
ENVIRONMENT_VARIABLE = "COOP_DB"


class EventStore(Protocol):
    """Append-only event logs, one per initiative, with version-guarded appends."""

    @property
    def url(self) -> str:
        """Where the registry lives, for messages."""
        ...

    def append(self, initiative: str, events: Sequence[Event], *, expected_version: int) -> int:
        """Append atomically if the log is at `expected_version`; return the new version.

        Raises ConflictError (and writes nothing) when another writer got there first.
        Version 0 means the initiative does not exist yet.
        """
        ...

    def append_batches(self, batches: Mapping[str, tuple[int, Sequence[Event]]]) -> None:
        """Append to several logs in one transaction: all of it lands, or none of it.

        `batches` maps an initiative to (expected version, events).
        """
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

    def close(self) -> None: ...


def log_from_entries(initiative: str, entries: Sequence[Sequence[Any]]) -> list[Event]:
    """Events from a log read as one JSON array of [kind, at, data, actor, seq] entries, in seq order."""
    return [Event(initiative, kind, at, data, actor, seq) for kind, at, data, actor, seq in entries]


def resolve_location(location: str | os.PathLike[str] | None) -> str:
    """The registry location to use: the argument, else $COOP_DB, else ./coop.db."""
    if location is None or str(location) == "":
        return os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_DB
    return os.fspath(location)


def local_file(location: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file a location names, or None for a server URL or an in-memory registry."""
    text = resolve_location(location)
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///")
    elif "://" in text or text == ":memory:":
        return None
    return Path(text)


def open_store(location: str | os.PathLike[str] | None = None, *, create: bool = True) -> EventStore:
    """Open the registry at a path, a `sqlite:///` URL or a `postgresql://` URL.

    With `create=False`, a registry that does not exist yet is an error instead of
    being made (for commands that only read).
    """
    text = resolve_location(location)
    if text.startswith(("postgresql://", "postgres://")):
        return _postgres_store(text, create=create)
    if text.startswith("sqlite://"):
        if not text.startswith("sqlite:///"):
            raise StoreError(f"{text}: write a SQLite URL as sqlite:///relative/path.db or sqlite:////absolute/path.db")
        text = text.removeprefix("sqlite:///")
    elif "://" in text:
        shown = re.sub(r"//[^/@]*@", "//***@", text)  # never echo credentials
        raise StoreError(f"{shown}: unknown kind of registry URL; use a file path, sqlite:/// or postgresql://")
    from cooperation.sqlite_store import SqliteStore

    return SqliteStore(Path(text), create=create)


def _postgres_store(url: str, *, create: bool) -> EventStore:
    """The PostgreSQL store, imported only now, so that psycopg is needed only by those who use it."""
    try:
        from cooperation.postgres_store import PostgresStore
    except ImportError as error:
        if not (error.name or "").startswith("psycopg"):
            raise
        # The URL is not shown: it may hold a password, and the missing library is what is wrong.
        raise StoreError(
            "PostgreSQL registries (postgresql:// URLs) need psycopg, which is not installed here; "
            'install the postgres extra: pip install "cooperation-maturity[postgres]"'
        ) from None
    return PostgresStore(url, create=create)
