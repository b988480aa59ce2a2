"""The benchmark: `python bench/run.py [--scale N] [--runs K] [--output FILE]`.

It generates its own data deterministically, measures each figure against a baseline
run on the same machine in the same run, and prints the ratios (lower is better) with
the targets they must meet; the JSON written to --output holds every measurement.
CPU time is used where the work is computation, so that a busy machine skews both
sides alike; wall time where the disk is part of the job (one move) or the whole
process is the job (CLI start).
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.long_history import long_history_figures  # noqa: E402
from bench.workload import initiative_id, logs, write_registry  # noqa: E402

TASKS = [sys.executable, str(REPO / "bench" / "tasks.py")]
COOP = [sys.executable, str(REPO / "cli.py")]


@dataclass
class Figure:
    name: str
    ratio: float
    target: float
    ours: list[float]
    baseline: list[float]
    unit: str

    @property
    def met(self) -> bool:
        return self.ratio <= self.target


@dataclass
class Finished:
    cpu: float  # user + system seconds of the whole process
    wall: float
    peak_kib: int  # peak resident memory
    output: str


def run_process(command: list[str], *, stdout_path: Path | None = None) -> Finished:
    """Run a command to its end; its CPU time and peak memory come from wait4."""
    started = time.perf_counter()
    with open(stdout_path, "wb") if stdout_path else tempfile.TemporaryFile() as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors = process.stderr.read().decode() if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {errors}")
        sink.seek(0) if not stdout_path else None
        output = "" if stdout_path else sink.read().decode()
    return Finished(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss, output)


def task_cpu(finished: Finished) -> float:
    return float(json.loads(finished.output.strip().splitlines()[-1])["cpu"])


def median_ratio(ours: list[float], baseline: list[float]) -> float:
    return statistics.median(ours) / statistics.median(baseline)


def alternate(runs: int, ours: Callable[[], float], baseline: Callable[[], float]) -> tuple[list[float], list[float]]:
    """Run ours and the baseline in turns, so that a change in load touches both."""
    mine, theirs = [], []
    for _ in range(runs):
        theirs.append(baseline())
        mine.append(ours())
    return mine, theirs


def prepare(data: Path, scale: int, small: int) -> dict[str, Path]:
    paths = {
        "large": data / f"registry-{scale}.db",
        "small": data / f"registry-{small}.db",
        "events": data / f"events-{scale}.jsonl",
        "moves": data / "moves.db",
        "tiny": data / "tiny.db",
    }
    for key, count, size in (("large", scale, 10), ("small", small, 10), ("moves", 60, 100), ("tiny", 3, 10)):
        if not paths[key].exists():
            print(f"generating {paths[key].name} ...", file=sys.stderr)
            write_registry(paths[key], count, size)
    if not paths["events"].exists():
        print(f"generating {paths['events'].name} ...", file=sys.stderr)
        with open(paths["events"], "w", encoding="utf-8") as lines:
            for log in logs(scale, 10):
                lines.writelines(event.to_line() + "\n" for event in log)
    return paths


def portfolio(paths: dict[str, Path], scale: int, small: int, runs: int) -> list[Figure]:
    large, small_db = str(paths["large"]), str(paths["small"])
    api_large: list[Finished] = []
    base_large: list[Finished] = []

    def ours() -> float:
        api_large.append(run_process([*TASKS, "api-status", large]))
        return task_cpu(api_large[-1])

    def baseline() -> float:
        base_large.append(run_process([*TASKS, "baseline-status", large]))
        return task_cpu(base_large[-1])

    mine, theirs = alternate(runs, ours, baseline)
    small_runs = [task_cpu(run_process([*TASKS, "api-status", small_db])) for _ in range(runs)]
    per_large = statistics.median(mine) / scale
    per_small = statistics.median(small_runs) / small

    def cli() -> float:
        with tempfile.TemporaryDirectory() as folder:
            return run_process([*COOP, "status", "--all", "--json", "--db", large], stdout_path=Path(folder) / "o").cpu

    def cli_baseline() -> float:
        return run_process([*TASKS, "baseline-status", large]).cpu

    cli_mine, cli_theirs = alternate(runs, cli, cli_baseline)
    memory_mine = [float(run.peak_kib) for run in api_large]
    memory_theirs = [float(run.peak_kib) for run in base_large]
    return [
        Figure(f"portfolio status, API, {scale:,} initiatives", median_ratio(mine, theirs), 3, mine, theirs, "cpu s"),
        Figure(
            "portfolio status, coop status --all --json",
            median_ratio(cli_mine, cli_theirs),
            4,
            cli_mine,
            cli_theirs,
            "cpu s",
        ),
        Figure(
            f"scaling: per initiative at {scale:,} over {small:,}",
            per_large / per_small,
            1.3,
            [per_large],
            [per_small],
            "cpu s",
        ),
        Figure(
            f"peak memory of the portfolio status at {scale:,}",
            median_ratio(memory_mine, memory_theirs),
            2,
            memory_mine,
            memory_theirs,
            "KiB",
        ),
    ]


def importing(paths: dict[str, Path], runs: int) -> Figure:
    source = str(paths["events"])

    def fresh(run: Callable[[str], Finished]) -> float:
        with tempfile.TemporaryDirectory(dir=paths["events"].parent) as folder:
            return run(str(Path(folder) / "target.db")).cpu

    mine, theirs = alternate(
        runs,
        lambda: fresh(lambda target: run_process([*COOP, "import", source, "--db", target])),
        lambda: fresh(lambda target: run_process([*TASKS, "baseline-import", source, target])),
    )
    with open(source, encoding="utf-8") as events:
        lines = sum(1 for _ in events)
    return Figure(f"coop import of {lines:,} events", median_ratio(mine, theirs), 3, mine, theirs, "cpu s")


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
    # Installed, the package has its modules compiled (pip does it, as it did typer's);
    # compile this checkout too, as PYTHONDONTWRITEBYTECODE may keep Python from doing it.
    compiling = [sys.executable, "-m", "compileall", "-q", str(REPO / "cooperation"), str(REPO / "cli.py")]
    subprocess.run(compiling, check=True, capture_output=True)
    run_process([*COOP, "status", initiative_id(0), "--db", tiny])  # warm the compiled-workflow cache
    mine, theirs = alternate(
        max(runs, 21),  # one start is short and its time spreads widely: the median needs many
        lambda: run_process([*COOP, "status", initiative_id(0), "--db", tiny]).wall,
        lambda: run_process([sys.executable, "-c", "import typer"]).wall,
    )
    return Figure("coop status ID, cold process", median_ratio(mine, theirs), 2, mine, theirs, "wall s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="initiatives in the large registry")
    parser.add_argument("--small", type=int, default=0, help="initiatives in the small one [default: scale / 10]")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median counts")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / ".data", help="where generated data is kept")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.json")
    options = parser.parse_args()
    small = options.small or max(options.scale // 10, 1)
    options.data.mkdir(parents=True, exist_ok=True)
    paths = prepare(options.data, options.scale, small)
    figures = [
        *portfolio(paths, options.scale, small, options.runs),
        importing(paths, options.runs),
        one_move(paths, options.runs),
        cli_start(paths, options.runs),
        *long_history_figures(options.data, options.runs),
    ]
    print(f"{'figure':<52} {'ratio':>7} {'target':>7}  met")
    for figure in figures:
        print(
            f"{figure.name:<52} {figure.ratio:>7.2f} {'<= ' + str(figure.target):>7}  {'yes' if figure.met else 'NO'}"
        )
    results = {
        "scale": options.scale,
        "small": small,
        "runs": options.runs,
        "python": sys.version.split()[0],
        "figures": [{**asdict(figure), "met": figure.met} for figure in figures],
    }
    options.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written: {options.output}")
    if not all(figure.met for figure in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
