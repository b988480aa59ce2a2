"""Outreach: met when every absent stakeholder community has been actively reached out to.

The seed's advice: make active outreach a required task for intersessional work, and
approach the communities that are missing. A community counts as absent when no active
participant (observers aside) comes from it; for each absent community the condition
counts the `outreach_done` events recorded for it. A community that takes part needs no
outreach, so the condition asks nothing of a forum that has every community on board.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from cooperation.engine.conditions.base import (
    MAX_COUNT,
    AtLeast,
    AtMost,
    ConditionKind,
    Description,
    Outcome,
    ratio,
)
from cooperation.vocabulary import COMMUNITIES, Community
from cooperation.wording import plural

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Guiding, Measuring, Planning
    from cooperation.engine.facts import Facts
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window

    Condition = CompiledCondition["OutreachSettings"]

# Each absent community with the approaches to it that count (capped at what is needed), in the
# vocabulary's order. No names: a measurement is shared by initiatives that measure the same.
Absent = tuple[tuple[str, int], ...]


class OutreachSettings(NamedTuple):
    communities: Annotated[
        tuple[Community, ...], Description("The communities that must be present or reached out to (default: all).")
    ] = ()
    min_approaches: Annotated[int, AtLeast(1), AtMost(MAX_COUNT, "approaches")] = 1


def watched(settings: OutreachSettings) -> tuple[str, ...]:
    """The communities a condition watches, in the vocabulary's order."""
    named = settings.communities or COMMUNITIES
    return tuple(name for name in COMMUNITIES if name in named)


def absent_communities(facts: Facts, communities: tuple[str, ...] = COMMUNITIES) -> list[str]:
    """Of `communities`, those from which no active participant (observers aside) takes part."""
    present = {p.community for p in facts.participants.values() if p.active and p.role != "observer"}
    return [name for name in communities if name not in present]


class Outreach(ConditionKind[OutreachSettings, Absent]):
    """Met when every watched community is present or has had at least `min_approaches` outreach recorded."""

    name = "outreach"
    model_name = "OutreachCondition"
    settings = OutreachSettings

    def measure(self, evaluator: Measuring, condition: Condition, since: datetime | None) -> Absent:
        facts, need = evaluator.facts, condition.settings.min_approaches
        found = []
        for community in absent_communities(facts, watched(condition.settings)):
            approaches = facts.outreach.get(community, ())
            count = len(approaches) if since is None else sum(1 for item in approaches if item.at >= since)
            found.append((community, min(count, need)))
        return tuple(found)

    def reads(self, condition: Condition) -> frozenset[str]:
        return frozenset({"outreach", "participants"})

    def judge(self, workflow: CompiledWorkflow, condition: Condition, measured: Absent) -> Outcome:
        need = condition.settings.min_approaches
        if not measured:
            return (True, "every community takes part; no outreach needed", 1.0)
        waiting = [community for community, count in measured if count < need]
        reached = [community for community, count in measured if count >= need]
        absent = ", ".join(community for community, _ in measured)
        if not waiting:
            return (True, f"every absent community reached out to ({absent})", 1.0)
        times = f" {plural(need, 'time')}" if need > 1 else ""
        detail = f"absent and not yet reached out to{times}: {', '.join(waiting)}"
        if reached:
            detail += f"; reached out to: {', '.join(reached)}"
        return (False, detail, sum(ratio(count, need) for _, count in measured) / len(measured))

    def describe(self, condition: Condition) -> str:
        need = condition.settings.min_approaches
        approaches = "outreach recorded" if need == 1 else f"at least {need} approaches recorded"
        named = ", ".join(watched(condition.settings))
        return f"every absent community ({named}) present or with {approaches}"

    def plan(self, planner: Planning, condition: Condition, first: int, last: int, window: Window | None) -> None:
        at = planner.slot(condition.id, first, window)
        for community in watched(condition.settings):
            for _ in range(condition.settings.min_approaches):
                planner.record(at, "outreach_done", {"community": community})

    def room(self, planner: Planning, condition: Condition) -> int:
        return 0

    def unmeetable_hint(self, condition: Condition) -> str:
        return f"change what '{condition.id}' asks for"

    def guide(self, guide: Guiding, condition: Condition, *, fresh: bool) -> Step:
        need = condition.settings.min_approaches
        absent = absent_communities(guide.facts, watched(condition.settings))
        waiting = [name for name in absent if len(guide.facts.outreach.get(name, ())) < need]
        choice = waiting or absent or list(watched(condition.settings))
        return guide.record("outreach_done", {"community": choice[0]})


KIND = Outreach()
