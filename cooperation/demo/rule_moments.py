"""The moments in the fictional logs where the rules bite: a refused move, a regression, a waiver.

The one move attempted here is expected to be refused, and it is attempted only when the
status already says it will be, so reading the moments writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from cooperation.definition.catalog import get_workflow
from cooperation.engine.events import Event
from cooperation.engine.moves import moves_for
from cooperation.engine.payloads import payload
from cooperation.engine.status import InitiativeStatus
from cooperation.errors import BlockedTransitionError, TransitionError
from cooperation.registry import Registry
from cooperation.wording import plural


@dataclass(frozen=True, slots=True)
class RuleMoment:
    """A point in a fictional log where a rule shows: a move refused, a regression, a waiver."""

    kind: str  # "blocked", "regressed" or "waived"
    initiative: str
    name: str
    at: str
    lines: tuple[str, ...]


def rule_moments(registry: Registry, initiatives: Sequence[str]) -> list[RuleMoment]:
    """The regressions, waivers and refused next moves in these initiatives, in that order per initiative."""
    moments: list[RuleMoment] = []
    for initiative in initiatives:
        events = registry.history(initiative)
        name = payload(events[0], "initiative_created")["name"]
        moments += _regressions(registry, initiative, name, events)
        moments += _waivers(registry, initiative, name, events)
        refused = _refused_advance(registry, initiative, name, events)
        if refused is not None:
            moments.append(refused)
    return moments


def _regressions(registry: Registry, initiative: str, name: str, events: Sequence[Event]) -> list[RuleMoment]:
    moments = []
    for index, event in enumerate(events):
        if event.kind != "stage_regressed":
            continue
        cause = next((e for e in reversed(events[:index]) if e.kind == "trust_breached" and e.at == event.at), None)
        before = registry.status(initiative, as_of=event.moment - timedelta(seconds=1))
        after = registry.status(initiative, as_of=event.moment)
        lines = []
        if cause is not None:
            lines.append(f"breach of trust: {payload(cause, 'trust_breached')['description']}")
        regressed = payload(event, "stage_regressed")
        lines.append(
            f"the workflow moved it back: {regressed['from']} -> {regressed['to']} "
            f"(transition {regressed.get('transition') or 'regress'})"
        )
        lines.append(f"before: at '{before.stage}', {next_line(before)}")
        lines.append(f"after:  at '{after.stage}', {next_line(after)}")
        if cause is not None:
            lines.append("attestations given before the breach no longer count: trust has to be earned again")
        moments.append(RuleMoment("regressed", initiative, name, event.at, tuple(lines)))
    return moments


def _waivers(registry: Registry, initiative: str, name: str, events: Sequence[Event]) -> list[RuleMoment]:
    moments = []
    for index, event in enumerate(events):
        if event.kind != "condition_waived":
            continue
        waiver = payload(event, "condition_waived")
        condition = waiver["condition"]
        status = registry.status(initiative, as_of=event.moment)
        result = next(item for item in status.conditions if item.condition == condition)
        lines = [
            f"{event.by} waived '{condition}' ({result.strength}): {waiver['rationale']}",
            f"it now counts as {'waived' if result.waived else 'NOT waived'}, so it no longer blocks a move",
        ]
        later = next((e for e in events[index + 1 :] if e.kind == "stage_advanced"), None)
        if later is not None:
            advanced = payload(later, "stage_advanced")
            lines.append(f"on {later.at} the initiative advanced {advanced['from']} -> {advanced['to']} without it")
        moments.append(RuleMoment("waived", initiative, name, event.at, tuple(lines)))
    return moments


def _refused_advance(registry: Registry, initiative: str, name: str, events: Sequence[Event]) -> RuleMoment | None:
    """Ask for the next move as of the log's last event; shown only when the status says it is blocked."""
    latest = max(events, key=lambda event: event.moment)
    last = latest.moment
    status = registry.status(initiative, as_of=last)
    if status.next is None or status.can_advance:
        return None
    advance = moves_for(get_workflow(status.workflow)).advance(status.stage)
    actor = _participant_in_role(events, advance.roles) if advance is not None else None
    if actor is None:
        return None
    lines = [f"{actor} asks to advance '{status.stage}' -> '{status.next}'"]
    try:
        registry.advance(initiative, by=actor, at=last)
    except BlockedTransitionError as refused:
        lines.append(f"refused: {plural(len(refused.unmet), 'prerequisite')} unmet, in the order to work on them:")
        lines += [f"- {result.condition}: {result.detail}" for result in refused.unmet]
    except TransitionError as refused:
        lines.append(f"refused: {refused}")
    else:  # the status said it was blocked; if the move went through, say so plainly
        lines.append("unexpectedly, the move was accepted")
    return RuleMoment("blocked", initiative, name, latest.at, tuple(lines))


def _participant_in_role(events: Sequence[Event], roles: Sequence[str]) -> str | None:
    current: dict[str, str] = {}
    for event in events:
        if event.kind == "participant_joined":
            joined = payload(event, "participant_joined")
            current[joined["name"]] = joined.get("role", "member")
        elif event.kind == "participant_left":
            current.pop(payload(event, "participant_left")["name"], None)
    return next((person for person, role in current.items() if role in roles), None)


def next_line(status: InitiativeStatus) -> str:
    if status.next is None:
        moves = f" (moves from here: {', '.join(status.transitions)})" if status.transitions else ""
        return ("terminal" if status.terminal else "no next stage") + moves
    if status.can_advance:
        return f"ready to advance to '{status.next}'"
    blocking = [item.condition for item in status.unmet if item.blocking]
    return f"'{status.next}' blocked by {', '.join(blocking)}"
