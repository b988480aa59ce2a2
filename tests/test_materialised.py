"""Materialised statuses (`reading.materialised`): the portfolio read from stored rows equals the
portfolio computed from the logs, for any registry, any event order and any moment; a lapse shows
with no new event; a stale row is never used, and a store that cannot be written still answers."""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import ENGINE_LADDER
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.definition.pinned import StoredWorkflow, read_named
from cooperation.engine import snapshot as snapshots
from cooperation.engine.events import Event
from cooperation.engine.loaded import load_initiative
from cooperation.engine.status import UnreadableInitiative, build_status
from cooperation.engine.who import with_who
from cooperation.engine.workflow_lines import workflow_line
from cooperation.errors import CooperationError
from cooperation.reading import materialised
from cooperation.reading.materialised import StatusText
from cooperation.reading.upkeep import differing, rebuild
from cooperation.registry import Registry
from cooperation.stores.sqlite import SqliteStore
from cooperation.testing import Clock, event_logs
from cooperation.views.status_json import status_json

BUILTIN = "cooperation-maturity"
STEPS = (0.0, 0.4, 1.0, 1.5, 3.0, 10.0, 31.0)  # days the clock moves on: across days held and windows left


def _computed(registry: Registry, now: datetime) -> list[str]:
    """Every current status worked out from its log alone, as portfolio JSON; on the way, each one as
    `coop status ID` gives it (from its row, when it keeps one) is checked against it, twice."""
    texts = []
    for initiative in registry.initiatives():
        loaded = load_initiative(initiative, registry.store.read(initiative), registry.workflows.resolve, until=now)
        if loaded.facts.created is None:
            continue  # created after the clock: not there yet
        status = build_status(loaded.workflow, loaded.facts, loaded.evaluator(now), now)
        named = with_who(status, loaded.workflow, loaded.facts, now)
        assert registry.status(initiative) == named
        assert registry.status(initiative) == named  # again: from the row the first read may have kept
        if status.closed is None:
            texts.append(status_json(status))
    return texts


def _listed(registry: Registry) -> tuple[list[str], list[str]]:
    """The portfolio as the API gives it and as `coop status --all --json` writes it."""
    objects = [status.to_json_text() for status in registry.statuses()]
    texts = []
    for item in registry.stored_portfolio().texts():
        assert not isinstance(item, UnreadableInitiative)
        texts.append(item.text if isinstance(item, StatusText) else status_json(item))
    return objects, texts


def _imported(registry: Registry, logs: list[list[Event]], workflow: str) -> None:
    pin = read_named(workflow)
    carried = workflow_line(StoredWorkflow(pin.hash, pin.id, pin.text))
    registry.import_lines([carried, *(event.to_line() for log in logs for event in log)])


@st.composite
def portfolios(draw: st.DrawFn) -> tuple[str, list[list[Event]]]:
    workflow = draw(st.sampled_from((ENGINE_LADDER, BUILTIN)))
    count = draw(st.integers(1, 3))
    logs = [draw(event_logs(workflow, initiative=f"i{number}", max_steps=25)) for number in range(count)]
    return workflow, logs


@pytest.mark.parametrize("long_log", [materialised.LONG_LOG, 1])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    portfolio=portfolios(),
    steps=st.lists(st.tuples(st.sampled_from(STEPS), st.booleans(), st.integers(0, 40)), min_size=1, max_size=6),
)
def test_stored_statuses_equal_statuses_computed_from_the_log(
    long_log: int, portfolio: tuple[str, list[list[Event]]], steps: list[tuple[float, bool, int]]
) -> None:
    """At each moment (the clock moved on, perhaps with a fact recorded late, dated days before the
    latest), the listing from stored rows is what the logs give, row by row, in both forms, and so
    is each single status; and every snapshot kept by the import and the appends is the whole fold of
    the events it covers. With `long_log` at 1, every status is kept, a `held` one too (its row then
    lasts until its next turn), and `coop status ID` reads its row wherever a snapshot is kept."""
    workflow, logs = portfolio
    latest = max(event.moment for log in logs for event in log)
    clock = Clock(latest + timedelta(minutes=1))
    folder = tempfile.mkdtemp()
    try:
        with (
            pytest.MonkeyPatch.context() as patch,
            Registry(SqliteStore(Path(folder) / "coop.db"), clock=clock) as registry,
        ):
            patch.setattr(snapshots, "MIN_EVENTS", 3)  # a snapshot for nearly every log
            patch.setattr(materialised, "LONG_LOG", long_log)
            _imported(registry, logs, workflow)
            for days, late_fact, back in steps:
                clock.advance(days)
                if late_fact:
                    with suppress(CooperationError):  # not a condition of this workflow, or the convenor left
                        registry.evidence(
                            "i0", "problem", "Found later.", by="Convenor", at=clock.now - timedelta(days=back)
                        )
                expected = _computed(registry, clock.now)
                assert _listed(registry) == (expected, expected)
                assert _listed(registry) == (expected, expected)  # again: now from the rows just kept
                assert differing(registry) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


RECENT = """
id: recent
version: "1"
title: Recent proof
description: Two stages; the second needs evidence from the last 30 days.
stages:
  - {id: start, title: Start}
  - {id: done, title: Done, requires: [recent]}
conditions:
  - {id: proof, kind: evidence, title: Proof, description: Evidence that the work is done.}
  - {id: recent, kind: expiring, title: Recent proof, description: Proof of 30 days., condition: proof, days: 30}
"""


def _trusted(registry: Registry, folder: Path) -> str:
    """An initiative whose 'recent' (30 days) is met by evidence of 1 March 2020."""
    workflow = folder / "recent.yaml"
    workflow.write_text(RECENT)
    registry.create(
        "Pilot", workflow=str(workflow), initiative="pilot", by="Ada", community="technical", at="2020-03-01"
    )
    registry.evidence("pilot", "proof", "Done.", by="Ada", at="2020-03-01")
    return "pilot"


def _met(registry: Registry, condition: str) -> bool:
    (status,) = registry.statuses()
    return next(result for result in status.conditions if result.condition == condition).met


def test_a_lapse_is_picked_up_with_no_new_event(tmp_path: Path) -> None:
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    with Registry(SqliteStore(tmp_path / "coop.db"), clock=clock) as registry:
        _trusted(registry, tmp_path)
        assert _met(registry, "recent")
        clock.advance(10)
        portfolio = registry.stored_portfolio()
        assert [status.initiative for status in portfolio.statuses()] == ["pilot"]
        assert portfolio.counts == {"stored": 1, "computed": 0}  # still valid: read from its row
        clock.advance(25)  # past 31 March: the attestations left the 30-day window
        assert not _met(registry, "recent")
        portfolio = registry.stored_portfolio()
        list(portfolio.statuses())
        assert portfolio.counts == {"stored": 1, "computed": 0}  # the row was rewritten when it lapsed


def test_a_row_of_an_older_log_or_workflow_is_not_used(tmp_path: Path) -> None:
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    with Registry(SqliteStore(tmp_path / "coop.db"), clock=clock) as registry:
        _trusted(registry, tmp_path)
        list(registry.statuses())
        registry.evidence("pilot", "proof", "More.", by="Ada", at="2020-03-02")
        portfolio = registry.stored_portfolio()
        (status,) = portfolio.statuses()
        assert portfolio.counts == {"stored": 0, "computed": 1}
        assert next(result for result in status.conditions if result.condition == "proof").detail != "no evidence yet"
        connection = registry.store._live()  # a row written by hand, under another workflow version
        connection.execute("UPDATE statuses SET workflow_key = 'another', body = replace(body, 'Pilot', 'Forged')")
        (status,) = registry.statuses()
        assert status.name == "Pilot"


def test_a_store_that_cannot_be_written_still_answers(tmp_path: Path) -> None:
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    path = tmp_path / "coop.db"
    with Registry(SqliteStore(path), clock=clock) as registry:
        _trusted(registry, tmp_path)
        expected = [status.to_json_text() for status in registry.statuses()]
        registry.store.drop_derived()
    with Registry(SqliteStore(path), clock=clock) as registry:
        registry.store._live().execute("PRAGMA query_only = ON")  # as a file or role we may only read
        portfolio = registry.stored_portfolio()
        assert [status.to_json_text() for status in portfolio.statuses()] == expected
        assert not portfolio.writable
        assert portfolio.counts == {"stored": 0, "computed": 1}


def test_a_row_forged_under_the_right_keys_is_named_by_the_check_and_replaced_by_a_rebuild(tmp_path: Path) -> None:
    """A row is trusted when its keys fit, so one written around coop shows until checked and rebuilt."""
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    with Registry(SqliteStore(tmp_path / "coop.db"), clock=clock) as registry:
        _trusted(registry, tmp_path)
        list(registry.statuses())
        assert differing(registry) == []
        registry.store._live().execute("UPDATE statuses SET body = replace(body, '\"Pilot\"', '\"Forged\"')")
        assert differing(registry) == ["pilot: status"]
        assert rebuild(registry) == {"stored": 0, "computed": 1}
        assert differing(registry) == []
        (status,) = registry.statuses()
        assert status.name == "Pilot"


def test_the_command_line_writes_stored_rows_as_it_would_compute_them_and_checks_them(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    with Registry.open(db) as registry:
        _trusted(registry, tmp_path)
        registry.create("Other", workflow=BUILTIN, initiative="other", by="Bo", community="business", at="2020-03-01")

    def coop(*args: str) -> Result:
        result = CliRunner().invoke(app, [*args, "--db", str(db)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    def listed(*args: str) -> list[dict[str, object]]:
        result = coop("status", "--all", *args)
        assert result.exit_code == 0, result.output
        rows = (
            json.loads(result.stdout) if "--json" in args else [json.loads(line) for line in result.stdout.splitlines()]
        )
        return [{**row, "as_of": None} for row in rows]

    computed = listed("--json")  # no rows yet: each worked out and kept
    assert listed("--json") == listed("--format", "jsonl") == computed  # from the rows kept
    with Registry.open(db) as registry:
        assert [{**status.to_json(), "as_of": None} for status in registry.statuses(known_at="2999-01-01")] == computed
    assert coop("snapshots", "--check").exit_code == 0
    with Registry.open(db) as registry:
        registry.store._live().execute("UPDATE statuses SET body = replace(body, '\"Other\"', '\"Forged\"')")
    checked = coop("snapshots", "--check")
    assert (checked.exit_code, checked.stdout) == (1, "differs from its log: other: status\n")
    assert coop("snapshots").exit_code == 0
    assert listed("--json") == computed


def test_a_registry_of_an_earlier_version_is_upgraded_and_fills_its_rows_as_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cooperation.stores import sqlite as sqlite_store

    path = tmp_path / "coop.db"
    created = Event("old", "initiative_created", "2020-01-01", {"name": "Old", "workflow": BUILTIN}, "Ada")
    joined = Event(
        "old", "participant_joined", "2020-01-01", {"name": "Ada", "community": "technical", "role": "owner"}
    )
    with monkeypatch.context() as earlier:  # the coop before snapshots and stored statuses
        earlier.setattr(sqlite_store, "_MIGRATIONS", sqlite_store._MIGRATIONS[:-1])
        with SqliteStore(path) as store:
            store.append("old", [created, joined], expected_version=0)
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    with Registry(SqliteStore(path), clock=clock) as registry:
        assert [item.row for item in registry.store.listed()] == [None]
        expected = _computed(registry, clock.now)
        assert [status.to_json_text() for status in registry.statuses()] == expected
        assert [item.row is not None for item in registry.store.listed()] == [True]
        assert [status.to_json_text() for status in registry.statuses()] == expected
