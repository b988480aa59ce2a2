"""What history says of corrections and late facts, beside each event: withdrawn (by which
event, when, why) and recorded late (after a move dated later than the fact)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cooperation.engine.corrections import late_facts, withdrawals
from cooperation.engine.events import Event
from cooperation.engine.payloads import payload


def history_marks(events: Sequence[Event]) -> dict[int, dict[str, Any]]:
    """Per seq, the marks of the events that have any: `withdrawn` and `late`, as JSON values."""
    marks: dict[int, dict[str, Any]] = {}
    for seq, withdrawal in withdrawals(events).items():
        reason = payload(withdrawal, "fact_withdrawn")["reason"]
        marks.setdefault(seq, {})["withdrawn"] = {
            "by_event": withdrawal.seq,
            "at": withdrawal.at,
            "by": withdrawal.by,
            "reason": reason,
        }
    for seq, move in late_facts(events).items():
        marks.setdefault(seq, {})["late"] = {"after_move": move.seq, "move_at": move.at}
    return marks


def marks_text(marks: dict[str, Any] | None) -> str:
    """The marks of one event as a few words to end its line with ('' for none)."""
    if not marks:
        return ""
    words = []
    if "withdrawn" in marks:
        withdrawn = marks["withdrawn"]
        words.append(f"WITHDRAWN by #{withdrawn['by_event']} on {withdrawn['at']}: {withdrawn['reason']}")
    if "late" in marks:
        late = marks["late"]
        words.append(f"LATE: recorded after the move #{late['after_move']} of {late['move_at']}")
    return "  [" + "; ".join(words) + "]"
