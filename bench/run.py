"""The benchmark: `python bench/run.py [--scale N] [--runs K] [--output FILE] [--postgres]`.

It generates its own data deterministically, measures each figure against a baseline
run on the same machine in the same run, and prints the ratios (lower is better) with
the targets they must meet; the JSON written to --output holds every measurement.
CPU time is used where the work is computation, so that a busy machine skews both
sides alike; wall time where the disk is part of the job (one move) or the whole
process is the job (CLI start). Peak memory is each child process's maximum resident set
(`bench/peak.py`: wait4's and `getrusage(RUSAGE_CHILDREN)`'s figure would include this
process's own peak), for the CLI as for the API.

The figures that count are measured on the diverse workload (`bench/workload.py`); the
uniform one of earlier runs is measured too, as a second figure. Each ratio is the median of
`--runs` runs, ours and the baseline's taken in turns. `--scale 10000` makes a quick run.
`--postgres` adds the PostgreSQL figures (bench/postgres.py, on a throwaway cluster).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.figures import Figure, compile_checkout, median_ratio  # noqa: E402
from bench.lapsing import lapsing_figure  # noqa: E402
from bench.long_history import long_history_figures  # noqa: E402
from bench.workload import VERSION, initiative_id, write_events, write_registry  # noqa: E402

PEAK = [sys.executable, str(REPO / "bench" / "peak.py")]  # notes the peak memory of the script it runs
TASKS = [*PEAK, str(REPO / "bench" / "tasks.py")]
COOP = [*PEAK, str(REPO / "cli.py")]
COOP_ALONE = [sys.executable, str(REPO / "cli.py")]  # for timing a start: nothing in between


@dataclass
class Finished:
    cpu: float  # user + system seconds of the whole process
    wall: float
    peak_kib: int  # peak resident memory
    output: str


def run_process(command: list[str], *, stdout_path: Path | None = None) -> Finished:
    """Run a command to its end; its CPU time comes from wait4, its peak memory from `bench/peak.py`
    when the command runs under it (else from wait4, which counts this process's peak too)."""
    started = time.perf_counter()
    with (
        open(stdout_path, "wb") if stdout_path else tempfile.TemporaryFile() as sink,
        tempfile.NamedTemporaryFile("r", suffix=".peak") as peak,
    ):
        environment = {**os.environ, "BENCH_PEAK_FILE": peak.name}
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE, cwd=REPO, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors = process.stderr.read().decode() if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {errors}")
        sink.seek(0) if not stdout_path else None
        output = "" if stdout_path else sink.read().decode()
        noted = peak.read().strip()
    return Finished(usage.ru_utime + usage.ru_stime, wall, int(noted) if noted else usage.ru_maxrss, output)


Outcome = TypeVar("Outcome")  # what one run of a side gives: a Finished, or a Finished with more


def task_cpu(finished: Finished) -> float:
    return float(json.loads(finished.output.strip().splitlines()[-1])["cpu"])


def alternate(runs: int, *sides: Callable[[], Outcome]) -> list[list[Outcome]]:
    """Run each side in turn, `runs` times, so that a change in load touches all of them alike."""
    done: list[list[Outcome]] = [[] for _ in sides]
    for _ in range(runs):
        for finished, side in zip(done, sides, strict=True):
            finished.append(side())
    return done


def cpu(runs: list[Finished]) -> list[float]:
    return [run.cpu for run in runs]


def memory(runs: list[Finished]) -> list[float]:
    return [float(run.peak_kib) for run in runs]


def figure(name: str, target: float, ours: list[float], baseline: list[float], unit: str) -> Figure:
    return Figure(name, median_ratio(ours, baseline), target, ours, baseline, unit)


def prepare(data: Path, scale: int, small: int, wanted: set[str]) -> dict[str, Path]:
    """The registries and the JSON Lines files of the run (those `wanted`), made once and kept in `data`."""
    v = f"v{VERSION}"
    paths = {
        "diverse": data / f"diverse-{v}-{scale}.db",
        "diverse-small": data / f"diverse-{v}-{small}.db",
        "uniform": data / f"uniform-{v}-{scale}.db",
        "events": data / f"diverse-{v}-{scale}.jsonl",
        "events-small": data / f"diverse-{v}-{small}.jsonl",
        "moves": data / f"moves-{v}.db",
        "tiny": data / f"tiny-{v}.db",
    }
    registries = (
        ("diverse", scale, "diverse", 0),
        ("diverse-small", small, "diverse", 0),
        ("uniform", scale, "uniform", 10),
        ("moves", 60, "uniform", 100),
        ("tiny", 3, "uniform", 10),
    )
    for key, count, workload, size in registries:
        if key in wanted and not paths[key].exists():
            print(f"generating {paths[key].name} ...", file=sys.stderr)
            write_registry(paths[key], count, size, workload=workload)
    for key, count in (("events", scale), ("events-small", small)):
        if key in wanted and not paths[key].exists():
            print(f"generating {paths[key].name} ...", file=sys.stderr)
            write_events(paths[key], count)
    return paths


GROUPS = {
    "portfolio": ("diverse",),
    "scaling": ("diverse", "diverse-small"),
    "import": ("events", "events-small"),
    "move": ("moves",),
    "start": ("tiny",),
    "long": (),
    "lapsing": (),
    "uniform": ("uniform",),
}
"""The groups of figures, each with the generated data it needs (`prepare`); `--only` picks some."""


def cli_status(database: Path, folder: Path) -> Finished:
    """`coop status --all --json > file`, the whole process measured."""
    return run_process([*COOP, "status", "--all", "--json", "--db", str(database)], stdout_path=folder / "status.json")


def portfolio(paths: dict[str, Path], workload: str, runs: int, work: Path) -> list[Figure]:
    """Status of every initiative of one workload, CLI and API, against the baseline's read and fold.

    Each first call, CLI or API, reads a fresh copy of the registry as its import left it (no stored
    statuses yet); the second call reads the copy the first call left. The data kept is never written."""
    database = paths[workload]
    scale = database.stem.split("-")[-1]
    copies: list[Path] = []

    def first_call() -> Finished:
        copies.append(fresh_copy(database, work, "cli"))
        return cli_status(copies[-1], work)

    baseline, first, again, api = alternate(
        runs,
        lambda: run_process([*TASKS, "baseline-status", str(database)]),
        first_call,
        lambda: cli_status(copies[-1], work),  # a second call, nothing changed in between
        lambda: run_process([*TASKS, "api-status", str(fresh_copy(database, work, "api"))]),
    )
    where = f"{workload}, {int(scale):,} initiatives"
    figures = [
        figure(f"coop status --all --json > file ({where})", 2, cpu(first), cpu(baseline), "cpu s"),
        figure(f"the same, a second call with nothing changed ({where})", 0.5, cpu(again), cpu(baseline), "cpu s"),
        figure(f"API portfolio status ({where})", 1.5, [task_cpu(run) for run in api], baseline_cpu(baseline), "cpu s"),
        figure(f"API peak memory ({where})", 1.5, memory(api), memory(baseline), "KiB"),
        figure(f"CLI peak memory ({where})", 1.5, memory(first), memory(baseline), "KiB"),
    ]
    return figures


def fresh_copy(database: Path, work: Path, purpose: str) -> Path:
    """A copy of a registry as generated, for a run that may keep what it computes (stored statuses)."""
    copy = work / f"{purpose}-{database.name}"
    shutil.copyfile(database, copy)
    return copy


def baseline_cpu(runs: list[Finished]) -> list[float]:
    """The baseline's timed part alone, as the API's is: both start the same interpreter."""
    return [task_cpu(run) for run in runs]


def scaling(paths: dict[str, Path], scale: int, small: int, runs: int, work: Path) -> Figure:
    large, little = alternate(
        runs,
        lambda: run_process([*TASKS, "api-status", str(fresh_copy(paths["diverse"], work, "large"))]),
        lambda: run_process([*TASKS, "api-status", str(fresh_copy(paths["diverse-small"], work, "small"))]),
    )
    per_large = statistics.median(task_cpu(run) for run in large) / scale
    per_small = statistics.median(task_cpu(run) for run in little) / small
    return Figure(
        f"per initiative at {scale:,} over {small:,} (diverse)",
        per_large / per_small,
        1.2,
        [per_large],
        [per_small],
        "cpu s",
    )


def importing(paths: dict[str, Path], runs: int) -> list[Figure]:
    """`coop import` against one executemany of the parsed lines; its memory, at a tenth and the whole file."""

    def fresh(command: Callable[[str], list[str]]) -> Callable[[], Finished]:
        def run() -> Finished:
            with tempfile.TemporaryDirectory(dir=paths["events"].parent) as folder:
                return run_process(command(str(Path(folder) / "target.db")))

        return run

    def coop(source: Path) -> Callable[[str], list[str]]:
        return lambda target: [*COOP, "import", str(source), "--db", target]

    source = paths["events"]
    baseline, mine, tenth = alternate(
        runs,
        fresh(lambda target: [*TASKS, "baseline-import", str(source), target]),
        fresh(coop(source)),
        fresh(coop(paths["events-small"])),
    )
    lines = count_lines(source)
    return [
        figure(f"coop import of {lines:,} events (diverse)", 2, cpu(mine), cpu(baseline), "cpu s"),
        figure(
            f"import peak memory, {lines:,} events over {count_lines(paths['events-small']):,} (flat: near 1)",
            1.25,
            memory(mine),
            memory(tenth),
            "KiB",
        ),
    ]


def count_lines(path: Path) -> int:
    with open(path, encoding="utf-8") as lines:
        return sum(1 for _ in lines)


def one_move(paths: dict[str, Path], runs: int) -> Figure:
    from cooperation import Registry

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "moves.db"
        shutil.copyfile(paths["moves"], database)
        ready = [index for index in range(60) if index % 3]  # these have not advanced yet
        mine: list[float] = []
        theirs: list[float] = []
        with Registry.open(database) as registry:
            baseline = sqlite3.connect(database, isolation_level=None)
            baseline.execute("PRAGMA synchronous = FULL")
            baseline.execute("CREATE TABLE IF NOT EXISTS bench_rows (n INTEGER, data TEXT)")
            for index in ready[: max(runs * 5, 15)]:
                started = time.perf_counter()
                baseline.execute("BEGIN IMMEDIATE")
                baseline.execute("INSERT INTO bench_rows VALUES (?, ?)", (index, '{"from":"a","to":"b"}'))
                baseline.execute("COMMIT")
                theirs.append(time.perf_counter() - started)
                started = time.perf_counter()
                registry.advance(initiative_id(index), by=f"Person {index}-0")
                mine.append(time.perf_counter() - started)
            baseline.close()
    return Figure("advance one initiative of 100 events", median_ratio(mine, theirs), 5, mine, theirs, "wall s")


def cli_start(paths: dict[str, Path], runs: int) -> Figure:
    tiny = str(paths["tiny"])
    run_process([*COOP_ALONE, "status", initiative_id(0), "--db", tiny])  # warm the compiled-workflow cache
    theirs, mine = alternate(
        max(runs, 21),  # one start is short and its time spreads widely: the median needs many
        lambda: run_process([sys.executable, "-c", "import typer"]),
        lambda: run_process([*COOP_ALONE, "status", initiative_id(0), "--db", tiny]),
    )
    walls = [run.wall for run in mine], [run.wall for run in theirs]
    return figure("coop status ID, cold process", 2, *walls, "wall s")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="initiatives in the large registries")
    parser.add_argument("--small", type=int, default=0, help="initiatives in the small one [default: scale / 10]")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median counts")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / ".data", help="where generated data is kept")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument(
        "--only", nargs="+", choices=list(GROUPS), help="measure only these groups of figures [default: all]"
    )
    parser.add_argument("--postgres", action="store_true", help="also the PostgreSQL figures (bench/postgres.py)")
    parser.add_argument("--postgres-scale", type=int, default=0, help="initiatives for them [default: --scale]")
    return parser.parse_args()


def main() -> None:
    options = _options()
    small = options.small or max(options.scale // 10, 1)
    groups = options.only or list(GROUPS)
    options.data.mkdir(parents=True, exist_ok=True)
    paths = prepare(options.data, options.scale, small, {key for group in groups for key in GROUPS[group]})
    compile_checkout()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        runs = options.runs
        measure: dict[str, Callable[[], list[Figure]]] = {
            "portfolio": lambda: portfolio(paths, "diverse", runs, work),
            "scaling": lambda: [scaling(paths, options.scale, small, runs, work)],
            "import": lambda: importing(paths, runs),
            "move": lambda: [one_move(paths, runs)],
            "start": lambda: [cli_start(paths, runs)],
            "long": lambda: long_history_figures(options.data, runs),
            "lapsing": lambda: [lapsing_figure(runs)],
            "uniform": lambda: portfolio(paths, "uniform", runs, work),  # the old workload, as a second figure
        }
        figures = [figure for group in groups for figure in measure[group]()]
    if options.postgres:
        from bench.postgres import postgres_figures, throwaway_cluster

        with throwaway_cluster() as cluster:
            scale = options.postgres_scale or options.scale
            figures += postgres_figures(
                cluster.url, scale=scale, runs=options.runs, data=options.data, postmaster=cluster.postmaster
            )
    print(f"{'figure':<72} {'ratio':>7} {'target':>7}  met")
    for each in figures:
        print(f"{each.name:<72} {each.ratio:>7.2f} {'<= ' + str(each.target):>7}  {'yes' if each.met else 'NO'}")
    results = {
        "groups": groups,
        "scale": options.scale,
        "small": small,
        "runs": options.runs,
        "python": sys.version.split()[0],
        "workloads": "diverse (bench/workload.py, seeded) and uniform (10 events, 3 participants each)",
        "figures": [{**asdict(each), "met": each.met} for each in figures],
    }
    options.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {options.output}")
    if not all(figure.met for figure in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
