"""Deterministic registries for the benchmarks: valid logs of the cooperation-maturity workflow.

Two workloads. The diverse one is shaped like a real portfolio: 10 to 100 events and 3 to 40
participants per initiative (drawn from a pool of 60,000 names), 0 to 30 meetings with random
attendees, evidence with TLP labels and links, attestations, scores, waivers, leaves and breaches,
half the moments datetimes and about 2% of the events backdated; a third of the initiatives
that meet the ownership stage's conditions advance to it. Each initiative draws from its own
seeded generator, so initiative i is the same whatever the scale. The uniform one (10 events,
3 participants, two stages) is kept as a second figure.
Every log is one the API would admit: `coop import` of its JSON Lines takes it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cooperation.definition.pinned import read_named
from cooperation.engine.events import Event
from cooperation.stores.protocol import EventStore
from cooperation.stores.sqlite import SqliteStore

WORKFLOW = "cooperation-maturity"
PINNED = read_named(WORKFLOW)  # initiatives are pinned to the built-in's text, as `coop new` pins them
WORKLOADS = ("diverse", "uniform")
VERSION = 3  # of the generated data: part of the names of the files made from it, so that old ones are not reused
_COMMUNITIES = ("technical", "business", "government", "civil-society", "academia")
_START = date(2020, 1, 1)
_DIVERSE_START = date(2017, 1, 1)
_FIRST = [f"{a}{b}" for a in ("Al", "Be", "Ca", "Do", "El", "Fa", "Gi", "Ha", "Io", "Ju") for b in "aeiouyrnls"]
_FIRST += [name + "a" for name in _FIRST]  # 200 given names
_LAST = [f"{a}{b}" for a in ("Van", "De", "Mc", "Ol", "Ber") for b in ("ga", "ro", "lin", "ste", "mu", "ki")]
_LAST = [
    f"{name}{suffix}" for name in _LAST for suffix in ("n", "rt", "s", "ek", "or", "i", "berg", "dottir", "sen", "ez")
]
NAMES = [f"{first} {last}" for first in _FIRST for last in _LAST]  # 200 x 300 = 60,000
assert len(NAMES) == 60_000 == len(set(NAMES))
_EVIDENCE = (
    "challenge", "owner-declared", "perspective", "trust-model", "neutral-host", "expectations-and-goals",
    "common-cause", "transparency-and-integrity", "anonymisation", "costs-and-effort", "result",
)  # fmt: skip
_ATTESTED = (
    "voluntary",
    "voluntary",
    "voluntary",
    "equality",
    "comfort-zone",
    "trust-attested",
    "commitment",
    "cooperation-resumed",
)
_WAIVABLE = ("voluntary", "comfort-zone", "anonymisation", "costs-and-effort")
_TLP = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
_RATIONALE = "This does not apply here: the group agreed on it at its last meeting and recorded why."
_KINDS = ("meeting", "evidence", "attestation", "score", "waiver", "breach", "output")
_WEIGHTS = (30, 34, 18, 6, 3, 2, 7)


def initiative_id(index: int) -> str:
    return f"initiative-{index:06d}"


Entry = tuple[str, str, dict[str, Any], str]  # kind, at, data, by


class _Diverse:
    """The log of one initiative of the diverse workload, built entry by entry in time order."""

    def __init__(self, index: int) -> None:
        self.random = random.Random(index * 7919 + 17)
        self.index = index
        self.day = _DIVERSE_START + timedelta(days=index % 1500)
        self.seconds = -1  # the last time of day used on `day` (-1: none yet)
        self.entries: list[Entry] = []

    def at(self, *, step: bool = True) -> str:
        """The next moment, never before the last one (backdating is done on purpose, apart): a day
        or a few later, or later the same day; about half of them with a time of day."""
        if step:
            days = self.random.choice((0, 0, 1, 1, 2, 3, 5, 8, 13, 21))
            if days:
                self.day += timedelta(days=days)
                self.seconds = -1  # nothing yet on this day
        if self.seconds < 0 and self.random.random() < 0.5:
            return self.day.isoformat()  # a date: the start of its day
        if self.seconds >= 86_000:
            self.day += timedelta(days=1)
            self.seconds = -1
            return self.day.isoformat()
        self.seconds = self.random.randrange(self.seconds + 1, min(self.seconds + 20_000, 86_400))
        hours, rest = divmod(self.seconds, 3600)
        return f"{self.day.isoformat()}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"

    def add(self, kind: str, data: dict[str, Any], by: str, at: str | None = None) -> None:
        self.entries.append((kind, at or self.at(), data, by))

    def build(self) -> list[Entry]:
        draw = self.random
        size = 10 + int(90 * draw.random() ** 3)
        people = draw.sample(NAMES, 3 + min(int(37 * draw.random() ** 3), size - 8))
        owner, present = people[0], list(people)
        created = {"name": f"Initiative {self.index}", **PINNED.reference()}
        self.add("initiative_created", created, owner, self.day.isoformat())  # its day: nothing comes before it
        joined = self.at(step=False)
        for k, name in enumerate(people):
            role = "owner" if k == 0 else ("secretariat" if k == 1 and draw.random() < 0.3 else "member")
            community = draw.choice(_COMMUNITIES)
            self.add("participant_joined", {"name": name, "community": community, "role": role}, owner, joined)
        self.day += timedelta(days=1)
        first_day, meetings, attested = self.day, 0, set[tuple[str, str]]()
        limit = draw.randrange(31)
        while len(self.entries) < size:
            kind = draw.choices(_KINDS, _WEIGHTS)[0]
            if kind == "meeting" and meetings < limit:
                meetings += 1
                attendees = draw.sample(present, draw.randint(1, len(present)))
                self.add("meeting_held", {"attendees": attendees, "neutral": draw.random() < 0.4}, owner)
            elif kind == "attestation":
                who, condition = draw.choice(present), draw.choice(_ATTESTED)
                if (who, condition) not in attested:
                    attested.add((who, condition))
                    self.add("attestation_given", {"condition": condition}, who)
            elif kind == "score":
                parameter = draw.choice(("trust-level", "alignment"))
                self.add("score_set", {"parameter": parameter, "level": draw.randint(0, 4)}, owner)
            elif kind == "waiver":
                self.add("condition_waived", {"condition": draw.choice(_WAIVABLE), "rationale": _RATIONALE}, owner)
            elif kind == "breach":
                self.add("trust_breached", {"description": "Shared material was passed on", "tlp": "TLP:AMBER"}, owner)
            elif kind == "output":
                self.add("output_published", {"title": f"Note {len(self.entries)}", "tlp": draw.choice(_TLP)}, owner)
            else:
                self._evidence(first_day)
            self._maybe_advance(owner, meetings, attested)
        self._leaves(present, owner, draw)
        return self.entries

    def _evidence(self, first_day: date) -> None:
        draw = self.random
        data: dict[str, Any] = {"condition": draw.choice(_EVIDENCE), "text": f"Record {len(self.entries)}"}
        data["tlp"] = draw.choice(_TLP)
        if draw.random() < 0.4:
            data["link"] = f"https://example.org/{self.index}/{len(self.entries)}"
        at = None
        if draw.random() < 0.07 and self.day > first_day:  # backdated: recorded late (~2% of all events)
            at = (first_day + timedelta(days=draw.randrange((self.day - first_day).days))).isoformat()
        self.add("evidence_recorded", data, self.entries[0][3], at)

    def _maybe_advance(self, owner: str, meetings: int, attested: set[tuple[str, str]]) -> None:
        """A third of those that meet ownership's conditions advance to it, once."""
        if self.index % 3 or any(kind == "stage_advanced" for kind, *_ in self.entries) or not meetings:
            return
        evidence = {entry[2]["condition"] for entry in self.entries if entry[0] == "evidence_recorded"}
        voluntary = sum(1 for _, condition in attested if condition == "voluntary")
        if {"challenge", "owner-declared"} <= evidence and voluntary >= 3:
            self.day += timedelta(days=1)  # a move comes after every fact before it: the next day, as a date
            self.seconds = -1
            self.add("stage_advanced", {"from": "challenge", "to": "ownership"}, owner, self.day.isoformat())

    def _leaves(self, present: list[str], owner: str, draw: random.Random) -> None:
        """Some members leave at the end (their own record), after everything they did."""
        for name in present[2:]:
            if draw.random() < 0.05:
                self.add("participant_left", {"name": name}, name)


def _uniform(index: int, size: int) -> list[Entry]:
    """Today's uniform log of `size` events (10 or more): a third of them advance to ownership."""
    day = _START + timedelta(days=index % 700)
    entries: list[Entry] = []

    def add(offset: int, kind: str, data: dict[str, Any], by: str) -> None:
        entries.append((kind, (day + timedelta(days=offset)).isoformat(), data, by))

    people = [f"Person {index}-{k}" for k in range(3)]
    add(0, "initiative_created", {"name": f"Initiative {index}", **PINNED.reference()}, people[0])
    for k, name in enumerate(people):
        community = _COMMUNITIES[(index + k) % len(_COMMUNITIES)]
        add(
            1,
            "participant_joined",
            {"name": name, "community": community, "role": "owner" if k == 0 else "member"},
            people[0],
        )
    add(2, "evidence_recorded", {"condition": "challenge", "text": "A shared problem", "tlp": "TLP:CLEAR"}, people[0])
    add(
        3, "evidence_recorded", {"condition": "owner-declared", "text": "Owner steps up", "tlp": "TLP:GREEN"}, people[0]
    )
    add(10, "meeting_held", {"attendees": people, "neutral": index % 2 == 0}, people[0])
    add(11, "attestation_given", {"condition": "voluntary"}, people[1])
    add(11, "attestation_given", {"condition": "voluntary"}, people[2])
    if index % 3 == 0:
        add(12, "stage_advanced", {"from": "challenge", "to": "ownership"}, people[0])
    else:
        add(
            12,
            "evidence_recorded",
            {"condition": "perspective", "text": "A way forward", "tlp": "TLP:AMBER"},
            people[0],
        )
    for extra in range(len(entries), size):  # longer logs: more meetings and evidence, in time order
        if extra % 2:
            add(12 + extra, "meeting_held", {"attendees": people, "neutral": True}, people[0])
        else:
            add(12 + extra, "evidence_recorded", {"condition": "trust-model", "text": f"Note {extra}"}, people[0])
    return entries[:size]


def entries(index: int, workload: str = "diverse", size: int = 10) -> list[Entry]:
    """The log of initiative `index` as (kind, at, data, by); `size` counts for the uniform workload only."""
    return _Diverse(index).build() if workload == "diverse" else _uniform(index, size)


def initiative_log(index: int, size: int = 10, workload: str = "uniform") -> list[Event]:
    """The log of initiative `index` as events numbered from 1."""
    initiative = initiative_id(index)
    return [
        Event(initiative, kind, at, data, by, seq)
        for seq, (kind, at, data, by) in enumerate(entries(index, workload, size), start=1)
    ]


def logs(count: int, size: int = 10, workload: str = "uniform") -> Iterator[list[Event]]:
    for index in range(count):
        yield initiative_log(index, size, workload)


def write_events(path: Path, count: int, workload: str = "diverse", size: int = 10) -> int:
    """The JSON Lines file `coop import` reads, written straight from the entries; how many lines."""
    lines = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(path, "w", encoding="utf-8") as out:
        for index in range(count):
            initiative = initiative_id(index)
            batch = [
                dumps({"initiative": initiative, "kind": kind, "at": at, "by": by, "data": data}) + "\n"
                for kind, at, data, by in entries(index, workload, size)
            ]
            out.writelines(batch)
            lines += len(batch)
    return lines


def write_registry(path: Path, count: int, size: int = 10, *, workload: str = "uniform", chunk: int = 20_000) -> None:
    """A SQLite registry of `count` initiatives (written straight to the store, hash chain and all)."""
    with SqliteStore(path) as store:
        fill_store(store, count, size, workload=workload, chunk=chunk)


def fill_store(
    store: EventStore, count: int, size: int = 10, *, workload: str = "uniform", chunk: int = 20_000
) -> None:
    """Append `count` initiatives to an empty store of any kind, in batches of about `chunk * 10` events
    (no snapshots or stored statuses: a registry as a plain append leaves it)."""
    store.store_workflow(PINNED.id, PINNED.text)
    batch: dict[str, tuple[int, list[Event]]] = {}
    pending = 0
    for log in logs(count, size, workload):
        batch[log[0].initiative] = (0, log)
        pending += len(log)
        if pending >= chunk * 10:
            store.append_batches(batch)
            batch, pending = {}, 0
    if batch:
        store.append_batches(batch)
