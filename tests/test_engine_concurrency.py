"""Two writers never both win: the log's version guards every append, across registries and processes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.engine.events import Event
from cooperation.errors import ConflictError, CooperationError
from cooperation.registry import Registry
from cooperation.stores.locate import open_store

LADDER_FILE = str(Path(__file__).resolve().parent / "workflows" / "engine" / "ladder.yaml")
RACE = "race"
START = datetime(2020, 1, 1, 9, tzinfo=UTC)


def _ready(path: Path) -> None:
    """An initiative at 'idea' that may advance to 'formed' (and no further: 'trusted' is blocked)."""
    with Registry(open_store(path)) as registry:
        registry.create("Race", workflow=LADDER_FILE, initiative=RACE, at=START, by="Ada")
        for name, community, role in (("Ada", "technical", "owner"), ("Ben", "business", "secretariat")):
            registry.record(
                RACE, "participant_joined", {"name": name, "community": community, "role": role}, at=START, by="Ada"
            )
        registry.record(RACE, "evidence_recorded", {"condition": "problem", "text": "Spam"}, at=START, by="Ada")
        assert registry.can_advance(RACE)


def _advances(path: Path) -> list[Event]:
    with Registry(open_store(path)) as registry:
        return [event for event in registry.history(RACE) if event.kind == "stage_advanced"]


def _stale(registry: Registry) -> None:
    """From now on, this registry acts on the log as it reads it now (as if it had read it just before)."""
    snapshot = registry.store.read(RACE)
    registry.store.read = lambda initiative: list(snapshot) if initiative == RACE else []  # type: ignore[method-assign]


# --- two registries on one file --------------------------------------------------------------


WRITES: dict[str, Callable[[Registry], Any]] = {
    "advance": lambda r: r.advance(RACE, by="Ada"),
    "advance-by-secretariat": lambda r: r.advance(RACE, by="Ben"),
    "join": lambda r: r.record(RACE, "participant_joined", {"name": "Cy", "community": "media"}, by="Ada"),
    "join-other": lambda r: r.record(RACE, "participant_joined", {"name": "Di", "community": "academia"}, by="Ada"),
    "evidence": lambda r: r.record(RACE, "evidence_recorded", {"condition": "output", "text": "A paper"}, by="Ada"),
    "failure": lambda r: r.record(RACE, "evidence_recorded", {"condition": "failure", "text": "x"}, by="Ada"),
    "breach": lambda r: r.record(RACE, "trust_breached", {"description": "Leak"}, by="Ada"),
    "import": lambda r: r.import_lines(
        [Event(RACE, "meeting_held", "2020-01-02", {"attendees": ["Ada"]}, "Ada").to_line()]
    ),
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.sampled_from(sorted(WRITES)), second=st.sampled_from(sorted(WRITES)))
def test_two_writers_that_read_the_same_version_never_both_win(first: str, second: str) -> None:
    folder = tempfile.mkdtemp()
    try:
        path = Path(folder) / "coop.db"
        _ready(path)
        clock = lambda: START + timedelta(days=3)  # noqa: E731
        with Registry(open_store(path), clock=clock) as one, Registry(open_store(path), clock=clock) as two:
            _stale(two)  # both have read version 4
            before = one.history(RACE)
            WRITES[first](one)
            after_first = one.history(RACE)
            assert len(after_first) > len(before)
            with pytest.raises(ConflictError) as caught:
                WRITES[second](two)
            assert caught.value.expected_version == len(before)
            assert caught.value.actual_version == len(after_first)
            assert "nothing was written" in str(caught.value)
            assert one.history(RACE) == after_first  # the loser wrote nothing
        assert len(_advances(path)) == (1 if first.startswith("advance") else 0)
    finally:
        shutil.rmtree(folder)


def test_threads_racing_to_advance(tmp_path: Path) -> None:
    """Two registries in two threads both read, then both try to advance: one wins, one conflicts."""
    path = tmp_path / "coop.db"
    _ready(path)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def racer(actor: str) -> None:
        with Registry(open_store(path)) as registry:
            read = registry.store.read
            waited = False

            def read_then_wait(initiative: str) -> list[Event]:
                nonlocal waited
                events = read(initiative)
                if not waited:  # both have read the log before either writes
                    waited = True
                    barrier.wait()
                return events

            registry.store.read = read_then_wait  # type: ignore[method-assign]
            try:
                registry.advance(RACE, by=actor)
                outcomes[actor] = "advanced"
            except ConflictError:
                outcomes[actor] = "conflict"
            except CooperationError as error:  # pragma: no cover - reported by the assertion below
                outcomes[actor] = repr(error)

    threads = [threading.Thread(target=racer, args=(actor,)) for actor in ("Ada", "Ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes.values()) == ["advanced", "conflict"], outcomes
    [advance] = _advances(path)
    assert advance.data == {"from": "idea", "to": "formed"}


# --- processes -----------------------------------------------------------------------------------


def _process_racer(path: str, actor: str, barrier: Any, results: Any) -> None:
    """In a spawned process: read the log, wait until every racer has read it, then advance."""
    with Registry(open_store(path)) as registry:
        read = registry.store.read
        state = {"waited": False}

        def read_then_wait(initiative: str) -> list[Event]:
            events = read(initiative)
            if not state["waited"]:
                state["waited"] = True
                barrier.wait()
            return events

        registry.store.read = read_then_wait  # type: ignore[method-assign]
        try:
            registry.advance(RACE, by=actor)
            results.put((actor, "advanced"))
        except ConflictError:
            results.put((actor, "conflict"))
        except BaseException as error:  # reported by the parent
            results.put((actor, repr(error)))


def test_processes_racing_to_advance(tmp_path: Path) -> None:
    path = tmp_path / "coop.db"
    _ready(path)
    context = multiprocessing.get_context("spawn")
    racers = ("Ada", "Ben")
    barrier = context.Barrier(len(racers), timeout=60)
    results = context.Queue()
    processes = [context.Process(target=_process_racer, args=(str(path), actor, barrier, results)) for actor in racers]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    assert sorted(outcome for _, outcome in outcomes) == ["advanced", "conflict"], outcomes
    assert len(_advances(path)) == 1


def test_coop_advance_processes_racing(tmp_path: Path, repo_root: Path) -> None:
    """`coop advance` in several processes at once: one moves it, the others exit 3 or 1, saying why."""
    path = tmp_path / "coop.db"
    _ready(path)
    env = {key: value for key, value in os.environ.items() if key != "COOP_DB"}
    command = [sys.executable, "cli.py", "advance", RACE, "--by", "Ada", "--db", str(path)]
    processes = [
        subprocess.Popen(command, cwd=repo_root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    finished = [(process.wait(timeout=60), *process.communicate()) for process in processes]
    codes = sorted(code for code, _, _ in finished)
    assert codes.count(0) == 1, finished
    for code, stdout, stderr in finished:
        assert "Traceback" not in stderr
        if code == 0:
            assert stdout == f"{RACE}: now at 'formed'\n"
        elif code == 3:
            assert stderr.startswith(f"error: {RACE} changed while you were writing") and "retry" in stderr
        else:
            assert code == 1, (code, stderr)
            assert stderr.startswith(f"error: {RACE} cannot move to 'trusted'"), stderr
    [advance] = _advances(path)
    assert (advance.data, advance.by) == ({"from": "idea", "to": "formed"}, "Ada")
