"""The PostgreSQL figures of the benchmark: `python -m bench.postgres [--scale N] [--runs K] [--output FILE]`,
or `python bench/run.py --postgres`, which adds them to the SQLite ones.

It starts a throwaway cluster (initdb in a temporary folder, as the `postgres` user when run as
root, listening on 127.0.0.1 on a free port with a random password; stopped and removed however
the run ends), loads the diverse workload (bench/workload.py) into a registry with the store's
own batch append, hash chain and all, and no snapshots or stored statuses, as bench/run.py's
SQLite registries are made, and measures against baselines run in turns with it
(bench/postgres_tasks.py): `coop status --all --json > file` on a registry with no stored rows
(they are dropped before each first call) and on a second call, the API's portfolio status and
the peak memory of both, against one ordered read of every event with psycopg, `json.loads` and
bench/tasks.py's minimal fold; and `coop import` into a fresh registry against one `executemany`
into a plain table.

CPU comes in two figures. The client's, as for SQLite; but the PostgreSQL server does part of
the work in its own processes (the store has it build each log's JSON, and keep the rows a first
call stores), so the figure comparable with SQLite's is client + server: the server's part is
the growth, over the run, of the CPU time of the cluster's processes (the postmaster, with the
backends it has reaped, and its live children; /proc, so Linux). Autovacuum is off, so that no
background work lands in a measured run; the loaded registry is vacuumed and analysed once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.figures import Figure, compile_checkout  # noqa: E402
from bench.run import COOP, PEAK, Finished, alternate, count_lines, figure, run_process, task_cpu  # noqa: E402
from bench.workload import VERSION, fill_store, write_events  # noqa: E402

POSTGRES_TASKS = [*PEAK, str(REPO / "bench" / "postgres_tasks.py")]
SERVER_USER = "postgres"  # initdb refuses to run as root; as root, the cluster runs as this user
_SEARCH_FOLDERS = ("/usr/lib/postgresql", "/usr/local/pgsql")


@dataclass(frozen=True)
class Cluster:
    url: str  # the superuser's, on the benchmark's database
    postmaster: int | None  # its process id, for the server's CPU time (None: a server we did not start)


@dataclass
class Timed:
    run: Finished
    server_cpu: float  # CPU seconds the server's processes spent meanwhile (0 when not known)

    @property
    def total_cpu(self) -> float:
        return self.run.cpu + self.server_cpu


# --- a throwaway cluster -------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A private PostgreSQL server for one run, stopped and removed at the end however the run ends."""
    binaries = _server_binaries()
    folder = Path(tempfile.mkdtemp(prefix="coop-bench-postgres-"))
    data, sockets, password = folder / "data", folder / "sockets", secrets.token_urlsafe(18)
    started = False
    # A SIGTERM ends the run through the `finally` below, as Ctrl-C does (main thread only: a signal's rule).
    watching = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if watching else None
    try:
        sockets.mkdir()
        (folder / "password").write_text(password + "\n")
        if os.geteuid() == 0:
            for path in (folder, sockets, folder / "password"):
                shutil.chown(path, SERVER_USER, SERVER_USER)
        _as_server_user(binaries / "initdb", "-D", str(data), "-U", "coop", f"--pwfile={folder / 'password'}",
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C")  # fmt: skip
        port = _free_port()
        settings = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c autovacuum=off"
        _as_server_user(binaries / "pg_ctl", "-D", str(data), "-o", settings, "-l", str(folder / "log"), "-w", "start")
        started = True
        url = f"postgresql://coop:{quote(password, safe='')}@127.0.0.1:{port}"
        _run_sql(f"{url}/postgres", "CREATE DATABASE coop_bench")
        yield Cluster(f"{url}/coop_bench", int((data / "postmaster.pid").read_text().split()[0]))
    finally:
        if started:
            _as_server_user(binaries / "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
        if watching:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(number: int, frame: object) -> None:
    sys.exit(128 + number)


def _server_binaries() -> Path:
    if shutil.which("initdb") and (pg_ctl := shutil.which("pg_ctl")):
        return Path(pg_ctl).resolve().parent
    found = sorted(path.parent for folder in _SEARCH_FOLDERS for path in Path(folder).glob("*/bin/initdb"))
    if not found:
        raise SystemExit(
            f"no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under {', '.join(_SEARCH_FOLDERS)}"
        )
    return max(found, key=lambda path: [int(part) for part in path.parent.name.split(".") if part.isdigit()])


def _as_server_user(program: Path, *arguments: str) -> None:
    command = [str(program), *arguments]
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{program.name} failed ({done.returncode}): {done.stderr or done.stdout}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_cpu(postmaster: int | None) -> float:
    """CPU seconds the cluster's processes have used so far: the postmaster's own and its reaped
    children's, and those of its live children (0 when the server is not ours to see)."""
    if postmaster is None:
        return 0.0
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                fields = stat.read().rpartition(")")[2].split()  # after the command name, which may hold spaces
        except OSError:
            continue  # it ended meanwhile
        if int(entry.name) == postmaster:
            ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
        elif int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- registries: a schema each -------------------------------------------------------------


def schema_url(url: str, schema: str) -> str:
    """`url` with the connection option that makes the registry live in `schema`."""
    parts = urlsplit(url)
    option = "options=" + quote(f"-csearch_path={schema}", safe="")
    return urlunsplit(parts._replace(query=f"{parts.query}&{option}" if parts.query else option))


def _run_sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


class Schemas:
    """Schemas made for one run, with names no other run uses, all dropped by `drop_all`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"bench_{secrets.token_hex(4)}"
        self.made: list[str] = []

    def fresh(self, purpose: str) -> str:
        """A new, empty schema; the URL of the registry that lives in it."""
        name = f"{self.prefix}_{purpose}_{len(self.made)}"
        _run_sql(self.url, f"CREATE SCHEMA {name}")
        self.made.append(name)
        return schema_url(self.url, name)

    def drop_all(self) -> None:
        _run_sql(self.url, *(f"DROP SCHEMA IF EXISTS {name} CASCADE" for name in self.made))
        self.made.clear()


def load_registry(url: str, scale: int) -> None:
    """The diverse workload, appended to the empty registry at `url`, then vacuumed and analysed."""
    from cooperation.stores.postgres import PostgresStore

    with PostgresStore(url) as store:
        fill_store(store, scale, 0, workload="diverse")
    _run_sql(url, "VACUUM ANALYZE coop_events", "ANALYZE coop_snapshots, coop_statuses")


def forget_derived(url: str) -> None:
    """Drop the snapshots and stored statuses (as `coop snapshots --rebuild` starts), so that the
    next call finds the registry as its load left it."""
    from cooperation.stores.postgres import PostgresStore

    with PostgresStore(url) as store:
        store.drop_derived()
    _run_sql(url, "VACUUM coop_snapshots, coop_statuses")


# --- the figures ---------------------------------------------------------------------------


def postgres_figures(url: str, *, scale: int, runs: int, data: Path, postmaster: int | None = None) -> list[Figure]:
    """Every PostgreSQL figure, on registries made in fresh schemas of the database at `url` (a
    superuser's or a schema owner's), all dropped at the end. `postmaster`: the server's process id,
    when it is ours to watch; without it the client + server figures are left out."""
    schemas = Schemas(url)
    try:
        registry = schemas.fresh("diverse")
        print(f"loading {scale:,} diverse initiatives into PostgreSQL ...", file=sys.stderr)
        load_registry(registry, scale)
        source = data / f"diverse-v{VERSION}-{scale}.jsonl"  # the file bench/run.py makes and keeps
        if not source.exists():
            write_events(source, scale)
        watch = _Watch(postmaster)
        figures = portfolio(registry, scale, runs, data, watch)
        return figures + importing(source, runs, schemas, watch)
    finally:
        schemas.drop_all()


@dataclass(frozen=True)
class _Watch:
    """Runs processes and notes the server's CPU time spent meanwhile."""

    postmaster: int | None

    def run(self, command: list[str], *, before: Callable[[], object] | None = None, to: Path | None = None) -> Timed:
        if before is not None:
            before()  # not measured
        started = server_cpu(self.postmaster)
        finished = run_process(command, stdout_path=to)
        time.sleep(0.1)  # the backend ends after its client: let the postmaster reap it, so it is counted here
        return Timed(finished, server_cpu(self.postmaster) - started)

    def figures(
        self, name: str, target: float, ours: list[Timed], theirs: list[Timed], client: Callable[[Timed], float]
    ) -> list[Figure]:
        """The CPU figure of the client alone, and of client + server when the server is ours to watch."""
        both = [figure(f"{name}: client CPU", target, [client(t) for t in ours], [client(t) for t in theirs], "cpu s")]
        if self.postmaster is not None:
            mine = [client(t) + t.server_cpu for t in ours]
            baseline = [client(t) + t.server_cpu for t in theirs]
            both.append(figure(f"{name}: client + server CPU", target, mine, baseline, "cpu s"))
        return both


def portfolio(registry: str, scale: int, runs: int, work: Path, watch: _Watch) -> list[Figure]:
    """Status of every initiative, CLI and API, against the baseline's read and fold; each first call
    finds no stored rows (they are dropped before it), the second finds what the first stored."""
    output = work / "postgres-status.json"

    def cli(before: Callable[[], object] | None) -> Callable[[], Timed]:
        command = [*COOP, "status", "--all", "--json", "--db", registry]
        return lambda: watch.run(command, before=before, to=output)

    baseline, first, again, api = alternate(
        runs,
        lambda: watch.run([*POSTGRES_TASKS, "baseline-status", registry]),
        cli(lambda: forget_derived(registry)),
        cli(None),  # a second call, nothing changed in between
        lambda: watch.run([*POSTGRES_TASKS, "api-status", registry], before=lambda: forget_derived(registry)),
    )
    where = f"PostgreSQL, diverse, {scale:,} initiatives"

    def process(timed: Timed) -> float:
        return timed.run.cpu

    def timed_part(timed: Timed) -> float:  # both tasks start the same interpreter: compare what follows
        return task_cpu(timed.run)

    return [
        *watch.figures(f"coop status --all --json > file ({where})", 2, first, baseline, process),
        *watch.figures(f"the same, a second call with nothing changed ({where})", 0.5, again, baseline, process),
        *watch.figures(f"API portfolio status ({where})", 1.5, api, baseline, timed_part),
        figure(f"API peak memory ({where})", 1.5, _memory(api), _memory(baseline), "KiB"),
        figure(f"CLI peak memory ({where})", 1.5, _memory(first), _memory(baseline), "KiB"),
    ]


def _memory(runs: list[Timed]) -> list[float]:
    return [float(timed.run.peak_kib) for timed in runs]


def importing(source: Path, runs: int, schemas: Schemas, watch: _Watch) -> list[Figure]:
    """`coop import` of the diverse JSON Lines into a fresh registry, against one executemany of the
    parsed lines into a plain table of a fresh schema."""

    def fresh(command: Callable[[str], list[str]]) -> Callable[[], Timed]:
        return lambda: watch.run(command(schemas.fresh("import")))

    baseline, mine = alternate(
        runs,
        fresh(lambda target: [*POSTGRES_TASKS, "baseline-import", str(source), target]),
        fresh(lambda target: [*COOP, "import", str(source), "--db", target]),
    )
    name = f"coop import of {count_lines(source):,} events (PostgreSQL, diverse)"
    return watch.figures(name, 2, mine, baseline, lambda timed: timed.run.cpu)


# --- the command ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=5_000, help="initiatives in the registry")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median counts")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / ".data", help="where generated data is kept")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results-postgres.json")
    options = parser.parse_args()
    options.data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    compile_checkout()
    with throwaway_cluster() as cluster:
        server = _server_version(cluster.url)
        figures = postgres_figures(
            cluster.url, scale=options.scale, runs=options.runs, data=options.data, postmaster=cluster.postmaster
        )
    print(f"{'figure':<96} {'ratio':>7} {'target':>7}  met")
    for each in figures:
        print(f"{each.name:<96} {each.ratio:>7.2f} {'<= ' + str(each.target):>7}  {'yes' if each.met else 'NO'}")
    results = {
        "scale": options.scale,
        "runs": options.runs,
        "python": sys.version.split()[0],
        "postgresql": server,
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "workload": "diverse (bench/workload.py, seeded)",
        "figures": [{**asdict(each), "met": each.met} for each in figures],
    }
    options.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {options.output}")


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


if __name__ == "__main__":
    main()
