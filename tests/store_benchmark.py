"""Measure the SQLite store on a large registry (not a test: run it by hand).

    python tests/store_benchmark.py [--initiatives 100000] [--events 10] [--path DIR]

Imports initiatives × events small events with one append_batches call, then reads
them all back with read_all (the hot path of a portfolio status), and prints the rates.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cooperation.engine.events import Event
from cooperation.stores.sqlite import SqliteStore


def batches(initiatives: int, events: int) -> dict[str, tuple[int, list[Event]]]:
    result: dict[str, tuple[int, list[Event]]] = {}
    for number in range(initiatives):
        initiative = f"init-{number:07d}"
        created = {"name": f"Initiative {number}", "workflow": "cooperation-maturity"}
        log = [Event(initiative, "initiative_created", "2019-02-01", created, "alice")]
        log += [
            Event(initiative, "meeting_held", f"2019-03-{1 + n % 28:02d}", {"attendees": ["alice", "bob"]}, "alice")
            for n in range(events - 1)
        ]
        result[initiative] = (0, log)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--initiatives", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--path", type=Path, default=None, help="folder for the registry (default: a temporary one)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=arguments.path) as folder:
        path = Path(folder) / "bench.db"
        work = batches(arguments.initiatives, arguments.events)
        total = arguments.initiatives * arguments.events
        with SqliteStore(path) as store:
            started = time.perf_counter()
            store.append_batches(work)
            elapsed = time.perf_counter() - started
            print(f"append_batches: {total:,} events in {elapsed:.2f} s = {total / elapsed:,.0f} events/s")
        del work
        print(f"file size: {path.stat().st_size / 1e6:.1f} MB")
        with SqliteStore(path, create=False) as store:
            started = time.perf_counter()
            count = sum(len(events) for _, events in store.read_all())
            elapsed = time.perf_counter() - started
            print(f"read_all: {count:,} events in {elapsed:.2f} s = {count / elapsed:,.0f} events/s")
            started = time.perf_counter()
            names = store.initiatives()
            elapsed = time.perf_counter() - started
            print(f"initiatives: {len(names):,} in {elapsed:.3f} s")
            started = time.perf_counter()
            for name in names[:10_000]:
                store.read(name)
            elapsed = time.perf_counter() - started
            print(f"read: {min(len(names), 10_000):,} logs in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
