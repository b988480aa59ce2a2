"""Conditions evaluated as pure functions of an initiative's facts and a clock.

Each kind answers met or unmet, with a detail a person can act on ("2 of 3
communities: missing business") and progress from 0 to 1. A condition is met only
when its own test passes and every condition it `requires` is satisfied (met or
waived). Results are immutable and shared by every initiative whose facts measure the
same for a condition, so a portfolio formats each distinct result once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
from cooperation.engine.facts import Facts
from cooperation.wording import plural

FactsAt = Callable[[datetime], Facts]
_COMBINATIONS = ("all", "any")  # made of the conditions listed in `of`
_WRAPPERS = ("held", "expiring")  # about the one condition named in `condition`


@dataclass(frozen=True, slots=True)  # shared by every initiative in the same situation
class ConditionResult:
    """The state of one condition for one initiative at one moment.

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
        self._judged = _judged(workflow)
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
            if condition_id not in waivers:
                if source is not None:
                    records = getattr(facts, source)
                    if (key not in records) if key else not records:
                        known[condition_id] = unrecorded
                        continue
                elif members:
                    for member, fixed in members:
                        if known[member] is not fixed:
                            break
                    else:
                        known[condition_id] = unrecorded
                        continue
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
            condition = self.workflow.compiled_conditions[condition_id]
            for prerequisite in condition.requires:
                visit(prerequisite)
            if condition.kind == "all":
                for member in condition.of:
                    visit(member)
            elif condition.kind in _WRAPPERS:
                visit(condition.condition)
            if not blocking_only or result.blocking:
                listed[condition_id] = result

        for condition_id in condition_ids:
            visit(condition_id)
        return list(listed.values())

    # --- one condition ---------------------------------------------------------------------

    def _evaluate(self, condition_id: str) -> ConditionResult:
        condition = self.workflow.compiled_conditions[condition_id]
        measure, judge = _KINDS[condition.kind]
        measured = measure(self, condition, None)
        requires = condition.requires
        satisfied = tuple(self.result(name).satisfied for name in requires) if requires else ()
        waiver = self.facts.waivers.get(condition_id) if condition.strength != "required" else None
        key = (condition_id, measured, satisfied)
        if waiver is None:
            found = self._judged.get(key)
            if found is not None:
                return found
        met, detail, progress = judge(self.workflow, condition, measured)
        if met and not all(satisfied):
            missing = [name for name, ok in zip(requires, satisfied) if not ok]
            met, detail = False, f"{detail}; but needs {', '.join(missing)} first"
        waived = False
        if waiver is not None and not met:
            waived, detail = True, f"waived: {waiver.rationale}"
        result = ConditionResult(
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
        if waiver is None:  # a waiver's rationale is free text: sharing it would only grow the memo
            if len(self._judged) >= _JUDGED_LIMIT:
                self._judged.clear()
            self._judged[key] = result
        return result

    def _member(self, condition_id: str, since: datetime | None) -> _Outcome:
        """A member of a combination: its full result, or its windowed test inside `expiring`."""
        if since is None:
            result = self.result(condition_id)
            return (result.met or result.waived, result.detail, result.progress)
        key = (condition_id, since)
        found = self._windowed.get(key)
        if found is None:
            condition = self.workflow.compiled_conditions[condition_id]
            found = self._windowed[key] = _check(self, condition, since)
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
        current = workflow.compiled_conditions[pending.pop()]
        if current.id in seen:
            continue
        seen.add(current.id)
        pending.extend(current.requires)
        if current.kind in _COMBINATIONS:
            pending.extend(current.of)
        elif current.kind in _WRAPPERS:
            pending.append(current.condition)
            if current.kind == "expiring":
                windows.add(current.days)
    return windows


# --- per condition kind: a measurement of the facts, and a judgement of that measurement ---
# `since` restricts dated records (evidence, attestations, meetings, scores) to a window,
# for `expiring`; membership is a state, not a dated record, and is never windowed.
# A measurement is small and hashable; the judgement (met, detail, progress) is a pure
# function of it, so results are shared by every initiative that measures the same.


def _measure_evidence(evaluator: Evaluator, condition: CompiledCondition, since: datetime | None) -> int:
    items = evaluator.facts.evidence.get(condition.id, ())
    return len(items) if since is None else sum(1 for item in items if item.at >= since)


def _judge_evidence(workflow: CompiledWorkflow, condition: CompiledCondition, have: int) -> _Outcome:
    need = condition.min_items
    if have >= need:
        return (True, f"{plural(have, 'piece')} of evidence recorded", 1.0)
    if have == 0:
        return (False, "no evidence recorded yet", 0.0)
    return (False, f"{have} of {need} pieces of evidence recorded", _ratio(have, need))


def _measure_attestation(
    evaluator: Evaluator, condition: CompiledCondition, since: datetime | None
) -> tuple[int, tuple[str, ...]]:
    participants = evaluator.facts.participants
    attesters = []
    for name, at in evaluator.facts.attestations.get(condition.id, {}).items():
        participant = participants.get(name)
        if participant is not None and participant.active and participant.role != "observer":
            if since is None or at >= since:
                attesters.append(participant.community)
    return (len(attesters), tuple(sorted(set(attesters))))


def _judge_attestation(
    workflow: CompiledWorkflow, condition: CompiledCondition, measured: tuple[int, tuple[str, ...]]
) -> _Outcome:
    attesters, communities = measured
    need, need_communities = condition.min_participants, condition.min_communities
    detail = (
        f"attested by {attesters} of {need} participants, from {len(communities)} of {need_communities} communities"
        + (f" ({', '.join(communities)})" if communities else "")
    )
    met = attesters >= need and len(communities) >= need_communities
    return (met, detail, (_ratio(attesters, need) + _ratio(len(communities), need_communities)) / 2)


def _measure_meetings(evaluator: Evaluator, condition: CompiledCondition, since: datetime | None) -> tuple[int, int]:
    neutral_only = condition.neutral_only
    meetings = [
        meeting
        for meeting in evaluator.facts.meetings
        if (since is None or meeting.at >= since) and (meeting.neutral or not neutral_only)
    ]
    days = (meetings[-1].at.date() - meetings[0].at.date()).days if meetings else 0  # calendar days
    return (len(meetings), days)


def _judge_meetings(workflow: CompiledWorkflow, condition: CompiledCondition, measured: tuple[int, int]) -> _Outcome:
    count, days = measured
    need, span = condition.min_meetings, condition.min_span_days
    detail = f"{count} of {need} meetings" + (" at a neutral venue" if condition.neutral_only else "")
    if span:
        detail += f", spanning {days} of {span} days"
    met = count >= need and days >= span
    return (met, detail, (_ratio(count, need) + _ratio(days, span)) / 2)


def _measure_participation(
    evaluator: Evaluator, condition: CompiledCondition, since: datetime | None
) -> tuple[int, frozenset[str]]:
    active = [p.community for p in evaluator.facts.participants.values() if p.active and p.role != "observer"]
    return (len(active), frozenset(active))


def _judge_participation(
    workflow: CompiledWorkflow, condition: CompiledCondition, measured: tuple[int, frozenset[str]]
) -> _Outcome:
    active, communities = measured
    required = condition.required_communities
    missing = [name for name in required if name not in communities]
    need, need_communities = condition.min_participants, condition.min_communities
    detail = f"{active} of {need} participants, from {len(communities)} of {need_communities} communities"
    if missing:
        detail += f": missing {', '.join(missing)}"
    parts = [_ratio(active, need), _ratio(len(communities), need_communities)]
    if required:
        parts.append(_ratio(len(required) - len(missing), len(required)))
    met = active >= need and len(communities) >= need_communities and not missing
    return (met, detail, sum(parts) / len(parts))


def _measure_score(evaluator: Evaluator, condition: CompiledCondition, since: datetime | None) -> int | None:
    history = evaluator.facts.scores.get(condition.parameter, [])
    if since is not None:
        history = [entry for entry in history if entry[0] >= since]
    return history[-1][1] if history else None


def _judge_score(workflow: CompiledWorkflow, condition: CompiledCondition, level: int | None) -> _Outcome:
    parameter, need = condition.parameter, condition.at_least
    scale = workflow.scales[parameter]
    if level is None:
        return (False, f"'{parameter}' not scored yet (needs {need} on {scale.min}..{scale.max})", 0.0)
    label = scale.labels.get(level)
    shown = f"{level} ({label})" if label else str(level)
    progress = _ratio(level - scale.min, need - scale.min)
    return (level >= need, f"'{parameter}' at {shown}, needs {need}", progress)


def _measure_members(
    evaluator: Evaluator, condition: CompiledCondition, since: datetime | None
) -> tuple[_Outcome, ...]:
    return tuple(evaluator._member(member, since) for member in condition.of)


def _judge_all(workflow: CompiledWorkflow, condition: CompiledCondition, outcomes: tuple[_Outcome, ...]) -> _Outcome:
    members = condition.of
    missing = [member for member, outcome in zip(members, outcomes) if not outcome[0]]
    detail = f"{len(members) - len(missing)} of {len(members)} met" + (f": missing {', '.join(missing)}" if missing else "")
    return (not missing, detail, sum(outcome[2] for outcome in outcomes) / len(members))


def _judge_any(workflow: CompiledWorkflow, condition: CompiledCondition, outcomes: tuple[_Outcome, ...]) -> _Outcome:
    for member, outcome in zip(condition.of, outcomes):
        if outcome[0]:
            return (True, f"met through {member}", 1.0)
    return (False, f"none of {', '.join(condition.of)} met yet", max(outcome[2] for outcome in outcomes))


def _measure_expiring(evaluator: Evaluator, condition: CompiledCondition, since: datetime | None) -> _Outcome:
    window_start = evaluator.now - timedelta(days=condition.days)
    start = max(window_start, since) if since else window_start
    return evaluator._member(condition.condition, start)


def _judge_expiring(workflow: CompiledWorkflow, condition: CompiledCondition, inner: _Outcome) -> _Outcome:
    met, detail, progress = inner
    return (met, f"in the last {condition.days} days: {detail}", progress)


def _measure_held(evaluator: Evaluator, condition: CompiledCondition, since: datetime | None) -> _Outcome:
    return evaluator._held(condition.condition, condition.days, since)


def _judge_held(workflow: CompiledWorkflow, condition: CompiledCondition, outcome: _Outcome) -> _Outcome:
    return outcome


_Measure = Callable[[Evaluator, Any, datetime | None], Hashable]
_Judge = Callable[[CompiledWorkflow, Any, Any], _Outcome]
_KINDS: dict[str, tuple[_Measure, _Judge]] = {
    "evidence": (_measure_evidence, _judge_evidence),
    "attestation": (_measure_attestation, _judge_attestation),
    "meetings": (_measure_meetings, _judge_meetings),
    "participation": (_measure_participation, _judge_participation),
    "score": (_measure_score, _judge_score),
    "all": (_measure_members, _judge_all),
    "any": (_measure_members, _judge_any),
    "expiring": (_measure_expiring, _judge_expiring),
    "held": (_measure_held, _judge_held),
}


def _check(evaluator: Evaluator, condition: CompiledCondition, since: datetime | None) -> _Outcome:
    measure, judge = _KINDS[condition.kind]
    return judge(evaluator.workflow, condition, measure(evaluator, condition, since))


# For kinds whose result depends only on records kept for them, where those records are:
# with none recorded (and no waiver), the result is the same for every initiative. So is
# a combination's, when every member has nothing recorded.
_RECORDS = {"evidence": "evidence", "attestation": "attestations", "score": "scores", "meetings": "meetings"}
# (condition, where its records are, their key ("" for a whole list), (member, its fixed result)...,
#  its fixed result)
_Entry = tuple[str, str | None, str, tuple[tuple[str, ConditionResult], ...], ConditionResult]
# Results shared by every initiative of a workflow, by (condition, measurement, which
# prerequisites are satisfied). Bounded: it is a cache, emptied when it grows past the limit.
_JUDGED_LIMIT = 50_000
_Judged = dict[tuple[str, Hashable, tuple[bool, ...]], ConditionResult]
_judgements: weakref.WeakKeyDictionary[CompiledWorkflow, _Judged] = weakref.WeakKeyDictionary()


def _judged(workflow: CompiledWorkflow) -> _Judged:
    found = _judgements.get(workflow)
    if found is None:
        found = _judgements[workflow] = {}
    return found


_plans: weakref.WeakKeyDictionary[CompiledWorkflow, tuple[_Entry, ...]] = weakref.WeakKeyDictionary()



def _plan(workflow: CompiledWorkflow) -> tuple[_Entry, ...]:
    """Per condition, members first: where its records live, its members, its result with nothing recorded."""
    plan = _plans.get(workflow)
    if plan is None:
        empty = Evaluator(workflow, Facts(""), datetime.now(UTC))
        entries: list[_Entry] = []
        for condition_id in _members_first(workflow):
            condition = workflow.compiled_conditions[condition_id]
            source = _RECORDS.get(condition.kind)
            key = condition.parameter if condition.kind == "score" else condition_id
            if condition.kind == "meetings":
                key = ""  # every meetings condition reads the one list of meetings
            members = tuple((member, empty.result(member)) for member in _parts(condition))
            entries.append((condition_id, source, key, members, empty.result(condition_id)))
        plan = _plans[workflow] = tuple(entries)
    return plan


def _parts(condition: CompiledCondition) -> list[str]:
    """The conditions a combination, `held` or `expiring` condition is made of."""
    if condition.kind in _COMBINATIONS:
        return list(condition.of)
    if condition.kind in _WRAPPERS:
        return [condition.condition]
    return []


def _members_first(workflow: CompiledWorkflow) -> list[str]:
    """The working order, with every combination's members moved before it."""
    placed: dict[str, None] = {}

    def place(condition_id: str) -> None:
        if condition_id not in placed:
            for member in _parts(workflow.compiled_conditions[condition_id]):
                place(member)
            placed[condition_id] = None

    for condition_id in workflow.condition_order:
        place(condition_id)
    return list(placed)
