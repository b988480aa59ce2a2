"""Participation: met when enough active participants, from enough communities, take part."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.attestation import communities_fit
from cooperation.engine.conditions.base import (
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionKind,
    Outcome,
    ratio,
)
from cooperation.vocabulary import COMMUNITIES, Community
from cooperation.wording import counted, plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Checking, Guiding, Measuring, Planning
    from cooperation.engine.facts import Facts
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["ParticipationSettings"]

Taking = tuple[int, frozenset[str]]  # active participants who count, and their communities


class ParticipationSettings(NamedTuple):
    min_participants: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "participants")] = 1
    min_communities: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "communities")] = 1
    required_communities: tuple[Community, ...] = ()


class Participation(ConditionKind[ParticipationSettings, Taking]):
    """Met when enough active participants from enough communities take part."""

    name = "participation"
    model_name = "ParticipationCondition"
    settings = ParticipationSettings
    counts_people = ("taking part:", "could still take part:")

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Taking:
        # Membership is a state, not a dated record: it is never windowed.
        active = [p.community for p in evaluator.facts.participants.values() if p.active and p.role != "observer"]
        return (len(active), frozenset(active))

    def people(self, facts: Facts, condition: Condition, since: datetime | None) -> tuple[list[str], list[str]]:
        # Anyone who joins counts: there is no one among the current participants left to name.
        return sorted(p.name for p in facts.participants.values() if p.active and p.role != "observer"), []

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset({"participants"})

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Taking) -> Outcome:
        active, communities = measured
        need, need_communities, required = condition.settings
        missing = [name for name in required if name not in communities]
        detail = (
            f"{counted(active, need, 'participant')}, "
            f"from {counted(len(communities), need_communities, 'community', 'communities')}"
        )
        if communities:
            detail += ": " + ", ".join(name for name in COMMUNITIES if name in communities)
        if missing:
            detail += f"; missing {', '.join(missing)}"
        elif len(communities) < need_communities:
            detail += "; none yet from " + ", ".join(name for name in COMMUNITIES if name not in communities)
        parts = [ratio(active, need), ratio(len(communities), need_communities)]
        if required:
            parts.append(ratio(len(required) - len(missing), len(required)))
        met = active >= need and len(communities) >= need_communities and not missing
        return (met, detail, sum(parts) / len(parts))

    def describe(self, condition: Condition) -> str:
        people, communities, named = condition.settings
        present = f", including {', '.join(named)}" if named else ""
        return (
            f"at least {plural(people, 'active participant')} "
            f"from at least {plural(communities, 'community', 'communities')}{present}"
        )

    def check(self, condition: Condition, where: Checking) -> Iterable[Problem]:
        return communities_fit(condition.settings.min_participants, condition.settings.min_communities, where)

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        people, communities, named = condition.settings
        planner.need_communities(condition.id, communities)
        order = planner.pool.communities
        planner.pool.counted(max(people, communities, *(order.index(name) + 1 for name in named)))

    def room(self, planner: Planning, condition: Condition) -> None:
        return None

    def named_communities(self, condition: Condition) -> tuple[Community, ...]:
        return condition.settings.required_communities

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"ask for at most {len(COMMUNITIES)} communities in '{condition.id}'"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        present = {p.community for p in guide.counted()}
        wanted = next((name for name in condition.settings.required_communities if name not in present), None)
        return guide.join(community=wanted)


KIND = Participation()
