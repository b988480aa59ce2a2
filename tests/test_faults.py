"""Faults: a `coop import` killed at random points, and registry files that are damaged, foreign or locked.

Every check here uses real processes on real SQLite files: a SIGKILLed import must
leave all of its events or none, with the earlier ones intact; a bad file must give
exit code 2, a message naming the file, and leave the file byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_helpers import (
    integrity,
    kill_campaign,
    run_cli,
    seed_earlier_registry,
    write_import_file,
)

# --- kill points ---------------------------------------------------------------------------------


def test_an_import_killed_at_random_points_leaves_all_of_it_or_none(tmp_path: Path) -> None:
    campaign = kill_campaign(tmp_path, points=9, initiatives=100, events_each=100, seed=20240601)
    damaged = [outcome for outcome in campaign.outcomes if not outcome.survived]
    assert damaged == [], f"{len(damaged)} of {campaign.tried} kill points left damage: {damaged}"
    phases = campaign.phases()
    # The campaign is only a test if kills landed before the write and inside it, not only after.
    assert phases["before write"] >= 1 and phases["during write"] >= 1, phases


# --- files that are not a usable registry ----------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _siblings(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


@pytest.fixture(scope="module")
def registry_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A sound registry of several pages, checkpointed into its one file."""
    db = tmp_path_factory.mktemp("sound") / "coop.db"
    seed_earlier_registry(db)
    assert not any(sibling.exists() for sibling in _siblings(db))
    return db.read_bytes()


def _truncated_header(sound: bytes, path: Path) -> None:
    path.write_bytes(sound[:60])


def _truncated_body(sound: bytes, path: Path) -> None:
    path.write_bytes(sound[: len(sound) // 2])


def _random_middle_pages(sound: bytes, path: Path) -> None:
    page = int.from_bytes(sound[16:18], "big")
    noise = bytes((index * 97 + 13) % 256 for index in range(page))
    damaged = bytearray(sound)
    for number in range(1, len(sound) // page - 1):  # every page but the first and the last
        damaged[number * page : (number + 1) * page] = noise
    path.write_bytes(bytes(damaged))


def _zero_length(sound: bytes, path: Path) -> None:
    path.write_bytes(b"")


def _json_file(sound: bytes, path: Path) -> None:
    path.write_text('{"initiative": "x", "kind": "initiative_created"}\n', encoding="utf-8")


def _other_application(sound: bytes, path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
    connection.execute("INSERT INTO recipes VALUES ('soup', 30)")
    connection.commit()
    connection.close()


def _newer_schema(sound: bytes, path: Path) -> None:
    path.write_bytes(sound)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()


BAD_FILES: dict[str, tuple[Callable[[bytes, Path], None], str]] = {
    "truncated-header": (_truncated_header, "not a SQLite database"),
    "truncated-body": (_truncated_body, "restore it from a backup"),
    "random-middle-pages": (_random_middle_pages, "restore it from a backup"),
    "json-file": (_json_file, "not a SQLite database"),
    "other-application": (_other_application, "another application"),
    "newer-schema": (_newer_schema, "upgrade coop"),
}
# A zero-length file becomes a registry when a command creates one (documented); reading refuses it.
READING = [["status", "--all"]]
WRITING = [["import", "{events}"]]


def _check_refused(db: Path, args: list[str], message: str, events: Path) -> None:
    before = _digest(db)
    result = run_cli(*[arg.format(events=events) for arg in args], "--db", str(db))
    assert result.returncode == 2, (args, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and str(db) in result.stderr, result.stderr
    assert message in result.stderr, result.stderr
    assert _digest(db) == before, f"{args} changed the file"
    assert [sibling.name for sibling in _siblings(db) if sibling.exists()] == [], "SQLite files were left beside it"


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_registry_file_is_refused_by_name_with_exit_2_and_left_unchanged(
    tmp_path: Path, registry_bytes: bytes, case: str
) -> None:
    make, message = BAD_FILES[case]
    db = tmp_path / "coop.db"
    make(registry_bytes, db)
    events = tmp_path / "events.jsonl"
    write_import_file(events, initiatives=1, events_each=3)
    for args in [*READING, *WRITING]:
        _check_refused(db, args, message, events)


def test_a_zero_length_file_is_refused_by_reading_commands_and_left_empty(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    db.write_bytes(b"")
    for args in READING:
        _check_refused(db, args, "the file is empty", tmp_path)


# --- permissions: root ignores them, so the commands run without the capabilities that let it ------


def _held_to_permissions() -> None:
    """Skip unless processes can be run held to file permissions (as root, with util-linux's setpriv)."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed; CI has it")
    if os.geteuid() == 0:
        return
    pytest.skip("not root: this user is held to permissions already, but may own the files (CI runs as root)")


@pytest.mark.parametrize("locked", ["file", "folder"])
def test_a_read_only_registry_refuses_writes_by_name_with_exit_2_and_stays_unchanged(
    tmp_path: Path, registry_bytes: bytes, locked: str
) -> None:
    _held_to_permissions()
    folder = tmp_path / "registry"
    folder.mkdir()
    db = folder / "coop.db"
    db.write_bytes(registry_bytes)
    events = tmp_path / "events.jsonl"
    write_import_file(events, initiatives=1, events_each=3)
    if locked == "file":
        db.chmod(0o444)
    else:  # the file could be written, but SQLite cannot create its -wal and -shm beside it
        folder.chmod(0o555)
    before = _digest(db)
    try:
        for args in (["import", str(events)], ["evidence", "earlier-one", "challenge", "a statement", "--by", "Ada"]):
            result = run_cli(*args, "--db", str(db), unprivileged=True)
            assert result.returncode == 2, (args, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr and str(db) in result.stderr, result.stderr
            assert "read-only" in result.stderr or "permission" in result.stderr.lower(), result.stderr
            assert _digest(db) == before
    finally:
        folder.chmod(0o755)
    assert integrity(db) == "ok"
