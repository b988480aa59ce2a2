"""A status as a few lines of text for a terminal."""

from __future__ import annotations

from cooperation.engine.status import InitiativeStatus
from cooperation.engine.who import with_names
from cooperation.wording import for_terminal


def status_text(status: InitiativeStatus) -> str:
    since = f" since {status.stage_since[:10]}" if status.stage_since else ""
    lines = [f"{status.initiative}: {status.name}  [{status.workflow}, as of {status.as_of[:10]}]"]
    if status.aliases:
        lines.append(f"  also found as: {', '.join(status.aliases)}")
    if status.closed:
        lines.append(f"  {status.closed['state'].upper()} on {status.closed['at'][:10]}: kept for the record")
    lines.append(f"  stage: {status.stage} ({status.stage_title}){since}")
    if status.handed_off:
        lines.append(f"  handed off to {status.handed_off['body']} ({status.handed_off['body_kind']})")
    if status.at_risk:
        lines.append(f"  AT RISK: no longer met for this stage: {', '.join(status.at_risk_conditions)}")
    if status.next is None:
        moves = f"; moves from here: {', '.join(status.transitions)}" if status.transitions else ""
        lines.append(f"  next: none{' (terminal)' if status.terminal else ''}{moves}")
        unmet = [item.condition for item in status.conditions if item.blocking]
        if unmet:
            lines.append(f"  for the moves from here, unmet: {', '.join(unmet)}")
    elif status.can_advance:
        advisory = [item.condition for item in status.unmet]
        note = f" (advisory, unanswered: {', '.join(advisory)})" if advisory else ""
        lines.append(f"  next: {status.next}: ready to advance{note}")
    else:
        blocking = sum(1 for item in status.unmet if item.blocking)
        lines.append(f"  next: {status.next}: blocked by {blocking}; work on them in this order:")
        who = status.who or {}  # names, for an initiative shown on its own
        for item in status.unmet:
            mark = "-" if item.blocking else "~"
            label = "" if item.blocking else f" ({item.strength})"
            lines.append(f"    {mark} {item.condition}{label}: {with_names(item.detail, who.get(item.condition))}")
    if status.lapses_on:
        lines += _lapses(status)
    if status.lapse:
        lapse = status.lapse
        lines.append(
            f"  lapse: on {lapse['on']} '{lapse['transition']}' takes it to '{lapse['to']}' by itself, "
            f"when {lapse['condition']} stops holding (unless renewed)"
        )
    for move in status.invalid_moves:  # a row written around coop, say: named until corrected
        lines.append(
            f"  NOT HONOURED: {move.kind} #{move.seq} at {move.at}: {move.why} "
            f"(once understood: coop withdraw {status.initiative} {move.seq} --reason ... --by ...)"
        )
    return for_terminal("\n".join(lines))


def _lapses(status: InitiativeStatus) -> list[str]:
    """When met conditions stop holding if nothing more is recorded, a line per date, soonest first."""
    by_date: dict[str, list[str]] = {}
    for item in status.conditions:
        if item.lapses_on:
            by_date.setdefault(item.lapses_on, []).append(item.condition)
    return [f"  lapses on {date} unless renewed: {', '.join(by_date[date])}" for date in sorted(by_date)]
