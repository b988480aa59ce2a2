"""Finding an initiative by an id it was given later, and reading a log as it was known then.

An initiative renamed with an alias keeps its stored id; `find_log` reads the log of an id,
or, when there is none by that id, of the initiative that took it as an alias. Looking for an
alias reads every log, so it is done only for an id the store does not hold (rare).

`known_at` answers "what did the registry know then": only events recorded by then are
folded (an event stored before the record times were kept counts as known always).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import timedelta

from cooperation.engine.events import Event, cutoff, parse_at
from cooperation.engine.payloads import payload
from cooperation.errors import EventError, UnknownInitiativeError
from cooperation.recorder import Moment
from cooperation.stores.protocol import EventStore


def find_log(store: EventStore, initiative: str) -> list[Event]:
    """The events of `initiative`, or of the one that took it as an alias; [] if neither exists."""
    events = store.read(initiative)
    if events:
        return events
    owners = aliased(store, initiative)
    if len(owners) > 1:
        raise UnknownInitiativeError(
            initiative, detail=f"the id '{initiative}' was given to several initiatives: {', '.join(owners)}"
        )
    return store.read(owners[0]) if owners else []


def aliased(store: EventStore, alias: str) -> list[str]:
    """The stored ids of the initiatives renamed with `alias`."""
    return [
        initiative
        for initiative, events in store.read_all()
        if any(
            event.kind == "initiative_renamed" and payload(event, "initiative_renamed").get("alias") == alias
            for event in events
        )
    ]


def refuse_taken_alias(store: EventStore, data: Mapping[str, object], initiative: str) -> None:
    """A rename's new id must name no other initiative than `initiative`, by its stored id or an alias."""
    alias = data.get("alias")
    if not isinstance(alias, str) or alias == initiative:
        return  # its own id: admission says so
    if store.version(alias) or [other for other in aliased(store, alias) if other != initiative]:
        raise EventError(f"the id '{alias}' is taken by another initiative; choose another")


def recorded_by(known_at: Moment) -> str:
    """The last `recorded_at` text `known_at` includes (the whole of a date, or of a second)."""
    last = cutoff(known_at) + timedelta(microseconds=999_999)
    return last.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def known_events(events: Sequence[Event], known_at: Moment, initiative: str) -> list[Event]:
    """The events recorded by `known_at`; UnknownInitiativeError if the initiative was not recorded yet."""
    until = recorded_by(known_at)
    known = [event for event in events if event.recorded_at is None or event.recorded_at <= until]
    if events and not known:
        raise UnknownInitiativeError(
            initiative, detail=f"{initiative} was not recorded yet at {parse_at(known_at)} (--known-at)"
        )
    return known


def known_logs(logs: Iterable[tuple[str, list[Event]]], known_at: Moment) -> Iterator[tuple[str, list[Event]]]:
    """Every log as known at `known_at`; those not recorded yet are left out."""
    until = recorded_by(known_at)
    for initiative, events in logs:
        known = [event for event in events if event.recorded_at is None or event.recorded_at <= until]
        if known:
            yield initiative, known
