"""The registry: the API other tools import to create, record, check and move initiatives.

It loads an initiative's events from the store, folds them into facts, evaluates the
workflow's conditions, asks the state machine for moves, and appends new events
guarded by the log's version, so that two writers can never both advance.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Literal

from cooperation.admission import admit
from cooperation.catalog import builtin_directory, get_workflow, workflow_path
from cooperation.compiled import CompiledWorkflow
from cooperation.errors import (
    BlockedTransitionError,
    CooperationError,
    EventError,
    NotPermittedError,
    TransitionError,
    UnknownInitiativeError,
)
from cooperation.evaluation import ConditionResult, Evaluator
from cooperation.events import Event, cutoff, now, parse_at, validate_event
from cooperation.facts import Facts, apply, fold, time_ordered
from cooperation.machine import ADVANCE, machine_for, trigger_name
from cooperation.status import InitiativeStatus, build_status
from cooperation.store import EventStore, open_store
from cooperation.vocabulary import BodyKind

Moment = str | date | datetime
RECORDABLE_KINDS = (
    "participant_joined",
    "participant_left",
    "meeting_held",
    "evidence_recorded",
    "attestation_given",
    "condition_waived",
    "score_set",
    "output_published",
    "trust_breached",
)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote: how many events, into which initiatives."""

    events: int
    initiatives: tuple[str, ...]
    created: tuple[str, ...]


@dataclass(slots=True)
class _Loaded:
    """An initiative read from the store and folded, ready to evaluate or move."""

    workflow: CompiledWorkflow
    events: list[Event]  # in time order
    facts: Facts
    version: int

    def facts_at(self, moment: datetime) -> Facts:
        return fold(self.facts.initiative, self.events, start=self.workflow.start, until=moment)

    def evaluator(self, moment: datetime) -> Evaluator:
        return Evaluator(self.workflow, self.facts, moment, self.facts_at)


class Registry:
    """A registry of initiatives kept in an event store.

    >>> with Registry.open("coop.db") as registry:           # doctest: +SKIP
    ...     initiative = registry.create("No default passwords", workflow="cooperation-maturity")
    ...     registry.status(initiative).stage
    'challenge'
    """

    def __init__(self, store: EventStore, *, clock: Callable[[], datetime] = now) -> None:
        self.store = store
        self._clock = clock

    @classmethod
    def open(cls, location: str | os.PathLike[str] | None = None, *, create: bool = True) -> Registry:
        """Open the registry at a path or URL (default: $COOP_DB, else ./coop.db)."""
        return cls(open_store(location, create=create))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------

    def initiatives(self) -> list[str]:
        return self.store.initiatives()

    def history(self, initiative: str) -> list[Event]:
        """Every event of an initiative, in the order they were recorded."""
        events = self.store.read(initiative)
        if not events:
            raise UnknownInitiativeError(initiative)
        return events

    def status(self, initiative: str, *, as_of: Moment | None = None) -> InitiativeStatus:
        """Where the initiative stands now, or at the end of `as_of` (a date or datetime)."""
        moment = cutoff(as_of) if as_of is not None else self._clock()
        return self._status(self._load(initiative, self.store.read(initiative), until=moment), moment)

    def statuses(self, *, as_of: Moment | None = None) -> Iterator[InitiativeStatus]:
        """The status of every initiative, one at a time (ordered by id)."""
        moment = cutoff(as_of) if as_of is not None else self._clock()
        for initiative, events in self.store.read_all():
            loaded = self._load(initiative, events, until=moment)
            if loaded.facts.created is not None:  # created after `as_of`: not there yet
                yield self._status(loaded, moment)

    def can_advance(self, initiative: str) -> bool:
        """Cheap "may I?": no blocking prerequisite of the next stage is unmet."""
        moment = self._clock()
        loaded = self._load(initiative, self.store.read(initiative), until=moment)
        following = loaded.workflow.next_stage(loaded.facts.stage)
        return following is not None and not loaded.evaluator(moment).blocking(loaded.workflow.needs(following))

    def unmet(self, initiative: str) -> list[ConditionResult]:
        """The "why not?": unsatisfied prerequisites of the next stage, in the order to work on them."""
        moment = self._clock()
        loaded = self._load(initiative, self.store.read(initiative), until=moment)
        following = loaded.workflow.next_stage(loaded.facts.stage)
        return loaded.evaluator(moment).unmet(loaded.workflow.needs(following)) if following else []

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

    def record(
        self,
        initiative: str,
        kind: str,
        data: dict[str, Any],
        *,
        by: str | None = None,
        at: Moment | None = None,
    ) -> Event:
        """Record one fact (participant joined, meeting held, evidence, ...) after checking it fits.

        Recording `trust_breached` also takes the workflow's automatic regression, in the same write.
        """
        if kind not in RECORDABLE_KINDS:
            raise EventError(f"'{kind}' cannot be recorded directly; use one of: {', '.join(RECORDABLE_KINDS)}")
        moment = parse_at(at) if at is not None else parse_at(self._clock())
        raw = {"initiative": initiative, "kind": kind, "at": moment, "by": by, "data": data}
        event = validate_event(raw, where=kind)
        events = self.store.read(initiative)
        loaded = self._load(initiative, events)
        event = admit(loaded.workflow, loaded.facts, event, clock=self._clock())
        batch = [event]
        batch += self._automatic_moves(loaded, event)
        self.store.append(initiative, batch, expected_version=loaded.version)
        return event

    def _automatic_moves(self, loaded: _Loaded, event: Event) -> list[Event]:
        for transition in loaded.workflow.transitions_from(loaded.facts.stage):
            if transition.on_event == event.kind:
                reason = event.data.get("description", event.kind)
                data = {"from": loaded.facts.stage, "to": transition.to, "reason": reason, "transition": transition.id}
                return [Event(loaded.facts.initiative, "stage_regressed", event.at, data, event.by)]
        return []

    # --- moving --------------------------------------------------------------------------

    def advance(self, initiative: str, *, by: str, at: Moment | None = None) -> InitiativeStatus:
        """Move to the next stage of the ladder, or raise BlockedTransitionError listing what is unmet."""
        return self._move(initiative, ADVANCE, by=by, at=at)

    def regress(
        self, initiative: str, *, by: str, reason: str, to: str | None = None, transition: str | None = None,
        at: Moment | None = None,
    ) -> InitiativeStatus:
        """Go back to an earlier stage through one of the workflow's regress transitions."""
        return self._move(initiative, "regress", by=by, at=at, to=to, transition=transition, extra={"reason": reason})

    def escalate(
        self, initiative: str, *, by: str, reason: str, to: str | None = None, transition: str | None = None,
        at: Moment | None = None,
    ) -> InitiativeStatus:
        """Escalate (stimulation, then regulation as a last resort) through an escalate transition."""
        return self._move(initiative, "escalate", by=by, at=at, to=to, transition=transition, extra={"reason": reason})

    def hand_off(
        self, initiative: str, *, by: str, body: str, body_kind: BodyKind, transition: str | None = None,
        at: Moment | None = None,
    ) -> InitiativeStatus:
        """Hand the work off to an outside standardisation, legislative or self-regulatory body."""
        return self._move(
            initiative, "hand_off", by=by, at=at, transition=transition, extra={"body": body, "body_kind": body_kind}
        )

    def _move(
        self,
        initiative: str,
        kind: Literal["advance", "regress", "escalate", "hand_off"],
        *,
        by: str,
        at: Moment | None,
        to: str | None = None,
        transition: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> InitiativeStatus:
        moment_text = parse_at(at) if at is not None else parse_at(self._clock())
        loaded = self._load(initiative, self.store.read(initiative))
        workflow, facts = loaded.workflow, loaded.facts
        stage = facts.stage
        if kind == ADVANCE:
            target = workflow.next_stage(stage)
            if target is None:
                raise TransitionError(_no_next_stage(workflow, initiative, stage))
            trigger, roles, needs = ADVANCE, workflow.advance_roles(target), workflow.needs(target)
            event_kind, data = "stage_advanced", {"from": stage, "to": target}
        else:
            chosen = _choose_transition(workflow, initiative, stage, kind, to=to, transition=transition)
            target, trigger = chosen.to, trigger_name(chosen.id)
            roles, needs = workflow.transition_roles(chosen.id), workflow.transition_needs[chosen.id]
            event_kind = {"regress": "stage_regressed", "escalate": "escalated", "hand_off": "handed_off"}[kind]
            data = {"from": stage, "to": target, "transition": chosen.id, **(extra or {})}
            if kind == "hand_off" and chosen.body_kinds and data["body_kind"] not in chosen.body_kinds:
                raise TransitionError(f"'{chosen.id}' hands off only to: {', '.join(chosen.body_kinds)}")
        participant = facts.participants.get(by)
        if participant is None or not participant.active:
            raise NotPermittedError(initiative, kind.replace("_", " "), by, roles, "not a current participant")
        if participant.role not in roles:
            raise NotPermittedError(initiative, kind.replace("_", " "), by, roles, f"a {participant.role} may not")
        event = validate_event({"initiative": initiative, "kind": event_kind, "at": moment_text, "by": by, "data": data})
        event = admit(workflow, facts, event, clock=self._clock())
        moment = event.moment
        evaluator = loaded.evaluator(moment)
        if machine_for(workflow).fire(stage, trigger, evaluator) is None:
            raise BlockedTransitionError(initiative, target, evaluator.blocking(needs))
        self.store.append(initiative, [event], expected_version=loaded.version)
        return self.status(initiative, as_of=max(moment, self._clock()))

    # --- import and export ----------------------------------------------------------------

    def import_lines(self, lines: Iterable[str], *, source: str = "<input>") -> ImportReport:
        """Import JSON Lines events: the whole input is checked first, then written all or nothing."""
        pending: dict[str, tuple[int, list[Event]]] = {}
        loaded: dict[str, _Loaded] = {}
        created: list[str] = []
        count = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{source}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as error:
                raise EventError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
            event = validate_event(raw, where=where)
            state = loaded.get(event.initiative)
            try:
                if state is None:
                    existing = self.store.read(event.initiative)
                    if existing:
                        state = loaded[event.initiative] = self._load(event.initiative, existing)
                    elif event.kind == "initiative_created":
                        state = loaded[event.initiative] = self._start(event)
                        created.append(event.initiative)
                        pending[event.initiative] = (0, [event])
                        count += 1
                        continue
                    else:
                        raise EventError(
                            f"unknown initiative '{event.initiative}': its first event must be initiative_created"
                        )
                event = admit(state.workflow, state.facts, event, clock=self._clock())
            except CooperationError as error:
                raise EventError(f"{where}: {error}") from None
            apply(state.facts, event, event.moment)
            pending.setdefault(event.initiative, (state.version, []))[1].append(event)
            count += 1
        self.store.append_batches(pending)
        return ImportReport(count, tuple(pending), tuple(created))

    def _start(self, event: Event) -> _Loaded:
        try:
            workflow = get_workflow(event.data["workflow"])
        except CooperationError as error:
            raise EventError(str(error)) from None
        facts = fold(event.initiative, [event], start=workflow.start)
        return _Loaded(workflow, [event], facts, 0)

    def export_events(self, initiative: str | None = None) -> Iterator[Event]:
        """Events in their recorded order: one initiative's, or every initiative's."""
        if initiative is not None:
            yield from self.history(initiative)
            return
        for _, events in self.store.read_all():
            yield from events

    # --- internals -------------------------------------------------------------------------

    def _load(self, initiative: str, events: Sequence[Event], *, until: datetime | None = None) -> _Loaded:
        if not events:
            raise UnknownInitiativeError(initiative)
        created = events[0]
        try:
            workflow = get_workflow(created.data["workflow"])
        except CooperationError as error:
            raise CooperationError(f"{initiative}: its workflow cannot be loaded: {error}") from None
        ordered = time_ordered(events)
        facts = fold(initiative, ordered, start=workflow.start, until=until)
        return _Loaded(workflow, ordered, facts, len(events))

    def _status(self, loaded: _Loaded, moment: datetime) -> InitiativeStatus:
        return build_status(loaded.workflow, loaded.facts, loaded.evaluator(moment), moment)


def slug(name: str) -> str:
    """An initiative id made from its name: 'No default passwords' -> 'no-default-passwords'."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    if not text:
        raise EventError(f"cannot make an id from the name {name!r}; give one with --id")
    return text


def _no_next_stage(workflow: CompiledWorkflow, initiative: str, stage: str) -> str:
    options = ", ".join(f"{t.id} ({t.kind})" for t in workflow.transitions_from(stage))
    where = "the last stage of the ladder" if stage in workflow.ladder else "off the ladder"
    suffix = f"; moves from here: {options}" if options else "; nothing moves on from here"
    return f"{initiative} is at '{stage}', {where}{suffix}"


def _choose_transition(
    workflow: CompiledWorkflow, initiative: str, stage: str, kind: str, *, to: str | None, transition: str | None
) -> Any:
    candidates = [
        t
        for t in workflow.transitions_from(stage)
        if t.kind == kind and transition in (None, t.id) and to in (None, t.to)
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        available = ", ".join(f"{t.id} ({t.kind} to {t.to})" for t in workflow.transitions_from(stage)) or "none"
        raise TransitionError(f"{initiative} is at '{stage}': no {kind} move matches; moves from here: {available}")
    choices = ", ".join(f"{t.id} (to {t.to})" for t in candidates)
    raise TransitionError(f"{initiative} is at '{stage}': several {kind} moves fit ({choices}); name one")

