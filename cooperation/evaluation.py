"""Conditions evaluated as pure functions of an initiative's facts and a clock.

Each kind answers met or unmet, with a detail a person can act on ("2 of 3
communities: missing business") and progress from 0 to 1. A condition is met only
when its own test passes and every condition it `requires` is satisfied (met or
waived).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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

FactsAt = Callable[[datetime], Facts]


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """The state of one condition for one initiative at one moment."""

    condition: str
    title: str
    kind: str
    strength: str
    met: bool
    detail: str
    progress: float
    waived: bool = False

    @property
    def satisfied(self) -> bool:
        """Met, or waived with a recorded rationale."""
        return self.met or self.waived

    @property
    def blocking(self) -> bool:
        """Unsatisfied and not merely advisory: this stops a move."""
        return not self.satisfied and self.strength != "advisory"


@dataclass(frozen=True, slots=True)
class _Outcome:
    met: bool
    detail: str
    progress: float


def _ratio(have: int, need: int) -> float:
    return 1.0 if need <= 0 else min(1.0, have / need)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


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
        return [self.result(condition_id) for condition_id in condition_ids]

    def all_results(self) -> list[ConditionResult]:
        return self.results(self.workflow.condition_order)

    def unmet(self, condition_ids: Sequence[str]) -> list[ConditionResult]:
        """Unsatisfied ones among `condition_ids`, keeping their (working) order."""
        return [result for result in self.results(condition_ids) if not result.satisfied]

    def blocking(self, condition_ids: Sequence[str]) -> list[ConditionResult]:
        return [result for result in self.results(condition_ids) if result.blocking]

    # --- one condition ---------------------------------------------------------------------

    def _evaluate(self, condition_id: str) -> ConditionResult:
        condition = self.workflow.conditions[condition_id]
        outcome = self._outcome(condition, None)
        missing = [name for name in condition.requires if not self.result(name).satisfied]
        if missing and outcome.met:
            outcome = _Outcome(False, f"{outcome.detail}; but needs {', '.join(missing)} first", outcome.progress)
        waiver = self.facts.waivers.get(condition_id)
        waived = waiver is not None and condition.strength != "required"
        detail = f"waived: {waiver.rationale}" if waived and waiver and not outcome.met else outcome.detail
        return ConditionResult(
            condition=condition_id,
            title=condition.title,
            kind=condition.kind,
            strength=condition.strength,
            met=outcome.met,
            detail=detail,
            progress=1.0 if outcome.met else round(outcome.progress, 3),
            waived=waived,
        )

    def _outcome(self, condition: ConditionDefinition, since: datetime | None) -> _Outcome:
        """A condition's own test; `since` restricts dated records to a window (expiring)."""
        facts = self.facts
        match condition:
            case EvidenceCondition(min_items=need):
                items = [item for item in facts.evidence.get(condition.id, ()) if since is None or item.at >= since]
                have = len(items)
                if have >= need:
                    return _Outcome(True, f"{_plural(have, 'piece')} of evidence recorded", 1.0)
                if have == 0:
                    return _Outcome(False, "no evidence recorded yet", 0.0)
                return _Outcome(False, f"{have} of {need} pieces of evidence recorded", _ratio(have, need))
            case AttestationCondition(min_participants=need, min_communities=need_communities):
                given = facts.attestations.get(condition.id, {})
                attesters = [
                    facts.participants[name]
                    for name, at in given.items()
                    if name in facts.participants
                    and facts.participants[name].active
                    and facts.participants[name].role != "observer"
                    and (since is None or at >= since)
                ]
                communities = sorted({participant.community for participant in attesters})
                met = len(attesters) >= need and len(communities) >= need_communities
                detail = (
                    f"attested by {len(attesters)} of {need} participants, "
                    f"from {len(communities)} of {need_communities} communities"
                    + (f" ({', '.join(communities)})" if communities else "")
                )
                progress = (_ratio(len(attesters), need) + _ratio(len(communities), need_communities)) / 2
                return _Outcome(met, detail, progress)
            case MeetingsCondition(min_meetings=need, min_span_days=span, neutral_only=neutral_only):
                meetings = [
                    meeting
                    for meeting in facts.meetings
                    if (since is None or meeting.at >= since) and (meeting.neutral or not neutral_only)
                ]
                days = (meetings[-1].at - meetings[0].at).days if meetings else 0
                where = " at a neutral venue" if neutral_only else ""
                met = len(meetings) >= need and days >= span
                detail = f"{len(meetings)} of {need} meetings{where}"
                if span:
                    detail += f", spanning {days} of {span} days"
                progress = (_ratio(len(meetings), need) + _ratio(days, span)) / 2
                return _Outcome(met, detail, progress)
            case ParticipationCondition(min_participants=need, min_communities=need_communities):
                active = [p for p in facts.active_participants() if p.role != "observer"]
                communities = sorted({participant.community for participant in active})
                missing = [name for name in condition.required_communities if name not in communities]
                met = len(active) >= need and len(communities) >= need_communities and not missing
                detail = (
                    f"{len(active)} of {need} participants, from {len(communities)} of {need_communities} communities"
                )
                if missing:
                    detail += f": missing {', '.join(missing)}"
                parts = [_ratio(len(active), need), _ratio(len(communities), need_communities)]
                if condition.required_communities:
                    parts.append(_ratio(len(condition.required_communities) - len(missing), len(condition.required_communities)))
                return _Outcome(met, detail, sum(parts) / len(parts))
            case ScoreCondition(parameter=parameter, at_least=need):
                history = facts.scores.get(parameter, [])
                if since is not None:
                    history = [entry for entry in history if entry[0] >= since]
                scale = next(p.scale for p in self.workflow.definition.parameters if p.id == parameter)
                if not history:
                    return _Outcome(False, f"'{parameter}' not scored yet (needs {need} on {scale.min}..{scale.max})", 0.0)
                level = history[-1][1]
                label = scale.labels.get(level)
                shown = f"{level} ({label})" if label else str(level)
                span = scale.max - scale.min
                progress = _ratio(level - scale.min, need - scale.min) if span else 1.0
                return _Outcome(level >= need, f"'{parameter}' at {shown}, needs {need}", progress)
            case AllCondition(of=members):
                outcomes = [self._member(member, since) for member in members]
                missing = [member for member, outcome in zip(members, outcomes) if not outcome.met]
                done = len(members) - len(missing)
                detail = f"{done} of {len(members)} met" + (f": missing {', '.join(missing)}" if missing else "")
                return _Outcome(not missing, detail, sum(outcome.progress for outcome in outcomes) / len(members))
            case AnyCondition(of=members):
                outcomes = [self._member(member, since) for member in members]
                met = [member for member, outcome in zip(members, outcomes) if outcome.met]
                if met:
                    return _Outcome(True, f"met through {met[0]}", 1.0)
                return _Outcome(False, f"none of {', '.join(members)} met yet", max(o.progress for o in outcomes))
            case ExpiringCondition(condition=inner, days=days):
                window_start = self.now - timedelta(days=days)
                start = max(window_start, since) if since else window_start
                outcome = self._member(inner, start)
                return _Outcome(outcome.met, f"in the last {days} days: {outcome.detail}", outcome.progress)
            case HeldCondition(condition=inner, days=days):
                return self._held(inner, days, since)
        raise AssertionError(f"unhandled condition kind {condition.kind}")

    def _member(self, condition_id: str, since: datetime | None) -> _Outcome:
        """A member of a combination: its full result, or its windowed test inside `expiring`."""
        if since is None:
            result = self.result(condition_id)
            return _Outcome(result.satisfied, result.detail, result.progress)
        key = (condition_id, since)
        found = self._windowed.get(key)
        if found is None:
            found = self._windowed[key] = self._outcome(self.workflow.conditions[condition_id], since)
        return found

    def _held(self, inner: str, days: int, since: datetime | None) -> _Outcome:
        current = self._member(inner, since)
        if not current.met:
            return _Outcome(False, f"'{inner}' is not met", 0.0)
        window_start = self.now - timedelta(days=days)
        if self.facts_at is None or self.facts.created is None:
            return _Outcome(False, f"'{inner}' is met, but its history is not known here", 0.0)
        # Facts only change at events: checking the window's start and every event
        # moment inside it tells whether the condition held throughout.
        moments = [window_start] + sorted({m for m in self.facts.moments if window_start < m <= self.now})
        met_since = window_start
        for moment in reversed(moments):
            past = Evaluator(self.workflow, self.facts_at(moment), moment, self.facts_at)
            if not past._member(inner, since).met:
                later = [m for m in moments if m > moment]
                met_since = later[0] if later else self.now
                break
        held_days = (self.now - met_since).days
        if met_since == window_start and window_start >= self.facts.created:
            return _Outcome(True, f"'{inner}' held for at least {days} days", 1.0)
        return _Outcome(False, f"'{inner}' held for {held_days} of {days} days", _ratio(held_days, days))
