"""Load: real processes reading, appending and advancing on one SQLite registry at once.

Each process logs the tokens of the writes the API acknowledged; afterwards every
token must be stored exactly once, and no initiative may have advanced twice from the
same stage without a regress in between. A lost race is the documented ConflictError,
which the workers retry; anything else is counted as unexpected and fails the test.
(bench/reliability.py runs the same test for longer and reports operations per second.)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from reliability_helpers import ENGINE_LADDER, run_load

from cooperation.errors import ConflictError
from cooperation.registry import Registry
from cooperation.stores.locate import open_store

# A record made "now" while another process moves the initiative a second later is refused as
# backdated (see test_a_record_racing_a_move_is_a_conflict_not_a_refusal); that race is reported there.
BACKDATED_RACE = "facts cannot be backdated past a move"


def test_eight_processes_lose_nothing_duplicate_nothing_and_never_advance_twice(tmp_path: Path) -> None:
    result = run_load(tmp_path, processes=8, seconds=6.0, seed=7)
    unexpected = [error for error in result.unexpected if BACKDATED_RACE not in error]
    assert unexpected == []
    assert result.integrity == "ok"
    assert result.acknowledged > 0 and result.counts["advances"] > 0 and result.counts["reads"] > 0
    assert result.missing == [], f"{len(result.missing)} acknowledged writes are missing"
    assert result.duplicated == [], f"{len(result.duplicated)} writes are stored twice"
    assert result.double_advances == []


class SteppingClock:
    """Reads 12:00:00.9 the first time; while answering, another writer moves the initiative at 12:00:01."""

    def __init__(self, move: Callable[[], object]) -> None:
        self.calls = 0
        self.move = move

    def __call__(self) -> datetime:
        self.calls += 1
        if self.calls == 1:
            self.move()
            return datetime(2019, 1, 1, 12, 0, 0, 900000, tzinfo=UTC)
        return datetime(2019, 1, 1, 12, 0, 2, tzinfo=UTC)


def test_a_record_racing_a_move_is_a_conflict_not_a_refusal(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    with Registry(open_store(db), clock=lambda: datetime(2019, 1, 1, 12, 0, 1, tzinfo=UTC)) as mover:
        mover.create("Race", workflow=ENGINE_LADDER, initiative="race", at="2018-01-01", by="Ada")
        for name, community in (("Ada", "technical"), ("Ben", "business")):
            mover.record(
                "race",
                "participant_joined",
                {"name": name, "community": community, "role": "owner"},
                at="2018-01-01",
                by="Ada",
            )
        mover.record(
            "race", "evidence_recorded", {"condition": "problem", "text": "the problem"}, at="2018-01-02", by="Ada"
        )
        clock = SteppingClock(lambda: mover.advance("race", by="Ada"))
        with Registry(open_store(db), clock=clock) as recorder:
            with contextlib.suppress(ConflictError):  # the documented outcome of a lost race: retry it
                recorder.record("race", "evidence_recorded", {"condition": "problem", "text": "more"}, by="Ben")
            recorder.record("race", "evidence_recorded", {"condition": "problem", "text": "again"}, by="Ben")
        assert [event.kind for event in mover.history("race")][-2:] == ["stage_advanced", "evidence_recorded"]
