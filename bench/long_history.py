"""Long-history figures: a cold `coop status ID` must not grow with the length of the log.

`long_history_figures` is what `bench/run.py` calls. Two figures, each a ratio of wall
times of whole `coop status ID` processes, run in turns with their baseline:

- an initiative of 10,000 events over the same initiative cut to 10, both with a met
  `held` condition (`stimulation-sustained`: stimulation recorded over 180 days ago, and
  every later event inside the 180-day window, each at its own second, which is the worst
  case: each is a moment the condition must have held at);
- a status with no usable cache folder over `import typer`: the built-in workflow must
  be had without compiling its YAML (`cooperation.definition.precompiled`).

Run on its own: `python -m bench.long_history [--runs K]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.figures import Figure, median_ratio  # noqa: E402
from cooperation.definition.pinned import read_named  # noqa: E402
from cooperation.engine.events import Event  # noqa: E402
from cooperation.stores.sqlite import SqliteStore  # noqa: E402

COOP = [sys.executable, str(REPO / "cli.py")]
INITIATIVE = "long-history"
LONG, SHORT = 10_000, 10
HELD_DAYS = 180  # `stimulation-sustained` in cooperation-maturity
NO_CACHE = "/dev/null/coop"  # a folder that cannot be created, whoever runs the benchmark (root too)


def history(size: int, now: datetime) -> list[Event]:
    """A log of `size` events whose `held` condition is met at `now`: its last events inside the window."""
    workflow = read_named("cooperation-maturity")
    owner, people = "Person 0", [f"Person {k}" for k in range(3)]
    created = now - timedelta(days=HELD_DAYS + 200)

    def event(at: datetime, kind: str, data: dict[str, Any]) -> Event:
        return Event(INITIATIVE, kind, at.strftime("%Y-%m-%dT%H:%M:%SZ"), data, owner)

    log = [event(created, "initiative_created", {"name": "A long history", **workflow.reference()})]
    for k, name in enumerate(people):
        community = ("technical", "business", "government")[k]
        role = "owner" if k == 0 else "member"
        log.append(event(created, "participant_joined", {"name": name, "community": community, "role": role}))
    earliest = ("voluntary-cooperation-failed", "voluntary-cooperation-failed", "stimulation")
    for day, condition in enumerate(earliest, start=1):
        log.append(event(created + timedelta(days=day), "evidence_recorded", {"condition": condition, "text": "Done"}))
    window_start = now - timedelta(days=HELD_DAYS - 1)
    rest = size - len(log)
    step = timedelta(days=HELD_DAYS - 2) / max(rest, 1)
    for extra in range(rest):  # every one inside the window, each at its own second
        at = window_start + step * extra
        if extra % 2:
            log.append(event(at, "meeting_held", {"attendees": people, "neutral": True}))
        else:
            log.append(event(at, "evidence_recorded", {"condition": "trust-model", "text": f"Note {extra}"}))
    return [Event(e.initiative, e.kind, e.at, e.data, e.by, seq) for seq, e in enumerate(log, start=1)]


def write_history(path: Path, size: int, now: datetime) -> None:
    workflow = read_named("cooperation-maturity")
    with SqliteStore(path) as store:
        store.store_workflow(workflow.id, workflow.text)
        store.append_batches({INITIATIVE: (0, history(size, now))})


def wall(command: list[str], environment: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=REPO, env=environment)
    return time.perf_counter() - started


def alternate(runs: int, ours: Any, baseline: Any) -> tuple[list[float], list[float]]:
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        theirs.append(baseline())
        mine.append(ours())
    return mine, theirs


def figure(name: str, target: float, mine: list[float], theirs: list[float]) -> Figure:
    return Figure(name, median_ratio(mine, theirs), target, mine, theirs, "wall s")


def long_history_figures(data: Path, runs: int) -> list[Figure]:
    """Both long-history figures; registries are written afresh under `data` (their window ends now)."""
    data.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(dir=data) as folder:
        long_db, short_db = Path(folder) / "long.db", Path(folder) / "short.db"
        write_history(long_db, LONG, now)
        write_history(short_db, SHORT, now)
        status = [*COOP, "status", INITIATIVE, "--db"]
        wall([*status, str(short_db)])  # warms the compiled-workflow cache, as a user's second command would
        count = max(runs, 11)  # one start is short and spreads widely: the median needs many
        long_runs, short_runs = alternate(
            count, lambda: wall([*status, str(long_db)]), lambda: wall([*status, str(short_db)])
        )
        uncached = {**os.environ, "COOP_CACHE_DIR": NO_CACHE}
        cold_runs, typer_runs = alternate(
            count,
            lambda: wall([*status, str(short_db)], uncached),
            lambda: wall([sys.executable, "-c", "import typer"]),
        )
    return [
        figure(f"status ID, held met: {LONG:,} events over {SHORT}", 1.5, long_runs, short_runs),
        figure("status ID, no cache folder, over import typer", 2, cold_runs, typer_runs),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="runs per figure; the median counts")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / ".data")
    options = parser.parse_args()
    for result in long_history_figures(options.data, options.runs):
        ours, theirs = statistics.median(result.ours), statistics.median(result.baseline)
        print(f"{result.name:<62} {result.ratio:>6.2f} <= {result.target}  ({ours:.3f} s over {theirs:.3f} s)")


if __name__ == "__main__":
    main()
