"""What an event that may take a transition by itself (`on_event`) is about: the role of its participant.

A transition may be taken automatically on a breach of trust, or on an event about one participant
(joining, leaving, a role changed); `on_roles` limits the latter to a participant holding one of
those roles: the role they join with, or the role they held when they left or before the change
("regress when the owner leaves"). This module finds that role, from the facts before the event
(when the event is taken in) or from the log before it (when a recorded move is judged again).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cooperation.engine.payloads import payload
from cooperation.engine.roles import given_role

if TYPE_CHECKING:
    from cooperation.engine.events import Event
    from cooperation.engine.facts import Facts

ABOUT_A_PARTICIPANT = frozenset({"participant_joined", "participant_left", "role_changed"})


def _about(event: Event) -> str | None:
    """The name of the participant an event is about, for the kinds about one; None for the others."""
    if event.kind == "participant_left":
        return payload(event, "participant_left")["name"]
    if event.kind in ABOUT_A_PARTICIPANT:
        return given_name(event)
    return None


def given_name(event: Event) -> str:
    if event.kind == "participant_joined":
        return payload(event, "participant_joined")["name"]
    return payload(event, "role_changed")["name"]


def role_held(before: Facts, event: Event) -> str | None:
    """The role of the participant `event` is about, given the facts just `before` it; None if about no one."""
    if event.kind == "participant_joined":
        return given_role(event)
    name = _about(event)
    if name is None:
        return None
    participant = before.participants.get(name)
    return participant.role if participant is not None else None


def role_in_log(events: Sequence[Event], index: int) -> str | None:
    """`role_held` for `events[index]`, read from the events before it (the last role given to that name)."""
    event = events[index]
    if event.kind == "participant_joined":
        return given_role(event)
    name = _about(event)
    if name is None:
        return None
    for earlier in reversed(events[:index]):
        if earlier.kind in ("participant_joined", "role_changed") and given_name(earlier) == name:
            return given_role(earlier)
    return None


def automatic_reason(event: Event, role: str | None) -> str:
    """The reason an automatic move records: a breach's description, or what happened to whom."""
    if event.kind == "trust_breached":
        return payload(event, "trust_breached")["description"]
    name = _about(event)
    if name is None:
        return event.kind
    held = f" ({role})" if role else ""
    if event.kind == "participant_joined":
        return f"{name} joined as {role}"
    if event.kind == "participant_left":
        return f"{name}{held} left"
    return f"{name}{held} became {given_role(event)}"
