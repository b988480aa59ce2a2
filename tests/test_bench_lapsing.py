"""The lapsing benchmark (`bench/lapsing.py`) measures what it says: a certified team in a stage
that can lapse, its status worked out from the log at a moment before the lapse and after it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bench.lapsing import START, TEAM, status_cpu, write_team
from cooperation import Registry


def test_the_team_is_in_a_stage_that_can_lapse_when_measured_and_lapses_later(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    write_team(path, 30)
    with Registry.open(path, create=False) as registry:
        measured = registry.status(TEAM, as_of=START + timedelta(days=300))
        assert (measured.stage, measured.version) == ("certified", 37)  # seven events, then the meetings
        assert measured.lapse is not None and measured.lapse["to"] == "accredited"
        assert (
            registry.status(TEAM, as_of=START + timedelta(days=400)).stage == "accredited"
        )  # the audit's year ran out
    assert status_cpu(path) > 0
