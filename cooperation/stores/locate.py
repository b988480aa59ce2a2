"""Which store a path or URL names: SQLite files and URLs, PostgreSQL URLs, $COOP_DB."""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cooperation.errors import StoreError
from cooperation.stores.protocol import EventStore

DEFAULT_DB = "coop.db"
RELATIVE_URL_NOTE = (
    "a sqlite:/// URL names a path relative to the current folder (SQLAlchemy's convention): "
    "sqlite:///srv/coop/x.db is ./srv/coop/x.db; four slashes, sqlite:////srv/coop/x.db, make it absolute"
)
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


@dataclass(frozen=True, slots=True)
class Backend:
    """A kind of store: where its class is (imported only when one is opened) and what it needs."""

    module: str
    store: str
    title: str
    library: str = ""  # a third-party package it needs, and the extra that installs it
    extra: str = ""


# URL scheme -> the store behind it; a path without a scheme is a SQLite file. A new kind of
# store is one module with a class that keeps the EventStore contract, and one entry here.
BACKENDS: dict[str, Backend] = {
    "sqlite": Backend("cooperation.stores.sqlite", "SqliteStore", "SQLite"),
    "postgresql": Backend("cooperation.stores.postgres", "PostgresStore", "PostgreSQL", "psycopg", "postgres"),
    "postgres": Backend("cooperation.stores.postgres", "PostgresStore", "PostgreSQL", "psycopg", "postgres"),
}


def open_store(location: str | os.PathLike[str] | None = None, *, create: bool = True) -> EventStore:
    """Open the registry at a path, a `sqlite:///` URL or a `postgresql://` URL.

    With `create=False`, a registry that does not exist yet is an error instead of
    being made (for commands that only read).
    """
    text = resolve_location(location)
    scheme = text.partition("://")[0] if "://" in text else "sqlite"
    backend = BACKENDS.get(scheme)
    if backend is None:
        shown = re.sub(r"//[^/@]*@", "//***@", text)  # never echo credentials
        known = ", ".join(f"{name}://" for name in BACKENDS)
        raise StoreError(f"{shown}: unknown kind of registry URL; use a file path or one of: {known}")
    if scheme == "sqlite":
        if "://" in text and not text.startswith("sqlite:///"):
            raise StoreError(f"{text}: write a SQLite URL as sqlite:///relative/path.db or sqlite:////absolute/path.db")
        path = Path(text.removeprefix("sqlite:///"))
        try:
            opened: EventStore = _store_class(backend)(path, create=create)
        except StoreError as error:
            if text.startswith("sqlite:///") and not path.is_absolute():
                raise StoreError(f"{error}; note: {RELATIVE_URL_NOTE}") from None
            raise
        return opened
    opened = _store_class(backend)(text, create=create)
    return opened


def _store_class(backend: Backend) -> Any:
    """The store's class, imported only now, so that its library is needed only by those who use it."""
    try:
        return getattr(importlib.import_module(backend.module), backend.store)
    except ImportError as error:
        if not backend.library or not (error.name or "").startswith(backend.library):
            raise
        # The URL is not shown: it may hold a password, and the missing library is what is wrong.
        raise StoreError(
            f"{backend.title} registries need {backend.library}, which is not installed here; "
            f'install the {backend.extra} extra: pip install "cooperation-maturity[{backend.extra}]"'
        ) from None
