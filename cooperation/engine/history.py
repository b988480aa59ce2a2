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

from cooperation.engine.events import MOVE_KINDS, Event
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

    def each(self, moments: Sequence[datetime], ignoring: frozenset[str] = frozenset()) -> Iterator[tuple[Facts, bool]]:
        """The facts as of each of `moments` (ascending), in one pass over the log, and whether
        any event was applied since the previous moment (always at the first).

        Each one yielded is the same object, brought forward: read it before asking for the next.
        Events of the kinds in `ignoring` are not applied: for a caller that reads none of what
        they write (`quiet_kinds`). A withdrawal leaves the withdrawn fact out from then on, as if
        never recorded, so the facts are folded again from the start there (withdrawals are rare).
        """
        events = self.events
        facts = Facts(self.initiative, stage=self.start)
        withdrawn: set[int] = set()
        position, count = 0, len(events)
        at = events[0].moment if events else None
        changed = True
        for moment in moments:
            while at is not None and at <= moment:
                event = events[position]
                position += 1
                if event.kind == "fact_withdrawn":
                    withdrawal: Any = event.data  # a FactWithdrawnData, as the kind says
                    withdrawn.add(withdrawal["seq"])
                    facts, changed = fold(self.initiative, events[:position], start=self.start), True
                elif event.kind not in ignoring and event.seq not in withdrawn:
                    apply(facts, event, at)
                    changed = True
                at = events[position].moment if position < count else None
            yield facts, changed
            changed = False


BOOKKEEPING = frozenset({"version", "last_event", "moments"})
"""What every event applied writes to the facts."""
WRITES: dict[str, frozenset[str]] = {
    "evidence_recorded": frozenset({"evidence"}),
    "attestation_given": frozenset({"attestations"}),
    "participant_joined": frozenset({"participants"}),
    "participant_left": frozenset({"participants"}),
    "role_changed": frozenset({"participants"}),
    "meeting_held": frozenset({"meetings"}),
    "score_set": frozenset({"scores"}),
    "condition_waived": frozenset({"waivers"}),
    "output_published": frozenset({"outputs"}),
    "trust_breached": frozenset({"breaches", "attestations"}),
    "outreach_done": frozenset({"outreach"}),
    "initiative_created": frozenset({"name", "workflow", "created", "stage_since", "creator"}),
    "workflow_changed": frozenset({"workflow", "workflow_changed"}),
    "initiative_renamed": frozenset({"name", "aliases"}),
    "initiative_closed": frozenset({"closed"}),
    "account_bound": frozenset({"accounts"}),
    **dict.fromkeys(MOVE_KINDS, frozenset({"moves", "stage", "stage_since", "handed_off_to"})),
}
"""The attributes of the facts each kind of event writes besides `BOOKKEEPING` (`facts.apply`; a
withdrawal refolds them all). A kind not named here may write anything."""


def quiet_kinds(reads: frozenset[str]) -> frozenset[str]:
    """The kinds of event that write none of the attributes `reads`: one who reads only those may leave them out."""
    if reads & BOOKKEEPING:
        return frozenset()
    return frozenset(kind for kind, writes in WRITES.items() if not writes & reads)


__all__ = ["BOOKKEEPING", "WRITES", "History", "quiet_kinds"]
