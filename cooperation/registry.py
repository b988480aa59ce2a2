"""The registry: the API other tools import to create, record, check and move initiatives.

It loads an initiative's events from the store, folds them into facts, evaluates the
workflow's conditions, asks the state machine for moves, and appends new events
guarded by the log's version, so that two writers can never both advance.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cooperation.accounts import Accounts
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.pinned import PinnedWorkflows, read_named
from cooperation.engine.evaluation import ConditionResult
from cooperation.engine.events import Event, cutoff, now, parse_at
from cooperation.engine.events import moment as moment_of
from cooperation.engine.loaded import LoadedInitiative, judged_by, load_initiative
from cooperation.engine.moves import MoveKind
from cooperation.engine.payloads import RECORDABLE_KINDS, RecordableKind
from cooperation.engine.replay import ImportReport, import_lines
from cooperation.engine.snapshot import kept_snapshot
from cooperation.engine.status import InitiativeStatus, UnreadableInitiative, build_status
from cooperation.engine.upgrade import WorkflowUpgrade, WorkflowUpgrader
from cooperation.engine.who import with_who
from cooperation.errors import CooperationError, EventError, UnknownInitiativeError
from cooperation.ledger import Ledger
from cooperation.reading.finding import find_log, known_events, known_logs, refuse_taken_alias
from cooperation.reading.materialised import Portfolio
from cooperation.reading.single import stored_status, worked_out
from cooperation.recorder import Moment, Recorder, slug
from cooperation.stores.locate import open_store
from cooperation.stores.protocol import EventStore
from cooperation.vocabulary import BodyKind, Community, TlpLabel

if TYPE_CHECKING:
    from cooperation.proposals.desk import ProposalDesk


class Registry(Recorder, Accounts, Ledger):
    """A registry of initiatives kept in an event store.

    >>> with Registry.open("coop.db") as registry:           # doctest: +SKIP
    ...     initiative = registry.create("No default passwords", workflow="cooperation-maturity")
    ...     registry.status(initiative).stage
    'challenge'
    """

    def __init__(self, store: EventStore, *, clock: Callable[[], datetime] = now) -> None:
        self.store = store
        self._clock = clock
        self.workflows = PinnedWorkflows(store)  # the workflow versions initiatives are pinned to

    @classmethod
    def open(cls, location: str | os.PathLike[str] | None = None, *, create: bool = True) -> Registry:
        """Open the registry at a path or URL (default: $COOP_DB, else ./coop.db)."""
        return cls(open_store(location, create=create))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------

    def initiatives(self) -> list[str]:
        return self.store.initiatives()

    def history(self, initiative: str) -> list[Event]:
        """Every event of an initiative, in the order they were recorded."""
        events = self._read(initiative)
        if not events:
            raise UnknownInitiativeError(initiative, known=self.store.initiatives())
        return events

    def status(
        self, initiative: str, *, as_of: Moment | None = None, known_at: Moment | None = None
    ) -> InitiativeStatus:
        """Where the initiative stands now, or at the end of `as_of` (a date or datetime): what had
        happened by then, as the registry knew it at `known_at` (default: now; see `reading.finding`)."""
        now = as_of is None and known_at is None
        moment = cutoff(as_of) if as_of is not None else self._clock()
        if now and (kept := stored_status(self.store, self.workflows, initiative, moment)) is not None:
            return kept
        events = self._read(initiative)
        events = known_events(events, known_at, initiative) if known_at is not None else events
        loaded = self._load(initiative, events, until=moment)
        if loaded.facts.created is None:
            created = loaded.events[0].at
            raise UnknownInitiativeError(
                initiative, detail=f"{initiative} did not exist yet at {parse_at(moment)} (it was created {created})"
            )
        status = worked_out(self.store, self.workflows, loaded, moment) if now else self._status(loaded, moment)
        return with_who(status, loaded.workflow, loaded.facts, moment)  # names: here only

    def statuses(
        self, *, as_of: Moment | None = None, known_at: Moment | None = None, include_archived: bool = False
    ) -> Iterator[InitiativeStatus]:
        """The status of every initiative, one at a time (ordered by id); withdrawn and archived
        ones only with `include_archived`. `as_of` and `known_at` as for `status`."""
        return self._statuses(as_of, known_at, include_archived, unreadable=())  # type: ignore[return-value]

    def portfolio(
        self, *, as_of: Moment | None = None, known_at: Moment | None = None, include_archived: bool = False
    ) -> Iterator[InitiativeStatus | UnreadableInitiative]:
        """Like `statuses`, but an initiative that cannot be read (its workflow file changed or
        went away, say) comes as an `UnreadableInitiative` with its error, and the others still come."""
        return self._statuses(as_of, known_at, include_archived, unreadable=(CooperationError, ArithmeticError))

    def stored_portfolio(
        self, *, include_archived: bool = False, unreadable: tuple[type[Exception], ...] = ()
    ) -> Portfolio:
        """Every status now, from the stored rows that still hold (`reading.materialised`): as objects
        (`statuses()`) or, for `coop status --all --json`, as the JSON lines stored (`texts()`)."""
        return Portfolio(
            self.store, self.workflows, self._clock(), include_archived=include_archived, unreadable=unreadable
        )

    def workflow_of(self, log: Sequence[Event], *, as_of: datetime | None = None) -> CompiledWorkflow:
        """The workflow an initiative's log is judged by (at `as_of`): the version it is pinned to."""
        return self.workflows.resolve(judged_by(log, as_of))

    def can_advance(self, initiative: str) -> bool:
        """Cheap "may I?": no blocking prerequisite of the next stage is unmet (roles aside)."""
        loaded = self._load(initiative, self._read(initiative))
        moment = loaded.latest(self._clock())
        loaded.catch_up(moment)  # a lapse due by now moves it first (as its status shows)
        advance = loaded.moves.advance(loaded.facts.stage)
        return advance is not None and not loaded.evaluator(moment).blocking(advance.needs)

    def unmet(self, initiative: str) -> list[ConditionResult]:
        """The "why not?": unsatisfied prerequisites of the next stage, in the order to work on them."""
        loaded = self._load(initiative, self._read(initiative))
        moment = loaded.latest(self._clock())
        loaded.catch_up(moment)  # a lapse due by now moves it first (as its status shows)
        advance = loaded.moves.advance(loaded.facts.stage)
        return loaded.evaluator(moment).to_work_on(advance.needs) if advance is not None else []

    # --- recording -----------------------------------------------------------------------

    def create(
        self,
        name: str,
        *,
        workflow: str,
        initiative: str | None = None,
        by: str | None = None,
        community: Community | None = None,
        organisation: str | None = None,
        at: Moment | None = None,
    ) -> str:
        """Start an initiative at its workflow's first stage, pinned to the workflow's text as it is now
        (a built-in id or a file: stored in the registry, see `definition.pinned`); return its id.

        `by` creates it and becomes its first owner: with `community`, they join as owner in the
        same write; without, their own join as owner must come first (no one else may record it).
        """
        pin = read_named(workflow)  # refuse an unknown or invalid workflow before anything is written
        identifier = initiative or slug(name)
        from cooperation.engine.creation import creation_batch  # pydantic: only when writing

        moment = parse_at(at) if at is not None else parse_at(self._clock())
        created = {"name": name, **pin.reference()}
        raw = {"initiative": identifier, "kind": "initiative_created", "at": moment, "by": by or None, "data": created}
        batch = creation_batch(
            pin.workflow,
            raw,
            community=community,
            organisation=organisation,
            clock=self._clock(),
            account=self._writing_as(),
        )
        if self.store.version(identifier):
            raise EventError(f"an initiative '{identifier}' already exists; choose another id (--id)")
        self.workflows.keep(pin)
        self.store.append(identifier, batch, expected_version=0)
        return identifier

    def _append(
        self, initiative: str, kind: RecordableKind, data: Mapping[str, object], by: str | None, at: Moment | None
    ) -> Event:
        """Check one recordable event against its initiative, then store it (with what it sets off)."""
        if kind not in RECORDABLE_KINDS:
            raise EventError(f"'{kind}' cannot be recorded directly; use one of: {', '.join(RECORDABLE_KINDS)}")
        loaded = self._load(initiative, self._read(initiative))
        initiative = loaded.facts.initiative  # the stored id, when an alias was given
        if kind == "initiative_renamed":
            refuse_taken_alias(self.store, data, initiative)
        # "now" is read after the log: a move that landed meanwhile is not taken for backdating.
        moment = parse_at(at) if at is not None else parse_at(loaded.latest(self._clock()))
        raw = {"initiative": initiative, "kind": kind, "at": moment, "by": by or None, "data": data}
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        event = validate_event(raw, where=kind)
        version = loaded.version
        batch = loaded.admit(event, clock=self._clock(), account=self._writing_as())
        self.store.append(initiative, batch, expected_version=version, **kept_snapshot(loaded))
        return next(written for written in batch if written.kind == kind)  # after the lapses it records first

    # --- moving --------------------------------------------------------------------------

    def advance(self, initiative: str, *, by: str, at: Moment | None = None) -> InitiativeStatus:
        """Move to the next stage of the ladder, or raise BlockedTransitionError listing what is unmet."""
        return self._move(initiative, "advance", by=by, at=at)

    def regress(
        self,
        initiative: str,
        *,
        by: str,
        reason: str,
        to: str | None = None,
        transition: str | None = None,
        at: Moment | None = None,
    ) -> InitiativeStatus:
        """Go back to an earlier stage through one of the workflow's regress transitions."""
        return self._move(initiative, "regress", by=by, at=at, to=to, transition=transition, extra={"reason": reason})

    def escalate(
        self,
        initiative: str,
        *,
        by: str,
        reason: str,
        to: str | None = None,
        transition: str | None = None,
        at: Moment | None = None,
    ) -> InitiativeStatus:
        """Escalate (stimulation, then regulation as a last resort) through an escalate transition."""
        return self._move(initiative, "escalate", by=by, at=at, to=to, transition=transition, extra={"reason": reason})

    def hand_off(
        self,
        initiative: str,
        *,
        by: str,
        body: str,
        body_kind: BodyKind,
        transition: str | None = None,
        at: Moment | None = None,
        tlp: TlpLabel | None = None,
    ) -> InitiativeStatus:
        """Hand the work off to an outside body; `tlp` labels the hand-off (TLP:AMBER when not given)."""
        extra: dict[str, Any] = {"body": body, "body_kind": body_kind, **({"tlp": tlp} if tlp else {})}
        return self._move(initiative, "hand_off", by=by, at=at, transition=transition, extra=extra)

    def _move(
        self,
        initiative: str,
        kind: MoveKind,
        *,
        by: str,
        at: Moment | None,
        to: str | None = None,
        transition: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> InitiativeStatus:
        loaded = self._load(initiative, self._read(initiative))
        initiative, stage = loaded.facts.initiative, loaded.facts.stage
        moment = parse_at(at) if at is not None else parse_at(loaded.latest(self._clock()))
        if loaded.catch_up(moment_of(moment)):  # a lapse due by then moves it first
            stage = loaded.facts.stage
        move = loaded.moves.choose(initiative, stage, kind, transition=transition, target=to)
        data: dict[str, Any] = {"from": stage, "to": move.target}
        if move.transition is not None:
            data["transition"] = move.transition
        data.update(extra or {})
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        raw = {"initiative": initiative, "kind": move.event_kind, "at": moment, "by": by or None, "data": data}
        event = validate_event(raw)
        version = loaded.stored_version
        batch = loaded.admit(event, clock=self._clock(), account=self._writing_as())
        self.store.append(initiative, batch, expected_version=version, **kept_snapshot(loaded))
        return self._status(loaded, max(event.moment, self._clock()))  # `loaded` now holds the move

    def record_lapses(self, initiative: str | None = None) -> list[Event]:
        """Record the lapses due by now (`on_lapse`) of one initiative, or of every one; return what was written."""
        from cooperation.reading.lapsing import record_lapses

        return record_lapses(self, initiative)

    def derived_lapses(self, initiative: str) -> list[Event]:
        """The lapses reading an initiative now applies that its log does not hold yet (seq 0)."""
        from cooperation.reading.lapsing import derived_lapses

        events = self._read(initiative)
        return derived_lapses(self._load(initiative, events, until=self._clock()))

    def upgrade_workflow(self, initiative: str, to: str, *, by: str, apply: bool = False) -> WorkflowUpgrade:
        """What judging the initiative by workflow `to` (a built-in id or a file) changes; made with `apply`."""
        upgrader = WorkflowUpgrader(self.store, self.workflows, self._clock)
        return upgrader.upgrade(initiative, self.history(initiative), to, by=by, apply=apply)

    def proposals(self) -> ProposalDesk:
        """Workshop proposals kept beside the initiatives: import, list, find look-alikes, merge into a track."""
        from cooperation.proposals.desk import ProposalDesk  # only when proposals are asked for

        return ProposalDesk(self)

    # --- import and export ----------------------------------------------------------------

    def import_lines(self, lines: Iterable[str], *, source: str = "<input>") -> ImportReport:
        """Import JSON Lines events: the whole input is checked first, then written all or nothing."""
        started = self._clock()  # events dated after it are in the future
        return import_lines(
            lines, source=source, store=self.store, pins=self.workflows, started=started, account=self._writing_as()
        )

    def export_events(self, initiative: str | None = None) -> Iterator[Event]:
        """Events in their recorded order: one initiative's, or every initiative's."""
        if initiative is not None:
            yield from self.history(initiative)
            return
        for _, events in self.store.read_all():
            yield from events

    # --- internals -------------------------------------------------------------------------

    def _read(self, initiative: str) -> list[Event]:
        return find_log(self.store, initiative)  # by its id, or by an alias it was given

    def _load(
        self, initiative: str, events: Sequence[Event], *, until: datetime | None = None, kept: bool = True
    ) -> LoadedInitiative:
        """Fold a log (from its stored snapshot, when `kept` and it fits)."""
        if not events:  # suggest a close id: `coop status isoc-pilot` when `ISOC-pilot` exists
            raise UnknownInitiativeError(initiative, known=self.store.initiatives())
        snapshot = self.store.snapshot(events[0].initiative) if kept else None
        return load_initiative(events[0].initiative, events, self.workflows.resolve, until=until, snapshot=snapshot)

    def _statuses(
        self, as_of: Moment | None, known_at: Moment | None, archived: bool, unreadable: tuple[type[Exception], ...]
    ) -> Iterator[InitiativeStatus | UnreadableInitiative]:
        moment = cutoff(as_of) if as_of is not None else self._clock()
        if as_of is None and known_at is None:  # now: from the stored rows that still hold
            yield from self.stored_portfolio(include_archived=archived, unreadable=unreadable).statuses()
            return
        logs = self.store.read_all()
        for initiative, events in logs if known_at is None else known_logs(logs, known_at):
            try:
                loaded = self._load(initiative, events, until=moment, kept=False)
                # created after `as_of`: not there yet; closed: out of the portfolio unless asked for
                if loaded.facts.created is not None and (archived or loaded.facts.closed is None):
                    yield self._status(loaded, moment)
            except unreadable as error:
                yield UnreadableInitiative(initiative, str(error))

    def _status(self, loaded: LoadedInitiative, moment: datetime) -> InitiativeStatus:
        return build_status(loaded.workflow, loaded.facts, loaded.evaluator(moment), moment)
