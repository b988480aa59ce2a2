"""Seeded random walks: a new initiative driven by guided steps and noise, and what it reached.

Each walk runs on a registry in memory with a clock moved by hand; mostly it follows a
`Guide` towards a next move, sometimes it takes any step at all. The log of a walk keeps,
for every stage reached, move made and condition met, the events that first showed it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.events import MOVE_KINDS, Event
from cooperation.engine.facts import Facts, fold, time_ordered
from cooperation.engine.moves import moves_for
from cooperation.engine.payloads import move_payload
from cooperation.engine.permissions import who_may_record
from cooperation.errors import CooperationError
from cooperation.registry import Registry
from cooperation.verify.guide import Guide, take_step
from cooperation.verify.moves import Move, apply_move, moves_from
from cooperation.verify.planner import DAY, NAMES
from cooperation.verify.witness import ANCHOR, CONVENOR, WITNESS_ID, memory_registry, workflow_reference
from cooperation.vocabulary import COMMUNITIES


class Clock:
    """A clock for `Registry(store, clock=...)` that is moved forward by hand, in whole seconds."""

    def __init__(self, now: datetime = ANCHOR) -> None:
        self.now = now.replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float = 0, *, minutes: float = 0) -> None:
        self.now += timedelta(seconds=max(1, round(days * DAY + minutes * 60)))


@dataclass(slots=True)
class WalkLog:
    """What the random walks showed, each with the first log that showed it, and how many steps they took."""

    reached: dict[str, list[Event]] = field(default_factory=dict)  # stage -> the log that first reached it
    fired: dict[tuple[str, str | None, str], list[Event]] = field(default_factory=dict)  # (source, transition, target)
    met: set[str] = field(default_factory=set)  # conditions met at some point
    steps: int = 0


def walk(workflow: CompiledWorkflow, rng: random.Random, steps: int, log: WalkLog) -> None:
    """One random walk from a new initiative: mostly guided towards a move, sometimes anything."""
    clock = Clock(ANCHOR)
    guide = Guide(workflow)
    reference = workflow_reference(workflow)
    with memory_registry(clock) as registry:
        registry.create(
            "Walk", workflow=reference, initiative=WITNESS_ID, by=CONVENOR, community="technical", at=clock.now
        )
        log.reached.setdefault(workflow.start, list(registry.export_events(WITNESS_ID)))
        target: Move | None = None
        for _ in range(steps):
            clock.advance(rng.choice((1 / 1440, 1 / 24, 1.0, 3.0)))
            before = registry.store.version(WITNESS_ID)
            try:
                if rng.random() < 0.8:
                    stage = registry.status(WITNESS_ID).stage
                    if target is None or target.source != stage:
                        target = guide.choose_move(stage, rng)
                        if target is None:
                            break
                    step = guide.next_step(registry, WITNESS_ID, clock.now, rng, target)
                    if step is None:
                        break
                    take_step(registry, WITNESS_ID, step, clock.advance)
                else:
                    random_step(workflow, registry, WITNESS_ID, rng)
            except CooperationError:
                pass
            log.steps += 1
            if registry.store.version(WITNESS_ID) == before:
                continue
            events = list(registry.export_events(WITNESS_ID))
            for event in events[before:]:
                if event.kind in MOVE_KINDS:
                    move = move_payload(event)
                    log.fired.setdefault((move["from"], move.get("transition"), move["to"]), events)
                    log.reached.setdefault(move["to"], events)
            status = registry.status(WITNESS_ID)
            log.met.update(condition.condition for condition in status.conditions if condition.met)


def random_step(
    workflow: CompiledWorkflow,
    registry: Registry,
    initiative: str,
    rng: random.Random,
    *,
    breaches: Literal["anyone", "guarded", "never"] = "guarded",
) -> None:
    """Any step at all: a random fact, a departure, a breach of trust, or a move by anyone (may be refused).

    Breaches of trust are recorded by anyone, never, or (`guarded`) only where the
    automatic move they cause meets its own roles and requirements.
    """
    facts = fold(initiative, time_ordered(registry.history(initiative)), start=workflow.start)
    active = sorted(p.name for p in facts.active_participants())
    anyone = rng.choice(active) if active else None
    choice = rng.random()
    if choice < 0.25:
        roles = ("owner", "member", "member", "observer", "secretariat", *workflow.declared_roles)
        role = rng.choice(roles)
        registry.record(
            initiative,
            "participant_joined",
            {"name": rng.choice(NAMES[:8]), "community": rng.choice(COMMUNITIES), "role": role},
            by=who_may_record(workflow, facts, "participant_joined", anyone),
        )
    elif choice < 0.35 and anyone:
        registry.record(initiative, "participant_left", {"name": anyone}, by=anyone)  # their own leaving
    elif choice < 0.55:
        registry.record(
            initiative,
            "evidence_recorded",
            {"condition": rng.choice(workflow.condition_order), "text": "Noted."},
            by=who_may_record(workflow, facts, "evidence_recorded", anyone),
        )
    elif choice < 0.7 and anyone:
        registry.record(initiative, "attestation_given", {"condition": rng.choice(workflow.condition_order)}, by=anyone)
    elif choice < 0.75:
        by = anyone if breaches == "anyone" else guarded_breacher(workflow, registry, initiative, facts, anyone)
        if breaches != "never" and by != "":
            registry.record(initiative, "trust_breached", {"description": "Shared information was misused."}, by=by)
    elif anyone:
        moves = moves_from(workflow, facts.stage)
        if moves:
            apply_move(registry, initiative, rng.choice(moves), by=anyone)


def guarded_breacher(
    workflow: CompiledWorkflow, registry: Registry, initiative: str, facts: Facts, wanted: str | None
) -> str | None:
    """Who may record a breach now so that the automatic move it causes meets its own guards: `wanted`
    if no such move follows or they may take it, else someone who may; '' when no breach should be
    recorded (the engine takes automatic moves without checking their roles or requirements).
    """
    move = moves_for(workflow).automatic(facts.stage, "trust_breached")
    if move is None:
        return wanted
    allowed = sorted(p.name for p in facts.active_participants() if p.role in move.roles)
    status = registry.status(initiative)
    blocking = {c.condition for c in status.conditions if c.blocking}
    if not allowed or blocking.intersection(move.needs):
        return ""
    return wanted if wanted in allowed else allowed[0]
