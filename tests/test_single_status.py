"""`coop status ID` from its stored row (`reading.single`): for a long log, the status is kept when
worked out and read back while it holds, a `held` condition's included, until the instant its
detail counts another day or its span is reached; a short log is always worked out."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.engine import snapshot as snapshots
from cooperation.engine.loaded import load_initiative
from cooperation.engine.status import InitiativeStatus, build_status
from cooperation.engine.who import with_who
from cooperation.reading import materialised
from cooperation.reading.single import stored_status
from cooperation.registry import Registry
from cooperation.stores.derived import SnapshotRow, StatusRow
from cooperation.stores.sqlite import SqliteStore
from cooperation.testing import Clock

LASTING = """
id: lasting
version: "1"
title: Lasting proof
description: Two stages; the second needs proof that has stood for 30 days.
stages:
  - {id: start, title: Start}
  - {id: done, title: Done, requires: [lasting]}
conditions:
  - {id: proof, kind: evidence, title: Proof, description: Evidence that the work is done.}
  - {id: lasting, kind: held, title: Lasting proof, description: Proof for 30 days., condition: proof, days: 30}
"""
LONG = 4  # a "long" log for these tests: the initiative's four events


@pytest.fixture
def long_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(materialised, "LONG_LOG", LONG)
    monkeypatch.setattr(snapshots, "MIN_EVENTS", LONG)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2020, 3, 11, 12, tzinfo=UTC))


@pytest.fixture
def registry(tmp_path: Path, clock: Clock) -> Iterator[Registry]:
    workflow = tmp_path / "lasting.yaml"
    workflow.write_text(LASTING)
    with Registry(SqliteStore(tmp_path / "coop.db"), clock=clock) as opened:
        opened.create(
            "Pilot", workflow=str(workflow), initiative="pilot", by="Ada", community="technical", at="2020-03-01"
        )
        opened.join("pilot", "Bo", community="business", by="Ada", at="2020-03-01")
        opened.evidence("pilot", "proof", "Done.", by="Ada", at="2020-03-01")
        yield opened


def _from_the_log(registry: Registry, now: datetime) -> InitiativeStatus:
    loaded = load_initiative("pilot", registry.store.read("pilot"), registry.workflows.resolve, until=now)
    status = build_status(loaded.workflow, loaded.facts, loaded.evaluator(now), now)
    return with_who(status, loaded.workflow, loaded.facts, now)


def _lasting(status: InitiativeStatus) -> str:
    return next(result.detail for result in status.conditions if result.condition == "lasting")


@pytest.mark.usefixtures("long_logs")
def test_a_held_status_is_read_from_its_row_until_it_counts_another_day(registry: Registry, clock: Clock) -> None:
    assert stored_status(registry.store, registry.workflows, "pilot", clock.now) is None  # nothing kept yet
    first = registry.status("pilot")
    assert first == _from_the_log(registry, clock.now)
    assert _lasting(first).endswith("held for 10 of 30 days")
    assert stored_status(registry.store, registry.workflows, "pilot", clock.now) == first  # kept, and read back
    clock.advance(minutes=60)
    assert stored_status(registry.store, registry.workflows, "pilot", clock.now) == _from_the_log(registry, clock.now)
    clock.advance(1)  # a day later the detail counts 11 days: the row no longer holds
    assert stored_status(registry.store, registry.workflows, "pilot", clock.now) is None
    later = registry.status("pilot")
    assert later == _from_the_log(registry, clock.now)
    assert _lasting(later).endswith("held for 11 of 30 days")
    clock.advance(20)  # 31 days: met, with no new event
    reached = registry.status("pilot")
    assert reached == _from_the_log(registry, clock.now)
    assert next(result for result in reached.conditions if result.condition == "lasting").met
    assert reached.can_advance


@pytest.mark.usefixtures("long_logs")
def test_a_new_event_makes_the_row_stale(registry: Registry, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    registry.status("pilot")
    clock.advance(minutes=5)
    registry.meet("pilot", ["Ada", "Bo"], by="Ada", at=clock.now)
    assert stored_status(registry.store, registry.workflows, "pilot", clock.now) is None
    kept: list[tuple[list[str], list[str]]] = []
    put = registry.store.put_derived

    def noted(snapshots: Sequence[SnapshotRow] = (), statuses: Sequence[StatusRow] = ()) -> None:
        kept.append(([name for name, _ in snapshots], [row.initiative for row in statuses]))
        put(snapshots, statuses)

    monkeypatch.setattr(registry.store, "put_derived", noted)
    assert registry.status("pilot") == _from_the_log(registry, clock.now)
    assert kept == [([], ["pilot"])]  # its row again; the snapshot the append wrote is the one read
    assert stored_status(registry.store, registry.workflows, "pilot", clock.now) == registry.status("pilot")


def test_a_short_log_is_worked_out_each_time_and_keeps_no_row(registry: Registry, clock: Clock) -> None:
    assert registry.status("pilot") == _from_the_log(registry, clock.now)
    listed = registry.store.listed_one("pilot")
    assert listed is not None and listed.version < materialised.LONG_LOG
    assert listed.row is None
    assert registry.store.listed_one("nobody") is None


@pytest.mark.usefixtures("long_logs")
def test_coop_status_id_says_the_same_from_its_row(tmp_path: Path) -> None:
    database = str(tmp_path / "coop.db")
    workflow = tmp_path / "lasting.yaml"
    workflow.write_text(LASTING)
    began = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    runner = CliRunner()

    def coop(*arguments: str) -> str:
        result = runner.invoke(app, [*arguments, "--db", database])
        assert result.exit_code == 0, result.output
        return result.output

    coop("new", "Pilot", "--id", "pilot", "--workflow", str(workflow), "--by", "Ada", "-c", "technical", "--at", began)
    coop("join", "pilot", "Bo", "--community", "business", "--by", "Ada", "--at", began)
    coop("evidence", "pilot", "proof", "Done.", "--by", "Ada", "--at", began)
    worked_out = json.loads(coop("status", "pilot", "--json"))
    with SqliteStore(Path(database)) as store:
        listed = store.listed_one("pilot")
    assert listed is not None and listed.row is not None  # kept by the first read
    from_row = json.loads(coop("status", "pilot", "--json"))
    assert {**from_row, "as_of": None} == {**worked_out, "as_of": None}
    assert "held for" in coop("status", "pilot")


@pytest.mark.usefixtures("long_logs")
def test_keeping_a_held_status_passes_over_the_log_once(
    registry: Registry, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pass that measures `held` also tells when its row stops holding: it is not made again for that."""
    from cooperation.engine.conditions import held

    passes: list[datetime | None] = []
    measured = held._met_since

    def counted(evaluator: object, inner: str, window_start: datetime, since: datetime | None) -> datetime:
        passes.append(since)
        return measured(evaluator, inner, window_start, since)  # type: ignore[arg-type]

    monkeypatch.setattr(held, "_met_since", counted)
    clock.now += timedelta(days=3)
    status = registry.status("pilot")
    assert _lasting(status) == "'proof' held for 13 of 30 days"
    assert stored_status(registry.store, registry.workflows, "pilot", clock.now) is not None  # its row was kept
    assert passes == [None]
