"""Corrections through the API, on the small ladder (tests/workflows/engine/ladder.yaml), on a
registry whose clock the test sets: who may record each, what a withdrawal leaves behind, and
that a log with corrections and late facts replays to the same statuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

import pytest

from cooperation.engine.corrections import CORRECTION_RULES
from cooperation.engine.payloads import CORRECTION_KINDS, CorrectionKind
from cooperation.engine.workflow_lines import export_lines
from cooperation.errors import EventError, UnknownInitiativeError
from cooperation.registry import Registry
from cooperation.stores.sqlite import SqliteStore
from cooperation.testing import Clock

START = datetime(2024, 1, 1, 9, tzinfo=UTC)
LONG = "Nobody outside the group can vouch for it yet; the board agreed to go on."


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def registry(tmp_path: Path, clock: Clock) -> Registry:
    store = SqliteStore(tmp_path / "coop.db", clock=lambda: clock.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    return Registry(store, clock=clock)


def _pilot(registry: Registry, clock: Clock, engine_ladder: str) -> str:
    registry.create("Pilot", workflow=engine_ladder, initiative="pilot", by="Cy", community="government", at=clock.now)
    clock.advance(1)
    for name, community, role in (("Ada", "technical", "owner"), ("Ben", "business", "member")):
        registry.join("pilot", name, community=community, role=role, by="Cy")
    registry.join("pilot", "Di", community="academia", role="secretariat", by="Cy")
    clock.advance(1)
    return "pilot"


def test_every_correction_kind_has_its_rule() -> None:
    assert set(CORRECTION_RULES) == set(CORRECTION_KINDS) == set(get_args(CorrectionKind))


def test_an_attestation_is_withdrawn_by_its_attester_or_a_steward_only(
    registry: Registry, clock: Clock, engine_ladder: str
) -> None:
    pilot = _pilot(registry, clock, engine_ladder)
    attested = registry.attest(pilot, "comfort", by="Ben")
    seq = registry.history(pilot)[-1].seq
    assert attested.kind == "attestation_given"
    registry.join(pilot, "Ed", community="media", by="Cy")
    with pytest.raises(EventError, match=r"Ed \(member\) may not withdraw"):
        registry.withdraw(pilot, seq, reason="Not his to take back", by="Ed")
    clock.advance(1)
    registry.withdraw(pilot, seq, reason="Given in error", by="Ben")
    assert next(c for c in registry.status(pilot).conditions if c.condition == "comfort").met is False
    before = START + timedelta(days=2, hours=1)
    assert next(c for c in registry.status(pilot, as_of=before).conditions if c.condition == "comfort").met


def test_a_withdrawn_waiver_gives_way_to_the_earlier_one_as_if_never_given(
    registry: Registry, clock: Clock, engine_ladder: str
) -> None:
    pilot = _pilot(registry, clock, engine_ladder)
    registry.waive(pilot, "vouched", rationale=LONG, by="Ada")
    clock.advance(1)
    registry.waive(pilot, "vouched", rationale=LONG + " Again.", by="Di")
    second = registry.history(pilot)[-1].seq
    clock.advance(1)
    registry.withdraw(pilot, second, reason="Di's waiver was premature", by="Ada")  # a steward
    vouched = next(c for c in registry.status(pilot).conditions if c.condition == "vouched")
    # Ada's waiver stands, as if Di's had never been given
    assert vouched.waived and vouched.detail == f"waived: {LONG}"


def test_roles_names_aliases_and_closing(registry: Registry, clock: Clock, engine_ladder: str) -> None:
    pilot = _pilot(registry, clock, engine_ladder)
    registry.change_role(pilot, "Ben", "owner", by="Cy")  # the creator, its first owner, may
    registry.rename(pilot, name="The pilot", alias="pilot-2024", by="Ben")  # an owner now
    status = registry.status("pilot-2024")
    assert (status.initiative, status.name, status.aliases) == ("pilot", "The pilot", ["pilot-2024"])
    registry.archive(pilot, reason="It delivered", by="Ben")
    assert registry.status(pilot).closed == {"state": "archived", "at": registry.history(pilot)[-1].at}
    assert list(registry.statuses()) == [] and len(list(registry.statuses(include_archived=True))) == 1
    with pytest.raises(EventError, match=r"was archived on .* takes no new events"):
        registry.evidence(pilot, "problem", "After the end", by="Ben")
    with pytest.raises(UnknownInitiativeError):
        registry.status("pilot-2025")


def test_a_log_with_corrections_and_late_facts_replays_to_the_same_statuses(
    registry: Registry, clock: Clock, engine_ladder: str, tmp_path: Path
) -> None:
    pilot = _pilot(registry, clock, engine_ladder)
    registry.evidence(pilot, "problem", "The problem", by="Ada")
    problem = registry.history(pilot)[-1].seq
    clock.advance(1)
    registry.advance(pilot, by="Ada")
    clock.advance(3)
    registry.meet(pilot, ["Ada", "Ben"], at=START + timedelta(days=1, hours=2), by="Ada")  # forgotten, recorded late
    registry.withdraw(pilot, problem, reason="Wrong condition", by="Ada")
    registry.change_role(pilot, "Ben", "secretariat", by="Ada")
    lines = list(export_lines(registry.export_events(), registry.store))  # what `coop export` writes
    with Registry(SqliteStore(tmp_path / "copy.db"), clock=clock) as copy:
        copy.import_lines(lines)
        assert [s.to_json() for s in copy.statuses()] == [s.to_json() for s in registry.statuses()]
        assert copy.status(pilot).at_risk  # the problem statement, withdrawn, guarded the move
