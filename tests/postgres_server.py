"""A PostgreSQL server for the store tests: the one in $COOP_TEST_POSTGRES_URL, or a throwaway cluster.

Without $COOP_TEST_POSTGRES_URL, the first test that needs PostgreSQL starts a private
cluster (initdb in a temporary folder, listening on 127.0.0.1 on a free port, with a
random password) and the session stops and removes it at its end. Each registry a test
asks for is a schema of its own in one test database, so tests never see each other's
logs. When the server binaries or psycopg are missing, PostgreSQL tests are skipped
with the reason, except in CI ($CI set), where they fail: CI must test both stores.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

URL_VARIABLE = "COOP_TEST_POSTGRES_URL"
TEST_DATABASE = "coop_test"
SUPERUSER = "coop"
SERVER_USER = "postgres"  # initdb refuses to run as root; as root, the cluster runs as this user
START_TIMEOUT_SECONDS = 60
_SEARCH_FOLDERS = ("/usr/lib/postgresql", "/usr/local/pgsql", "/opt/homebrew/opt")


class PostgresServer:
    """A server to make test registries in: each registry is a fresh schema of the test database."""

    def __init__(self, database_url: str, *, cluster: Path | None = None, binaries: Path | None = None) -> None:
        self.database_url = database_url
        self._cluster = cluster
        self._binaries = binaries
        self._schemas: set[str] = set()
        self._roles: list[str] = []
        self._session = secrets.token_hex(8)  # schemas a crashed session left behind are never reused

    def registry_url(self, name: str) -> str:
        """The URL of the registry `name` (a schema made on first use, the same one on each call)."""
        import psycopg
        from psycopg import sql

        schema = "t_" + hashlib.sha256(f"{self._session}:{name}".encode()).hexdigest()[:20]
        if schema not in self._schemas:
            with psycopg.connect(self.database_url, autocommit=True) as connection:
                connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            self._schemas.add(schema)
        return with_search_path(self.database_url, schema)

    def role_urls(self, name: str) -> dict[str, str]:
        """URLs of the registry `name` for the documented roles, with exactly the documented rights:
        "admin" owns the schema and created the registry in it; "writer" and "reader" were
        granted what README's "PostgreSQL roles" says (cooperation.stores.postgres_roles)."""
        import psycopg
        from psycopg import sql

        from cooperation.stores.postgres import PostgresStore
        from cooperation.stores.postgres_roles import grants

        url = self.registry_url(name)
        schema = "t_" + hashlib.sha256(f"{self._session}:{name}".encode()).hexdigest()[:20]
        parts = urlsplit(url)
        urls: dict[str, str] = {}
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            for kind in ("admin", "writer", "reader"):
                role, password = f"{schema}_{kind}", secrets.token_hex(8)
                if role not in self._roles:
                    connection.execute(
                        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
                    )
                    self._roles.append(role)
                else:
                    connection.execute(
                        sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
                    )
                urls[kind] = urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port}"))
            connection.execute(
                sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(schema), sql.Identifier(f"{schema}_admin"))
            )
        PostgresStore(urls["admin"]).close()  # the admin creates the registry, and owns what it holds
        with psycopg.connect(urls["admin"], autocommit=True) as connection:
            for kind in ("writer", "reader"):
                for statement in grants(schema, f"{schema}_{kind}", kind):  # type: ignore[arg-type]
                    connection.execute(statement)
        return urls

    def stop(self) -> None:
        """Stop and remove a cluster this session started; drop the schemas it made in a server it was given."""
        if self._cluster is None:
            self._drop_schemas()
            return
        assert self._binaries is not None
        data = self._cluster / "data"
        stopped = subprocess.run(
            _server_user_command(
                [str(self._binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"]
            ),
            capture_output=True,
            check=False,
        )
        if stopped.returncode != 0:  # the server is stuck, or gone: make sure it is gone
            _stop_postmaster_at_once(data)
        shutil.rmtree(self._cluster, ignore_errors=True)
        self._cluster = None

    def _drop_schemas(self) -> None:
        import psycopg
        from psycopg import sql

        if not self._schemas:
            return
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            for schema in sorted(self._schemas):
                connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            for role in self._roles:
                connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        self._schemas.clear()
        self._roles.clear()


def with_search_path(url: str, schema: str) -> str:
    """`url` with the connection option that makes `schema` the place where the registry lives."""
    parts = urlsplit(url)
    option = "options=" + quote(f"-csearch_path={schema}", safe="")
    query = f"{parts.query}&{option}" if parts.query else option
    return urlunsplit(parts._replace(query=query))


# --- the session's server ------------------------------------------------------------------

_server: PostgresServer | None = None
_start_failure: str | None = None


def server() -> PostgresServer:
    """The session's server, started on first use; skips (or fails, in CI) when none can be had."""
    global _server, _start_failure
    if _start_failure is not None:  # tried once already: each test need not wait for it to fail again
        pytest.fail(_start_failure, pytrace=False)
    if _server is None:
        try:
            _server = _start()
        except RuntimeError as error:
            _start_failure = f"the PostgreSQL test server could not be started: {error}"
            raise
        atexit.register(stop_server)  # should the session end without its teardown
    return _server


def stop_server() -> None:
    global _server
    if _server is not None:
        running, _server = _server, None
        running.stop()


def role_urls(tmp_path: Path) -> dict[str, str]:
    """URLs of the PostgreSQL registry of a test's tmp_path for the documented roles (see PostgresServer.role_urls)."""
    return server().role_urls(str(tmp_path))


def registry_url(tmp_path: Path) -> str:
    """The URL of the PostgreSQL registry that belongs to a test's tmp_path."""
    return server().registry_url(str(tmp_path))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _start() -> PostgresServer:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable('psycopg is not installed (pip install ".[postgres]")')
    given = os.environ.get(URL_VARIABLE)
    if given:
        return PostgresServer(given)
    binaries = _find_binaries()
    if binaries is None:
        _unavailable(
            f"no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under {', '.join(_SEARCH_FOLDERS)}; "
            f"install them (apt-get install -y postgresql) or set ${URL_VARIABLE} to a server's URL"
        )
    assert binaries is not None
    return _start_cluster(binaries)


def _find_binaries() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    for folder in _SEARCH_FOLDERS:
        found = sorted(Path(folder).glob("*/bin/pg_ctl"), key=lambda p: _version_key(p.parent.parent.name))
        if found and (found[-1].parent / "initdb").exists():
            return found[-1].parent
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.replace("postgresql@", "").split(".") if part.isdigit())


def _start_cluster(binaries: Path) -> PostgresServer:
    cluster = Path(tempfile.mkdtemp(prefix="coop-postgres-"))
    try:
        return _init_and_start(binaries, cluster)
    except BaseException:
        shutil.rmtree(cluster, ignore_errors=True)
        raise


def _init_and_start(binaries: Path, cluster: Path) -> PostgresServer:
    data, sockets, log = cluster / "data", cluster / "sockets", cluster / "server.log"
    password = secrets.token_urlsafe(18)
    password_file = cluster / "password"
    password_file.write_text(password + "\n")
    sockets.mkdir()
    data.mkdir(mode=0o700)
    _hand_to_server_user(cluster)
    _as_server_user(
        [
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            f"--pwfile={password_file}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
    )
    password_file.unlink()
    for attempt in range(3):  # another program may take the free port between our check and the start
        port = _free_port()
        settings = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        started = subprocess.run(
            _server_user_command(
                [
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    settings,
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    str(START_TIMEOUT_SECONDS),
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode == 0:
            break
        if attempt == 2:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"could not start a PostgreSQL test cluster: {started.stderr}\n{tail}")
    started_server = PostgresServer(_url(password, port, TEST_DATABASE), cluster=cluster, binaries=binaries)
    try:
        import psycopg

        with psycopg.connect(_url(password, port, "postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {TEST_DATABASE}")
    except BaseException:
        started_server.stop()
        raise
    return started_server


def _url(password: str, port: int, database: str) -> str:
    return f"postgresql://{SUPERUSER}:{quote(password, safe='')}@127.0.0.1:{port}/{database}"


def _stop_postmaster_at_once(data: Path) -> None:
    """Send the server the signal for an immediate shutdown (its pid is the first line of postmaster.pid)."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
    except (OSError, ValueError, IndexError):
        pass  # no pid file, or no such process: the server is not running


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _hand_to_server_user(folder: Path) -> None:
    if not _running_as_root():
        return
    for path in (folder, *folder.rglob("*")):
        shutil.chown(path, SERVER_USER, SERVER_USER)


def _server_user_command(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if _running_as_root() else command


def _as_server_user(command: list[str]) -> None:
    finished = subprocess.run(_server_user_command(command), capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({finished.returncode}): {finished.stderr or finished.stdout}")


# --- fixtures (imported by conftest.py) -----------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """The session's PostgreSQL server (skipped, or failed in CI, when there is none)."""
    return server()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, tmp_path: Path) -> str:
    """The URL of a fresh, empty PostgreSQL registry for this test (password included)."""
    return postgres_server.registry_url(str(tmp_path))


@pytest.fixture(scope="session", autouse=True)
def _stop_postgres_at_the_end() -> Iterator[None]:
    """Stops the session's server if a test started it (nothing happens otherwise)."""
    yield
    stop_server()
