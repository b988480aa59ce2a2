"""A portfolio one line per initiative, and the questions a coordinator asks of it.

`coop status --all --due 30` (what lapses within 30 days), `--stale 90` (no event for 90
days), `--short` (one aligned line each) and `--format jsonl|csv`. Plain string work on
statuses already built: nothing here imports more than the standard library.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cooperation.engine.status import InitiativeStatus


def _day(moment: str) -> date:
    """The calendar day of a status's ISO moment or date ("2026-03-01T12:00:00Z" or "2026-03-01")."""
    return date.fromisoformat(moment[:10])


def lapses_within(status: InitiativeStatus, days: int) -> bool:
    """Whether something met now stops holding within `days` of the status's moment."""
    return status.lapses_on is not None and _day(status.lapses_on) <= _day(status.as_of) + timedelta(days=days)


def quiet_for(status: InitiativeStatus, days: int) -> bool:
    """Whether nothing has been recorded for at least `days` before the status's moment."""
    if status.last_event is None:
        return True
    last = datetime.fromisoformat(status.last_event.replace("Z", "+00:00"))
    moment = datetime.fromisoformat(status.as_of.replace("Z", "+00:00"))
    return moment - last >= timedelta(days=days)
