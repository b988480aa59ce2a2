"""Conditions evaluated as pure functions of an initiative's facts and a clock.

Each kind answers met or unmet, with a detail a person can act on ("2 of 3
communities: missing business") and progress from 0 to 1. A condition is met only
when its own test passes and every condition it `requires` is satisfied (met or
waived).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cooperation.compiled import CompiledWorkflow
from cooperation.definition import (
    AllCondition,
    AnyCondition,
    AttestationCondition,
    ConditionDefinition,
    EvidenceCondition,
    ExpiringCondition,
    HeldCondition,
    MeetingsCondition,
    ParticipationCondition,
    ScoreCondition,
)
from cooperation.facts import Facts
from cooperation.wording import plural

FactsAt = Callable[[datetime], Facts]


@dataclass(slots=True)  # not frozen: a frozen dataclass is several times slower to create
class ConditionResult:
    """The state of one condition for one initiative at one moment (read-only by convention).

    `blocking`: unsatisfied (neither met nor waived) and not merely advisory, so it stops a move.
    """

    condition: str
    title: str
    kind: str
    strength: str
    met: bool
    waived: bool
    blocking: bool
    detail: str
    progress: float

    @property
    def satisfied(self) -> bool:
        """Met, or waived with a recorded rationale."""
        return self.met or self.waived


# A condition's own test: (met, detail, progress). A plain tuple: this is the hot path.
_Outcome = tuple[bool, str, float]


def _ratio(have: int, need: int) -> float:
    return 1.0 if need <= 0 else min(1.0, have / need)


class Evaluator:
    """Evaluates a workflow's conditions for one set of facts at one moment, memoised."""

    def __init__(self, workflow: CompiledWorkflow, facts: Facts, now: datetime, facts_at: FactsAt | None = None) -> None:
        self.workflow = workflow
        self.facts = facts
        self.now = now
        self.facts_at = facts_at
        self._results: dict[str, ConditionResult] = {}
        self._windowed: dict[tuple[str, datetime], _Outcome] = {}

    def result(self, condition_id: str) -> ConditionResult:
        found = self._results.get(condition_id)
        if found is None:
            found = self._results[condition_id] = self._evaluate(condition_id)
        return found

    def results(self, condition_ids: Sequence[str]) -> list[ConditionResult]:
        known = self._results
        return [known.get(condition_id) or self.result(condition_id) for condition_id in condition_ids]

    def all_results(self) -> list[ConditionResult]:
        """Every condition, in the workflow's working order."""
        known, facts = self._results, self.facts
        waivers = facts.waivers
        for condition_id, source, key, members, unrecorded in _plan(self.workflow):
            if condition_id in known:
                continue
            # Nothing recorded for it (the usual case in a portfolio): its result is fixed.
            if condition_id not in waivers and (
                (source is not None and (key not in getattr(facts, source) if key else not getattr(facts, source)))
                or (members and all(known[member] is fixed for member, fixed in members))
            ):
                known[condition_id] = unrecorded
            else:
                self.result(condition_id)
        return [known[condition_id] for condition_id in self.workflow.condition_order]

    def unmet(self, condition_ids: Sequence[str]) -> list[ConditionResult]:
        """Unsatisfied ones among `condition_ids`, keeping their (working) order."""
        return [result for result in self.results(condition_ids) if not result.satisfied]

    def blocking(self, condition_ids: Sequence[str]) -> list[ConditionResult]:
        return [result for result in self.results(condition_ids) if result.blocking]

    def to_work_on(self, condition_ids: Sequence[str], *, blocking_only: bool = False) -> list[ConditionResult]:
        """What to do, in order: unsatisfied conditions, each preceded by its unsatisfied
        prerequisites and the unmet parts it is made of.

        An `all` (or `held`, `expiring`) condition is met when its parts are, so its unmet
        parts are listed before it; the alternatives of an `any` are left to its detail.
        """
        listed: dict[str, ConditionResult] = {}

        def visit(condition_id: str) -> None:
            result = self.result(condition_id)
            if condition_id in listed or result.satisfied:
                return
            condition = self.workflow.conditions[condition_id]
            for prerequisite in condition.requires:
                visit(prerequisite)
            if isinstance(condition, AllCondition):
                for member in condition.of:
                    visit(member)
            elif isinstance(condition, HeldCondition | ExpiringCondition):
                visit(condition.condition)
            if not blocking_only or result.blocking:
                listed[condition_id] = result

        for condition_id in condition_ids:
            visit(condition_id)
        return list(listed.values())

    # --- one condition ---------------------------------------------------------------------

    def _evaluate(self, condition_id: str) -> ConditionResult:
        condition = self.workflow.conditions[condition_id]
        met, detail, progress = _CHECKS[condition.kind](self, condition, None)
        if met and condition.requires:
            missing = [name for name in condition.requires if not self.result(name).satisfied]
            if missing:
                met, detail = False, f"{detail}; but needs {', '.join(missing)} first"
        waived = False
        if not met and condition.strength != "required":
            waiver = self.facts.waivers.get(condition_id)
            if waiver is not None:
                waived, detail = True, f"waived: {waiver.rationale}"
        return ConditionResult(
            condition_id,
            condition.title,
            condition.kind,
            condition.strength,
            met,
            waived,
            not (met or waived) and condition.strength != "advisory",
            detail,
            1.0 if met else int(progress * 1000) / 1000,
        )

    def _member(self, condition_id: str, since: datetime | None) -> _Outcome:
        """A member of a combination: its full result, or its windowed test inside `expiring`."""
        if since is None:
            result = self.result(condition_id)
            return (result.met or result.waived, result.detail, result.progress)
        key = (condition_id, since)
        found = self._windowed.get(key)
        if found is None:
            condition = self.workflow.conditions[condition_id]
            found = self._windowed[key] = _CHECKS[condition.kind](self, condition, since)
        return found

    def _held(self, inner: str, days: int, since: datetime | None) -> _Outcome:
        current = self._member(inner, since)
        if not current[0]:
            return (False, f"'{inner}' is not met", 0.0)
        window_start = self.now - timedelta(days=days)
        if self.facts_at is None or self.facts.created is None:
            return (False, f"'{inner}' is met, but its history is not known here", 0.0)
        # A condition changes only when an event happens or when a dated fact leaves an
        # `expiring` window inside it: checking the window's start and each such instant
        # tells whether it held throughout.
        changes = set(self.facts.moments)
        for days in _expiring_windows(self.workflow, inner):
            changes |= {m + timedelta(days=days, seconds=1) for m in self.facts.moments}
        moments = [window_start] + sorted({m for m in changes if window_start < m <= self.now})
        met_since = window_start
        for moment in reversed(moments):
            past = Evaluator(self.workflow, self.facts_at(moment), moment, self.facts_at)
            if not past._member(inner, since)[0]:
                later = [m for m in moments if m > moment]
                met_since = later[0] if later else self.now
                break
        held_days = (self.now - met_since).days
        if met_since == window_start and window_start >= self.facts.created:
            return (True, f"'{inner}' held for at least {days} days", 1.0)
        return (False, f"'{inner}' held for {held_days} of {days} days", _ratio(held_days, days))


def _expiring_windows(workflow: CompiledWorkflow, condition_id: str) -> set[int]:
    """The lengths of the `expiring` windows a condition depends on, through its parts and prerequisites."""
    windows: set[int] = set()
    pending, seen = [condition_id], set()
    while pending:
        current = workflow.conditions[pending.pop()]
        if current.id in seen:
            continue
        seen.add(current.id)
        pending.extend(current.requires)
        if isinstance(current, AllCondition | AnyCondition):
            pending.extend(current.of)
        elif isinstance(current, HeldCondition | ExpiringCondition):
            pending.append(current.condition)
            if isinstance(current, ExpiringCondition):
                windows.add(current.days)
    return windows


# --- one function per condition kind: (evaluator, condition, window start) -> outcome ---------
# `since` restricts dated records (evidence, attestations, meetings, scores) to a window,
# for `expiring`; membership is a state, not a dated record, and is never windowed.


def _evidence(evaluator: Evaluator, condition: EvidenceCondition, since: datetime | None) -> _Outcome:
    items = evaluator.facts.evidence.get(condition.id, ())
    have = len(items) if since is None else sum(1 for item in items if item.at >= since)
    need = condition.min_items
    if have >= need:
        return (True, f"{plural(have, 'piece')} of evidence recorded", 1.0)
    if have == 0:
        return (False, "no evidence recorded yet", 0.0)
    return (False, f"{have} of {need} pieces of evidence recorded", _ratio(have, need))


def _attestation(evaluator: Evaluator, condition: AttestationCondition, since: datetime | None) -> _Outcome:
    participants = evaluator.facts.participants
    attesters = []
    for name, at in evaluator.facts.attestations.get(condition.id, {}).items():
        participant = participants.get(name)
        if participant is not None and participant.active and participant.role != "observer":
            if since is None or at >= since:
                attesters.append(participant)
    communities = sorted({participant.community for participant in attesters})
    need, need_communities = condition.min_participants, condition.min_communities
    detail = (
        f"attested by {len(attesters)} of {need} participants, from {len(communities)} of {need_communities} communities"
        + (f" ({', '.join(communities)})" if communities else "")
    )
    met = len(attesters) >= need and len(communities) >= need_communities
    return (met, detail, (_ratio(len(attesters), need) + _ratio(len(communities), need_communities)) / 2)


def _meetings(evaluator: Evaluator, condition: MeetingsCondition, since: datetime | None) -> _Outcome:
    neutral_only = condition.neutral_only
    meetings = [
        meeting
        for meeting in evaluator.facts.meetings
        if (since is None or meeting.at >= since) and (meeting.neutral or not neutral_only)
    ]
    need, span = condition.min_meetings, condition.min_span_days
    days = (meetings[-1].at.date() - meetings[0].at.date()).days if meetings else 0  # calendar days
    detail = f"{len(meetings)} of {need} meetings" + (" at a neutral venue" if neutral_only else "")
    if span:
        detail += f", spanning {days} of {span} days"
    met = len(meetings) >= need and days >= span
    return (met, detail, (_ratio(len(meetings), need) + _ratio(days, span)) / 2)


def _participation(evaluator: Evaluator, condition: ParticipationCondition, since: datetime | None) -> _Outcome:
    active = [p for p in evaluator.facts.participants.values() if p.active and p.role != "observer"]
    communities = {participant.community for participant in active}
    required = condition.required_communities
    missing = [name for name in required if name not in communities]
    need, need_communities = condition.min_participants, condition.min_communities
    detail = f"{len(active)} of {need} participants, from {len(communities)} of {need_communities} communities"
    if missing:
        detail += f": missing {', '.join(missing)}"
    parts = [_ratio(len(active), need), _ratio(len(communities), need_communities)]
    if required:
        parts.append(_ratio(len(required) - len(missing), len(required)))
    met = len(active) >= need and len(communities) >= need_communities and not missing
    return (met, detail, sum(parts) / len(parts))


def _score(evaluator: Evaluator, condition: ScoreCondition, since: datetime | None) -> _Outcome:
    parameter, need = condition.parameter, condition.at_least
    history = evaluator.facts.scores.get(parameter, [])
    if since is not None:
        history = [entry for entry in history if entry[0] >= since]
    scale = evaluator.workflow.parameters[parameter].scale
    if not history:
        return (False, f"'{parameter}' not scored yet (needs {need} on {scale.min}..{scale.max})", 0.0)
    level = history[-1][1]
    label = scale.labels.get(level)
    shown = f"{level} ({label})" if label else str(level)
    progress = _ratio(level - scale.min, need - scale.min)
    return (level >= need, f"'{parameter}' at {shown}, needs {need}", progress)


def _all(evaluator: Evaluator, condition: AllCondition, since: datetime | None) -> _Outcome:
    members = condition.of
    outcomes = [evaluator._member(member, since) for member in members]
    missing = [member for member, outcome in zip(members, outcomes) if not outcome[0]]
    detail = f"{len(members) - len(missing)} of {len(members)} met" + (f": missing {', '.join(missing)}" if missing else "")
    return (not missing, detail, sum(outcome[2] for outcome in outcomes) / len(members))


def _any(evaluator: Evaluator, condition: AnyCondition, since: datetime | None) -> _Outcome:
    outcomes = [evaluator._member(member, since) for member in condition.of]
    for member, outcome in zip(condition.of, outcomes):
        if outcome[0]:
            return (True, f"met through {member}", 1.0)
    return (False, f"none of {', '.join(condition.of)} met yet", max(outcome[2] for outcome in outcomes))


def _expiring(evaluator: Evaluator, condition: ExpiringCondition, since: datetime | None) -> _Outcome:
    window_start = evaluator.now - timedelta(days=condition.days)
    start = max(window_start, since) if since else window_start
    met, detail, progress = evaluator._member(condition.condition, start)
    return (met, f"in the last {condition.days} days: {detail}", progress)


def _held(evaluator: Evaluator, condition: HeldCondition, since: datetime | None) -> _Outcome:
    return evaluator._held(condition.condition, condition.days, since)


_CHECKS: dict[str, Callable[[Evaluator, Any, datetime | None], _Outcome]] = {
    "evidence": _evidence,
    "attestation": _attestation,
    "meetings": _meetings,
    "participation": _participation,
    "score": _score,
    "all": _all,
    "any": _any,
    "expiring": _expiring,
    "held": _held,
}


# For kinds whose result depends only on records kept for them, where those records are:
# with none recorded (and no waiver), the result is the same for every initiative. So is
# a combination's, when every member has nothing recorded.
_RECORDS = {"evidence": "evidence", "attestation": "attestations", "score": "scores", "meetings": "meetings"}
# (condition, where its records are, their key ("" for a whole list), (member, its fixed result)...,
#  its fixed result)
_Entry = tuple[str, str | None, str, tuple[tuple[str, ConditionResult], ...], ConditionResult]
_plans: weakref.WeakKeyDictionary[CompiledWorkflow, tuple[_Entry, ...]] = weakref.WeakKeyDictionary()



def _plan(workflow: CompiledWorkflow) -> tuple[_Entry, ...]:
    """Per condition, members first: where its records live, its members, its result with nothing recorded."""
    plan = _plans.get(workflow)
    if plan is None:
        empty = Evaluator(workflow, Facts(""), datetime.now(UTC))
        entries: list[_Entry] = []
        for condition_id in _members_first(workflow):
            condition = workflow.conditions[condition_id]
            source = _RECORDS.get(condition.kind)
            key = condition.parameter if isinstance(condition, ScoreCondition) else condition_id
            if isinstance(condition, MeetingsCondition):
                key = ""  # every meetings condition reads the one list of meetings
            members = tuple((member, empty.result(member)) for member in _parts(condition))
            entries.append((condition_id, source, key, members, empty.result(condition_id)))
        plan = _plans[workflow] = tuple(entries)
    return plan


def _parts(condition: ConditionDefinition) -> list[str]:
    """The conditions a combination, `held` or `expiring` condition is made of."""
    if isinstance(condition, AllCondition | AnyCondition):
        return list(condition.of)
    if isinstance(condition, HeldCondition | ExpiringCondition):
        return [condition.condition]
    return []


def _members_first(workflow: CompiledWorkflow) -> list[str]:
    """The working order, with every combination's members moved before it."""
    placed: dict[str, None] = {}

    def place(condition_id: str) -> None:
        if condition_id not in placed:
            for member in _parts(workflow.conditions[condition_id]):
                place(member)
            placed[condition_id] = None

    for condition_id in workflow.condition_order:
        place(condition_id)
    return list(placed)
