"""Upkeep of the rows derived from the logs (snapshots, materialised statuses): rebuild them, or check them.

Neither is needed for a right answer: a registry without them (one made before they existed,
or whose rows were dropped) fills them as it is read and written. Rebuilding fills them at
once; checking recomputes each from its log and names the rows that differ from it (a row
written around coop, by hand or by a database role that may write them), which `coop
snapshots --rebuild` then replaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cooperation.engine.events import Event
from cooperation.engine.facts import time_ordered
from cooperation.engine.loaded import load_initiative
from cooperation.engine.rejudge import judged_fold
from cooperation.engine.snapshot import Snapshot, decode
from cooperation.engine.status import build_status
from cooperation.errors import CooperationError
from cooperation.reading.materialised import UNREADABLE, Portfolio
from cooperation.stores.derived import Listed
from cooperation.views.status_json import status_json

if TYPE_CHECKING:
    from cooperation.registry import Registry


def rebuild(registry: Registry) -> dict[str, int]:
    """Drop every derived row and fill them again from the logs; how many statuses were computed."""
    registry.store.drop_derived()
    portfolio = registry.stored_portfolio(include_archived=True, unreadable=UNREADABLE)
    for _ in portfolio.texts():
        pass  # each status worked out keeps its row (and its snapshot) as it goes
    return dict(portfolio.counts)


def differing(registry: Registry) -> list[str]:
    """The rows that differ from what their logs give, as "ID: snapshot" or "ID: status"."""
    found = []
    portfolio = registry.stored_portfolio(include_archived=True, unreadable=UNREADABLE)
    for listed in registry.store.listed():
        events = registry.store.read(listed.initiative)
        snapshot = registry.store.snapshot(listed.initiative)
        try:
            if snapshot is not None and not _snapshot_fits(registry, events, snapshot):
                found.append(f"{listed.initiative}: snapshot")
            if not _row_fits(registry, listed, events, portfolio):
                found.append(f"{listed.initiative}: status")
        except CooperationError:
            continue  # a log that cannot be read: its rows are never used
    return found


def _snapshot_fits(registry: Registry, events: list[Event], snapshot: Snapshot) -> bool:
    """Whether the snapshot holds the judged fold of the events it covers (one of another format is never read)."""
    facts = decode(snapshot.body)
    if facts is None or not 0 < snapshot.seq <= len(events):
        return True
    initiative = events[0].initiative
    created_with = load_initiative(initiative, events, registry.workflows.resolve).created_with
    assert created_with is not None, "a loaded log knows the workflow it was created with"
    covered = time_ordered(events[: snapshot.seq])
    return facts == judged_fold(initiative, covered, created_with, switch=registry.workflows.resolve)


def _row_fits(registry: Registry, listed: Listed, events: list[Event], portfolio: Portfolio) -> bool:
    """Whether a status row that would be used now says what the log gives now."""
    if listed.row is None or not portfolio.holds(listed):
        return True  # not used: it is recomputed when read
    moment = portfolio.moment
    loaded = load_initiative(listed.initiative, events, registry.workflows.resolve, until=moment)
    status = build_status(loaded.workflow, loaded.facts, loaded.evaluator(moment), moment)
    return status_json(status) == portfolio.stored_text(listed.row)
