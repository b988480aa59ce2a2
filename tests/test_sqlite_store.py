"""What the SQLite registry adds to the store contract: the file, its schema, its safety."""

from __future__ import annotations

import getpass
import hashlib
import json
import math
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperation.engine import events
from cooperation.engine.events import Event
from cooperation.errors import ConflictError, StoreError
from cooperation.stores import sqlite as sqlite_store
from cooperation.stores.locate import open_store
from cooperation.stores.sqlite import APPLICATION_ID, MARKER, SqliteStore, schema_version

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "store_worker.py"


def event(initiative: str, by: str | None = "alice", **data: Any) -> Event:
    return Event(initiative=initiative, kind="meeting_held", at="2019-02-01", data=data, by=by)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True, isolation_level=None)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "coop.db"
    with SqliteStore(path) as store:
        store.append("pilot", [event("pilot", n=1), event("pilot", n=2)], expected_version=0)
    return path


# --- the file -------------------------------------------------------------------------------


def test_a_new_registry_is_one_file_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with SqliteStore(path) as store:
        store.append("pilot", [event("pilot")], expected_version=0)
        connection = raw(path)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.close()
    assert path.is_file()


def test_the_registry_is_marked_and_records_its_schema_version(registry: Path) -> None:
    connection = raw(registry)
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    connection.close()

    assert meta["application"] == MARKER
    assert meta["schema_version"] == str(schema_version()) == "6"
    assert meta["created_at"].endswith("Z")


def test_events_are_stored_as_compact_sorted_json_with_the_time_of_recording(tmp_path: Path) -> None:
    path = tmp_path / "coop.db"
    with SqliteStore(path) as store:
        unsorted = event("pilot", by=None, zeta=1, alpha="Zoë", mid=[1, {"b": 2, "a": 1}])
        store.append("pilot", [unsorted], expected_version=0)
    connection = raw(path)
    row = connection.execute("SELECT initiative, seq, kind, at, actor, data, recorded_at FROM events").fetchone()
    connection.close()

    initiative, seq, kind, at, actor, data, recorded_at = row
    assert (initiative, seq, kind, at, actor) == ("pilot", 1, "meeting_held", "2019-02-01", None)
    assert data == '{"alpha":"Zoë","mid":[1,{"a":1,"b":2}],"zeta":1}'
    assert recorded_at.endswith("Z") and recorded_at[:2] == "20"


def test_the_file_itself_refuses_to_rewrite_or_remove_events(registry: Path) -> None:
    connection = raw(registry)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE events SET kind = 'rewritten'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("DELETE FROM events")
    connection.close()
    with SqliteStore(registry) as store:
        assert [e.kind for e in store.read("pilot")] == ["meeting_held", "meeting_held"]


def test_url_is_the_path_as_given(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "a.db") as store:
        assert store.url == str(tmp_path / "a.db")
    with SqliteStore(str(tmp_path / "b.db")) as store:
        assert store.url == str(tmp_path / "b.db")


def test_a_memory_registry_is_private_to_its_store_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with SqliteStore(":memory:") as one, SqliteStore(":memory:") as two:
        one.append("pilot", [event("pilot")], expected_version=0)
        assert one.version("pilot") == 1
        assert two.version("pilot") == 0
        assert one.url == ":memory:"
    assert list(tmp_path.iterdir()) == []


def test_open_store_finds_sqlite_by_path_and_by_url(registry: Path) -> None:
    for location in (registry, str(registry), f"sqlite:///{registry}"):
        store = open_store(location, create=False)
        try:
            assert isinstance(store, SqliteStore)
            assert store.version("pilot") == 2
        finally:
            store.close()


# --- files that are not (yet) registries ------------------------------------------------------


def test_a_missing_registry_is_not_created_when_only_reading(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"

    with pytest.raises(StoreError) as raised:
        SqliteStore(path, create=False)

    assert str(raised.value) == (
        f"no registry at {path} (looked for {path.absolute()}): create one with `coop init` (or `coop new`), "
        "or point at an existing one with --db PATH or the COOP_DB environment variable"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_registry_in_a_missing_folder_is_an_error_naming_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "coop.db"

    with pytest.raises(StoreError, match="does not exist") as raised:
        SqliteStore(path)

    assert str(tmp_path / "nowhere") in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_not_a_registry(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        SqliteStore(tmp_path)


def test_an_empty_file_becomes_a_registry_only_when_creating(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()

    with pytest.raises(StoreError, match="no registry"):
        SqliteStore(path, create=False)
    assert path.read_bytes() == b""

    with SqliteStore(path) as store:
        store.append("pilot", [event("pilot")], expected_version=0)
    with SqliteStore(path, create=False) as store:
        assert store.version("pilot") == 1


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(8192), id="random-bytes"),
        pytest.param(b"initiative,kind\npilot,meeting_held\n", id="short-text"),
        pytest.param(b"SQLite format 3\x00" + bytes(50), id="truncated-header"),
    ],
)
@pytest.mark.parametrize("create", [True, False])
def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path, content: bytes, create: bool) -> None:
    path = tmp_path / "data.db"
    path.write_bytes(content)
    before = digest(path)

    with pytest.raises(StoreError) as raised:
        SqliteStore(path, create=create)

    message = str(raised.value)
    assert str(path) in message
    assert "not a SQLite database" in message
    assert "coop init" in message
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.db"]


def _foreign_database(path: Path, *, application_id: int = 0, wal: bool = False) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    if wal:
        connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE people (name TEXT)")
    connection.execute("INSERT INTO people VALUES ('Ada'), ('Grace')")
    if application_id:
        connection.execute(f"PRAGMA application_id = {application_id}")
    connection.close()


@pytest.mark.parametrize(
    "application_id, wal", [(0, False), (0, True), (0x47504B47, False)], ids=["plain", "wal", "geopackage"]
)
@pytest.mark.parametrize("create", [True, False])
def test_another_applications_database_is_refused_and_left_untouched(
    tmp_path: Path, application_id: int, wal: bool, create: bool
) -> None:
    path = tmp_path / "people.db"
    _foreign_database(path, application_id=application_id, wal=wal)
    before = digest(path)

    with pytest.raises(StoreError) as raised:
        SqliteStore(path, create=create)

    message = str(raised.value)
    assert str(path) in message
    assert "not a coop registry" in message and "another application" in message
    assert "left untouched" in message
    assert digest(path) == before
    connection = raw(path)
    assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == ("wal" if wal else "delete")
    connection.close()


def test_a_registry_from_a_newer_coop_is_refused_and_left_untouched(registry: Path) -> None:
    connection = raw(registry)
    newer = str(schema_version() + 1)
    connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (newer,))
    connection.close()
    before = digest(registry)

    for create in (True, False):
        with pytest.raises(StoreError) as raised:
            SqliteStore(registry, create=create)
        message = str(raised.value)
        assert str(registry) in message
        assert "newer version of coop" in message
        assert "upgrade coop" in message
        assert digest(registry) == before


def test_a_marked_file_without_its_meta_table_is_reported_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute("CREATE TABLE something (x)")
    connection.close()
    before = digest(path)

    with pytest.raises(StoreError, match="missing or damaged"):
        SqliteStore(path)
    assert digest(path) == before


def test_a_registry_from_before_accounts_keeps_its_events_and_records_the_writer_from_then_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with monkeypatch.context() as old_coop:  # the schema of coop before accounts
        old_coop.setattr(sqlite_store, "_MIGRATIONS", sqlite_store._MIGRATIONS[:1])
        SqliteStore(path).close()
    old_file = sqlite3.connect(path, isolation_level=None)
    old_file.execute(
        "INSERT INTO events (initiative, seq, kind, at, actor, data, recorded_at) "
        "VALUES ('pilot', 1, 'meeting_held', '2019-02-01', 'alice', '{\"n\":1}', '2019-02-01T10:00:00.000000Z')"
    )
    old_file.close()

    with SqliteStore(path, create=False) as store:
        store.append("pilot", [event("pilot", n=2)], expected_version=1)
        old, new = store.read("pilot")
        head = store.audit()  # the migration chained the old event; the new one follows it
    assert (old.data, old.recorded_by) == ({"n": 1}, None)
    assert (new.data, new.recorded_by) == ({"n": 2}, getpass.getuser())
    assert old.recorded_at is not None and new.recorded_at is not None
    assert head.position == 2


def test_migrations_run_in_order_on_an_older_registry(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    later = (
        "CREATE INDEX events_by_kind ON events (kind, initiative)",
        "CREATE TABLE notes (text TEXT)",
    )
    third = ("INSERT INTO notes VALUES ('v3')",)
    monkeypatch.setattr(sqlite_store, "_MIGRATIONS", [*sqlite_store._MIGRATIONS, later, third])

    with SqliteStore(registry, create=False) as store:
        assert store.version("pilot") == 2
        store.append("pilot", [event("pilot", n=3)], expected_version=2)
    connection = raw(registry)
    newest = str(sqlite_store.schema_version())
    assert connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == newest
    assert connection.execute("SELECT text FROM notes").fetchall() == [("v3",)]
    connection.close()

    fresh = registry.parent / "fresh.db"
    with SqliteStore(fresh):
        pass
    connection = raw(fresh)
    assert connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == newest
    assert connection.execute("SELECT text FROM notes").fetchall() == [("v3",)]
    connection.close()


# --- writes that cannot land ----------------------------------------------------------------


def test_a_write_the_file_refuses_is_a_store_error_naming_the_file(registry: Path) -> None:
    store = SqliteStore(registry)
    store._connection.close()  # type: ignore[union-attr]
    store._connection = sqlite3.connect(  # stands for a file this process may only read
        f"{registry.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    try:
        assert store.version("pilot") == 2
        with pytest.raises(StoreError) as raised:
            store.append("pilot", [event("pilot")], expected_version=2)
        assert str(registry) in str(raised.value)
        assert "read-only" in str(raised.value)
        assert store.version("pilot") == 2
    finally:
        store.close()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="permissions do not bind root")
def test_a_read_only_registry_reads_but_refuses_writes_clearly(registry: Path) -> None:
    registry.chmod(0o444)
    try:
        try:
            store = SqliteStore(registry)
        except StoreError as error:  # some platforms refuse even to read a WAL file read-only
            assert str(registry) in str(error)
            return
        with store:
            assert store.version("pilot") == 2
            with pytest.raises(StoreError, match="read-only"):
                store.append("pilot", [event("pilot")], expected_version=2)
    finally:
        registry.chmod(0o644)


@pytest.mark.parametrize("data", [{"x": math.nan}, {"x": {1, 2}}, {"x": object()}])
def test_data_that_is_not_json_is_refused_and_nothing_lands(tmp_path: Path, data: dict[str, Any]) -> None:
    with SqliteStore(tmp_path / "coop.db") as store:
        with pytest.raises((ValueError, TypeError)):
            store.append_batches({"a": (0, [event("a")]), "b": (0, [Event("b", "meeting_held", "2019-02-01", data)])})
        assert store.initiatives() == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(st.text(max_size=6), json_values, max_size=5))
def test_data_is_encoded_canonically_and_reads_back_equal(data: dict[str, Any]) -> None:
    expected = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    try:
        expected.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be stored as UTF-8 text
        return
    assert events.encode_data(data) == expected
    with SqliteStore(":memory:") as store:  # a fresh registry per example
        store.append("a", [Event("a", "meeting_held", "2019-02-01", data)], expected_version=0)
        assert store.read("a")[0].data == data
        assert next(iter(store.read_all()))[1][0].data == data


# --- several writers --------------------------------------------------------------------------


def _start(path: Path, mode: str, workers: int, count: int = 1) -> list[subprocess.Popen[str]]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(path), mode, str(worker), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for worker in range(workers)
    ]


def _run_together(processes: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    """Let every worker get ready, then start them at once; return their reports."""
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.strip() == "ready", process.stderr.read() if process.stderr else line
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_processes_appending_to_one_log_lose_nothing_and_leave_no_gap(registry: Path) -> None:
    workers, each = 6, 50
    with SqliteStore(registry) as store:
        store.append("shared", [], expected_version=0)

    results = _run_together(_start(registry, "append", workers, each))

    with SqliteStore(registry, create=False) as store:
        log = store.read("shared")
    assert len(log) == workers * each
    assert [e.seq for e in log] == list(range(1, workers * each + 1))
    marks = Counter((e.data["worker"], e.data["n"]) for e in log)
    assert set(marks) == {(w, n) for w in range(workers) for n in range(each)}
    assert set(marks.values()) == {1}
    for worker in range(workers):  # each worker's own events keep their order
        assert [e.data["n"] for e in log if e.data["worker"] == worker] == list(range(each))
    assert sorted(r["worker"] for r in results) == list(range(workers))


def test_processes_racing_at_one_version_have_exactly_one_winner(registry: Path) -> None:
    with SqliteStore(registry) as store:
        store.append("shared", [event("shared"), event("shared")], expected_version=0)

    results = _run_together(_start(registry, "race", 6, 2))

    outcomes = Counter(r["outcome"] for r in results)
    assert outcomes == {"won": 1, "conflict": 5}
    assert {r["actual"] for r in results if r["outcome"] == "conflict"} == {3}
    with SqliteStore(registry, create=False) as store:
        log = store.read("shared")
    (winner,) = [r["worker"] for r in results if r["outcome"] == "won"]
    assert [e.data for e in log][2:] == [{"worker": winner}]


def test_processes_creating_one_registry_at_once_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "together.db"

    results = _run_together(_start(path, "create", 6))

    assert {r["outcome"] for r in results} == {"created"}
    with SqliteStore(path, create=False) as store:
        assert store.initiatives() == [f"own-{worker}" for worker in range(6)]
    connection = raw(path)
    assert connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
        schema_version()
    )
    assert connection.execute("SELECT count(*) FROM meta").fetchone()[0] == 4  # and the chain's head
    connection.close()


def test_threads_sharing_one_store_take_turns(registry: Path) -> None:
    errors: list[BaseException] = []

    with SqliteStore(registry) as store:

        def work(worker: int) -> None:
            try:
                for n in range(25):
                    mark = event("threads", w=worker, n=n)
                    while True:
                        try:
                            store.append("threads", [mark], expected_version=store.version("threads"))
                            break
                        except ConflictError:
                            pass
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        log = store.read("threads")
    assert [e.seq for e in log] == list(range(1, 101))
    assert len({(e.data["w"], e.data["n"]) for e in log}) == 100
