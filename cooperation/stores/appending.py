"""What both stores do to every event they append: put it in the order asked, number it, check
its date against the store's clock, and chain it to the event before it (`chain`).

An append names, for each log, the version it expects and the events to add. By default
the logs are written one after the other, in id order; an import or a copy that must keep
the registry-wide order of its source names the initiative of each event in turn (`order`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from cooperation.engine.events import Event, encode_data, parse_at
from cooperation.errors import FutureEventError
from cooperation.stores.chain import Head, link
from cooperation.stores.shared import misplaced_event

FUTURE_TOLERANCE = timedelta(minutes=5)
"""How far ahead of the store's clock an event may be dated: clocks that run a little fast
are forgiven; one that runs a year ahead is refused, so that its dates never block others."""

Batches = Mapping[str, tuple[int, Sequence[Event]]]
StoredRow = tuple[str, int, str, str, str | None, str, str, str | None, int, str]
"""initiative, seq, kind, at, actor, data (JSON text), recorded_at, recorded_by, position, hash."""


def ordered(batches: Batches, order: Sequence[str] | None) -> Iterator[tuple[int, Event]]:
    """Each event to append with its seq, in the order to write them: `order` names the initiative
    of each event in turn (None: every log whole, in id order). Raises UnstorableEventError for an
    event handed to another initiative's log."""
    if order is None:
        for initiative in sorted(batches):  # in key order, the index grows at its end
            expected, events = batches[initiative]
            for seq, event in enumerate(events, start=expected + 1):
                if event.initiative != initiative:
                    raise misplaced_event(event, initiative)
                yield seq, event
        return
    seqs = {initiative: expected for initiative, (expected, _) in batches.items()}
    pending = {initiative: iter(events) for initiative, (_, events) in batches.items()}
    for initiative in order:
        event = next(pending[initiative])
        if event.initiative != initiative:
            raise misplaced_event(event, initiative)
        seqs[initiative] += 1
        yield seqs[initiative], event


def refuse_future(batches: Batches, clock: datetime) -> None:
    """FutureEventError, before anything is written, for an event dated further ahead of the
    store's `clock` than FUTURE_TOLERANCE. Canonical moments sort as text in time order."""
    limit = parse_at(clock + FUTURE_TOLERANCE)
    for initiative, (_, events) in batches.items():
        for event in events:
            if event.at > limit:
                raise FutureEventError(
                    f"{initiative}: an event dated {event.at} is more than {_minutes()} minutes ahead of the "
                    f"registry's clock ({parse_at(clock)}); nothing was written. Record what has happened, dated "
                    "when it happened: if you gave no date, this machine's clock runs fast, so set it right"
                )


def _minutes() -> int:
    return int(FUTURE_TOLERANCE.total_seconds() // 60)


class Chainer:
    """Numbers and hashes the events of one write, starting after the registry's head."""

    def __init__(self, head: Head) -> None:
        self.position, self.hash = head

    @property
    def head(self) -> Head:
        return Head(self.position, self.hash)

    def rows(
        self,
        batches: Batches,
        order: Sequence[str] | None,
        recorded_at: str,
        recorded_by: str | None,
        *,
        keep_provenance: bool = False,
    ) -> Iterator[StoredRow]:
        """The rows to store. With `keep_provenance`, an event's own recorded_at and recorded_by
        (from a verified export) are kept where it has them; else the store's are given."""
        encode = encode_data
        for seq, event in ordered(batches, order):
            data = encode(event.data)
            at, by = recorded_at, recorded_by
            if keep_provenance and event.recorded_at is not None:
                at, by = event.recorded_at, event.recorded_by
            self.position += 1
            self.hash = link(self.hash, event.initiative, seq, event.kind, event.at, event.by, data, at, by)
            yield event.initiative, seq, event.kind, event.at, event.by, data, at, by, self.position, self.hash
