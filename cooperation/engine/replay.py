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
from contextlib import ExitStack, contextmanager
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
    with _cycle_collection_paused(), ExitStack() as transaction:  # a chunked write commits when it closes
        try:
            return _Import(store, pins, started, account, transaction).run(lines, source)
        finally:
            pins.offered.clear()  # stored if the import wrote; forgotten if it did not


_WORKFLOW_LINE_START = '{"' + WORKFLOW_LINE_KEY + '"'


CHUNK_EVENTS = 20_000
"""A larger input is written a chunk of this many events at a time, all chunks in one transaction
(`EventStore.one_transaction`), so that an import's memory does not grow with its file."""
KEPT_INITIATIVES = 2_000
"""Once a chunk is written, only this many initiatives stay folded in memory (those used last);
a later line for another reads its log back from the store, the chunks written included."""


class _Import:
    """One import under way: the initiatives it writes to, as its lines left them."""

    def __init__(
        self,
        store: EventStore,
        pins: PinnedWorkflows,
        started: datetime,
        account: str | None = None,
        transaction: ExitStack | None = None,
    ):
        self.store = store
        self.pins = pins
        self.account = account
        self.started = started
        self.transaction = transaction  # where the held transaction of a chunked write is entered
        self.chunked = False  # a chunk was written: the rest goes into the same transaction
        self.pending: dict[str, tuple[int, list[Event]]] = {}  # what the next write appends
        self.pending_count = 0
        self.loaded: dict[str, LoadedInitiative] = {}  # the initiatives folded in memory, used last at the end
        self.written: set[str] = set()  # initiatives this import wrote to and let go of, read back when named
        self.touched: dict[str, None] = {}  # every initiative the input names, in order of first mention
        self.created: list[str] = []
        self.known = set(store.initiatives())  # a racing creator still loses: its append is version-guarded
        self.order: list[str] = []  # the initiative of each event in turn: a v2 file's order is kept
        self.chain: ChainCheck | None = None  # a v2 file's hash chain, checked line by line

    def run(self, lines: Iterable[str], source: str) -> ImportReport:
        from cooperation.engine.event_schema import validate_event_line  # once, not once per line
        from cooperation.engine.quick_lines import read_event_line

        count, bad, broken = 0, BadLines(source), set[str]()
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if not stripped:
                continue
            if count == 0 and self.chain is None and not bad.count and is_header(line):
                self.chain = ChainCheck(line, source)
                continue
            if stripped.startswith(_WORKFLOW_LINE_START):  # a workflow text, carried before the events naming it
                self._carried_workflow(line, f"{source}:{number}", bad)
                continue
            try:
                event = read_event_line(line) if self.chain is None else self._chained(line, number, source)
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
            self._hold(event.initiative, batch)
            count += len(batch)
            if self.pending_count >= CHUNK_EVENTS and not bad.count:  # after a bad line, nothing will be written
                self._write_chunk()
        for initiative in self.touched:
            state = self.loaded.get(initiative)
            if state is not None and state.awaiting is not None and initiative not in broken:
                bad.add(
                    EventError(
                        f"{source}: the log of {initiative} ends before the {state.awaiting.kind} that its workflow "
                        f"takes by itself after its last event (to '{move_payload(state.awaiting)['to']}')"
                    )
                )
        bad.raise_any()
        return self._write(count)

    def _hold(self, initiative: str, batch: list[Event]) -> None:
        """Keep what an event added to its initiative's log until the next write."""
        entry = self.pending.get(initiative)
        if entry is None:  # the version the write expects: the log's before this batch
            entry = self.pending[initiative] = (self.loaded[initiative].version - len(batch), [])
            self.touched.setdefault(initiative)
        entry[1].extend(batch)
        if self.chain is not None:  # only a v2 file's order is kept (set by its header, before any event)
            self.order.extend(initiative for _ in batch)
        self.pending_count += len(batch)

    def _write(self, count: int) -> ImportReport:
        """Write what the whole input added, once every line was checked: the workflow texts first."""
        if self.chain is not None:
            self.chain.finish()
        self._append()
        kept = self.chain is not None and self.store.keeps_provenance
        return ImportReport(count, tuple(self.touched), tuple(self.created), kept)

    def _append(self) -> None:
        """Append what is pending (the workflow texts first: the events name them)."""
        self.pins.store_offered()
        snapshots = snapshot_rows(self.loaded.values())  # kept in the same write (`engine.snapshot`)
        if self.chain is None:
            self.store.append_batches(self.pending, snapshots=snapshots)
        else:
            kept = self.store.keeps_provenance
            self.store.append_batches(self.pending, order=self.order, keep_provenance=kept, snapshots=snapshots)
        self.pending, self.order, self.pending_count = {}, [], 0

    def _write_chunk(self) -> None:
        """Write a chunk inside the import's one transaction (opened by the first), then let go of
        all but the initiatives used last: what is written is read back from the store if named again."""
        if self.transaction is None:
            return
        if not self.chunked:
            self.transaction.enter_context(self.store.one_transaction())
            self.chunked = True
        self._append()
        for initiative in list(self.loaded)[: max(len(self.loaded) - KEPT_INITIATIVES, 0)]:
            if self.loaded[initiative].awaiting is None:  # one awaiting its automatic move stays
                del self.loaded[initiative]
                self.written.add(initiative)

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
        if state is not None:
            self.loaded[event.initiative] = self.loaded.pop(event.initiative)  # used last: let go of last
        elif event.initiative in self.written:  # let go of after a chunk: read back, as the chunks left it
            state = self.loaded[event.initiative] = load_initiative(
                event.initiative, self.store.read(event.initiative), self.pins.resolve
            )
        if state is None:
            if event.kind == "initiative_created" and event.initiative in self.known:
                raise EventError(
                    f"initiative '{event.initiative}' already exists in this registry: import into another "
                    "registry, or only the events it does not hold yet"
                )
            state = self.loaded[event.initiative] = self._target(event)
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
