"""What the PostgreSQL registry adds to the store contract: its tables, its schema, its safety, its URL.

Every test gets a registry of its own (a fresh schema in the session's test server, see
postgres_server.py); `raw` opens a plain connection to it, to look behind the store's back.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres_server import PostgresServer, with_search_path

from cooperation.engine.events import Event
from cooperation.errors import ConflictError, StoreError
from cooperation.stores.locate import open_store

if not os.environ.get("CI"):  # in CI a missing psycopg must fail, not skip
    pytest.importorskip("psycopg", reason='psycopg is not installed (pip install ".[postgres]")')

import psycopg

from cooperation.stores import postgres as postgres_store
from cooperation.stores.postgres import MARKER, PostgresStore, redact, schema_version
from cooperation.stores.postgres_roles import grants

ROOT = Path(__file__).resolve().parent.parent


def event(initiative: str, by: str | None = "alice", kind: str = "meeting_held", **data: Any) -> Event:
    return Event(initiative=initiative, kind=kind, at="2019-02-01", data=data, by=by)


@pytest.fixture
def raw(postgres_url: str) -> Iterator[Any]:
    """A plain connection to the test's registry schema (autocommit)."""
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def registry(postgres_url: str) -> str:
    """A registry holding two events of 'pilot'."""
    with PostgresStore(postgres_url) as store:
        store.append("pilot", [event("pilot", n=1), event("pilot", n=2)], expected_version=0)
    return postgres_url


def tables(connection: Any) -> list[str]:
    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def password_of(url: str) -> str:
    return url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]


# --- the tables -----------------------------------------------------------------------------

OUR_TABLES = ["coop_events", "coop_meta", "coop_proposals", "coop_snapshots", "coop_statuses", "coop_workflows"]


def test_a_new_registry_is_six_marked_tables_in_the_urls_schema(registry: str, raw: Any) -> None:
    meta = dict(raw.execute("SELECT key, value FROM coop_meta").fetchall())

    assert tables(raw) == OUR_TABLES
    assert meta["application"] == MARKER
    assert meta["schema_version"] == str(schema_version()) == "7"
    assert meta["created_at"].endswith("Z")
    with PostgresStore(registry) as store:
        assert store.schema == raw.execute("SELECT current_schema()").fetchone()[0]
        assert store.schema.startswith("t_")


def test_events_are_stored_as_compact_sorted_json_with_the_time_of_recording(postgres_url: str, raw: Any) -> None:
    with PostgresStore(postgres_url) as store:
        store.append(
            "pilot", [event("pilot", by=None, zeta=1, alpha="Zoë", mid=[1, {"b": 2, "a": 1}])], expected_version=0
        )

    row = raw.execute(
        "SELECT initiative, seq, kind, at, actor, data::text, now() - recorded_at < interval '1 minute'"
        " FROM coop_events"
    ).fetchone()

    assert row == (
        "pilot",
        1,
        "meeting_held",
        "2019-02-01",
        None,
        '{"alpha":"Zoë","mid":[1,{"a":1,"b":2}],"zeta":1}',
        True,
    )


def test_the_database_itself_refuses_to_rewrite_or_remove_events(registry: str, raw: Any) -> None:
    for statement in ("UPDATE coop_events SET kind = 'rewritten'", "DELETE FROM coop_events", "TRUNCATE coop_events"):
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            raw.execute(statement)

    with PostgresStore(registry) as store:
        assert [e.data["n"] for e in store.read("pilot")] == [1, 2]


def test_other_tables_in_the_schema_are_left_alone(postgres_url: str, raw: Any) -> None:
    raw.execute("CREATE TABLE people (name text)")
    raw.execute("INSERT INTO people VALUES ('Ada'), ('Grace')")

    with PostgresStore(postgres_url) as store:
        store.append("pilot", [event("pilot")], expected_version=0)

    assert tables(raw) == [*OUR_TABLES, "people"]
    assert raw.execute("SELECT name FROM people ORDER BY name").fetchall() == [("Ada",), ("Grace",)]


def test_open_store_selects_postgresql_for_both_url_schemes(registry: str) -> None:
    for location in (registry, "postgres://" + registry.removeprefix("postgresql://")):
        store = open_store(location, create=False)
        try:
            assert isinstance(store, PostgresStore)
            assert store.version("pilot") == 2
        finally:
            store.close()


def test_without_psycopg_a_postgresql_url_asks_for_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "cooperation.stores.postgres")
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an environment without it gives

    with pytest.raises(StoreError) as raised:
        open_store("postgresql://ada:hunter2@db.example.org/coop")

    message = str(raised.value)
    assert 'pip install "cooperation-maturity[postgres]"' in message
    assert "hunter2" not in message


# --- the URL and its password -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql://ada:s3cret@db.example.org:5433/coop", "postgresql://ada:***@db.example.org:5433/coop"),
        ("postgres://ada:p%40ss@h1:1,h2:2/coop?sslmode=require", "postgres://ada:***@h1:1,h2:2/coop?sslmode=require"),
        (
            "postgresql://ada@db/coop?password=s3cret&sslmode=verify-full",
            "postgresql://ada@db/coop?password=***&sslmode=verify-full",
        ),
        ("postgresql:///coop?host=/var/run/postgresql", "postgresql:///coop?host=/var/run/postgresql"),
        ("postgresql://ada:pw@[bad", "postgresql://ada:***@[bad"),
    ],
)
def test_redact_hides_every_password_and_keeps_the_rest(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_the_stores_url_and_repr_hide_the_password(registry: str) -> None:
    password = password_of(registry)

    with PostgresStore(registry) as store:
        assert password not in store.url and password not in repr(store)
        assert store.url == registry.replace(password, "***")


def _broken_urls(server_url: str) -> dict[str, tuple[str, str]]:
    """URLs that cannot be opened, each with a phrase its error must hold."""
    password = password_of(server_url)
    host_and_database = server_url.split("@", 1)[1]
    _host, port = host_and_database.split("/", 1)[0].split(":")
    return {
        "wrong-password": (server_url.replace(f":{password}@", ":not-the-password@"), "user name or password"),
        "missing-database": (server_url.replace("/coop_test", "/no_such_database"), "create the database first"),
        "closed-port": (server_url.replace(f":{port}/", ":1/"), "does not answer"),
        "bad-option": (
            server_url + "&sslmode=sometimes" if "?" in server_url else server_url + "?sslmode=sometimes",
            "not valid",
        ),
        "unknown-parameter": (server_url + "?colour=blue", "not a valid PostgreSQL URL"),
        "password-in-query": (
            server_url.replace(f":{password}@", "@") + f"?password={password}x",
            "user name or password",
        ),
        "missing-schema": (with_search_path(server_url, "no_such_schema"), "CREATE SCHEMA"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong-password",
        "missing-database",
        "closed-port",
        "bad-option",
        "unknown-parameter",
        "password-in-query",
        "missing-schema",
    ],
)
def test_a_registry_that_cannot_be_opened_is_named_without_its_password(
    postgres_server: PostgresServer, case: str
) -> None:
    url, phrase = _broken_urls(postgres_server.database_url)[case]
    password = password_of(postgres_server.database_url)

    with pytest.raises(StoreError) as raised:
        PostgresStore(url)

    message = str(raised.value)
    assert phrase in message
    assert password not in message and "not-the-password" not in message
    assert redact(url) in message
    assert "\n" not in message


# --- schemas that are not (yet) registries -----------------------------------------------------


def test_a_missing_registry_is_not_created_when_only_reading(postgres_url: str, raw: Any) -> None:
    with pytest.raises(StoreError) as raised:
        PostgresStore(postgres_url, create=False)

    assert "no registry at" in str(raised.value) and "coop init" in str(raised.value)
    assert tables(raw) == []


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(["CREATE TABLE coop_events (id int)"], id="events-without-meta"),
        pytest.param(
            ["CREATE TABLE coop_meta (key text, value text)", "INSERT INTO coop_meta VALUES ('app', 'x')"],
            id="someone-elses-meta",
        ),
        pytest.param(["CREATE TABLE coop_meta (id int)"], id="meta-of-another-shape"),
    ],
)
@pytest.mark.parametrize("create", [True, False])
def test_tables_that_are_not_a_registrys_are_refused_and_left_untouched(
    postgres_url: str, raw: Any, setup: list[str], create: bool
) -> None:
    for statement in setup:
        raw.execute(statement)
    before = tables(raw)

    with pytest.raises(StoreError) as raised:
        PostgresStore(postgres_url, create=create)

    assert "left untouched" in str(raised.value)
    assert tables(raw) == before


def test_a_registry_from_a_newer_coop_is_refused_and_left_untouched(registry: str, raw: Any) -> None:
    newer = str(schema_version() + 1)
    raw.execute("UPDATE coop_meta SET value = %s WHERE key = 'schema_version'", (newer,))

    for create in (True, False):
        with pytest.raises(StoreError) as raised:
            PostgresStore(registry, create=create)
        assert "newer version of coop" in str(raised.value) and "upgrade coop" in str(raised.value)
    assert raw.execute("SELECT value FROM coop_meta WHERE key = 'schema_version'").fetchone() == (newer,)
    assert raw.execute("SELECT count(*) FROM coop_events").fetchone() == (2,)


def test_migrations_run_in_order_on_an_older_registry(
    registry: str, raw: Any, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = ("CREATE INDEX coop_events_by_kind ON {events} (kind, initiative)", "CREATE TABLE coop_notes (text text)")
    third = ("INSERT INTO coop_notes VALUES ('v3')",)
    monkeypatch.setattr(postgres_store, "_MIGRATIONS", [*postgres_store._MIGRATIONS, later, third])

    with PostgresStore(registry, create=False) as store:
        assert store.version("pilot") == 2
        store.append("pilot", [event("pilot", n=3)], expected_version=2)

    newest = str(postgres_store.schema_version())
    assert raw.execute("SELECT value FROM coop_meta WHERE key = 'schema_version'").fetchone() == (newest,)
    assert raw.execute("SELECT text FROM coop_notes").fetchall() == [("v3",)]
    assert raw.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'coop_events_by_kind'").fetchone() == (1,)


def test_processes_opening_a_new_registry_at_once_all_make_it_once(postgres_url: str, raw: Any) -> None:
    script = (
        "import sys\n"
        "from cooperation.stores.postgres import PostgresStore\n"
        "from cooperation.engine.events import Event\n"
        "print('ready', flush=True); sys.stdin.readline()\n"
        "with PostgresStore(sys.argv[1]) as store:\n"
        "    name = 'own-' + sys.argv[2]\n"
        "    store.append(name, [Event(name, 'meeting_held', '2019-02-01', {})], expected_version=0)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, postgres_url, str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for n in range(4)
    ]
    try:
        for worker in workers:  # every interpreter has started before any opens the registry
            assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outcomes = [(worker.wait(timeout=60), worker.stderr.read() if worker.stderr else "") for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    assert [code for code, _ in outcomes] == [0] * 4, outcomes
    assert raw.execute("SELECT count(*) FROM coop_meta").fetchone() == (4,)  # and the chain's head
    with PostgresStore(postgres_url, create=False) as store:
        assert store.initiatives() == [f"own-{n}" for n in range(4)]


# --- writes that cannot land --------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(Event("b", "meeting_held", "2019-02-01", {"x": math.nan}), id="nan"),
        pytest.param(Event("b", "meeting_held", "2019-02-01", {"x": {1, 2}}), id="set"),
        pytest.param(Event("b", "meeting_held", "2019-02-01", {"x": object()}), id="object"),
        pytest.param(Event("b", "meeting_held", "2019-02-01", {}, "Ada\x00"), id="nul-in-actor"),
        pytest.param(Event("b", "meeting\x00held", "2019-02-01", {}), id="nul-in-kind"),
        pytest.param(Event("b", "meeting_held", "2019-02-01", {"x": "\ud800"}), id="lone-surrogate"),
    ],
)
def test_an_event_that_cannot_be_stored_is_refused_and_nothing_lands(postgres_url: str, bad: Event) -> None:
    with PostgresStore(postgres_url) as store:
        with pytest.raises((ValueError, TypeError)):
            store.append_batches({"a": (0, [event("a")]), "b": (0, [bad])})
        assert store.initiatives() == []
        store.append("a", [event("a")], expected_version=0)  # the connection is still good
        assert store.version("a") == 1


def test_a_writer_that_bypasses_the_lock_is_caught_by_the_key(registry: str, raw: Any) -> None:
    """Someone inserts by hand, in a transaction still open, the event the store is about to write."""
    outcome: list[BaseException | int] = []
    with PostgresStore(registry) as store, psycopg.connect(registry) as intruder:
        intruder.execute(
            "INSERT INTO coop_events (initiative, seq, kind, at, data) VALUES ('pilot', 3, 'meeting_held', "
            "'2019-02-02', '{}')"
        )

        def append() -> None:
            try:
                outcome.append(store.append("pilot", [event("pilot", n=3)], expected_version=2))
            except BaseException as error:
                outcome.append(error)

        writer = threading.Thread(target=append)
        writer.start()
        deadline = time.monotonic() + 30
        backend = store._connection.info.backend_pid  # type: ignore[union-attr]
        while not raw.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid = %s", (backend,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the store's write never waited for the intruder"
            time.sleep(0.01)
        intruder.commit()
        writer.join(30)

    (error,) = outcome
    assert isinstance(error, ConflictError)
    assert (error.initiative, error.expected_version, error.actual_version) == ("pilot", 2, 3)
    assert raw.execute("SELECT at FROM coop_events WHERE seq = 3").fetchall() == [("2019-02-02",)]


def test_a_lost_connection_is_reported_clearly_then_replaced(registry: str, raw: Any) -> None:
    with PostgresStore(registry) as store:
        backend = store._connection.info.backend_pid  # type: ignore[union-attr]
        raw.execute("SELECT pg_terminate_backend(%s)", (backend,))

        with pytest.raises(StoreError) as raised:
            store.version("pilot")
        assert "connection to the server was lost" in str(raised.value)
        assert password_of(registry) not in str(raised.value)

        assert store.version("pilot") == 2
        assert store.append("pilot", [event("pilot", n=3)], expected_version=2) == 3


def test_a_server_that_only_allows_reading_refuses_writes_clearly(registry: str) -> None:
    read_only = registry.replace("options=", "options=-cdefault_transaction_read_only%3Don%20")

    with PostgresStore(read_only) as store:
        assert store.version("pilot") == 2
        with pytest.raises(StoreError, match="only allows reading"):
            store.append("pilot", [event("pilot")], expected_version=2)
        assert store.version("pilot") == 2


def test_a_user_without_the_right_to_write_is_told_what_to_grant_and_the_writer_grants_are_enough(
    registry: str, raw: Any
) -> None:
    role = "reader_" + raw.execute("SELECT current_schema()").fetchone()[0]
    try:
        raw.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'reader-secret'")
    except psycopg.errors.InsufficientPrivilege:
        if os.environ.get("CI"):
            raise
        pytest.skip("the test server's user may not create roles")
    try:
        raw.execute(f"GRANT USAGE ON SCHEMA {role.removeprefix('reader_')} TO {role}")
        raw.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {role.removeprefix('reader_')} TO {role}")
        _user, rest = registry.split("://", 1)[1].split("@", 1)
        as_reader = f"postgresql://{role}:reader-secret@{rest}"

        with PostgresStore(as_reader, create=False) as store:
            assert store.version("pilot") == 2
            with pytest.raises(StoreError) as raised:
                store.append("pilot", [event("pilot")], expected_version=2)
            assert "GRANT" in str(raised.value) and "reader-secret" not in str(raised.value)
            assert store.version("pilot") == 2

            schema = role.removeprefix("reader_")
            for statement in grants(schema, role, "writer"):  # what a team member needs, and no more
                raw.execute(statement)
            assert store.append("pilot", [event("pilot")], expected_version=2) == 3
    finally:
        raw.execute(f"DROP OWNED BY {role}")
        raw.execute(f"DROP ROLE {role}")


# --- data ---------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_url) as opened:
        yield opened


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.text(max_size=6), json_values, max_size=5), by=st.none() | st.text(max_size=8))
def test_any_json_data_and_actor_read_back_equal(store: PostgresStore, data: dict[str, Any], by: str | None) -> None:
    text = json.dumps(data, ensure_ascii=False)
    storable = "\x00" not in (by or "")
    try:
        text.encode("utf-8")
        (by or "").encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be stored as UTF-8 text
        storable = False
    initiative = f"d{store.version('counter')}"  # a log of its own for each example
    store.append("counter", [event("counter")], expected_version=store.version("counter"))
    written = Event(initiative, "meeting_held", "2019-02-01", data, by)
    if not storable:
        with pytest.raises(ValueError):
            store.append(initiative, [written], expected_version=0)
        assert store.version(initiative) == 0
        return
    store.append(initiative, [written], expected_version=0)
    (read,) = store.read(initiative)
    assert (read.data, read.by) == (data, by)
    assert [e.data for i, log in store.read_all() if i == initiative for e in log] == [data]


# --- the command line ---------------------------------------------------------------------------


def test_the_command_line_works_on_a_postgresql_registry(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cooperation.cli import app

    runner = CliRunner()
    password = password_of(postgres_url)
    monkeypatch.setenv("COOP_DB", postgres_url)

    made = runner.invoke(app, ["init"])
    assert made.exit_code == 0, made.output
    assert made.output == f"registry ready: {redact(postgres_url)} (0 initiatives)\n"
    assert password not in made.output
    assert (
        runner.invoke(app, ["new", "No default passwords", "--at", "2024-01-10", "--by", "Ada"]).output
        == "no-default-passwords\n"
    )
    joined = runner.invoke(
        app,
        [
            "join",
            "no-default-passwords",
            "Ada",
            "--community",
            "technical",
            "--role",
            "owner",
            "--at",
            "2024-01-11",
            "--by",
            "Ada",
        ],
    )
    assert joined.exit_code == 0, joined.output
    shown = runner.invoke(app, ["status", "no-default-passwords", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["stage"] == "challenge"
    assert json.loads(shown.output)["version"] == 2
    wrong = runner.invoke(app, ["status", "--db", postgres_url.replace(f":{password}@", ":wrong@")])
    assert wrong.exit_code == 2
    assert "user name or password" in wrong.output and password not in wrong.output


def test_the_database_itself_refuses_to_rewrite_or_remove_workflow_texts(registry: str, raw: Any) -> None:
    with PostgresStore(registry) as store:
        digest = store.store_workflow("sample", "id: sample\n")
    for statement in ("UPDATE coop_workflows SET text = 'x'", "DELETE FROM coop_workflows", "TRUNCATE coop_workflows"):
        with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
            raw.execute(statement)
    with PostgresStore(registry) as store:
        assert store.workflow_text(digest) == "id: sample\n"
