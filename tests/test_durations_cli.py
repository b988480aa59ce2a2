"""Calendar durations through the real CLI and SQLite store: windows and holds written as
`duration: P3Y` / `P1M` are evaluated on the calendar (leap days, month ends), next to `days:`."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.definition.catalog import get_workflow
from cooperation.engine.payloads import ParticipantJoinedData
from cooperation.engine.span import Span
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.verify.analysis import verify_workflow

RUNNER = CliRunner()
WORKFLOW = str(Path(__file__).resolve().parent / "workflows" / "valid" / "calendar.yaml")


def coop(db: Path, *args: str) -> Result:
    result = RUNNER.invoke(app, [*args, "--db", str(db)])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result


def conditions(db: Path, initiative: str, as_of: str) -> dict[str, dict[str, Any]]:
    status = json.loads(coop(db, "status", initiative, "--json", "--as-of", as_of).stdout)
    return {item["condition"]: item for item in status["conditions"]}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("durations") / "coop.db"
    creator = ("--workflow", WORKFLOW, "--by", "Ada", "--community", "technical")
    # Certified on 15 January 2020, a leap year: three years later is 15 January 2023, while
    # 1,095 days later is 14 January 2023.
    coop(path, "new", "Leap", "--id", "leap", "--at", "2020-01-10", *creator)
    coop(path, "evidence", "leap", "certificate", "Audited", "--at", "2020-01-15T09:00:00", "--by", "Ada")
    # Certified on 31 January 2023: a month later is 28 February.
    coop(path, "new", "Month end", "--id", "month-end", "--at", "2023-01-02", *creator)
    coop(path, "join", "month-end", "Ben", "--community", "business", "--at", "2023-01-02", "--by", "Ada")
    coop(path, "evidence", "month-end", "certificate", "Audited", "--at", "2023-01-31T10:00:00", "--by", "Ada")
    for day in ("2023-01-31", "2023-02-27", "2023-02-28"):
        coop(path, "meet", "month-end", "Ada", "Ben", "--at", f"{day}T10:00:00", "--by", "Ada")
    return path


def test_three_years_over_a_leap_year_lapse_on_the_calendar_date_not_a_day_early(db: Path) -> None:
    before = conditions(db, "leap", "2022-06-01")
    assert before["certification-current"]["lapses_on"] == "2023-01-15"
    assert before["certification-current-in-days"]["lapses_on"] == "2023-01-14"  # 1,095 days: a day early
    eve = conditions(db, "leap", "2023-01-14")
    assert eve["certification-current"]["met"] is True
    assert eve["certification-current"]["detail"].startswith("in the last 3 years: ")
    assert eve["certification-current-in-days"]["met"] is False
    assert conditions(db, "leap", "2023-01-15")["certification-current"]["met"] is False


def test_a_month_from_31_january_ends_with_february(db: Path) -> None:
    last_day = conditions(db, "month-end", "2023-02-28")
    assert last_day["certification-current"]["met"] is True
    # A month held since 31 January: not yet at the end of 28 February, whose month began on 28 January.
    assert last_day["running-a-month"]["met"] is False
    assert "held for 28 days of 1 month" in last_day["running-a-month"]["detail"]
    assert conditions(db, "month-end", "2023-03-01")["running-a-month"]["met"] is True


def test_meetings_a_month_apart_from_31_january(db: Path) -> None:
    eve = conditions(db, "month-end", "2023-02-27")["monthly-meetings"]
    assert eve["met"] is False and "spanning 27 days of 1 month" in eve["detail"]
    reached = conditions(db, "month-end", "2023-02-28")["monthly-meetings"]
    assert reached["met"] is True and "spanning 28 days (1 month needed)" in reached["detail"]


def test_status_text_says_when_each_lapses(db: Path) -> None:
    text = RUNNER.invoke(app, ["status", "leap", "--as-of", "2022-06-01", "--db", str(db)]).stdout
    assert "lapses on 2023-01-14 unless renewed: certification-current-in-days\n" in text
    assert "lapses on 2023-01-15 unless renewed: certification-current, running-a-month\n" in text


def test_the_calendar_workflow_checks_and_verifies_clean() -> None:
    checked = RUNNER.invoke(app, ["workflows", "check", WORKFLOW])
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert verify_workflow(WORKFLOW, walks=2, steps=40).clean


def test_the_example_two_year_pilot_uses_calendar_durations_and_verifies_clean() -> None:
    example = str(Path(__file__).resolve().parent.parent / "examples" / "workflows" / "two-year-pilot.yaml")
    checked = RUNNER.invoke(app, ["workflows", "check", example])
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    workflow = get_workflow(example)
    spans = {
        condition.id: condition.settings.days
        for condition in workflow.compiled_conditions.values()
        if condition.kind in ("held", "expiring")
    }
    assert spans == {
        "met-this-year": Span(12),
        "commitment-renewed": Span(12),
        "commitments-kept": Span(24),
    }
    assert workflow.compiled_conditions["met-over-months"].settings.min_span_days == Span(2)
    assert verify_workflow(example, walks=2, steps=40).clean


@settings(max_examples=15, deadline=None)
@given(recorded=st.integers(0, 6 * 365), second=st.integers(0, 86_399), looked=st.integers(0, 4 * 365))
def test_a_calendar_window_holds_until_its_lapse_and_not_on_it(recorded: int, second: int, looked: int) -> None:
    """`lapses_on` of a `P3Y` window is exact: met a second before the instant, unmet at it,
    and that instant is three calendar years after the evidence (to the second after it)."""
    created = datetime(2019, 1, 1, tzinfo=UTC)
    at = created + timedelta(days=recorded, seconds=second)
    with tempfile.TemporaryDirectory() as folder, Registry(open_store(Path(folder) / "coop.db")) as registry:
        registry.create("Leap", workflow=WORKFLOW, initiative="leap", by="Ada", at=created.isoformat())
        joined: ParticipantJoinedData = {"name": "Ada", "community": "technical", "role": "owner"}
        registry.record("leap", "participant_joined", joined, at=created.isoformat(), by="Ada")
        registry.record("leap", "evidence_recorded", {"condition": "certificate", "text": "Audited"}, at=at, by="Ada")
        moment = at + timedelta(days=looked)
        current = _current(registry, moment)
        lapse = Span.parse("P3Y").leaves(at)
        assert current.met == (moment < lapse)
        if not current.met:
            assert current.lapses_on is None
            return
        assert current.lapses_on == lapse.date().isoformat()
        assert _current(registry, lapse - timedelta(seconds=1)).met
        assert not _current(registry, lapse).met


def _current(registry: Registry, moment: datetime) -> Any:
    status = registry.status("leap", as_of=moment.isoformat())
    return next(item for item in status.conditions if item.condition == "certification-current")
