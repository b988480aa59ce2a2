"""Telling a coop registry file from any other file, by its first bytes, before SQLite touches it.

A registry is a SQLite database whose header carries our application id; a file that is
empty or missing may become one, and any other file is refused and left untouched.
"""

from __future__ import annotations

import contextlib
import sqlite3
import stat
from pathlib import Path
from typing import Literal

from cooperation.errors import StoreError
from cooperation.stores.shared import INIT_HINT, closed_error

BUSY_TIMEOUT_SECONDS = 30.0
APPLICATION_ID = 0x436F6F70  # "Coop" in the SQLite header, at offset 68

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100


def inspect_file(path: Path, url: str) -> Literal["missing", "empty", "ours", "unmarked"]:
    """What the file is, from its first bytes alone, before SQLite touches it.

    Anything but a regular file (a FIFO, a device, a socket) is refused before it is opened:
    opening a FIFO waits for a writer that never comes.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except OSError:
        mode = stat.S_IFREG  # cannot look: opening it below says why
    if stat.S_ISDIR(mode):
        raise StoreError(f"{url} is a folder, not a registry file: give the path of a file, such as {path / 'coop.db'}")
    if not stat.S_ISREG(mode):
        raise StoreError(
            f"{url} is not a regular file (a pipe, device or socket?): it was left unopened; "
            "give the path of a registry file"
        )
    try:
        with open(path, "rb") as file:
            header = file.read(_HEADER_SIZE)
    except FileNotFoundError:
        return "missing"
    except IsADirectoryError:
        raise StoreError(
            f"{url} is a folder, not a registry file: give the path of a file, such as {path / 'coop.db'}"
        ) from None
    except OSError as error:
        raise StoreError(
            f"cannot read the registry {url}: {error.strerror or error}; "
            "check the permissions of the file and of its folder"
        ) from None
    if not header:
        return "empty"
    if len(header) < _HEADER_SIZE or not header.startswith(_SQLITE_MAGIC):
        raise StoreError(
            f"{url} is not a coop registry: it is not a SQLite database. It was left untouched; "
            f"give the path of a registry, or a new file name to {INIT_HINT.removeprefix('create one with ')}"
        )
    application_id = int.from_bytes(header[68:72], "big")
    if application_id == APPLICATION_ID:
        return "ours"
    if application_id == 0:
        return "unmarked"
    raise foreign_database(url)


def foreign_database(url: str) -> StoreError:
    """A SQLite database that another application made: refused, and left untouched."""
    return StoreError(
        f"{url} is not a coop registry: it is a SQLite database of another application. "
        f"It was left untouched; give the path of a registry, or a new file name to "
        f"{INIT_HINT.removeprefix('create one with ')}"
    )


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite answered that another connection holds the file locked."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


def sqlite_error(error: sqlite3.Error, action: str, url: str, name: str) -> StoreError:
    """A StoreError naming the registry `url` (file `name`), what went wrong and what to do about it."""
    text = str(error)
    lowered = text.lower()
    if isinstance(error, sqlite3.ProgrammingError) and "closed" in lowered:
        return closed_error(url)
    if "readonly" in lowered or "read-only" in lowered:
        advice = (
            f"the registry is read-only ({text}): check that you may write the file and its folder "
            f"(SQLite also writes {name}-wal and {name}-shm beside it)"
        )
    elif "unable to open" in lowered:
        advice = (
            f"{text}: check that the folder exists and that you may read and write the file and its folder "
            f"(SQLite also needs {name}-wal and {name}-shm beside it)"
        )
    elif is_busy(error):
        advice = (
            f"another process holds it locked ({text}, after waiting up to {BUSY_TIMEOUT_SECONDS:.0f} s); "
            "try again when that process is done"
        )
    elif "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        advice = f"the file is damaged or not a registry ({text}); restore it from a backup or an export"
    elif "full" in lowered:
        advice = f"the disk is full ({text}); free some space and try again"
    else:
        advice = text
    return StoreError(f"cannot {action} the registry {url}: {advice}")


def rollback(connection: sqlite3.Connection) -> None:
    """End the connection's transaction, if one is open, writing nothing."""
    if connection.in_transaction:
        # SQLite may already have rolled back (e.g. after a full disk); nothing was written
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
