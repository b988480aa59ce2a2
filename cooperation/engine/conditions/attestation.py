"""Attestation: met when enough current participants, from enough communities, attest to the condition."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    COUNTED_ROLES,
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionKind,
    Outcome,
    RoleId,
    counts,
    ratio,
)
from cooperation.vocabulary import COMMUNITIES
from cooperation.wording import counted, one_of, plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Checking, Guiding, Measuring, Planning
    from cooperation.engine.facts import Facts
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["AttestationSettings"]

# How many attest, and their communities (sorted). Names are left out on purpose: a measurement
# is shared by every initiative that measures the same, and naming people would make each unique
# (docs/architecture.md, shared results; the benchmark's portfolio figures depend on it).
# `people` names them apart, for an initiative shown on its own.
Attesters = tuple[int, tuple[str, ...]]


class AttestationSettings(NamedTuple):
    min_participants: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "participants")]
    min_communities: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "communities")] = 1
    roles: Annotated[tuple[RoleId, ...], COUNTED_ROLES] = ()


class Attestation(ConditionKind[AttestationSettings, Attesters]):
    """Met when enough current participants, from enough communities, attest to it."""

    name = "attestation"
    model_name = "AttestationCondition"
    settings = AttestationSettings
    counts_people = ("by", "could still attest:")  # after its detail: "attested by 2 of 4 ...; by Ada; ..."

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Attesters:
        participants = evaluator.facts.participants
        roles = condition.settings.roles
        attesters = []
        for name, at in evaluator.facts.attestations.get(condition.id, {}).items():
            participant = participants.get(name)
            if participant is None or not participant.active:
                continue  # only current participants who count may attest
            if (participant.role not in roles) if roles else participant.role == "observer":
                continue
            if since is None or at >= since:
                attesters.append(participant.community)
        return (len(attesters), tuple(sorted(set(attesters))))

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Attesters) -> Outcome:
        attesters, communities = measured
        need, need_communities = condition.settings.min_participants, condition.settings.min_communities
        detail = (
            f"attested by {counted(attesters, need, 'participant')}, "
            f"from {counted(len(communities), need_communities, 'community', 'communities')}"
            + (f": {', '.join(communities)}" if communities else "")
        )
        met = attesters >= need and len(communities) >= need_communities
        return (met, detail, (ratio(attesters, need) + ratio(len(communities), need_communities)) / 2)

    def people(self, facts: Facts, condition: Condition, since: datetime | None) -> tuple[list[str], list[str]]:
        given = facts.attestations.get(condition.id, {})
        roles = condition.settings.roles
        attested: list[str] = []
        others: list[str] = []
        for name, participant in facts.participants.items():
            if not participant.active or not counts(roles, participant.role):
                continue  # only current participants who count may attest, as in `measure`
            at = given.get(name)
            (attested if at is not None and (since is None or at >= since) else others).append(name)
        return sorted(attested), sorted(others)

    def records(self, condition: Condition) -> tuple[str, str]:
        return ("attestations", condition.id)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset({"attestations", "participants"})

    def describe(self, condition: Condition) -> str:
        people, communities, roles = condition.settings
        holding = f" holding the role of {one_of(roles)}" if roles else ""
        return (
            f"attested by at least {plural(people, 'participant')}{holding} "
            f"from at least {plural(communities, 'community', 'communities')}"
        )

    def check(self, condition: Condition, where: Checking) -> Iterable[Problem]:
        return communities_fit(condition.settings.min_participants, condition.settings.min_communities, where)

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        people, communities, roles = condition.settings
        planner.need_communities(condition.id, communities)
        roles = planner.roles_that_may("attestation_given", condition.id, roles)
        at = planner.slot(condition.id, first, window)
        for name in planner.pool.counted(people, roles):
            planner.record(at, "attestation_given", {"condition": condition.id}, name)

    def room(self, planner: Planning, condition: Condition) -> int:
        return 0

    def unmeetable_hint(self, condition: Condition) -> str:
        roles = condition.settings.roles
        if roles:
            return f"add attestation_given to the 'may:' of {one_of(roles)}, or count other roles in '{condition.id}'"
        return f"ask for at most {len(COMMUNITIES)} communities in '{condition.id}'"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        facts, counted = guide.facts, guide.counted(condition.settings.roles)
        given = facts.attestations.get(condition.id, {})
        covered = {facts.participants[name].community for name in given if name in facts.participants}
        not_yet = [p for p in counted if p.name not in given]
        not_yet.sort(key=lambda p: p.community in covered)  # those from a community not covered yet first
        if not_yet:
            return guide.record("attestation_given", {"condition": condition.id}, not_yet[0].name)
        if counted and (fresh or guide.rng.random() < 0.5):
            oldest = min(counted, key=lambda p: given.get(p.name, guide.now))
            return guide.record("attestation_given", {"condition": condition.id}, oldest.name)
        return guide.join(role=condition.settings.roles[0] if condition.settings.roles else None)


def communities_fit(participants: int, communities: int, where: Checking) -> Iterable[Problem]:
    """Each community needs a participant of its own: more communities than participants cannot be."""
    if communities > participants:
        yield where.problem(
            "min_communities",
            f"{communities} communities cannot come from {participants} participants",
            "raise min_participants or lower min_communities",
        )


KIND = Attestation()
