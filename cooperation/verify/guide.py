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
from cooperation.definition.models import (
    AllCondition,
    AnyCondition,
    AttestationCondition,
    EvidenceCondition,
    ExpiringCondition,
    HeldCondition,
    MeetingsCondition,
    ParticipationCondition,
    ScoreCondition,
)
from cooperation.engine.evaluation import ConditionResult
from cooperation.engine.facts import Facts, fold, time_ordered
from cooperation.registry import Registry
from cooperation.engine.status import InitiativeStatus
from cooperation.verify.moves import Move, apply_move, moves_from
from cooperation.verify.planner import DAY, WAIVER_RATIONALE
from cooperation.vocabulary import COMMUNITIES, Role


@dataclass(frozen=True, slots=True)
class Step:
    """The next thing to do: record an event, let time pass, or make a move."""

    action: Literal["record", "wait", "move"]
    kind: str = ""
    data: dict[str, Any] = field(default_factory=dict)
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
        self.scales = {parameter.id: parameter.scale for parameter in workflow.definition.parameters}

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
            return self._help(blocking[0], facts, results, now, rng, fresh=False)
        actor = self._permitted(facts, move.roles)
        if actor is None:
            return self._join(facts, rng, role=move.roles[0])
        return Step("move", move=move, by=actor)

    # --- one condition -----------------------------------------------------------------------------

    def _help(
        self,
        condition_id: str,
        facts: Facts,
        results: dict[str, ConditionResult],
        now: datetime,
        rng: random.Random,
        *,
        fresh: bool,
    ) -> Step:
        condition = self.workflow.conditions[condition_id]
        if not fresh:
            missing = [name for name in condition.requires if not (results[name].met or results[name].waived)]
            if missing:
                return self._help(missing[0], facts, results, now, rng, fresh=False)
            granters = self.workflow.definition.advance_roles
            if condition.strength != "required" and granters and rng.random() < 0.2:
                by = self._permitted(facts, granters)
                if by is None:
                    return self._join(facts, rng, role=granters[0])
                rationale = (WAIVER_RATIONALE + " ") * (
                    1 + self.workflow.waiver_min_rationale(condition_id) // len(WAIVER_RATIONALE)
                )
                return Step(
                    "record", "condition_waived", {"condition": condition_id, "rationale": rationale.strip()}, by
                )
        counted = [p for p in facts.active_participants() if p.role != "observer"]
        match condition:
            case EvidenceCondition():
                return Step("record", "evidence_recorded", {"condition": condition_id, "text": "Progress noted."})
            case AttestationCondition():
                given = facts.attestations.get(condition_id, {})
                covered = {facts.participants[name].community for name in given if name in facts.participants}
                fresh_names = [p for p in counted if p.name not in given]
                fresh_names.sort(key=lambda p: p.community in covered)
                if fresh_names:
                    return Step("record", "attestation_given", {"condition": condition_id}, fresh_names[0].name)
                if counted and (fresh or rng.random() < 0.5):
                    oldest = min(counted, key=lambda p: given.get(p.name, now))
                    return Step("record", "attestation_given", {"condition": condition_id}, oldest.name)
                return self._join(facts, rng)
            case ParticipationCondition(required_communities=named):
                present = {p.community for p in counted}
                wanted = next((name for name in named if name not in present), None)
                return self._join(facts, rng, community=wanted)
            case MeetingsCondition(min_meetings=count, min_span_days=span, neutral_only=neutral):
                spacing = span / max(1, count - 1)
                held = [m for m in facts.meetings if m.neutral or not neutral]
                if held and spacing:
                    elapsed = (now - held[-1].at).total_seconds() / DAY
                    if elapsed < spacing:
                        return Step("wait", days=min(spacing - elapsed + 0.01, 60.0))
                attendees = sorted(p.name for p in facts.active_participants())[:4]
                if not attendees:
                    return self._join(facts, rng)
                return Step(
                    "record", "meeting_held", {"attendees": attendees, "neutral": neutral or rng.random() < 0.5}
                )
            case ScoreCondition(parameter=parameter, at_least=level):
                top = self.scales[parameter].max
                return Step("record", "score_set", {"parameter": parameter, "level": rng.randint(min(level, top), top)})
            case HeldCondition(condition=inner, days=days):
                if not (results[inner].met or results[inner].waived):
                    return self._help(inner, facts, results, now, rng, fresh=fresh)
                return Step("wait", days=max(1.0, days / 3))
            case ExpiringCondition(condition=inner):
                return self._help(inner, facts, results, now, rng, fresh=True)
            case AllCondition(of=members):
                open_members = [m for m in members if not (results[m].met or results[m].waived)]
                pick = open_members[0] if open_members and not fresh else rng.choice(list(members))
                return self._help(pick, facts, results, now, rng, fresh=fresh)
            case AnyCondition(of=members):
                return self._help(rng.choice(list(members)), facts, results, now, rng, fresh=fresh)
        # A kind the guide does not know: evidence for it is a harmless guess.
        return Step("record", "evidence_recorded", {"condition": condition_id, "text": "Progress noted."})

    def _permitted(self, facts: Facts, roles: Sequence[str]) -> str | None:
        allowed = sorted(p.name for p in facts.active_participants() if p.role in roles)
        return allowed[0] if allowed else None

    def _join(self, facts: Facts, rng: random.Random, *, role: Role = "member", community: str | None = None) -> Step:
        present = {p.community for p in facts.active_participants() if p.role != "observer"}
        missing = [name for name in COMMUNITIES if name not in present]
        chosen = community or (missing[0] if missing else rng.choice(COMMUNITIES))
        taken = set(facts.participants)
        name = next(f"Guide {number}" for number in range(1, 10_000) if f"Guide {number}" not in taken)
        return Step("record", "participant_joined", {"name": name, "community": chosen, "role": role})


def take_step(registry: Registry, initiative: str, step: Step, advance_clock: Callable[[float], None]) -> None:
    """Carry out a guide's step (raises the engine's refusal)."""
    if step.action == "wait":
        advance_clock(step.days)
    elif step.action == "record":
        registry.record(initiative, step.kind, step.data, by=step.by)
    else:
        assert step.move is not None and step.by is not None
        apply_move(registry, initiative, step.move, by=step.by)
