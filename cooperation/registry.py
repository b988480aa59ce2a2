"""The registry: the API other tools import to create, record, check and move initiatives.

It loads an initiative's events from the store, folds them into facts, evaluates the
workflow's conditions, asks the state machine for moves, and appends new events
guarded by the log's version, so that two writers can never both advance.
"""

from __future__ import annotations

import gc
import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Literal

from cooperation.engine.admission import admit
from cooperation.definition.catalog import builtin_directory, get_workflow, workflow_path
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.errors import (
    BlockedTransitionError,
    CooperationError,
    EventError,
    NotPermittedError,
    TransitionError,
    UnknownInitiativeError,
)
from cooperation.engine.evaluation import ConditionResult, Evaluator
from cooperation.engine.events import EVENT_KINDS, MOVE_KINDS, Event, cutoff, now, parse_at
from cooperation.engine.facts import Facts, apply, fold, time_ordered
from cooperation.engine.status import InitiativeStatus, build_status
from cooperation.stores.protocol import EventStore
from cooperation.stores.locate import open_store
from cooperation.vocabulary import BodyKind

Moment = str | date | datetime
# Facts anyone records; creation and moves are made through their own methods.
RECORDABLE_KINDS = tuple(kind for kind in EVENT_KINDS if kind != "initiative_created" and kind not in MOVE_KINDS)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote: how many events, into which initiatives."""

    events: int
    initiatives: tuple[str, ...]
    created: tuple[str, ...]


@dataclass(slots=True)
class _Loaded:
    """An initiative read from the store and folded, ready to evaluate, extend or move."""

    workflow: CompiledWorkflow
    events: list[Event]  # in time order
    facts: Facts
    version: int
    awaiting: Event | None = None  # while replaying a log: the automatic move it must hold next

    def facts_at(self, moment: datetime) -> Facts:
        return fold(self.facts.initiative, self.events, start=self.workflow.start, until=moment)

    def evaluator(self, moment: datetime) -> Evaluator:
        return Evaluator(self.workflow, self.facts, moment, self.facts_at)

    def facts_for(self, event: Event) -> Facts:
        """The facts as they stood when `event` happened (it may be dated before later facts)."""
        last = self.facts.last_event
        return self.facts if last is None or event.moment >= last else self.facts_at(event.moment)

    def latest(self, clock: datetime) -> datetime:
        """The moment a move made now takes: now, or the latest fact if one is dated ahead."""
        last = self.facts.last_event
        return clock if last is None or clock >= last else last

    def add(self, event: Event) -> Event:
        """Take an admitted event into the log (for checking the events that follow it)."""
        self.version += 1
        event = Event(event.initiative, event.kind, event.at, event.data, event.by, self.version)
        at = event.moment
        if self.facts.last_event is None or at >= self.facts.last_event:
            self.events.append(event)  # the usual case: in time order already
            apply(self.facts, event, at)
        else:
            self.events.insert(bisect_right(self.events, (at, event.seq), key=_order), event)
            self.facts = fold(self.facts.initiative, self.events, start=self.workflow.start)
        return event


def _order(event: Event) -> tuple[datetime, int]:
    return (event.moment, event.seq)


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
        self._workflows: dict[str, CompiledWorkflow] = {}  # by the name initiatives record

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

    def can_advance(self, initiative: str) -> bool:
        """Cheap "may I?": no blocking prerequisite of the next stage is unmet (roles aside)."""
        loaded = self._load(initiative, self.store.read(initiative))
        following = loaded.workflow.next_stage(loaded.facts.stage)
        moment = loaded.latest(self._clock())
        return following is not None and not loaded.evaluator(moment).blocking(loaded.workflow.needs(following))

    def unmet(self, initiative: str) -> list[ConditionResult]:
        """The "why not?": unsatisfied prerequisites of the next stage, in the order to work on them."""
        loaded = self._load(initiative, self.store.read(initiative))
        following = loaded.workflow.next_stage(loaded.facts.stage)
        moment = loaded.latest(self._clock())
        return loaded.evaluator(moment).to_work_on(loaded.workflow.needs(following)) if following else []

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
        loaded = self._load(initiative, self.store.read(initiative))
        # "now" is read after the log: a move that landed meanwhile is not taken for backdating.
        moment = parse_at(at) if at is not None else parse_at(loaded.latest(self._clock()))
        raw = {"initiative": initiative, "kind": kind, "at": moment, "by": by, "data": data}
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        event = validate_event(raw, where=kind)
        version = loaded.version
        batch = self._admit(loaded, event)
        self.store.append(initiative, batch, expected_version=version)
        return batch[0]

    def _admit(
        self, loaded: _Loaded, event: Event, *, replaying: bool = False, clock: datetime | None = None
    ) -> list[Event]:
        """Check an event against the initiative (a move also against its roles and guards), add
        it to `loaded`, and return what to append: the event, and the automatic move it causes.

        A log being replayed holds its automatic moves: the next event must be that move.
        `clock`: the present against which future dates are refused (default: now).
        """
        if loaded.awaiting is not None:
            expected, loaded.awaiting = loaded.awaiting, None
            if (event.kind, event.at, event.data) != (expected.kind, expected.at, expected.data):
                raise EventError(
                    f"the workflow moved {loaded.facts.initiative} by itself after the previous event: the log must "
                    f"record that {expected.kind} to '{expected.data['to']}' next (transition "
                    f"{expected.data['transition']}, at {expected.at}, reason {expected.data['reason']!r})"
                )
            return [loaded.add(event)]
        event = admit(loaded.workflow, loaded.facts, event, then=loaded.facts_for(event), clock=clock or self._clock())
        if event.kind in MOVE_KINDS:
            self._authorize_move(loaded, event)
        last = loaded.facts.last_event
        batch = [loaded.add(event)]  # on error `loaded` is dropped, so adding first is safe
        follow_up = self._automatic_move(loaded, event)
        if follow_up is not None and last is not None and event.moment < last:
            raise EventError(
                f"this {event.kind} moves {loaded.facts.initiative} back to '{follow_up.data['to']}', so it cannot "
                f"be dated before facts already recorded (up to {parse_at(last)}): date it later"
            )
        if follow_up is not None:
            if replaying:
                loaded.awaiting = follow_up
            else:
                batch.append(loaded.add(follow_up))
        return batch

    def _authorize_move(self, loaded: _Loaded, event: Event) -> None:
        """The actor's role must allow the move, and its blocking prerequisites must be met."""
        from cooperation.engine.machine import ADVANCE, machine_for, trigger_name  # only moves need transitions

        workflow, facts = loaded.workflow, loaded.facts
        target = event.data["to"]
        trigger: str
        if event.kind == "stage_advanced":
            move, trigger = "advance", ADVANCE
            roles, needs = workflow.advance_roles(target), workflow.needs(target)
        else:
            transition = event.data["transition"]
            move, trigger = transition, trigger_name(transition)
            roles, needs = workflow.transition_roles(transition), workflow.transition_needs[transition]
        participant = facts.participants.get(event.by) if event.by is not None else None
        if participant is None or not participant.active:
            raise NotPermittedError(facts.initiative, move, event.by, roles, "not a current participant")
        if participant.role not in roles:
            role = participant.role
            raise NotPermittedError(facts.initiative, move, event.by, roles, f"{_article(role)} {role} may not")
        evaluator = loaded.evaluator(event.moment)
        if machine_for(workflow).fire(facts.stage, trigger, evaluator) is None:
            raise BlockedTransitionError(facts.initiative, target, evaluator.to_work_on(needs, blocking_only=True))

    def _automatic_move(self, loaded: _Loaded, event: Event) -> Event | None:
        """The move a workflow takes by itself on this kind of event (a trust breach regresses),
        if its own prerequisites are met once the event is recorded."""
        if event.kind not in loaded.workflow.automatic_events:
            return None
        for transition in loaded.workflow.transitions_from(loaded.facts.stage):
            if transition.on_event == event.kind:
                if loaded.evaluator(event.moment).blocking(loaded.workflow.transition_needs[transition.id]):
                    return None
                reason = event.data.get("description", event.kind)
                data = {"from": loaded.facts.stage, "to": transition.to, "reason": reason, "transition": transition.id}
                kind = {"regress": "stage_regressed", "escalate": "escalated", "hand_off": "handed_off"}[transition.kind]
                return Event(loaded.facts.initiative, kind, event.at, data)  # by nobody: the workflow moved
        return None

    # --- moving --------------------------------------------------------------------------

    def advance(self, initiative: str, *, by: str, at: Moment | None = None) -> InitiativeStatus:
        """Move to the next stage of the ladder, or raise BlockedTransitionError listing what is unmet."""
        return self._move(initiative, "advance", by=by, at=at)

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
        loaded = self._load(initiative, self.store.read(initiative))
        workflow, stage = loaded.workflow, loaded.facts.stage
        moment = parse_at(at) if at is not None else parse_at(loaded.latest(self._clock()))
        if kind == "advance":
            target = workflow.next_stage(stage)
            if target is None:
                raise TransitionError(_no_next_stage(workflow, initiative, stage))
            event_kind, data = "stage_advanced", {"from": stage, "to": target}
        else:
            chosen = _choose_transition(workflow, initiative, stage, kind, to=to, transition=transition)
            event_kind = {"regress": "stage_regressed", "escalate": "escalated", "hand_off": "handed_off"}[kind]
            data = {"from": stage, "to": chosen.to, "transition": chosen.id, **(extra or {})}
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        event = validate_event({"initiative": initiative, "kind": event_kind, "at": moment, "by": by, "data": data})
        version = loaded.version
        self.store.append(initiative, self._admit(loaded, event), expected_version=version)
        return self._status(loaded, max(event.moment, self._clock()))  # `loaded` now holds the move

    # --- import and export ----------------------------------------------------------------

    def import_lines(self, lines: Iterable[str], *, source: str = "<input>") -> ImportReport:
        """Import JSON Lines events: the whole input is checked first, then written all or nothing."""
        # Every event is held until the write, so the heap only grows; Python's cycle
        # collector would walk it again and again (a quarter of a large import's time)
        # while finding nothing: these records hold no cycles.
        with _cycle_collection_paused():
            return self._import_lines(lines, source)

    def _import_lines(self, lines: Iterable[str], source: str) -> ImportReport:
        from cooperation.engine.event_schema import validate_event_line  # once, not once per line

        pending: dict[str, tuple[int, list[Event]]] = {}
        loaded: dict[str, _Loaded] = {}
        created: list[str] = []
        count = 0
        known = set(self.store.initiatives())  # a racing creator still loses: its append is version-guarded
        started = self._clock()  # events dated after the import began are in the future
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                event = validate_event_line(line)
            except EventError:  # checked again to name the line: errors are rare, lines are many
                validate_event_line(line, where=f"{source}:{number}")
                raise
            try:
                state = loaded.get(event.initiative)
                if state is None:
                    state = loaded[event.initiative] = self._import_target(event, known)
                    pending[event.initiative] = (state.version, [])
                    if state.version == 0:
                        created.append(event.initiative)
                        pending[event.initiative][1].append(state.add(event))
                        count += 1
                        continue
                batch = self._admit(state, event, replaying=True, clock=started)
            except CooperationError as error:
                raise EventError(f"{source}:{number}: {error}") from None
            pending[event.initiative][1].extend(batch)
            count += len(batch)
        for initiative, state in loaded.items():
            if state.awaiting is not None:
                raise EventError(
                    f"{source}: the log of {initiative} ends before the {state.awaiting.kind} that its workflow "
                    f"takes by itself after its last event (to '{state.awaiting.data['to']}')"
                )
        self.store.append_batches(pending)
        return ImportReport(count, tuple(pending), tuple(created))

    def _import_target(self, event: Event, known: set[str]) -> _Loaded:
        """The initiative an imported event is for: from the store, or created by this event."""
        if event.initiative in known:
            return self._load(event.initiative, self.store.read(event.initiative))
        if event.kind != "initiative_created":
            raise EventError(f"unknown initiative '{event.initiative}': its first event must be initiative_created")
        try:
            workflow = self._workflow(event.data["workflow"])
        except CooperationError as error:
            raise EventError(str(error)) from None
        return _Loaded(workflow, [], fold(event.initiative, [], start=workflow.start), 0)

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
        try:
            workflow = self._workflow(events[0].data["workflow"])
        except CooperationError as error:
            raise CooperationError(f"{initiative}: its workflow cannot be loaded: {error}") from None
        ordered = time_ordered(events)
        facts = fold(initiative, ordered, start=workflow.start, until=until)
        return _Loaded(workflow, ordered, facts, len(events))

    def _workflow(self, name: str) -> CompiledWorkflow:
        """The workflow an initiative records, compiled once per registry."""
        workflow = self._workflows.get(name)
        if workflow is None:
            workflow = self._workflows[name] = get_workflow(name)
        return workflow

    def _status(self, loaded: _Loaded, moment: datetime) -> InitiativeStatus:
        return build_status(loaded.workflow, loaded.facts, loaded.evaluator(moment), moment)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


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

