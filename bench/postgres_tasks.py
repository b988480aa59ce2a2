"""The PostgreSQL tasks of the benchmark, one per process: `python bench/postgres_tasks.py TASK ARGS...`.

As bench/tasks.py, whose runner, API tasks and minimal fold they reuse, each prints the CPU
seconds of its timed part as JSON on the last line; here a registry is named by its URL. The
baselines do the same job with plain psycopg and dicts, on the columns the PostgreSQL store
keeps (`coop_events` in cooperation/stores/postgres.py: `data` is a `json` column).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench.tasks import TASKS, fold_rows, main

# `data` is read as text and parsed with json.loads, as the SQLite baseline parses its TEXT column
# (psycopg would decode the json column with json.loads too; the cast makes the work visible).
_ROWS = "SELECT initiative, seq, kind, at, actor, data::text FROM coop_events ORDER BY initiative, seq"
_ROWS_PER_FETCH = 2_000  # a server-side cursor streams the rows, as sqlite3 does: memory stays flat
_PLAIN_TABLE = """
    CREATE TABLE bench_events (
        initiative text COLLATE "C" NOT NULL, seq integer NOT NULL, kind text NOT NULL, at text NOT NULL,
        actor text, data json NOT NULL, recorded_at timestamptz NOT NULL, PRIMARY KEY (initiative, seq)
    )
"""


def baseline_status(url: str) -> int:
    """Read every event in one ordered query, parse its data, and fold what a status needs per initiative
    (bench/tasks.py's `fold_rows`); each fold is dropped once its initiative is read. How many were folded."""
    with psycopg.connect(url) as connection, connection.cursor("bench_events") as rows:
        rows.itersize = _ROWS_PER_FETCH
        return fold_rows(rows.execute(_ROWS))


def baseline_import(source: str, url: str) -> int:
    """Parse each JSON line and insert the rows into a plain table with one executemany (which psycopg
    sends as a pipeline) in one transaction, as bench/tasks.py's `baseline_import` does for SQLite."""
    rows = []
    versions: dict[str, int] = {}
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            seq = versions[event["initiative"]] = versions.get(event["initiative"], 0) + 1
            data = json.dumps(event["data"])
            rows.append((event["initiative"], seq, event["kind"], event["at"], event.get("by"), data))
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(_PLAIN_TABLE)
        cursor.executemany(
            "INSERT INTO bench_events VALUES (%s, %s, %s, %s, %s, %s::json, '2026-01-01T00:00:00Z')", rows
        )
    return len(rows)


POSTGRES_TASKS = {
    "baseline-status": baseline_status,
    "api-status": TASKS["api-status"],  # Registry.open takes a URL as it takes a path
    "baseline-import": baseline_import,
}


if __name__ == "__main__":
    main(POSTGRES_TASKS)
