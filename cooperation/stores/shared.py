"""What the SQL stores (SQLite and PostgreSQL) share: the registry's mark, version checks, logs read, wording.

Both keep a meta table that marks a registry as ours and records its schema version,
both check every log's version before a write, and both read a log as one JSON array
of [kind, at, data, actor, seq, recorded_at, recorded_by] entries. Their messages say the same things the same
way, so the wording of those lives here too.
"""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from cooperation.engine.events import Event
from cooperation.errors import ConflictError, StoreError, UnstorableEventError

MARKER = "cooperation-maturity registry"  # the meta table's `application`: this is a coop registry
INIT_HINT = "create one with `coop init` (or `coop new`)"

_BY_SEQ = operator.itemgetter(4)


def recorded_now() -> str:
    """The moment an event is recorded, as stored: UTC, to the microsecond, with a Z."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def operating_system_account() -> str:
    """The account a local store records as the writer: the operating system's user name.

    Falls back to the numeric user id where no name can be found (a container user with
    no entry in /etc/passwd, for instance)."""
    import getpass  # only when writing: reading statuses does not pay for it

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


# --- the meta table --------------------------------------------------------------------------


def marked_version(meta: Mapping[str, str]) -> int | None:
    """The schema version a meta table records, or None unless it marks a coop registry."""
    version = meta.get("schema_version", "")
    if meta.get("application") != MARKER or not version.isdigit():
        return None
    return int(version)


def newer_schema_error(url: str, version: int, newest: int) -> StoreError:
    """A registry written by a newer coop, whose schema this one cannot read."""
    return StoreError(
        f"{url} was written by a newer version of coop (registry schema {version}; "
        f"this version knows schemas up to {newest}). It was left untouched: "
        "upgrade coop (pip install --upgrade cooperation-maturity) to use it"
    )


# --- writing ---------------------------------------------------------------------------------


def checked_versions(batches: Mapping[str, tuple[int, Sequence[Event]]], actual: Mapping[str, int]) -> dict[str, int]:
    """The version each log will have after the write, or ConflictError for the first log that moved on."""
    versions: dict[str, int] = {}
    for initiative, (expected, events) in batches.items():
        if actual[initiative] != expected:
            raise ConflictError(initiative, expected, actual[initiative])
        versions[initiative] = expected + len(events)
    return versions


def misplaced_event(event: Event, initiative: str) -> UnstorableEventError:
    """An event handed to the log of another initiative."""
    return UnstorableEventError(f"an event of initiative '{event.initiative}' was given to append to '{initiative}'")


def closed_error(url: str) -> StoreError:
    """A store used after it was closed."""
    return StoreError(f"the registry {url} is closed: open it again to use it")


# --- reading ---------------------------------------------------------------------------------


def log_from_entries(initiative: str, entries: Sequence[Sequence[Any]]) -> list[Event]:
    """Events from a log read as one JSON array of [kind, at, data, actor, seq, recorded_at, recorded_by]
    entries, in seq order."""
    return [
        Event(initiative, kind, at, data, actor, seq, recorded_at, recorded_by)
        for kind, at, data, actor, seq, recorded_at, recorded_by in entries
    ]


def log_from_json(initiative: str, text: str | None, *, sort: bool) -> list[Event]:
    """The events of a log read as one JSON array (None for a log that does not exist).

    With `sort`, the entries are put in seq order first, for a database that does not
    promise the order in which it builds the array.
    """
    if text is None:
        return []
    entries = json.loads(text)
    if sort:
        entries.sort(key=_BY_SEQ)
    return log_from_entries(initiative, entries)


class ClosedAtExit:
    """`with store:` closes the store at the end of the block; the store defines `close`."""

    close: Callable[[], None]  # defined by each store

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
