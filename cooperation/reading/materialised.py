"""Materialised statuses: every initiative's current status kept as the JSON `coop status --all --json`
prints, so that listing a portfolio reads stored rows and works out only those that changed.

A row (`stores.derived.StatusRow`) is used for the status now when nothing it was computed from
has changed: the log is at the same version, the workflow it was judged by is the same version
(and so is coop: `engine.snapshot.workflow_key`), and the moment lies between the one it was
computed for and its `valid_until`. Any other initiative is computed from its log (from its
snapshot when one fits) and its row written again, when the store lets us write.

`valid_until` is the first instant at which the status could read otherwise with no new event:
a recorded moment leaving one of the workflow's `expiring` windows (the instants that
`ConditionKind.lapses_on` tries, for every condition and whether met or not, so that a lapse, an
automatic move on a lapse or a count within a window all fall at or after it), or the start of
that instant's day while it is ahead, for what goes by the date a lapse is told by, or an instant
at which a timed kind turns (a time in a stage runs out; a `held` not yet met counts one more day,
or is reached). A status that has an event dated after the moment is not kept, and neither is
one whose evaluation looked at the facts' history (`held`) for a log shorter than `LONG_LOG`
events: there, working it out again costs less than reading its row back (measured: a uniform
portfolio's second listing took 1.66 times the baseline with such rows kept, 1.16 without).
`--as-of` and `--known-at` never come here (`Registry.statuses` computes them from the log).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.pinned import PinnedWorkflows
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.evaluation import ConditionResult, Evaluator
from cooperation.engine.events import Event
from cooperation.engine.facts import InvalidMove
from cooperation.engine.loaded import LoadedInitiative, judged_by, load_initiative
from cooperation.engine.snapshot import MIN_EVENTS, Snapshot, snapshot_of, workflow_key
from cooperation.engine.span import Span
from cooperation.engine.status import InitiativeStatus, UnreadableInitiative, build_status
from cooperation.errors import CooperationError, StoreError
from cooperation.stores.derived import Listed, SnapshotRow, StatusRow
from cooperation.stores.protocol import EventStore
from cooperation.views.status_json import status_json

UNREADABLE = (CooperationError, ArithmeticError)
"""What makes an initiative unreadable in a listing (`Registry.portfolio`): shown with its error."""
LONG_LOG = MIN_EVENTS
"""From this many events, a status that looked back (`held`) is kept too, and `coop status ID` reads
its row (`reading.single`): reading a row then costs less than a pass over the log."""
# Initiatives worked out together: their logs read in one go, their rows (~10 KB each) written in one go.
# 25 rather than 100: 0.8 MB less at a listing's peak, for 0.3% more instructions and four times the
# commits (about 0.1 s more of the kernel's time over 20,000 initiatives).
_PAGE = 25


class StatusText(NamedTuple):
    """A status as the JSON line `coop status --all --json` prints, with what the listing needs of it."""

    initiative: str
    text: str
    can_advance: bool


Found = InitiativeStatus | UnreadableInitiative | StatusText


class Portfolio:
    """One listing of every initiative's status now, from stored rows where they hold."""

    def __init__(
        self,
        store: EventStore,
        workflows: PinnedWorkflows,
        moment: datetime,
        *,
        include_archived: bool,
        unreadable: tuple[type[Exception], ...],
    ) -> None:
        self.store, self.workflows, self.moment = store, workflows, moment
        self.as_of = _instant(moment)
        self.include_archived, self.unreadable = include_archived, unreadable
        self.writable = True  # until the store refuses a write: a reader still gets every status
        self._keys: dict[str, str | None] = {}  # a row's workflow reference -> the key of that workflow now
        self.counts = {"stored": 0, "computed": 0}

    def statuses(self) -> Iterator[InitiativeStatus | UnreadableInitiative]:
        """Each status as an object (the API): a stored row is read back from its JSON."""
        decode = Decoder()
        for found in self._pages(as_text=False):
            yield decode.status(found.text) if isinstance(found, StatusText) else found

    def texts(self) -> Iterator[StatusText | InitiativeStatus | UnreadableInitiative]:
        """Each status as its JSON line when a stored row holds or was just written (so that it is not
        encoded twice), else as computed; in id order."""
        return self._pages(as_text=True)

    def _pages(self, *, as_text: bool) -> Iterator[Found]:
        page: list[Listed] = []
        for item in self.store.listed():
            page.append(item)
            if len(page) == _PAGE:
                yield from self._page(page, as_text)
                page = []
        yield from self._page(page, as_text)

    def _page(self, page: list[Listed], as_text: bool) -> Iterator[Found]:
        held = {item.initiative: item.row for item in page if item.row is not None and self.holds(item)}
        stale = [item.initiative for item in page if item.initiative not in held]
        computed: dict[str, InitiativeStatus | UnreadableInitiative | None] = {}
        rows: list[StatusRow] = []
        snapshots: list[SnapshotRow] = []
        for initiative, events, snapshot in self.store.logs_with_snapshots(stale) if stale else ():
            computed[initiative] = self._computed(initiative, events, snapshot, rows, snapshots)
        self._keep(snapshots, rows)
        written = {row.initiative: row for row in rows} if as_text else {}  # its text: not encoded again
        for item in page:
            row = held.get(item.initiative)
            if row is not None:
                self.counts["stored"] += 1
                if self.include_archived or not row.closed:
                    yield StatusText(row.initiative, self.stored_text(row), row.can_advance)
                continue
            status = computed.get(item.initiative)
            fresh = written.get(item.initiative)
            if status is not None:
                yield status if fresh is None else StatusText(fresh.initiative, fresh.body, fresh.can_advance)

    def holds(self, item: Listed) -> bool:
        """Whether the initiative's stored row says its status now (see the module's docstring)."""
        row = item.row
        assert row is not None
        if row.seq != item.version or row.as_of > self.as_of:
            return False
        if row.valid_until is not None and self.as_of >= row.valid_until:
            return False
        if row.reference not in self._keys:
            try:
                workflow = self.workflows.resolve(json.loads(row.reference))
                self._keys[row.reference] = workflow_key(workflow)
            except (CooperationError, ValueError):
                self._keys[row.reference] = None
        return self._keys[row.reference] == row.workflow_key

    def stored_text(self, row: StatusRow) -> str:
        """A stored status's JSON, as of now: the one field that names the moment of reading, set to it."""
        if row.as_of == self.as_of:
            return row.body
        old, new = encode_basestring(row.as_of), encode_basestring(self.as_of)
        return row.body.replace(f',"as_of":{old},', f',"as_of":{new},', 1)

    def _computed(
        self,
        initiative: str,
        events: list[Event],
        snapshot: Snapshot | None,
        rows: list[StatusRow],
        snapshots: list[SnapshotRow],
    ) -> InitiativeStatus | UnreadableInitiative | None:
        """The status worked out from the log; its row (and a snapshot, if worth one) added to be written."""
        self.counts["computed"] += 1
        try:
            loaded = load_initiative(initiative, events, self.workflows.resolve, until=self.moment, snapshot=snapshot)
            if loaded.facts.created is None:
                return None  # created after now (dated a little ahead): not there yet
            evaluator = loaded.evaluator(self.moment)
            status = build_status(loaded.workflow, loaded.facts, evaluator, self.moment)
        except self.unreadable as error:
            return UnreadableInitiative(initiative, str(error))
        self._collect(loaded, status, evaluator, rows, snapshots)
        if loaded.facts.closed is not None and not self.include_archived:
            return None
        return status

    def keep(self, loaded: LoadedInitiative, status: InitiativeStatus, evaluator: Evaluator) -> None:
        """Keep the rows of one status worked out elsewhere (`coop status ID`), as a listing would."""
        rows: list[StatusRow] = []
        snapshots: list[SnapshotRow] = []
        self._collect(loaded, status, evaluator, rows, snapshots)
        self._keep(snapshots, rows)

    def _collect(
        self,
        loaded: LoadedInitiative,
        status: InitiativeStatus,
        evaluator: Evaluator,
        rows: list[StatusRow],
        snapshots: list[SnapshotRow],
    ) -> None:
        """Add the status row (and a snapshot, if worth one and the fold did not resume from one of the
        whole log: after an append, the one it wrote) of a status now."""
        if loaded.events[-1].moment > self.moment:
            return  # an event dated after now: the status changes when its moment comes
        if loaded.resumed_from != loaded.version:
            kept = snapshot_of(loaded.facts, loaded.created_with or loaded.workflow, loaded.version)
            if kept is not None:
                snapshots.append((loaded.facts.initiative, kept))
        if not evaluator.looked_back or loaded.version >= LONG_LOG:
            rows.append(self._row(loaded, status, evaluator))

    def _row(self, loaded: LoadedInitiative, status: InitiativeStatus, evaluator: Evaluator) -> StatusRow:
        reference = judged_by(loaded.events)
        named = {key: reference[key] for key in ("workflow", "workflow_hash") if key in reference}
        turns = _turns(loaded.workflow, evaluator, self.moment)
        until = min_moment(valid_until(loaded.workflow, loaded.facts.moments, self.moment), turns)
        return StatusRow(
            loaded.facts.initiative,
            loaded.version,
            workflow_key(loaded.workflow),
            json.dumps(named, sort_keys=True),
            None if until is None else _instant(until),
            loaded.facts.closed is not None,
            status.can_advance,
            self.as_of,
            status_json(status),
        )

    def _keep(self, snapshots: Sequence[SnapshotRow], rows: Sequence[StatusRow]) -> None:
        if self.writable and (snapshots or rows):
            try:
                self.store.put_derived(snapshots, rows)
            except StoreError:
                self.writable = False  # a read-only file or role: answer without keeping


def valid_until(workflow: CompiledWorkflow, moments: Sequence[datetime], moment: datetime) -> datetime | None:
    """The first instant after `moment` at which a recorded moment leaves one of the workflow's
    `expiring` windows, or the start of its day when that is still ahead (None: none ever leaves);
    a status computed at `moment` holds until then."""
    # `moments` are in time order: for each window, the first one still inside it is the first to leave.
    instants = []
    for span in _windows(workflow):
        place = bisect_right(moments, span.before(moment))
        if place < len(moments):
            instants.append(span.after(moments[place]))
    return _day_start(min(instants), moment) if instants else None


def min_moment(first: datetime | None, second: datetime | None) -> datetime | None:
    """The earlier of two instants, either of which may be None (never)."""
    return second if first is None else first if second is None else min(first, second)


def _turns(workflow: CompiledWorkflow, evaluator: Evaluator, moment: datetime) -> datetime | None:
    """The first instant after `moment` at which a timed kind (a time in a stage) may turn by itself."""
    timed = _timed(workflow)
    if not timed:
        return None
    ahead = [instant for condition in timed for instant in evaluator.turns_under(condition) if instant > moment]
    return _day_start(min(ahead), moment) if ahead else None


def _day_start(first: datetime, moment: datetime) -> datetime:
    # A lapse is also told by its date (`lapses_on`): what is dated by it may change from the day's start.
    day = first.replace(hour=0, minute=0, second=0, microsecond=0)
    return day if day > moment else first


@lru_cache(maxsize=256)
def _windows(workflow: CompiledWorkflow) -> tuple[Span, ...]:
    """Every window a condition of the workflow keeps (`ConditionKind.window_span`)."""
    found = set()
    for condition in workflow.compiled_conditions.values():
        span = KINDS[condition.kind].window_span(condition)
        if span is not None:
            found.add(span)
    return tuple(found)


@lru_cache(maxsize=256)
def _timed(workflow: CompiledWorkflow) -> tuple[str, ...]:
    """The conditions of a kind whose result may change with time alone (`ConditionKind.timed`)."""
    return tuple(c.id for c in workflow.compiled_conditions.values() if KINDS[c.kind].timed)


def _instant(moment: datetime) -> str:
    """A moment as a status writes it (UTC, with a Z); such texts sort in time order."""
    return moment.isoformat().replace("+00:00", "Z")


class Decoder:
    """Statuses read back from their JSON; equal condition results become one shared object again."""

    def __init__(self) -> None:
        self._results: dict[tuple[Any, ...], ConditionResult] = {}

    def status(self, text: str) -> InitiativeStatus:
        data: dict[str, Any] = json.loads(text)
        data["unmet"] = [self._result(result) for result in data["unmet"]]
        data["conditions"] = [self._result(result) for result in data["conditions"]]
        data["invalid_moves"] = [InvalidMove(**move) for move in data["invalid_moves"]]
        return InitiativeStatus(**data)

    def _result(self, fields: Mapping[str, Any]) -> ConditionResult:
        key = tuple(fields.values())
        found = self._results.get(key)
        if found is None:
            found = self._results[key] = ConditionResult(**fields)
        return found
