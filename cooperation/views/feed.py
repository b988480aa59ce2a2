"""A feed of the registry's events, for bots and dashboards: each event with its place in the registry.

`coop events --since SEQ|DATE [--follow]` prints, as JSON Lines, every event recorded after
that point: after a registry-wide sequence number (the event's `position` in the registry's
hash chain, which only grows), or recorded after a date. Each line carries that `position`, so a
reader that stops can start again with `--since` its last one and miss nothing, see nothing
twice. Each line is the event as a v2 export writes it (`stores.interchange.chain_line`).
`--follow` then waits for new events until interrupted: the store says when there may
be some (`EventStore.wait_for_appends`: PostgreSQL by LISTEN/NOTIFY, SQLite by polling).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from cooperation.stores.chain import ChainRow
from cooperation.stores.protocol import EventStore


def rows_after(store: EventStore, position: int, *, recorded_after: datetime | None = None) -> Iterator[ChainRow]:
    """The events after `position` in the registry's order (and, if given, recorded after a moment)."""
    for row in store.chain_rows(after=position):
        if recorded_after is not None and (row.recorded_at is None or _moment(row.recorded_at) <= recorded_after):
            continue
        yield row


def _moment(recorded_at: str) -> datetime:
    return datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
