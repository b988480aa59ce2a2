"""Several processes writing one initiative at once, on each kind of store.

Writers that append with retry on ConflictError: every acknowledged event is stored
exactly once, whole batches stay together, and the log numbers them without a gap.
Processes racing to advance: exactly one move per stage lands; the losers get a
ConflictError, and on retrying, a clear refusal because the stage has already moved.
Each process is a real one, with a store (and connection) of its own.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from multiprocessing.context import ForkContext, SpawnContext
from pathlib import Path
from typing import Any

import pytest

from cooperation.engine.events import Event
from cooperation.errors import BlockedTransitionError, ConflictError, TransitionError
from cooperation.registry import Registry
from cooperation.stores.locate import open_store

LADDER = str(Path(__file__).resolve().parent / "workflows" / "engine" / "ladder.yaml")
SHARED = "shared"
START = datetime(2020, 1, 1, 9, tzinfo=UTC)
WAIT_SECONDS = 90
# Forked where the platform can (each process still opens a store and connection of its own);
# spawning a fresh interpreter costs seconds per process on a busy machine.
PROCESSES: ForkContext | SpawnContext = (
    multiprocessing.get_context("fork")
    if "fork" in multiprocessing.get_all_start_methods()
    else multiprocessing.get_context("spawn")
)


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the registry lives: a SQLite file, or a PostgreSQL registry of the session's test server."""
    if request.param == "sqlite":
        return str(tmp_path / "coop.db")
    return str(request.getfixturevalue("postgres_url"))


def _run(target: Any, location: str, workers: int, *arguments: Any) -> list[dict[str, Any]]:
    """Run `target(location, worker, barrier, results, *arguments)` in `workers` processes; their reports."""
    barrier = PROCESSES.Barrier(workers, timeout=WAIT_SECONDS)
    results = PROCESSES.Queue()
    processes = [
        PROCESSES.Process(target=target, args=(location, worker, barrier, results, *arguments))
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=WAIT_SECONDS) for _ in processes]
        for process in processes:
            process.join(WAIT_SECONDS)
            assert process.exitcode == 0
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
    assert not [report for report in reports if "crash" in report], reports
    return sorted(reports, key=lambda report: int(report["worker"]))


# --- appending ---------------------------------------------------------------------------------


def _appender(location: str, worker: int, barrier: Any, results: Any, count: int) -> None:
    """Append `count` pairs of events to SHARED, each pair in one append, retrying on conflict."""
    try:
        acknowledged, retries = [], 0
        store = open_store(location, create=False)
        try:
            barrier.wait()
            for n in range(count):
                pair = [
                    Event(
                        SHARED,
                        "meeting_held",
                        "2019-02-01",
                        {"worker": worker, "n": n, "part": part},
                        f"worker-{worker}",
                    )
                    for part in (0, 1)
                ]
                while True:
                    try:
                        store.append(SHARED, pair, expected_version=store.version(SHARED))
                        acknowledged.append(n)
                        break
                    except ConflictError:
                        retries += 1
        finally:
            store.close()
        results.put({"worker": worker, "acknowledged": acknowledged, "retries": retries})
    except BaseException as error:  # reported by the parent
        results.put({"worker": worker, "crash": repr(error)})


def test_writers_appending_to_one_initiative_store_each_acknowledged_event_exactly_once(location: str) -> None:
    workers, each = 4, 40
    with closing(open_store(location)) as store:
        store.append(
            SHARED, [Event(SHARED, "initiative_created", "2019-02-01", {"name": "Shared"})], expected_version=0
        )

    reports = _run(_appender, location, workers, each)

    with closing(open_store(location, create=False)) as store:
        log = store.read(SHARED)
    appended = log[1:]
    assert [e.seq for e in log] == list(range(1, 2 + 2 * workers * each))
    stored = Counter((e.data["worker"], e.data["n"], e.data["part"]) for e in appended)
    acknowledged = {
        (report["worker"], n, part) for report in reports for n in report["acknowledged"] for part in (0, 1)
    }
    assert set(stored) == acknowledged == {(w, n, p) for w in range(workers) for n in range(each) for p in (0, 1)}
    assert set(stored.values()) == {1}
    for first, second in zip(
        appended[::2], appended[1::2], strict=False
    ):  # each append landed whole, its events together
        assert (first.data["worker"], first.data["n"], first.data["part"]) == (
            second.data["worker"],
            second.data["n"],
            second.data["part"] - 1,
        )
    for worker in range(workers):  # and each writer's appends in the order it made them
        assert [e.data["n"] for e in appended if e.data["worker"] == worker and e.data["part"] == 0] == list(
            range(each)
        )


# --- advancing -----------------------------------------------------------------------------------


def _prepare(location: str, *, every_stage: bool) -> None:
    """An initiative at 'idea' that may advance to 'formed' (and, with `every_stage`, to the top)."""
    with Registry(open_store(location)) as registry:
        registry.create("Race", workflow=LADDER, initiative=SHARED, at=START, by="Ada")
        for name, community, role in (
            ("Ada", "technical", "owner"),
            ("Ben", "business", "secretariat"),
            ("Cy", "academia", "owner"),
        ):
            registry.record(
                SHARED, "participant_joined", {"name": name, "community": community, "role": role}, at=START, by="Ada"
            )
        registry.record(SHARED, "evidence_recorded", {"condition": "problem", "text": "Spam"}, at=START, by="Ada")
        if every_stage:
            for day in ("2020-01-02", "2020-01-06"):
                registry.record(
                    SHARED, "meeting_held", {"attendees": ["Ada", "Ben"], "neutral": True}, at=day, by="Ada"
                )
            registry.record(SHARED, "score_set", {"parameter": "trust-level", "level": 3}, by="Ada", at="2020-01-06")
            registry.record(
                SHARED,
                "evidence_recorded",
                {"condition": "vouched", "text": "The CERT vouches"},
                at="2020-01-06",
                by="Ada",
            )
            registry.record(
                SHARED, "evidence_recorded", {"condition": "output", "text": "A paper"}, at="2020-01-06", by="Ada"
            )


def _stage_moves(location: str) -> list[tuple[str, str]]:
    with Registry(open_store(location, create=False)) as registry:
        return [(e.data["from"], e.data["to"]) for e in registry.history(SHARED) if e.kind == "stage_advanced"]


def _racer(location: str, worker: int, barrier: Any, results: Any) -> None:
    """Read the log, wait until every racer has read it, then advance; on conflict, try once more."""
    try:
        actor = ("Ada", "Ben", "Cy")[worker % 3]
        with Registry(open_store(location, create=False)) as registry:
            read, waited = registry.store.read, list[bool]()

            def read_then_wait(initiative: str) -> list[Event]:
                events = read(initiative)
                if not waited:  # every racer acts on the same version of the log
                    waited.append(True)
                    barrier.wait()
                return events

            registry.store.read = read_then_wait  # type: ignore[method-assign]
            report: dict[str, Any] = {"worker": worker}
            try:
                report["first"] = registry.advance(SHARED, by=actor).stage
            except ConflictError as conflict:
                report["first"] = "conflict"
                report["conflict"] = [conflict.expected_version, conflict.actual_version]
                try:
                    registry.advance(SHARED, by=actor)
                    report["retry"] = "advanced"
                except TransitionError as refusal:
                    report["retry"] = type(refusal).__name__
                    report["retry_target"] = refusal.target if isinstance(refusal, BlockedTransitionError) else None
        results.put(report)
    except BaseException as error:  # reported by the parent
        results.put({"worker": worker, "crash": repr(error)})


def test_processes_racing_to_advance_one_wins_and_the_others_retry_to_a_clear_refusal(location: str) -> None:
    _prepare(location, every_stage=False)
    with closing(open_store(location, create=False)) as store:
        version = store.version(SHARED)

    reports = _run(_racer, location, 4)

    winners = [report for report in reports if report["first"] == "formed"]
    losers = [report for report in reports if report["first"] == "conflict"]
    assert len(winners) == 1 and len(losers) == 3, reports
    for loser in losers:
        assert loser["conflict"] == [version, version + 1]
        assert (loser["retry"], loser["retry_target"]) == ("BlockedTransitionError", "trusted")
    assert _stage_moves(location) == [("idea", "formed")]


def _climber(location: str, worker: int, barrier: Any, results: Any) -> None:
    """Advance as far as the ladder goes, retrying after each conflict; count wins and conflicts."""
    try:
        actor = ("Ada", "Ben", "Cy")[worker % 3]
        wins, conflicts = [], 0
        with Registry(open_store(location, create=False)) as registry:
            barrier.wait()
            while True:
                try:
                    wins.append(registry.advance(SHARED, by=actor).stage)
                except ConflictError:
                    conflicts += 1
                except TransitionError as refusal:  # at the top: nothing moves on
                    results.put({"worker": worker, "wins": wins, "conflicts": conflicts, "end": str(refusal)})
                    return
    except BaseException as error:  # reported by the parent
        results.put({"worker": worker, "crash": repr(error)})


def test_processes_climbing_the_ladder_together_advance_each_stage_exactly_once(location: str) -> None:
    _prepare(location, every_stage=True)

    reports = _run(_climber, location, 4)

    assert _stage_moves(location) == [("idea", "formed"), ("formed", "trusted"), ("trusted", "delivered")]
    assert sorted(stage for report in reports for stage in report["wins"]) == ["delivered", "formed", "trusted"]
    for report in reports:
        assert "is at 'delivered', the last stage of the ladder" in report["end"]
