"""A long log in a stage that can lapse: reading it must cost in proportion to its length.

While an initiative is in a stage with an `on_lapse` transition, the fold asks before each event
whether a lapse came first; that question once worked out every instant of the log, which made a
read quadratic (4,000 events: 12.8 s). The figure is the CPU time per event of a status worked out
from the log (`as_of` now: no stored row is read) at 10,000 events over the same at 1,000, both
certified teams of `examples/workflows/certification.yaml` recording a meeting every few minutes.
Linear is 1; the target allows for the cost that does not grow with the log.

Run on its own: `python -m bench.lapsing [--runs K]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.figures import Figure, median_ratio  # noqa: E402
from cooperation import Registry  # noqa: E402
from cooperation.engine.events import Event  # noqa: E402
from cooperation.stores.sqlite import SqliteStore  # noqa: E402

WORKFLOW = REPO / "examples" / "workflows" / "certification.yaml"
LONG, SHORT = 10_000, 1_000
TEAM = "team"
START = datetime(2024, 1, 1, tzinfo=UTC)


def write_team(path: Path, meetings: int) -> None:
    """A certified team (audit of 3 January 2024) with `meetings` meetings after it, 20 seconds apart."""
    with Registry(SqliteStore(path)) as registry:
        registry.create("Team", workflow=str(WORKFLOW), initiative=TEAM, by="Ada", community="technical", at=START)
        for letter in "ab":
            registry.evidence(TEAM, "sponsored", f"Sponsor {letter}", by="Ada", at=START)
        registry.advance(TEAM, by="Ada", at=START + timedelta(days=1))
        registry.evidence(TEAM, "audit-passed", "Audit report", by="Ada", at=START + timedelta(days=2))
        registry.advance(TEAM, by="Ada", at=START + timedelta(days=3))
        version = len(registry.store.read(TEAM))
        first = START + timedelta(days=4)
        log = [_meeting(version + k, first + timedelta(seconds=20 * k)) for k in range(1, meetings + 1)]
        registry.store.append_batches({TEAM: (version, log)})


def _meeting(place: int, at: datetime) -> Event:
    return Event(TEAM, "meeting_held", f"{at:%Y-%m-%dT%H:%M:%SZ}", {"attendees": ["Ada"]}, "Ada", place)


def status_cpu(path: Path) -> float:
    """CPU seconds of one status worked out from the log, the registry already open."""
    with Registry.open(path, create=False) as registry:
        registry.status(TEAM, as_of=START + timedelta(days=200))  # the workflow compiled, outside the timing
        started = time.process_time()
        registry.status(TEAM, as_of=START + timedelta(days=300))
        return time.process_time() - started


def lapsing_figure(runs: int) -> Figure:
    with tempfile.TemporaryDirectory() as folder:
        long_db, short_db = Path(folder) / "long.db", Path(folder) / "short.db"
        write_team(long_db, LONG)
        write_team(short_db, SHORT)
        per_long: list[float] = []
        per_short: list[float] = []
        for _ in range(runs):
            per_short.append(status_cpu(short_db) / SHORT)
            per_long.append(status_cpu(long_db) / LONG)
    name = f"status per event in a stage that can lapse, {LONG:,} events over {SHORT:,}"
    return Figure(name, median_ratio(per_long, per_short), 1.5, per_long, per_short, "cpu s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs; the median counts")
    result = lapsing_figure(parser.parse_args().runs)
    ours, theirs = statistics.median(result.ours), statistics.median(result.baseline)
    print(f"{result.name}: {result.ratio:.2f} <= {result.target}  ({ours * 1e6:.1f} us over {theirs * 1e6:.1f} us)")


if __name__ == "__main__":
    main()
