"""An initiative's log, folded as of earlier moments: one at a time, or many in one forward pass.

Conditions that look back (`held`) ask for the facts at every moment their window changes
at. Folding the log again for each of them costs the window's moments times the log's
events; `History.each` folds it once, handing out the facts as they stand at each moment
in turn. Both give what `fold(..., until=moment)` gives, withdrawals included (a property
in tests/test_one_pass.py holds them to it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from cooperation.engine.events import Event
from cooperation.engine.facts import Facts, apply, fold


class History:
    """The events of one initiative in time order, and the stage it starts at.

    `below`: only the events appended before that seq count (a move judged as it was made,
    without the facts recorded after it); the list is filtered on first use.
    """

    __slots__ = ("_events", "_logged", "below", "initiative", "start")

    def __init__(self, initiative: str, events: Sequence[Event], *, start: str, below: int | None = None) -> None:
        self.initiative = initiative
        self.start = start
        self.below = below
        self._logged = events
        self._events: Sequence[Event] | None = events if below is None else None

    @property
    def events(self) -> Sequence[Event]:
        """The events that count, in time order."""
        if self._events is None:
            below = self.below
            self._events = [event for event in self._logged if below is None or event.seq < below]
        return self._events

    def __call__(self, moment: datetime) -> Facts:
        """The facts as of `moment`: every event dated up to it, less what was withdrawn by then."""
        return fold(self.initiative, self.events, start=self.start, until=moment)

    def each(self, moments: Sequence[datetime]) -> Iterator[Facts]:
        """The facts as of each of `moments` (ascending), in one pass over the log.

        Each one yielded is the same object, brought forward: read it before asking for the next.
        A withdrawal leaves the withdrawn fact out from then on, as if never recorded, so the
        facts are folded again from the start there (withdrawals are rare).
        """
        events = self.events
        facts = Facts(self.initiative, stage=self.start)
        withdrawn: set[int] = set()
        position, count = 0, len(events)
        at = events[0].moment if events else None
        for moment in moments:
            while at is not None and at <= moment:
                event = events[position]
                position += 1
                if event.kind == "fact_withdrawn":
                    withdrawal: Any = event.data  # a FactWithdrawnData, as the kind says
                    withdrawn.add(withdrawal["seq"])
                    facts = fold(self.initiative, events[:position], start=self.start)
                elif event.seq not in withdrawn:
                    apply(facts, event, at)
                at = events[position].moment if position < count else None
            yield facts


__all__ = ["History"]
