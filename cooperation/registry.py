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
from typing import Any, Literal, overload

from cooperation.definition.catalog import builtin_directory, get_workflow, workflow_path
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.evaluation import ConditionResult
from cooperation.engine.events import Event, cutoff, now, parse_at
from cooperation.engine.loaded import LoadedInitiative, load_initiative
from cooperation.engine.moves import MoveKind
from cooperation.engine.payloads import (
    RECORDABLE_KINDS,
    AttestationGivenData,
    ConditionWaivedData,
    EvidenceRecordedData,
    MeetingHeldData,
    OutputPublishedData,
    ParticipantJoinedData,
    ParticipantLeftData,
    RecordableKind,
    ScoreSetData,
    TrustBreachedData,
)
from cooperation.engine.replay import ImportReport, import_lines
from cooperation.engine.status import InitiativeStatus, UnreadableInitiative, build_status
from cooperation.errors import CooperationError, EventError, UnknownInitiativeError
from cooperation.ledger import Ledger
from cooperation.recorder import Moment, Recorder, slug
from cooperation.stores.locate import open_store
from cooperation.stores.protocol import EventStore
from cooperation.vocabulary import BodyKind, TlpLabel


class Registry(Recorder, Ledger):
    """A registry of initiatives kept in an event store.

    >>> with Registry.open("coop.db") as registry:           # doctest: +SKIP
    ...     initiative = registry.create("No default passwords", workflow="cooperation-maturity")
    ...     registry.status(initiative).stage
    'challenge'
    """

    def __init__(self, store: EventStore, *, clock: Callable[[], datetime] = now) -> None:
        self.store = store
        self._clock = clock
        self._workflows: dict[str, CompiledWorkflow] = {}  # by the name initiatives record

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
        events = self.store.read(initiative)
        if not events:
            raise UnknownInitiativeError(initiative, known=self.store.initiatives())
        return events

    def status(self, initiative: str, *, as_of: Moment | None = None) -> InitiativeStatus:
        """Where the initiative stands now, or at the end of `as_of` (a date or datetime)."""
        moment = cutoff(as_of) if as_of is not None else self._clock()
        loaded = self._load(initiative, self.store.read(initiative), until=moment)
        if loaded.facts.created is None:
            created = loaded.events[0].at
            raise UnknownInitiativeError(
                initiative, detail=f"{initiative} did not exist yet at {parse_at(moment)} (it was created {created})"
            )
        return self._status(loaded, moment)

    def statuses(self, *, as_of: Moment | None = None) -> Iterator[InitiativeStatus]:
        """The status of every initiative, one at a time (ordered by id)."""
        moment = cutoff(as_of) if as_of is not None else self._clock()
        for initiative, events in self.store.read_all():
            loaded = self._load(initiative, events, until=moment)
            if loaded.facts.created is not None:  # created after `as_of`: not there yet
                yield self._status(loaded, moment)

    def portfolio(self, *, as_of: Moment | None = None) -> Iterator[InitiativeStatus | UnreadableInitiative]:
        """Like `statuses`, but an initiative that cannot be read (its workflow file changed or
        went away, say) comes as an `UnreadableInitiative` with its error, and the others still come."""
        moment = cutoff(as_of) if as_of is not None else self._clock()
        for initiative, events in self.store.read_all():
            try:
                loaded = self._load(initiative, events, until=moment)
                if loaded.facts.created is not None:  # created after `as_of`: not there yet
                    yield self._status(loaded, moment)
            except (CooperationError, ArithmeticError) as error:
                yield UnreadableInitiative(initiative, str(error))

    def can_advance(self, initiative: str) -> bool:
        """Cheap "may I?": no blocking prerequisite of the next stage is unmet (roles aside)."""
        loaded = self._load(initiative, self.store.read(initiative))
        advance = loaded.moves.advance(loaded.facts.stage)
        moment = loaded.latest(self._clock())
        return advance is not None and not loaded.evaluator(moment).blocking(advance.needs)

    def unmet(self, initiative: str) -> list[ConditionResult]:
        """The "why not?": unsatisfied prerequisites of the next stage, in the order to work on them."""
        loaded = self._load(initiative, self.store.read(initiative))
        advance = loaded.moves.advance(loaded.facts.stage)
        moment = loaded.latest(self._clock())
        return loaded.evaluator(moment).to_work_on(advance.needs) if advance is not None else []

    # --- recording -----------------------------------------------------------------------

    def create(
        self,
        name: str,
        *,
        workflow: str,
        initiative: str | None = None,
        by: str | None = None,
        at: Moment | None = None,
    ) -> str:
        """Start an initiative at its workflow's first stage; return its id."""
        get_workflow(workflow)  # refuse an unknown or invalid workflow before anything is written
        path = workflow_path(workflow)
        # Built-ins are pinned by id; a user's file by its absolute path, so any directory finds it.
        stored = workflow if path.parent.resolve() == builtin_directory().resolve() else str(path.resolve())
        identifier = initiative or slug(name)
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        event = validate_event(
            {
                "initiative": identifier,
                "kind": "initiative_created",
                "at": parse_at(at) if at is not None else parse_at(self._clock()),
                "by": by,
                "data": {"name": name, "workflow": stored},
            }
        )
        if self.store.version(identifier):
            raise EventError(f"an initiative '{identifier}' already exists; choose another id (--id)")
        self.store.append(identifier, [event], expected_version=0)
        return identifier

    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["participant_joined"],
        data: ParticipantJoinedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["participant_left"],
        data: ParticipantLeftData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["meeting_held"],
        data: MeetingHeldData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["evidence_recorded"],
        data: EvidenceRecordedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["attestation_given"],
        data: AttestationGivenData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["condition_waived"],
        data: ConditionWaivedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["score_set"],
        data: ScoreSetData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["output_published"],
        data: OutputPublishedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["trust_breached"],
        data: TrustBreachedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    def record(
        self,
        initiative: str,
        kind: RecordableKind,
        data: Mapping[str, object],
        *,
        by: str | None = None,
        at: Moment | None = None,
    ) -> Event:
        """Record one fact (participant joined, meeting held, evidence, ...) after checking it fits.

        Recording `trust_breached` also takes the workflow's automatic regression, in the same write.
        Type checkers match `data` to `kind` (`cooperation.engine.payloads`); the schema checks it at run time.
        The typed methods (`join`, `attest`, `evidence`, ...) name each field instead.
        """
        return self._append(initiative, kind, data, by, at)

    def _append(
        self, initiative: str, kind: RecordableKind, data: Mapping[str, object], by: str | None, at: Moment | None
    ) -> Event:
        """Check one recordable event against its initiative, then store it (with what it sets off)."""
        if kind not in RECORDABLE_KINDS:
            raise EventError(f"'{kind}' cannot be recorded directly; use one of: {', '.join(RECORDABLE_KINDS)}")
        loaded = self._load(initiative, self.store.read(initiative))
        # "now" is read after the log: a move that landed meanwhile is not taken for backdating.
        moment = parse_at(at) if at is not None else parse_at(loaded.latest(self._clock()))
        raw = {"initiative": initiative, "kind": kind, "at": moment, "by": by, "data": data}
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        event = validate_event(raw, where=kind)
        version = loaded.version
        batch = loaded.admit(event, clock=self._clock())
        self.store.append(initiative, batch, expected_version=version)
        return batch[0]

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
        loaded = self._load(initiative, self.store.read(initiative))
        stage = loaded.facts.stage
        moment = parse_at(at) if at is not None else parse_at(loaded.latest(self._clock()))
        move = loaded.moves.choose(initiative, stage, kind, transition=transition, target=to)
        data: dict[str, Any] = {"from": stage, "to": move.target}
        if move.transition is not None:
            data["transition"] = move.transition
        data.update(extra or {})
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        raw = {"initiative": initiative, "kind": move.event_kind, "at": moment, "by": by, "data": data}
        event = validate_event(raw)
        version = loaded.version
        self.store.append(initiative, loaded.admit(event, clock=self._clock()), expected_version=version)
        return self._status(loaded, max(event.moment, self._clock()))  # `loaded` now holds the move

    # --- import and export ----------------------------------------------------------------

    def import_lines(self, lines: Iterable[str], *, source: str = "<input>") -> ImportReport:
        """Import JSON Lines events: the whole input is checked first, then written all or nothing."""
        started = self._clock()  # events dated after it are in the future
        return import_lines(lines, source=source, store=self.store, workflow_named=self._workflow, started=started)

    def export_events(self, initiative: str | None = None) -> Iterator[Event]:
        """Events in their recorded order: one initiative's, or every initiative's."""
        if initiative is not None:
            yield from self.history(initiative)
            return
        for _, events in self.store.read_all():
            yield from events

    # --- internals -------------------------------------------------------------------------

    def _load(self, initiative: str, events: Sequence[Event], *, until: datetime | None = None) -> LoadedInitiative:
        if not events:  # suggest a close id: `coop status isoc-pilot` when `ISOC-pilot` exists
            raise UnknownInitiativeError(initiative, known=self.store.initiatives())
        return load_initiative(initiative, events, self._workflow, until=until)

    def _workflow(self, name: str) -> CompiledWorkflow:
        """The workflow an initiative records, compiled once per registry."""
        workflow = self._workflows.get(name)
        if workflow is None:
            workflow = self._workflows[name] = get_workflow(name)
        return workflow

    def _status(self, loaded: LoadedInitiative, moment: datetime) -> InitiativeStatus:
        return build_status(loaded.workflow, loaded.facts, loaded.evaluator(moment), moment)
