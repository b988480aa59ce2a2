"""One initiative's status now from its stored row (`reading.materialised`), for `coop status ID`.

Only for a long log (`materialised.LONG_LOG` events or more): there the row and the snapshot are
read instead of every event, so a status costs the same at 10,000 events as at 10, a `held`
condition's pass over the log included. A short log is worked out each time, which costs no
more. The row is used when it holds (the same test as a listing's: same log version, same
workflow and coop, the moment before its `valid_until`); the names a status gives (`who`) come
from the snapshot of the whole log, which must be at the same version. Anything else (no row,
a stale one, an alias, a read as of another moment) is worked out from the log, and its row
kept for the next read when the store may be written.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from cooperation.engine.loaded import LoadedInitiative
from cooperation.engine.snapshot import decode
from cooperation.engine.status import InitiativeStatus, build_status
from cooperation.engine.who import with_who
from cooperation.reading import materialised
from cooperation.reading.materialised import Decoder, Portfolio

if TYPE_CHECKING:
    from cooperation.definition.pinned import PinnedWorkflows
    from cooperation.stores.protocol import EventStore


def stored_status(
    store: EventStore, workflows: PinnedWorkflows, initiative: str, moment: datetime
) -> InitiativeStatus | None:
    """The status now from the stored row and snapshot, when both hold; None to work it out."""
    listed = store.listed_one(initiative)
    if listed is None or listed.version < materialised.LONG_LOG or listed.row is None:
        return None
    portfolio = Portfolio(store, workflows, moment, include_archived=True, unreadable=())
    if not portfolio.holds(listed):
        return None
    snapshot = store.snapshot(initiative)
    facts = decode(snapshot.body) if snapshot is not None and snapshot.seq == listed.version else None
    if facts is None or facts.withdrawn:
        return None
    status = Decoder().status(portfolio.stored_text(listed.row))
    if status.stage != facts.stage:
        return None  # a move derived since the last event (a lapse): the snapshot does not hold it
    workflow = workflows.resolve(json.loads(listed.row.reference))
    return with_who(status, workflow, facts, moment)


def worked_out(
    store: EventStore, workflows: PinnedWorkflows, loaded: LoadedInitiative, moment: datetime
) -> InitiativeStatus:
    """The status now worked out from the log; for a long log, its rows kept for the next read."""
    evaluator = loaded.evaluator(moment)
    status = build_status(loaded.workflow, loaded.facts, evaluator, moment)
    if loaded.version >= materialised.LONG_LOG:
        Portfolio(store, workflows, moment, include_archived=True, unreadable=()).keep(loaded, status, evaluator)
    return status
