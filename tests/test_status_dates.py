"""Dates ahead: when a met condition lapses, `--due` and `--stale`, through the real CLI and the API."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import PEOPLE
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.engine.payloads import ParticipantJoinedData
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.testing import Clock

RUNNER = CliRunner()
TODAY = datetime.now(UTC).date()
START = TODAY - timedelta(days=300)
ATTESTED = 100  # days after START: trust attested then lapses 365 days later, 165 days from today


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


def coop(db: Path, *args: str) -> Result:
    result = RUNNER.invoke(app, [*args, "--db", str(db)])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dates") / "coop.db"
    ok(coop(path, "new", "Pilot", "--id", "pilot", "--at", day(0), "--by", "Ada"))
    ok(coop(path, "new", "Quiet", "--id", "quiet", "--at", day(0), "--by", "Ada"))
    for name, community, role in PEOPLE[:4]:
        ok(coop(path, "join", "pilot", name, "--community", community, "--role", role, "--at", day(1), "--by", "Ada"))
        ok(coop(path, "attest", "pilot", "trust-attested", "--by", name, "--at", day(ATTESTED)))
    return path


def _condition(status: dict[str, object], condition: str) -> dict[str, object]:
    found = [item for item in status["conditions"] if item["condition"] == condition]  # type: ignore[attr-defined]
    return found[0]  # type: ignore[no-any-return]


def test_a_met_expiring_condition_says_when_it_lapses(db: Path) -> None:
    status = json.loads(ok(coop(db, "status", "pilot", "--json")).stdout)
    lapse = date.fromisoformat(_condition(status, "trust-reaffirmed")["lapses_on"])  # type: ignore[arg-type]
    attested = START + timedelta(days=ATTESTED)
    assert attested + timedelta(days=365) <= lapse <= attested + timedelta(days=366)
    assert status["lapses_on"] == lapse.isoformat()
    assert _condition(status, "trust-attested")["lapses_on"] is None  # not windowed: it never lapses
    text = ok(coop(db, "status", "pilot")).stdout
    assert f"lapses on {lapse.isoformat()} unless renewed: " in text and "trust-reaffirmed" in text


def test_an_unmet_condition_and_an_initiative_with_nothing_met_have_no_lapse(db: Path) -> None:
    status = json.loads(ok(coop(db, "status", "quiet", "--json")).stdout)
    assert status["lapses_on"] is None
    assert _condition(status, "trust-reaffirmed")["lapses_on"] is None


def test_due_lists_only_what_lapses_within_the_days(db: Path) -> None:
    assert "pilot:" in ok(coop(db, "status", "--all", "--due", "200")).stdout
    assert ok(coop(db, "status", "--all", "--due", "100")).stdout == "no initiative matches\n"
    listed = json.loads(ok(coop(db, "status", "--all", "--due", "200", "--json")).stdout)
    assert [item["initiative"] for item in listed] == ["pilot"]


def test_stale_lists_only_initiatives_quiet_for_the_days(db: Path) -> None:
    quiet = ok(coop(db, "status", "--all", "--stale", "250")).stdout
    assert "quiet:" in quiet and "pilot:" not in quiet  # pilot's last event was 200 days ago
    both = ok(coop(db, "status", "--all", "--stale", "150")).stdout
    assert "quiet:" in both and "pilot:" in both


@settings(max_examples=25, deadline=None)
@given(attested=st.integers(0, 400), extra=st.integers(0, 400), looked=st.integers(0, 800))
def test_a_condition_holds_until_its_lapse_and_not_on_it(attested: int, extra: int, looked: int) -> None:
    """The date is exact: met the day before it (if that is after the look), unmet on it."""
    clock = Clock(datetime(2023, 1, 1, tzinfo=UTC))
    with (
        tempfile.TemporaryDirectory() as folder,
        Registry(open_store(Path(folder) / "coop.db"), clock=clock) as registry,
    ):
        registry.create("Pilot", workflow="cooperation-maturity", initiative="pilot", by="Ada", at="2020-01-01")
        for name, community, role in PEOPLE[:4]:
            joined: ParticipantJoinedData = {"name": name, "community": community, "role": role}  # type: ignore[typeddict-item]
            registry.record("pilot", "participant_joined", joined, at="2020-01-02", by="Ada")
        first = date(2020, 1, 2) + timedelta(days=attested)
        for position, (name, _, _) in enumerate(PEOPLE[:4]):
            when = first + timedelta(days=extra if position == 0 else 0)  # one attestation may be later
            registry.record("pilot", "attestation_given", {"condition": "trust-attested"}, by=name, at=when.isoformat())
        moment = date(2020, 1, 2) + timedelta(days=looked)
        status = registry.status("pilot", as_of=moment.isoformat())
        lapses = {item.condition: item.lapses_on for item in status.conditions}
        met = {item.condition: item.met for item in status.conditions}
        if not met["trust-reaffirmed"]:
            assert lapses["trust-reaffirmed"] is None
            return
        lapse = date.fromisoformat(lapses["trust-reaffirmed"] or "")
        assert lapse > moment
        assert (
            registry.status("pilot", as_of=lapse.isoformat()).conditions[_at(status, "trust-reaffirmed")].met is False
        )
        before = lapse - timedelta(days=1)
        if before >= moment:
            assert registry.status("pilot", as_of=before.isoformat()).conditions[_at(status, "trust-reaffirmed")].met


def _at(status: object, condition: str) -> int:
    return [item.condition for item in status.conditions].index(condition)  # type: ignore[attr-defined]
