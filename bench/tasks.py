"""One measured task per process: `python bench/tasks.py TASK ARGS...`.

Each task prints the CPU seconds of its timed part as JSON on the last line; the runner
reads peak memory from the operating system when the process ends. Baselines do the
same job with plain sqlite3 and dicts, so that ratios say what our layers cost.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Columns as the SQLite store keeps them; the baselines read and write the same rows.
_ROWS = "SELECT initiative, seq, kind, at, actor, data FROM events ORDER BY initiative, seq"


def baseline_status(database: str) -> int:
    """Read every event, parse its data, and fold what a status needs per initiative.

    The minimal fold: participants (and their communities), meetings, evidence, attestations,
    scores and waivers, with the stage; each initiative's fold is dropped once it is read, as a
    portfolio status streams.
    """
    with sqlite3.connect(database) as connection:
        return fold_rows(connection.execute(_ROWS))


def fold_rows(rows: Iterable[tuple[str, int, str, str, str | None, str]]) -> int:
    """Fold event rows (initiative, seq, kind, at, actor, data as JSON text), given in initiative order,
    each initiative's fold dropped once its rows are read; how many initiatives were folded."""
    folded = 0
    current, fold = None, _Fold()
    for initiative, _seq, kind, at, actor, data in rows:
        if initiative != current:
            folded += current is not None
            current, fold = initiative, _Fold()
        fold.take(kind, at, actor, json.loads(data))
    return folded + (current is not None)


class _Fold:
    """What one initiative's events add up to, kept in plain dicts, lists and sets."""

    __slots__ = ("attestations", "communities", "evidence", "meetings", "participants", "scores", "stage", "waivers")

    def __init__(self) -> None:
        self.stage = "challenge"
        self.participants: dict[str, str] = {}
        self.communities: set[str] = set()
        self.meetings: list[tuple[str, int, bool]] = []
        self.evidence: dict[str, list[str]] = {}
        self.attestations: dict[str, set[str]] = {}
        self.scores: dict[str, int] = {}
        self.waivers: set[str] = set()

    def take(self, kind: str, at: str, actor: str | None, data: dict[str, object]) -> None:
        if kind == "participant_joined":
            self.participants[str(data["name"])] = str(data["community"])
            self.communities.add(str(data["community"]))
        elif kind == "participant_left":
            self.participants.pop(str(data["name"]), None)
        elif kind == "meeting_held":
            self.meetings.append((at, len(data["attendees"]), bool(data.get("neutral"))))  # type: ignore[arg-type]
        elif kind == "evidence_recorded":
            self.evidence.setdefault(str(data["condition"]), []).append(at)
        elif kind == "attestation_given":
            self.attestations.setdefault(str(data["condition"]), set()).add(str(actor))
        elif kind == "score_set":
            self.scores[str(data["parameter"])] = int(data["level"])  # type: ignore[call-overload]
        elif kind == "condition_waived":
            self.waivers.add(str(data["condition"]))
        elif kind == "stage_advanced":
            self.stage = str(data["to"])


def api_status(database: str) -> int:
    """Every initiative's status through the public API (`database`: a path, or a registry's URL)."""
    from cooperation import Registry

    with Registry.open(database, create=False) as registry:
        return sum(1 for _ in registry.statuses())


def baseline_import(source: str, database: str) -> int:
    """Parse each JSON line and insert the rows with one executemany in one transaction."""
    with open(source, encoding="utf-8") as lines:
        rows = []
        versions: dict[str, int] = {}
        for line in lines:
            event = json.loads(line)
            seq = versions[event["initiative"]] = versions.get(event["initiative"], 0) + 1
            rows.append(
                (
                    event["initiative"],
                    seq,
                    event["kind"],
                    event["at"],
                    event.get("by"),
                    json.dumps(event["data"]),
                    "2026-01-01T00:00:00Z",
                )
            )
    connection = sqlite3.connect(database)
    connection.execute(
        "CREATE TABLE events (initiative TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, "
        "actor TEXT, data TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (initiative, seq)) WITHOUT ROWID"
    )
    with connection:
        connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    connection.close()
    return len(rows)


def api_import(source: str, database: str) -> int:
    from cooperation import Registry

    with Registry.open(database) as registry, open(source, encoding="utf-8") as lines:
        return registry.import_lines(lines, source=source).events


TASKS = {
    "baseline-status": baseline_status,
    "api-status": api_status,
    "baseline-import": baseline_import,
    "api-import": api_import,
}


def main(tasks: dict[str, Callable[..., int]] = TASKS) -> None:
    """Run the task named first on the command line (bench/postgres_tasks.py passes its own table)."""
    task, arguments = sys.argv[1], sys.argv[2:]
    started = time.process_time()
    count = tasks[task](*arguments)
    print(json.dumps({"task": task, "cpu": time.process_time() - started, "count": count}))


if __name__ == "__main__":
    main()
