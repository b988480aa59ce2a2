"""Guiding an initiative towards a move: the next event that brings it closer (random walks, testing).

The guide reads an initiative's facts and status, picks a move from its current stage,
and proposes one step towards the first thing that blocks the move, or the move itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.conditions.base import counts
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.evaluation import ConditionResult
from cooperation.engine.facts import Facts, Participant, fold, time_ordered
from cooperation.engine.payloads import RecordableKind
from cooperation.engine.permissions import who_may_record
from cooperation.engine.status import InitiativeStatus
from cooperation.registry import Registry
from cooperation.verify.moves import Move, apply_move, moves_from
from cooperation.verify.planner import WAIVER_RATIONALE
from cooperation.vocabulary import COMMUNITIES


@dataclass(frozen=True, slots=True)
class Step:
    """The next thing to do: record an event, let time pass, or make a move."""

    action: Literal["record", "wait", "move"]
    kind: RecordableKind | None = None  # of the event to record
    data: Any = field(default_factory=dict)  # the data of `kind` (checked when it is recorded)
    by: str | None = None
    days: float = 0.0
    move: Move | None = None


class Guide:
    """Chooses events that bring an initiative closer to one of its next moves.

    It reads the initiative's facts and status, picks a move from the current stage,
    and proposes one fact towards the first thing that blocks it (or the move itself).
    """

    def __init__(self, workflow: CompiledWorkflow) -> None:
        self.workflow = workflow

    def choose_move(self, stage: str, rng: random.Random) -> Move | None:
        """A move to work towards from `stage`: mostly the advance, sometimes a transition."""
        moves = [move for move in moves_from(self.workflow, stage) if move.roles]
        onwards = [move for move in moves if move.target != stage]
        if onwards and rng.random() < 0.9:  # a move that stays put (a repeated hand-off) teaches little
            moves = onwards
        if not moves:
            return None
        advances = [move for move in moves if move.kind == "advance"]
        return advances[0] if advances and rng.random() < 0.8 else rng.choice(moves)

    def next_step(
        self,
        registry: Registry,
        initiative: str,
        now: datetime,
        rng: random.Random,
        move: Move | None = None,
        *,
        known: tuple[InitiativeStatus, Facts] | None = None,
    ) -> Step | None:
        """One step towards `move` (or a move chosen here if it does not start at the current stage).

        `known` may give the initiative's current status and facts, to save reading them again.
        """
        if known is None:
            known = (
                registry.status(initiative),
                fold(initiative, time_ordered(registry.history(initiative)), start=self.workflow.start),
            )
        status, facts = known
        if move is None or move.source != facts.stage:
            move = self.choose_move(facts.stage, rng)
            if move is None:
                return None
        results = {condition.condition: condition for condition in status.conditions}
        blocking = [need for need in move.needs if results[need].blocking]
        if blocking:
            return _Helping(self.workflow, facts, results, now, rng).help(blocking[0], fresh=False)
        actor = _permitted(facts, move.roles)
        if actor is None:
            return _join(self.workflow, facts, rng, role=move.roles[0])
        return Step("move", move=move, by=actor)


@dataclass(frozen=True, slots=True)
class _Helping:
    """One step's worth of help towards a condition; what a kind may ask (`base.Guiding`)."""

    workflow: CompiledWorkflow
    facts: Facts
    results: dict[str, ConditionResult]
    now: datetime
    rng: random.Random

    def help(self, condition_id: str, *, fresh: bool) -> Step:
        """A step towards meeting (or waiving) it: its unmet prerequisites first, unless only recent facts count."""
        condition = self.workflow.compiled_conditions[condition_id]
        if not fresh:
            missing = [name for name in condition.requires if not self.results[name].satisfied]
            if missing:
                return self.help(missing[0], fresh=False)
            granters = self.workflow.definition.advance_roles
            if condition.strength != "required" and granters and self.rng.random() < 0.2:
                by = _permitted(self.facts, granters)
                if by is None:
                    return _join(self.workflow, self.facts, self.rng, role=granters[0])
                rationale = (WAIVER_RATIONALE + " ") * (
                    1 + self.workflow.waiver_min_rationale(condition_id) // len(WAIVER_RATIONALE)
                )
                return self.record("condition_waived", {"condition": condition_id, "rationale": rationale.strip()}, by)
        return KINDS[condition.kind].guide(self, condition, fresh=fresh)

    def counted(self, roles: tuple[str, ...] = ()) -> list[Participant]:
        """The active participants who count: holding one of `roles` (none named: not observers)."""
        return [p for p in self.facts.active_participants() if counts(roles, p.role)]

    def record(self, kind: RecordableKind, data: dict[str, Any], by: str | None = None) -> Step:
        """Record `kind`: by `by`, or else by a current participant who may (None when no one may: refused)."""
        return Step("record", kind, data, by or who_may_record(self.workflow, self.facts, kind))

    def wait(self, days: float) -> Step:
        return Step("wait", days=days)

    def join(self, community: str | None = None, role: str | None = None) -> Step:
        return _join(self.workflow, self.facts, self.rng, community=community, role=role or "member")

    def enter(self, stage: str) -> Step:
        for move in moves_from(self.workflow, self.facts.stage):
            by = _permitted(self.facts, move.roles)
            if move.target == stage and by is not None and not any(self.results[n].blocking for n in move.needs):
                return Step("move", move=move, by=by)
        return Step("wait", days=1.0)


def _permitted(facts: Facts, roles: Sequence[str]) -> str | None:
    allowed = sorted(p.name for p in facts.active_participants() if p.role in roles)
    return allowed[0] if allowed else None


def _join(
    workflow: CompiledWorkflow, facts: Facts, rng: random.Random, *, role: str = "member", community: str | None = None
) -> Step:
    present = {p.community for p in facts.active_participants() if p.role != "observer"}
    missing = [name for name in COMMUNITIES if name not in present]
    chosen = community or (missing[0] if missing else rng.choice(COMMUNITIES))
    taken = set(facts.participants)
    name = next(f"Guide {number}" for number in range(1, 10_000) if f"Guide {number}" not in taken)
    by = who_may_record(workflow, facts, "participant_joined")
    return Step("record", "participant_joined", {"name": name, "community": chosen, "role": role}, by)


def take_step(registry: Registry, initiative: str, step: Step, advance_clock: Callable[[float], None]) -> None:
    """Carry out a guide's step (raises the engine's refusal)."""
    if step.action == "wait":
        advance_clock(step.days)
    elif step.action == "record":
        assert step.kind is not None, "a step that records names the kind of event"
        registry.record(initiative, step.kind, step.data, by=step.by)
    else:
        assert step.move is not None and step.by is not None
        apply_move(registry, initiative, step.move, by=step.by)
