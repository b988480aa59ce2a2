"""Importing JSON Lines events: every line checked as if recorded one by one, then all written at once.

Each line is validated, then admitted against the initiative it is for as the events
before it left it (from the store, or created by an earlier line), so that an import
cannot write what the API would refuse. Nothing is written until the whole input is
checked; then every initiative's events are appended in one batch, or none are.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cooperation.engine.events import FILTERED_EXPORT_KEY, Event
from cooperation.engine.loaded import LoadedInitiative, load_initiative, new_initiative
from cooperation.engine.payloads import move_payload
from cooperation.engine.permissions import check_actor
from cooperation.engine.snapshot import snapshot_rows
from cooperation.engine.workflow_lines import WORKFLOW_LINE_KEY, read_workflow_line
from cooperation.errors import CooperationError, EventError, TamperedRecordError
from cooperation.stores.interchange import CHAIN_FIELDS, ChainCheck, is_header

if TYPE_CHECKING:
    from cooperation.definition.pinned import PinnedWorkflows
    from cooperation.stores.protocol import EventStore


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote: how many events, into which initiatives."""

    events: int
    initiatives: tuple[str, ...]
    created: tuple[str, ...]
    kept_provenance: bool = False  # a verified v2 file's recorded_at and recorded_by were kept


def import_lines(
    lines: Iterable[str],
    *,
    source: str,
    store: EventStore,
    pins: PinnedWorkflows,
    started: datetime,
    account: str | None = None,
) -> ImportReport:
    """Check every line of `lines` (named `source` in errors), then write them all or nothing.

    `started`: when the import began; events dated after it are in the future. `pins` finds
    the workflows the events name, and takes the texts the input carries (`engine.workflow_lines`).
    `account`: where
    accounts are bound, the account the import writes as (each event's actor must be bound to it).
    """
    # Every event is held until the write, so the heap only grows; Python's cycle
    # collector would walk it again and again (a quarter of a large import's time)
    # while finding nothing: these records hold no cycles.
    with _cycle_collection_paused():
        try:
            return _Import(store, pins, started, account).run(lines, source)
        finally:
            pins.offered.clear()  # stored if the import wrote; forgotten if it did not


_WORKFLOW_LINE_START = '{"' + WORKFLOW_LINE_KEY + '"'


class _Import:
    """One import under way: the initiatives it writes to, as its lines left them."""

    def __init__(self, store: EventStore, pins: PinnedWorkflows, started: datetime, account: str | None = None):
        self.store = store
        self.pins = pins
        self.account = account
        self.started = started
        self.pending: dict[str, tuple[int, list[Event]]] = {}
        self.loaded: dict[str, LoadedInitiative] = {}
        self.created: list[str] = []
        self.known = set(store.initiatives())  # a racing creator still loses: its append is version-guarded
        self.order: list[str] = []  # the initiative of each event in turn: a v2 file's order is kept
        self.chain: ChainCheck | None = None  # a v2 file's hash chain, checked line by line

    def run(self, lines: Iterable[str], source: str) -> ImportReport:
        from cooperation.engine.event_schema import validate_event_line  # once, not once per line

        count, bad, broken = 0, BadLines(source), set[str]()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if count == 0 and self.chain is None and not bad.count and is_header(line):
                self.chain = ChainCheck(line, source)
                continue
            if line.lstrip().startswith(_WORKFLOW_LINE_START):  # a workflow text, carried before the events naming it
                self._carried_workflow(line, f"{source}:{number}", bad)
                continue
            try:
                event = validate_event_line(line) if self.chain is None else self._chained(line, number, source)
            except EventError as error:  # checked again to name the line: errors are rare, lines are many
                if self.chain is not None:  # a v2 line's errors name it already
                    bad.add(error)
                    continue
                if number == 1 and FILTERED_EXPORT_KEY in line:
                    raise EventError(
                        f"{source}:1: this is a filtered export (`coop export --audience` or `--anonymise`), "
                        "not a backup: text was left out and names may be pseudonyms, so it cannot be imported; "
                        "export again without those options to make a backup"
                    ) from None
                try:
                    validate_event_line(line, where=f"{source}:{number}")
                except EventError as error:
                    bad.add(error)
                continue
            except TamperedRecordError as error:
                raise EventError(str(error)) from None
            if broken and event.initiative in broken:
                continue  # its log went wrong earlier: what follows would only repeat that
            try:
                batch = self._take(event)
            except CooperationError as error:
                bad.add(EventError.met_at(f"{source}:{number}", error))
                broken.add(event.initiative)
                continue
            self.pending[event.initiative][1].extend(batch)
            self.order.extend(event.initiative for _ in batch)
            count += len(batch)
        for initiative, state in self.loaded.items():
            if state.awaiting is not None and initiative not in broken:
                bad.add(
                    EventError(
                        f"{source}: the log of {initiative} ends before the {state.awaiting.kind} that its workflow "
                        f"takes by itself after its last event (to '{move_payload(state.awaiting)['to']}')"
                    )
                )
        bad.raise_any()
        return self._write(count)

    def _write(self, count: int) -> ImportReport:
        """Write what the whole input added, once every line was checked: the workflow texts first."""
        if self.chain is not None:
            self.chain.finish()
        self.pins.store_offered()  # first: the events name them
        snapshots = snapshot_rows(self.loaded.values())  # kept in the same write (`engine.snapshot`)
        if self.chain is None:
            self.store.append_batches(self.pending, snapshots=snapshots)
            return ImportReport(count, tuple(self.pending), tuple(self.created))
        kept = self.store.keeps_provenance
        self.store.append_batches(self.pending, order=self.order, keep_provenance=kept, snapshots=snapshots)
        return ImportReport(count, tuple(self.pending), tuple(self.created), kept)

    def _chained(self, line: str, number: int, source: str) -> Event:
        """One line of a v2 file: checked against the file's chain, then as an event, with its accounts.

        A line that does not fit the chain raises TamperedRecordError: the whole file is refused.
        """
        from cooperation.engine.event_schema import validate_event

        assert self.chain is not None
        try:
            raw = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise EventError(f"{source}:{number}: line: not valid JSON") from None
        if not isinstance(raw, dict):
            raise EventError(f"{source}:{number}: line: not a JSON object")
        try:
            self.chain.take(raw, number)
        except EventError as error:
            raise TamperedRecordError(str(error)) from None
        recorded_at, recorded_by = raw.get("recorded_at"), raw.get("recorded_by")
        for name in CHAIN_FIELDS:
            raw.pop(name, None)
        event = validate_event(raw, where=f"{source}:{number}")
        event.recorded_at = recorded_at if isinstance(recorded_at, str) else None
        event.recorded_by = recorded_by if isinstance(recorded_by, str) else None
        return event

    def _take(self, event: Event) -> list[Event]:
        """Admit one event into its initiative; return what it adds to the log."""
        state = self.loaded.get(event.initiative)
        if state is None:
            if event.kind == "initiative_created" and event.initiative in self.known:
                raise EventError(
                    f"initiative '{event.initiative}' already exists in this registry: import into another "
                    "registry, or only the events it does not hold yet"
                )
            state = self.loaded[event.initiative] = self._target(event)
            self.pending[event.initiative] = (state.version, [])
            if state.version == 0:
                check_actor(state.workflow, state.facts, event)  # its creator, its first owner, is named
                self.created.append(event.initiative)
                return [state.add(event)]
        if event.kind == "workflow_changed":
            state.switch(self.pins.resolve(event.data))  # what follows is checked against the new workflow
        return state.admit(event, replaying=True, clock=self.started, account=self.account)

    def _carried_workflow(self, line: str, where: str, bad: BadLines) -> bool:
        """Take a line that carries a workflow text (checked, held until the write); False for any other line."""
        try:
            carried = read_workflow_line(line)
            if carried is None:
                return False
            self.pins.offer(carried)
        except CooperationError as error:
            bad.add(EventError.met_at(where, error))
        return True

    def _target(self, event: Event) -> LoadedInitiative:
        """The initiative an imported event is for: from the store, or created by this event."""
        if event.initiative in self.known:
            return load_initiative(event.initiative, self.store.read(event.initiative), self.pins.resolve)
        if event.kind != "initiative_created":
            raise EventError(f"unknown initiative '{event.initiative}': its first event must be initiative_created")
        return new_initiative(event.initiative, self.pins.resolve(event.data))


class BadLines:
    """The bad lines of an import, the first `SHOWN` of them kept whole; raised together at the end."""

    SHOWN = 20

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[EventError] = []
        self.count = 0

    def add(self, error: EventError) -> None:
        self.count += 1
        if len(self.errors) < self.SHOWN:
            self.errors.append(error)

    def raise_any(self) -> None:
        """Raise the one error as it is, or one naming every bad line shown and how many more there are."""
        if self.count == 1:
            raise self.errors[0]
        if self.count:
            more = self.count - len(self.errors)
            lines = [f"  {error}".replace("\n", "\n    ") for error in self.errors]
            tail = [f"  ... and {more} more"] if more else []
            combined = EventError(
                "\n".join([f"{self.source}: {self.count} bad lines, so nothing was imported:", *lines, *tail])
            )
            first = self.errors[0]
            combined.location, combined.original = getattr(first, "location", None), getattr(first, "original", None)
            raise combined


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
