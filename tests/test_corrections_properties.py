"""Properties of corrections and of the two times, on random walks of the small ladder.

1. Withdrawing a fact equals never having recorded it, from the moment of the withdrawal on:
   the registry that withdrew it and one whose log never held it give the same statuses then
   and later (what is bookkeeping of the log itself, its version and latest event, aside),
   while before the withdrawal the fact still counts. Where a move followed the fact, the move
   stands as judged when made (moves are judged on read: a log that never held the fact would
   find the move invalid), so there the stage and the moves are compared with the log kept.
2. `known_at` before a late fact was recorded gives the status from before it was recorded.

Each example gets its own SQLite files; the registry's clock also stamps `recorded_at`
(`SqliteStore(clock=...)`), so that what was known when is under the test's control.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import event as note_for_statistics
from hypothesis import strategies as st

from cooperation.engine.events import MOVE_KINDS, Event
from cooperation.engine.payloads import WITHDRAWABLE_KINDS
from cooperation.engine.status import InitiativeStatus
from cooperation.errors import EventError
from cooperation.registry import Registry
from cooperation.stores.sqlite import SqliteStore
from cooperation.testing import Clock
from tests.test_engine_properties import START, WALK, play, steps


def _recorded(clock: Clock) -> str:
    """The clock as a store stamps `recorded_at`."""
    return clock.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _registry(folder: str, name: str, clock: Clock) -> Registry:
    return Registry(SqliteStore(Path(folder) / name, clock=lambda: _recorded(clock)), clock=clock)


def _fact(status: InitiativeStatus) -> dict[str, Any]:
    """A status without what counts the log's own events (its length, its latest event)."""
    shown = status.to_json()
    del shown["version"], shown["last_event"]
    return shown


def _stewards_or_author(registry: Registry, target: Event) -> str | None:
    """Who may withdraw `target`: its author, else a current owner or secretariat."""
    return target.by if target.by is not None else _steward(registry)


def _steward(registry: Registry) -> str | None:
    """A current owner or secretariat (the creator, Ada, while she is one), who may record joins and scores."""
    joined = [event.data for event in registry.history(WALK) if event.kind in ("participant_joined", "role_changed")]
    roles = {data["name"]: data["role"] for data in joined if "role" in data}  # type: ignore[typeddict-item]
    left = {event.data["name"] for event in registry.history(WALK) if event.kind == "participant_left"}  # type: ignore[typeddict-item]
    return next((name for name, role in roles.items() if role in ("owner", "secretariat") and name not in left), None)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk=steps, pick=st.integers(0, 1000), wait=st.integers(1, 60 * 24 * 20), later=st.integers(0, 60))
def test_withdrawing_a_fact_equals_never_having_recorded_it_from_then_on(
    walk: list[Any], pick: int, wait: int, later: int
) -> None:
    folder = tempfile.mkdtemp()
    clock = Clock(START)
    try:
        with _registry(folder, "withdrew.db", clock) as registry:
            play(registry, clock, walk, backdate=False)
            log = registry.history(WALK)
            withdrawable = [event for event in log if event.kind in WITHDRAWABLE_KINDS]
            assume(withdrawable)
            last_move = max((event.seq for event in log if event.kind in MOVE_KINDS), default=0)
            unmoved = [event for event in withdrawable if event.seq > last_move]  # no move after them
            candidates = unmoved if unmoved and pick % 2 == 0 else withdrawable  # both sorts, often enough
            target = candidates[pick // 2 % len(candidates)]
            actor = _stewards_or_author(registry, target)
            assume(actor is not None)
            clock.now += timedelta(minutes=wait)
            before = clock.now - timedelta(seconds=1)
            try:
                withdrawal = registry.withdraw(WALK, target.seq, reason="Recorded in error", by=actor)
            except EventError:  # e.g. the author has left and no steward remains: nothing to compare
                assume(False)
            assert registry.history(WALK)[-1] == withdrawal
            # Moves are judged on read against the log as it is: a move the fact was there for stands as
            # judged when made once the fact is withdrawn, but would be invalid in a log that never held it.
            moved_after = target.seq < last_move
            note_for_statistics(f"a move after the withdrawn fact: {moved_after}")
            # The same log, the withdrawn fact never in it (and so no withdrawal either).
            with SqliteStore(Path(folder) / "never.db") as never_store:
                _keep_workflows(registry, never_store)
                never_store.append(WALK, [event for event in log if event.seq != target.seq], expected_version=0)
            # The same log, not withdrawn (yet).
            with SqliteStore(Path(folder) / "kept.db") as kept_store:
                _keep_workflows(registry, kept_store)
                kept_store.append(WALK, log, expected_version=0)
            never, kept = (
                Registry(SqliteStore(Path(folder) / "never.db")),
                Registry(SqliteStore(Path(folder) / "kept.db")),
            )
            with never, kept:
                for as_of in (clock.now, clock.now + timedelta(days=later)):
                    if moved_after:  # the moves stand as made
                        withdrew, held = registry.status(WALK, as_of=as_of), kept.status(WALK, as_of=as_of)
                        assert (withdrew.stage, withdrew.invalid_moves) == (held.stage, held.invalid_moves)
                        continue
                    assert _fact(registry.status(WALK, as_of=as_of)) == _fact(never.status(WALK, as_of=as_of))
                    portfolio = [_fact(status) for status in registry.statuses(as_of=as_of)]
                    assert portfolio == [_fact(status) for status in never.statuses(as_of=as_of)]
                # before it was withdrawn, the fact still counted
                assert registry.status(WALK, as_of=before) == kept.status(WALK, as_of=before)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    walk=steps,
    kind=st.sampled_from(("evidence", "score", "join")),
    place=st.floats(0, 1),
    wait=st.integers(1, 60 * 24 * 20),
    later=st.integers(0, 60),
)
def test_known_at_before_a_late_fact_is_the_status_before_it_was_recorded(
    walk: list[Any], kind: str, place: float, wait: int, later: int
) -> None:
    folder = tempfile.mkdtemp()
    clock = Clock(START)
    try:
        with _registry(folder, "late.db", clock) as registry:
            play(registry, clock, walk, backdate=False)
            log = registry.history(WALK)
            moves = [event.moment for event in log if event.kind in MOVE_KINDS]
            assume(moves)  # late means dated before a move already recorded
            created = log[0].moment
            dated = created + timedelta(seconds=round((moves[-1] - created).total_seconds() * place))
            assume(dated < moves[-1])  # dated with the move itself would not be late
            known = clock.now
            as_of = clock.now + timedelta(days=later)
            before = registry.status(WALK, as_of=as_of)
            portfolio_before = list(registry.statuses(as_of=as_of))
            clock.now += timedelta(minutes=wait)
            try:
                _record_late(registry, kind, dated)
            except EventError:  # e.g. that name already takes part
                assume(False)
            late = registry.history(WALK)[-1]  # as stored, with its recorded_at
            assert late.moment < moves[-1] and late.recorded_at == _recorded(clock)
            assert registry.status(WALK, as_of=as_of, known_at=known) == before
            assert list(registry.statuses(as_of=as_of, known_at=known)) == portfolio_before
            # and what is known now holds it: the same as folding the log with the fact in it
            assert registry.status(WALK, as_of=as_of).version == before.version + 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _record_late(registry: Registry, kind: str, at: datetime) -> Event:
    by = _steward(registry)  # an owner or secretariat may record each of the three
    assume(by is not None)
    if kind == "evidence":
        return registry.evidence(WALK, "problem", "Found in the minutes", at=at, by=by)
    if kind == "score":
        return registry.score(WALK, "trust-level", 3, at=at, by=by)
    return registry.join(WALK, "Late Comer", community="academia", at=at, by=by)


def _keep_workflows(registry: Registry, store: SqliteStore) -> None:
    """The workflow versions the registry's initiatives are pinned to, kept in another store too."""
    for stored in registry.store.stored_workflows():
        store.store_workflow(stored.id, stored.text)
