"""Corrections: events that take back or amend earlier ones, so that the log stays append-only.

A `fact_withdrawn` names an evidence, attestation or waiver by its place in the log (`seq`);
from its moment on the fact is as if never recorded (`engine.facts.fold` leaves it out).
A `role_changed` gives a participant another role, an `initiative_renamed` a new name or
another id it is found by, an `initiative_closed` withdraws or archives the initiative (kept,
out of the default portfolio). Who may record each is one rule per kind, in
`CORRECTION_RULES`, kept apart so that a registry-wide table of permissions can take it over.

This module also reads a log for what history shows of it: which facts were withdrawn, and
which were recorded late (dated before a move already recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.events import MOVE_KINDS, Event
from cooperation.engine.facts import Facts
from cooperation.engine.payloads import WITHDRAWABLE_KINDS, CorrectionKind, payload
from cooperation.errors import EventError
from cooperation.wording import one_of


@dataclass(frozen=True, slots=True)
class CorrectionRule:
    """Who may record a kind of correction: the initiative's stewards (the roles that may
    advance it, owner and secretariat by default), and also, when `author` says so, whoever
    recorded the fact corrected (`"fact"`) or created the initiative (`"creator"`)."""

    what: str  # the action, as refusals name it
    author: Literal["fact", "creator"]


CORRECTION_RULES: dict[CorrectionKind, CorrectionRule] = {
    "fact_withdrawn": CorrectionRule("withdraw a fact someone else recorded", author="fact"),
    "role_changed": CorrectionRule("change a participant's role", author="creator"),
    "initiative_renamed": CorrectionRule("rename the initiative", author="creator"),
    "initiative_closed": CorrectionRule("withdraw or archive the initiative", author="creator"),
}


def check_correction(workflow: CompiledWorkflow, facts: Facts, then: Facts, event: Event, log: Sequence[Event]) -> None:
    """Raise EventError unless the correction fits: `facts` now, `then` as of its date, `log` every event."""
    kind = event.kind
    author = _creator(log)
    if kind == "fact_withdrawn":
        target = _withdrawable(facts, event, log)
        author = None if target.kind in MOVE_KINDS else target.by  # a move not honoured: its stewards only
    elif kind == "role_changed":
        change = payload(event, "role_changed")
        participant = then.participants.get(change["name"])
        if participant is None or not participant.active:
            raise EventError(f"{change['name']} is not a current participant of {facts.initiative}")
        if participant.role == change["role"]:
            raise EventError(f"{change['name']} is already {_article(participant.role)} {participant.role}")
    elif kind == "initiative_renamed":
        _check_rename(facts, event)
    _check_permitted(workflow, then, event, author)


def closed_error(facts: Facts) -> EventError:
    """What recording anything in a withdrawn or archived initiative meets."""
    closed = facts.closed
    assert closed is not None, "asked only of a closed initiative"
    return EventError(
        f"{facts.initiative} was {closed.state} on {_day(closed.at)} ({closed.reason}); "
        "it is kept for the record and takes no new events"
    )


def withdrawals(events: Sequence[Event]) -> dict[int, Event]:
    """The seq of each withdrawn fact, with the event that withdrew it."""
    return {payload(event, "fact_withdrawn")["seq"]: event for event in events if event.kind == "fact_withdrawn"}


def late_facts(events: Sequence[Event]) -> dict[int, Event]:
    """The facts recorded late: dated before a move recorded before them. Each seq with that move
    (the latest-dated such one). Such a fact counts from then on; the move stands as judged when made."""
    late: dict[int, Event] = {}
    latest_move: Event | None = None
    for event in sorted(events, key=lambda event: event.seq):
        if event.kind in MOVE_KINDS:
            if latest_move is None or event.moment > latest_move.moment:
                latest_move = event
        elif latest_move is not None and event.moment < latest_move.moment:
            late[event.seq] = latest_move
    return late


# --- the checks ---------------------------------------------------------------------------------


def _withdrawable(facts: Facts, event: Event, log: Sequence[Event]) -> Event:
    """The fact a withdrawal names, if it may be withdrawn."""
    seq = payload(event, "fact_withdrawn")["seq"]
    target = next((other for other in log if other.seq == seq), None)
    if target is None:
        raise EventError(
            f"{facts.initiative} has no event #{seq} (its log has {len(log)}); "
            f"see `coop history {facts.initiative}` for the place of each"
        )
    if target.kind in MOVE_KINDS:
        if not any(invalid.seq == seq for invalid in facts.invalid_moves):
            raise EventError(
                f"event #{seq} of {facts.initiative} is a move that was honoured; a move is undone by another "
                "move (`coop regress`): only a move that did not fit when it was made (listed in invalid_moves) "
                "can be withdrawn"
            )
    elif target.kind not in WITHDRAWABLE_KINDS:
        raise EventError(
            f"event #{seq} of {facts.initiative} is a {target.kind}; only evidence, attestations and waivers "
            "can be withdrawn (a role is changed with `coop role`, an initiative closed with `coop archive`)"
        )
    earlier = withdrawals(log).get(seq)
    if earlier is not None:
        raise EventError(
            f"event #{seq} of {facts.initiative} was already withdrawn (event #{earlier.seq}, {earlier.at})"
        )
    if event.moment < target.moment:
        raise EventError(f"event #{seq} happened on {target.at}; it cannot be withdrawn before that (date it later)")
    return target


def _check_rename(facts: Facts, event: Event) -> None:
    renamed = payload(event, "initiative_renamed")
    if "name" not in renamed and "alias" not in renamed:
        raise EventError("a rename needs a new name, a new id (alias), or both")
    if renamed.get("name") == facts.name:
        raise EventError(f"{facts.initiative} is already named {facts.name!r}")
    alias = renamed.get("alias")
    if alias is not None and (alias == facts.initiative or alias in facts.aliases):
        raise EventError(f"{facts.initiative} is already found by the id '{alias}'")


def _check_permitted(workflow: CompiledWorkflow, then: Facts, event: Event, author: str | None) -> None:
    """The rule of `CORRECTION_RULES` for the event's kind: a steward, or the author it names."""
    rule = CORRECTION_RULES[event.kind]  # type: ignore[index]  # the caller has matched a correction kind
    stewards = workflow.default_roles
    whom = f"{_article(stewards[0])} {one_of(stewards)} of {then.initiative}"
    whom += ", or whoever recorded it" if rule.author == "fact" else ", or whoever created it"
    if event.by is None:
        raise EventError(f"to {rule.what} needs who does it (--by): {whom}")
    if event.by == author:
        return
    participant = then.participants.get(event.by)
    if participant is None or not participant.active or participant.role not in stewards:
        role = "not a current participant" if participant is None or not participant.active else participant.role
        raise EventError(f"{event.by} ({role}) may not {rule.what}: only {whom}")


def _creator(log: Sequence[Event]) -> str | None:
    return next((event.by for event in log if event.kind == "initiative_created"), None)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _day(moment: datetime) -> str:
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat()
