"""Which store a path or URL names: SQLite files and URLs, PostgreSQL URLs, $COOP_DB."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cooperation.errors import StoreError
from cooperation.stores.protocol import EventStore

DEFAULT_DB = "coop.db"
ENVIRONMENT_VARIABLE = "COOP_DB"


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
    from cooperation.stores.sqlite import SqliteStore

    return SqliteStore(Path(text), create=create)


def _postgres_store(url: str, *, create: bool) -> EventStore:
    """The PostgreSQL store, imported only now, so that psycopg is needed only by those who use it."""
    try:
        from cooperation.stores.postgres import PostgresStore
    except ImportError as error:
        if not (error.name or "").startswith("psycopg"):
            raise
        # The URL is not shown: it may hold a password, and the missing library is what is wrong.
        raise StoreError(
            "PostgreSQL registries (postgresql:// URLs) need psycopg, which is not installed here; "
            'install the postgres extra: pip install "cooperation-maturity[postgres]"'
        ) from None
    return PostgresStore(url, create=create)
