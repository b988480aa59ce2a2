"""Witnesses: a planned layout of facts and moves replayed through a real registry in memory.

A witness log records the planner's facts before ANCHOR, then makes its moves at ANCHOR;
replaying it shows what the engine itself makes of it (the stage reached, a refusal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from cooperation.definition.catalog import builtin_directory
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.pinned import StoredWorkflow, read_named
from cooperation.engine.events import Event, moment, parse_at
from cooperation.engine.facts import fold, time_ordered
from cooperation.engine.payloads import InitiativeCreatedData, RecordableKind
from cooperation.engine.status import InitiativeStatus
from cooperation.engine.workflow_lines import workflow_line
from cooperation.errors import CooperationError
from cooperation.registry import Registry
from cooperation.stores.sqlite import MEMORY, SqliteStore
from cooperation.verify.moves import Move, apply_move
from cooperation.verify.planner import DAY, Participant, Planner

ANCHOR = datetime(2024, 1, 1, tzinfo=UTC)  # when witnesses make their moves; facts come before
WITNESS_ID = "witness"
CONVENOR = "Convenor"  # creates a witness whose plan starts with no owner, as its first owner


@dataclass(slots=True)
class Replay:
    """What a witness did when replayed: its log, where it ended, and the refusal if any."""

    events: list[Event]
    stage: str
    refused: str | None  # the engine's message for the move it tried last, if refused
    failed: str | None  # a fact the engine would not take (a planner mistake)
    status: InitiativeStatus  # at the end


def workflow_reference(workflow: CompiledWorkflow) -> str:
    """How a registry names this workflow: a built-in's id, or the file's path."""
    path = Path(workflow.source)
    try:
        if path.parent.resolve() == builtin_directory().resolve() and path.stem == workflow.id:
            return workflow.id
    except FileNotFoundError:
        pass
    if not path.is_file():
        raise CooperationError(
            f"workflow {workflow.id} was not loaded from a file ({workflow.source}); "
            "verify and the testing helpers need a built-in id or a workflow file"
        )
    return str(path.resolve())


class _MemoryStore(SqliteStore):
    """A store in memory whose clock is the registry's when that runs ahead of this machine's:
    a witness lives at its own moments (a lapse three years after its facts), which may lie
    past today, and its events must not be refused as dated in the future."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__(MEMORY)
        self._registry_clock = clock

    def clock(self) -> datetime:
        return max(super().clock(), self._registry_clock())


def memory_registry(clock: Callable[[], datetime]) -> Registry:
    """A registry held in memory, for witnesses, walks and tests."""
    return Registry(_MemoryStore(clock), clock=clock)


def replay(workflow: CompiledWorkflow, plan: Planner, moves: Sequence[Move], attempt: Move | None = None) -> Replay:
    """Record the plan's facts before ANCHOR, then make `moves` (and try `attempt`) at ANCHOR."""
    movers = [
        plan.pool.with_role(move.roles) if move.roles else None for move in [*moves, *([attempt] if attempt else [])]
    ]
    creator, created, lines = _log(workflow, plan)
    clock = _Clock()  # ANCHOR, until a witness waits for a lapse
    registry = memory_registry(clock)
    with registry:
        failed = refused = None
        try:  # one import checks every fact as recording would, without re-reading the log each time
            pin = read_named(workflow_reference(workflow))  # the text the witness is pinned to, carried by its import
            carried = workflow_line(StoredWorkflow(pin.hash, pin.id, pin.text))
            registry.import_lines([carried, *(event.to_line() for event in lines)], source="witness")
        except CooperationError as error:
            registry.create(
                "Witness",
                workflow=workflow_reference(workflow),
                initiative=WITNESS_ID,
                by=creator.name,
                community=creator.community,
                at=created,
            )
            failed = str(error)
        if failed is None:
            for move, mover in zip([*moves, *([attempt] if attempt else [])], movers, strict=True):
                try:
                    _make(registry, move, mover, creator.name, clock)
                except CooperationError as error:
                    if move is attempt:
                        refused = str(error)
                    else:
                        failed = f"{move.label}: {error}"
                    break
        events = list(registry.export_events(WITNESS_ID))
        status = registry.status(WITNESS_ID)
    return Replay(events, status.stage, refused, failed, status)


def _log(workflow: CompiledWorkflow, plan: Planner) -> tuple[Participant, str, list[Event]]:
    """The witness's creator, when it was created, and its log of facts before ANCHOR."""
    earliest = min([fact.offset for fact in plan.facts] + [plan.creation, 0]) - DAY
    created = parse_at(ANCHOR + timedelta(seconds=earliest))
    creator, members = _creator(plan)
    lines = [
        Event(
            WITNESS_ID,
            "initiative_created",
            created,
            _pinned_to(workflow),
            creator.name,
        )
    ]
    lines += [
        Event(
            WITNESS_ID,
            "participant_joined",
            created,
            {"name": member.name, "community": member.community, "role": member.role},
            creator.name,
        )
        for member in members
    ]
    # A fact the plan names no one for is recorded by the creator, an owner: by default an owner may record any.
    lines += [
        Event(
            WITNESS_ID, fact.kind, parse_at(ANCHOR + timedelta(seconds=fact.offset)), fact.data, fact.by or creator.name
        )
        for fact in sorted(plan.facts, key=lambda fact: fact.offset)
    ]
    return creator, created, lines


def _creator(plan: Planner) -> tuple[Participant, list[Participant]]:
    """Who creates the witness, its first owner, and every participant in the order they join (creator first).

    The plan's first participant when an owner; else a convenor, an owner from the first community."""
    members = plan.pool.members
    if members and members[0].role == "owner":
        return members[0], list(members)
    community = members[0].community if members else plan.pool.communities[0]
    convenor = Participant(CONVENOR, community, "owner")
    return convenor, [convenor, *members]


class _Clock:
    """A witness's clock: ANCHOR, moved on only to the instant a lapse happens."""

    __slots__ = ("moment",)

    def __init__(self) -> None:
        self.moment = ANCHOR

    def __call__(self) -> datetime:
        return self.moment


def _lapse(registry: Registry, move: Move, clock: _Clock) -> None:
    """Wait for the lapse that takes `move` (its condition was laid out to hold at ANCHOR), and record it."""
    lapse = registry.status(WITNESS_ID).lapse
    if lapse is None or lapse["transition"] != move.transition:
        raise CooperationError(f"'{move.on_lapse}' did not hold at '{move.source}', so it could not lapse")
    clock.moment = moment(lapse["at"])
    registry.record_lapses(WITNESS_ID)
    if registry.status(WITNESS_ID).stage != move.target:
        raise CooperationError(f"the lapse of '{move.on_lapse}' did not take {move.label}")


def _make(registry: Registry, move: Move, mover: str | None, creator: str, clock: _Clock) -> None:
    at = parse_at(clock())
    if move.on_lapse is not None:  # the witness lets its condition lapse (or, failing that, takes it by hand)
        try:
            _lapse(registry, move, clock)
            return
        except CooperationError:
            if mover is None:
                raise
    if mover is None and move.automatic:  # nobody may take it by hand: record the event that takes it
        kind = cast("RecordableKind", move.on_event or "trust_breached")
        data: Any = _trigger(registry, move, creator)  # the data of `kind`, checked as it is recorded
        registry.record(WITNESS_ID, kind, data, by=creator, at=at)
        if registry.status(WITNESS_ID).stage != move.target:
            raise CooperationError(f"recording {kind} did not take {move.label}")
        return
    if mover is None:
        roles = "advance_roles" if move.transition is None else "roles"
        raise CooperationError(f"no role may make {move.label}: its {roles} list is empty")
    apply_move(registry, WITNESS_ID, move, by=mover, at=at)


def _trigger(registry: Registry, move: Move, creator: str) -> dict[str, object]:
    """The data of an event that takes an automatic move: a breach of trust, or someone in one of its
    `on_roles` joining, leaving or changing role (recorded by the creator, who may change any role)."""
    if move.on_event == "participant_joined":
        return {"name": "Witness newcomer", "community": "technical", "role": (*move.on_roles, "member")[0]}
    if move.on_event not in ("participant_left", "role_changed"):
        return {"description": "A breach recorded by a verification witness."}
    log = time_ordered(registry.history(WITNESS_ID))
    current = fold(WITNESS_ID, log, start=registry.workflow_of(log).start).active_participants()
    holding = [p for p in current if move.taken_on(p.role)]
    who = next((p for p in holding if p.name != creator), holding[0] if holding else None)
    if who is None:
        raise CooperationError(
            f"no current participant holds a role of {', '.join(move.on_roles)} to take {move.label}"
        )
    if move.on_event == "participant_left":
        return {"name": who.name}
    return {"name": who.name, "role": "observer" if who.role != "observer" else "member"}


def _pinned_to(workflow: CompiledWorkflow) -> InitiativeCreatedData:
    """The witness's creation data: pinned to the text its import carries."""
    pin = read_named(workflow_reference(workflow))
    return {"name": "Witness", "workflow": pin.id, "workflow_hash": pin.hash}
