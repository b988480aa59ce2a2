"""Attestation: met when enough current participants, from enough communities, attest to the condition."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionKind,
    Outcome,
    ratio,
)
from cooperation.vocabulary import COMMUNITIES
from cooperation.wording import counted, plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Checking, Guiding, Measuring, Planning
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["AttestationSettings"]

# Who attests (name, community), and the current participants who count but have not
# attested (or not recently enough): names, so that a detail can say who may still attest.
Attesters = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


class AttestationSettings(NamedTuple):
    min_participants: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "participants")]
    min_communities: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "communities")] = 1


class Attestation(ConditionKind[AttestationSettings, Attesters]):
    """Met when enough current participants, from enough communities, attest to it."""

    name = "attestation"
    model_name = "AttestationCondition"
    settings = AttestationSettings

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Attesters:
        participants = evaluator.facts.participants
        given = evaluator.facts.attestations.get(condition.id)
        if not given:  # the same for every initiative (see `records`): who could attest is not named
            return ((), ())
        attesters, others = [], []
        for name, participant in participants.items():
            if not participant.active or participant.role == "observer":
                continue  # only current participants who count may attest
            at = given.get(name)
            if at is not None and (since is None or at >= since):
                attesters.append((name, participant.community))
            else:
                others.append(name)
        return (tuple(sorted(attesters)), tuple(sorted(others)))

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Attesters) -> Outcome:
        named, others = measured
        attesters, communities = len(named), sorted({community for _, community in named})
        need, need_communities = condition.settings.min_participants, condition.settings.min_communities
        detail = (
            f"attested by {counted(attesters, need, 'participant')}, "
            f"from {counted(len(communities), need_communities, 'community', 'communities')}"
        )
        if named:
            detail += ": " + ", ".join(f"{name} ({community})" for name, community in named)
        met = attesters >= need and len(communities) >= need_communities
        if not met:
            if not named:
                detail += "; any current participant who is not an observer may attest"
            elif others:
                detail += f"; could still attest: {', '.join(others)}"
            else:
                detail += "; no other current participant can attest"
        return (met, detail, (ratio(attesters, need) + ratio(len(communities), need_communities)) / 2)

    def records(self, condition: Condition) -> tuple[str, str]:
        return ("attestations", condition.id)

    def describe(self, condition: Condition) -> str:
        people, communities = condition.settings
        return (
            f"attested by at least {plural(people, 'participant')} "
            f"from at least {plural(communities, 'community', 'communities')}"
        )

    def check(self, condition: Condition, where: Checking) -> Iterable[Problem]:
        return communities_fit(condition.settings.min_participants, condition.settings.min_communities, where)

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        people, communities = condition.settings
        planner.need_communities(condition.id, communities)
        at = planner.slot(condition.id, first, window)
        for name in planner.pool.counted(people):
            planner.record(at, "attestation_given", {"condition": condition.id}, name)

    def room(self, planner: Planning, condition: Condition) -> int:
        return 0

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"ask for at most {len(COMMUNITIES)} communities in '{condition.id}'"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        facts, counted = guide.facts, guide.counted()
        given = facts.attestations.get(condition.id, {})
        covered = {facts.participants[name].community for name in given if name in facts.participants}
        not_yet = [p for p in counted if p.name not in given]
        not_yet.sort(key=lambda p: p.community in covered)  # those from a community not covered yet first
        if not_yet:
            return guide.record("attestation_given", {"condition": condition.id}, not_yet[0].name)
        if counted and (fresh or guide.rng.random() < 0.5):
            oldest = min(counted, key=lambda p: given.get(p.name, guide.now))
            return guide.record("attestation_given", {"condition": condition.id}, oldest.name)
        return guide.join()


def communities_fit(participants: int, communities: int, where: Checking) -> Iterable[Problem]:
    """Each community needs a participant of its own: more communities than participants cannot be."""
    if communities > participants:
        yield where.problem(
            "min_communities",
            f"{communities} communities cannot come from {participants} participants",
            "raise min_participants or lower min_communities",
        )


KIND = Attestation()
