"""A separate process writing to a SQLite registry, for the concurrency tests.

    python tests/store_worker.py PATH MODE WORKER [COUNT]

It prints "ready" once it is set to go, waits for a line on stdin (so that every worker
starts at once), does its work and prints one JSON line with the outcome.

Modes:
    append  append COUNT events to the initiative "shared", one at a time, each read the
            version and retry on ConflictError; report the number of retries
    race    append one event to "shared" expecting version COUNT; report won or conflict
    create  open the registry only after the go (it may not exist yet), then append one
            event to an initiative of its own
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cooperation.engine.events import Event
from cooperation.errors import ConflictError
from cooperation.stores.sqlite import SqliteStore

SHARED = "shared"


def wait_for_go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def append(store: SqliteStore, worker: int, count: int) -> dict[str, object]:
    retries = 0
    for n in range(count):
        while True:
            version = store.version(SHARED)
            mark = Event(SHARED, "meeting_held", "2019-02-01", {"worker": worker, "n": n}, f"worker-{worker}")
            try:
                store.append(SHARED, [mark], expected_version=version)
                break
            except ConflictError:
                retries += 1
    return {"worker": worker, "retries": retries}


def race(store: SqliteStore, worker: int, expected: int) -> dict[str, object]:
    mark = Event(SHARED, "meeting_held", "2019-02-01", {"worker": worker}, f"worker-{worker}")
    try:
        store.append(SHARED, [mark], expected_version=expected)
    except ConflictError as error:
        return {"worker": worker, "outcome": "conflict", "actual": error.actual_version}
    return {"worker": worker, "outcome": "won"}


def main() -> None:
    path, mode, worker = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    if mode == "create":
        wait_for_go()
        with SqliteStore(path) as store:
            initiative = f"own-{worker}"
            first = Event(initiative, "meeting_held", "2019-02-01", {"worker": worker})
            store.append(initiative, [first], expected_version=0)
        result: dict[str, object] = {"worker": worker, "outcome": "created"}
    else:
        with SqliteStore(path, create=False) as store:
            wait_for_go()
            result = append(store, worker, count) if mode == "append" else race(store, worker, count)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
