"""Participation: met when enough active participants, from enough communities, take part."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.attestation import communities_fit
from cooperation.engine.conditions.base import (
    COUNTED_ROLES,
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionKind,
    Description,
    Keyed,
    Outcome,
    RoleId,
    counts,
    ratio,
)
from cooperation.vocabulary import COMMUNITIES, Community
from cooperation.wording import counted, one_of, plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Checking, Guiding, Measuring, Planning
    from cooperation.engine.facts import Facts
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["ParticipationSettings"]

# Active participants who count, their communities, and (only with per-community minimums) how many from each.
Taking = tuple[int, frozenset[str], tuple[tuple[str, int], ...]]
PerCommunity = tuple[tuple[Community, Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "participants")]], ...]


class ParticipationSettings(NamedTuple):
    min_participants: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "participants")] = 1
    min_communities: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "communities")] = 1
    required_communities: tuple[Community, ...] = ()
    roles: Annotated[tuple[RoleId, ...], COUNTED_ROLES] = ()
    min_per_community: Annotated[
        PerCommunity, Keyed(), Description("The fewest active participants from a community, by community.")
    ] = ()


class Participation(ConditionKind[ParticipationSettings, Taking]):
    """Met when enough active participants from enough communities take part."""

    name = "participation"
    model_name = "ParticipationCondition"
    settings = ParticipationSettings
    counts_people = ("taking part:", "could still take part:")

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Taking:
        # Membership is a state, not a dated record: it is never windowed.
        roles = condition.settings.roles
        participants = evaluator.facts.participants.values()
        if roles:
            active = [p.community for p in participants if p.active and p.role in roles]
        else:  # the usual case, on the path of every status: no call per participant
            active = [p.community for p in participants if p.active and p.role != "observer"]
        if not condition.settings.min_per_community:
            return (len(active), frozenset(active), ())
        return (len(active), frozenset(active), tuple(sorted(Counter(active).items())))

    def people(self, facts: Facts, condition: Condition, since: datetime | None) -> tuple[list[str], list[str]]:
        # Anyone who joins counts: there is no one among the current participants left to name.
        roles = condition.settings.roles
        return sorted(p.name for p in facts.participants.values() if p.active and counts(roles, p.role)), []

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset({"participants"})

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Taking) -> Outcome:
        active, communities, _ = measured
        need, need_communities, required, _, per_community = condition.settings
        if per_community:
            return _judge_per_community(condition.settings, measured)
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
        people, communities, named, roles, per_community = condition.settings
        present = f", including {', '.join(named)}" if named else ""
        holding = f" holding the role of {one_of(roles)}" if roles else ""
        each = "; ".join(f"at least {count} from {name}" for name, count in per_community)
        return (
            f"at least {plural(people, 'active participant')}{holding} "
            f"from at least {plural(communities, 'community', 'communities')}{present}"
        ) + (f" ({each})" if each else "")

    def check(self, condition: Condition, where: Checking) -> Iterable[Problem]:
        settings = condition.settings
        asked = max(settings.min_participants, sum(count for _, count in settings.min_per_community))
        return communities_fit(asked, settings.min_communities, where)

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        people, communities, named, roles, per_community = condition.settings
        planner.need_communities(condition.id, communities)
        order = planner.pool.communities
        planner.pool.counted(max(people, communities, *(order.index(name) + 1 for name in named)), roles)
        for name, count in per_community:
            planner.pool.of_community(name, count, roles)

    def room(self, planner: Planning, condition: Condition) -> None:
        return None

    def named_communities(self, condition: Condition) -> tuple[Community, ...]:
        settings = condition.settings
        return tuple(dict.fromkeys([*settings.required_communities, *(name for name, _ in settings.min_per_community)]))

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"ask for at most {len(COMMUNITIES)} communities in '{condition.id}'"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        roles = condition.settings.roles
        present = Counter(p.community for p in guide.counted(roles))
        short = (name for name, count in condition.settings.min_per_community if present[name] < count)
        missing = (name for name in condition.settings.required_communities if not present[name])
        return guide.join(community=next(short, None) or next(missing, None), role=roles[0] if roles else None)


def _judge_per_community(settings: ParticipationSettings, measured: Taking) -> Outcome:
    """Judged with minimums per community: the detail names every community present with its
    count, and every one short of what is asked (required ones ask for one)."""
    active, communities, by_community = measured
    need, need_communities, required, _, per_community = settings
    have = dict(by_community)
    asked = dict.fromkeys(required, 1) | dict(per_community)
    short = [(name, have.get(name, 0), asked[name]) for name in COMMUNITIES if have.get(name, 0) < asked.get(name, 0)]
    detail = (
        f"{counted(active, need, 'participant')}, "
        f"from {counted(len(communities), need_communities, 'community', 'communities')}"
    )
    if communities:
        detail += ": " + ", ".join(f"{name} {have[name]}" for name in COMMUNITIES if name in have)
    if short:
        detail += "; missing " + ", ".join(f"{name} ({count} of {wanted})" for name, count, wanted in short)
    elif len(communities) < need_communities:
        detail += "; none yet from " + ", ".join(name for name in COMMUNITIES if name not in communities)
    asked_total = sum(asked.values())
    reached = sum(min(have.get(name, 0), count) for name, count in asked.items())
    parts = [ratio(active, need), ratio(len(communities), need_communities), ratio(reached, asked_total)]
    met = active >= need and len(communities) >= need_communities and not short
    return (met, detail, sum(parts) / len(parts))


KIND = Participation()
