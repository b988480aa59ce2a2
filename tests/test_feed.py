"""`coop events --since SEQ|DATE [--follow]`: the registry's events after a point, as JSON Lines, on both stores."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.registry import Registry
from cooperation.stores.locate import open_store

RUNNER = CliRunner()
REPO = Path(__file__).resolve().parent.parent


def _sqlite(tmp_path: Path) -> str:
    return str(tmp_path / "coop.db")


def _postgresql(tmp_path: Path) -> str:
    from postgres_server import registry_url

    return registry_url(tmp_path)


@pytest.fixture(params=[pytest.param(_sqlite, id="sqlite"), pytest.param(_postgresql, id="postgresql")])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    location: str = request.param(tmp_path)
    with Registry(open_store(location)) as registry:
        for name in ("alpha", "beta"):
            registry.create(
                name.title(),
                workflow="cooperation-maturity",
                initiative=name,
                by="Ada",
                community="technical",
                at="2024-01-01",
            )
            registry.evidence(name, "challenge", f"The {name} problem", by="Ada", at="2024-01-02")
    return location


def feed(db: str, *options: str) -> list[dict[str, object]]:
    result = RUNNER.invoke(app, ["events", "--db", db, *options])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_event_comes_once_in_the_registrys_order_with_its_place(db: str) -> None:
    lines = feed(db, "--since", "0")
    assert [line["position"] for line in lines] == list(range(1, len(lines) + 1))
    with Registry(open_store(db)) as registry:
        history = {(e.initiative, e.seq): e for name in ("alpha", "beta") for e in registry.history(name)}
    assert len(lines) == len(history)
    for line in lines:
        event = history[(str(line["initiative"]), int(str(line["seq"])))]
        assert (line["kind"], line["at"], line["by"], line["data"]) == (event.kind, event.at, event.by, event.data)
        assert (line["recorded_at"], line["recorded_by"]) == (event.recorded_at, event.recorded_by)


def test_a_reader_goes_on_from_its_last_position_missing_nothing(db: str) -> None:
    every = feed(db)
    middle = int(str(every[2]["position"]))
    assert feed(db, "--since", str(middle)) == every[3:]
    assert feed(db, "--since", str(every[-1]["position"])) == []


def test_since_a_date_means_recorded_after_it(db: str) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert feed(db, "--since", yesterday) == feed(db)
    assert feed(db, "--since", tomorrow) == []


@pytest.mark.parametrize("since", ["yesterday", "-3", "2024-13-01"])
def test_a_since_that_is_neither_a_number_nor_a_date_is_refused(db: str, since: str) -> None:
    result = RUNNER.invoke(app, ["events", "--db", db, "--since", since])
    assert result.exit_code == 2
    assert "give a sequence number (0 or more) or a date" in result.stderr


@pytest.fixture
def follower(db: str) -> Iterator[subprocess.Popen[str]]:
    last = feed(db)[-1]["position"]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, str(REPO / "cli.py"), "events", "--db", db, "--since", str(last), "--follow"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as process:
        yield process
        process.terminate()


def _next_line(process: subprocess.Popen[str], wait: float) -> str | None:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], wait)
    return process.stdout.readline() if ready else None


def test_follow_prints_each_new_event_as_it_is_recorded(db: str, follower: subprocess.Popen[str]) -> None:
    assert _next_line(follower, 2.0) is None  # nothing new yet
    with Registry(open_store(db)) as registry:
        registry.evidence("beta", "challenge", "Recorded while followed", by="Ada")
    line = _next_line(follower, 60.0)  # a bound for a wedged process, not a measurement
    assert line is not None, "the follower printed nothing"
    shown = json.loads(line)
    assert (shown["initiative"], shown["data"]["text"]) == ("beta", "Recorded while followed")


def test_on_postgresql_a_listener_is_woken_by_the_write_itself(tmp_path: Path) -> None:
    url = _postgresql(tmp_path)
    with open_store(url) as listening, Registry(open_store(url)) as writer:
        writer.create("Gamma", workflow="cooperation-maturity", initiative="gamma", by="Ada", community="technical")
        listening.wait_for_appends(0.01)  # LISTEN from now on
        woken = threading.Event()

        def wait() -> None:
            listening.wait_for_appends(600.0)  # returns early only if the server says so
            woken.set()

        thread = threading.Thread(target=wait, daemon=True)
        thread.start()
        writer.evidence("gamma", "challenge", "Wakes the listener", by="Ada")
        assert woken.wait(120.0), "the listener was not told of the append"
