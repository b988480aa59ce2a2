"""Deterministic registries for the benchmarks: valid logs of the cooperation-maturity workflow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cooperation.definition.pinned import read_named
from cooperation.engine.events import Event
from cooperation.stores.sqlite import SqliteStore

WORKFLOW = "cooperation-maturity"
PINNED = read_named(WORKFLOW)  # initiatives are pinned to the built-in's text, as `coop new` pins them
_COMMUNITIES = ("technical", "business", "government", "civil-society", "academia")
_START = date(2020, 1, 1)


def initiative_id(index: int) -> str:
    return f"initiative-{index:06d}"


def initiative_log(index: int, size: int = 10) -> list[Event]:
    """A valid log of `size` events (10 or more): a third of them advance to ownership."""
    initiative = initiative_id(index)
    day = _START + timedelta(days=index % 700)

    def event(offset: int, kind: str, data: dict[str, Any], by: str | None = None) -> Event:
        return Event(initiative, kind, (day + timedelta(days=offset)).isoformat(), data, by)

    people = [f"Person {index}-{k}" for k in range(3)]
    # Its creator, people[0], joins first as owner and records what the others do not.
    log = [event(0, "initiative_created", {"name": f"Initiative {index}", **PINNED.reference()}, people[0])]
    for k, name in enumerate(people):
        community = _COMMUNITIES[(index + k) % len(_COMMUNITIES)]
        log.append(
            event(
                1,
                "participant_joined",
                {"name": name, "community": community, "role": "owner" if k == 0 else "member"},
                people[0],
            )
        )
    log.append(
        event(
            2,
            "evidence_recorded",
            {"condition": "challenge", "text": "A shared problem", "tlp": "TLP:CLEAR"},
            people[0],
        )
    )
    log.append(
        event(
            3,
            "evidence_recorded",
            {"condition": "owner-declared", "text": "Owner steps up", "tlp": "TLP:GREEN"},
            people[0],
        )
    )
    log.append(event(10, "meeting_held", {"attendees": people, "neutral": index % 2 == 0}, people[0]))
    log.append(event(11, "attestation_given", {"condition": "voluntary"}, people[1]))
    log.append(event(11, "attestation_given", {"condition": "voluntary"}, people[2]))
    if index % 3 == 0:
        log.append(event(12, "stage_advanced", {"from": "challenge", "to": "ownership"}, people[0]))
    else:
        log.append(
            event(
                12,
                "evidence_recorded",
                {"condition": "perspective", "text": "A way forward", "tlp": "TLP:AMBER"},
                people[0],
            )
        )
    for extra in range(len(log), size):  # longer logs: more meetings and evidence, in time order
        if extra % 2:
            log.append(event(12 + extra, "meeting_held", {"attendees": people, "neutral": True}, people[0]))
        else:
            log.append(
                event(12 + extra, "evidence_recorded", {"condition": "trust-model", "text": f"Note {extra}"}, people[0])
            )
    return [Event(e.initiative, e.kind, e.at, e.data, e.by, seq) for seq, e in enumerate(log[:size], start=1)]


def logs(count: int, size: int = 10) -> Iterator[list[Event]]:
    for index in range(count):
        yield initiative_log(index, size)


def write_registry(path: Path, count: int, size: int = 10, *, chunk: int = 20_000) -> None:
    """A SQLite registry of `count` initiatives of `size` events each (written straight to the store)."""
    with SqliteStore(path) as store:
        store.store_workflow(PINNED.id, PINNED.text)
        batch: dict[str, tuple[int, list[Event]]] = {}
        for log in logs(count, size):
            batch[log[0].initiative] = (0, log)
            if len(batch) >= chunk:
                store.append_batches(batch)
                batch = {}
        if batch:
            store.append_batches(batch)
