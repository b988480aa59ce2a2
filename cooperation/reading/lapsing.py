"""Lapses derived on read, listed and recorded (`coop lapse`, `coop history`).

A lapse (`cooperation.engine.lapses`) happens with no event: reading derives it. Recording it
writes the `stage_lapsed` event the engine would have written at that instant; the derivation
stops short of a recorded lapse, so recording twice writes nothing more. Only the lapses due
since an initiative's last event are recorded (an append cannot go back before later events);
one derived between two recorded events, as in a log imported from elsewhere, stays derived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cooperation.engine.events import LAPSE_KIND, Event, parse_at
from cooperation.engine.loaded import LoadedInitiative
from cooperation.engine.payloads import StageLapsedData
from cooperation.errors import CooperationError

if TYPE_CHECKING:
    from cooperation.registry import Registry


def record_lapses(registry: Registry, initiative: str | None = None) -> list[Event]:
    """Record, for one initiative or for every one, the lapses due by now; return what was written.

    Every one: the logs are read as a portfolio status reads them (one pass), and written once
    the reading is done; one whose workflow cannot be read is passed over (`coop status --all`
    lists it with why)."""
    if initiative is not None:
        due = [_due(registry, registry._load(initiative, registry._read(initiative)))]  # the registry's own
    else:
        due = []
        for name, events in registry.store.read_all():
            try:
                due.append(_due(registry, registry._load(name, events)))
            except CooperationError:
                continue
    written: list[Event] = []
    for name, lapses, version in filter(None, due):
        registry.store.append(name, lapses, expected_version=version)
        written += lapses
    return written


def _due(registry: Registry, loaded: LoadedInitiative) -> tuple[str, list[Event], int] | None:
    """The lapses due by now of one initiative, and the version of its log they follow; None if none."""
    if loaded.facts.closed is not None or not loaded.moves.lapsing:
        return None
    lapses = loaded.catch_up(loaded.latest(registry._clock()))
    return (loaded.facts.initiative, list(lapses), loaded.stored_version) if lapses else None


def derived_lapses(loaded: LoadedInitiative) -> list[Event]:
    """The lapses the fold of `loaded` applied that its log does not hold, as the events that would
    record them (no place in the log: seq 0), in time order."""
    if not loaded.moves.lapsing:
        return []
    recorded = {event.at for event in loaded.events if event.kind == LAPSE_KIND}
    derived: list[Event] = []
    for move in loaded.facts.moves:
        if move.kind != LAPSE_KIND or move.transition is None:
            continue
        at = parse_at(move.at)
        if at in recorded:
            continue
        transition = loaded.workflow.compiled_transitions.get(move.transition)
        data: StageLapsedData = {
            "from": move.source,
            "to": move.target,
            "transition": move.transition,
            "condition": (transition.on_lapse or "") if transition else "",
            "reason": move.detail,
        }
        derived.append(Event(loaded.facts.initiative, LAPSE_KIND, at, data))
    return derived
