"""Conditions evaluated as pure functions of an initiative's facts and a clock.

Each kind answers met or unmet, with a detail a person can act on ("2 of 3
communities: missing business") and progress from 0 to 1. A condition is met only
when its own test passes and every condition it `requires` is satisfied (met or
waived). Results are immutable and shared by every initiative whose facts measure the
same for a condition, so a portfolio formats each distinct result once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterator, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
from cooperation.engine.conditions.base import Outcome
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.facts import Facts
from cooperation.engine.history import History, quiet_kinds
from cooperation.engine.span import Span

T = TypeVar("T")

FactsAt = Callable[[datetime], Facts]  # a `History` also folds many moments in one pass


@dataclass(frozen=True, slots=True)  # shared by every initiative in the same situation
class ConditionResult:
    """The state of one condition for one initiative at one moment.

    `blocking`: unsatisfied (neither met nor waived) and not merely advisory, so it stops a move.
    `lapses_on`: the date (YYYY-MM-DD) a met condition stops holding if nothing more is
    recorded. Shared results never carry one: it differs per initiative, so a status gives
    each lapsing condition its own copy (`cooperation.engine.status`).
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
    lapses_on: str | None = None

    @property
    def satisfied(self) -> bool:
        """Met, or waived with a recorded rationale."""
        return self.met or self.waived


class Evaluator:
    """Evaluates a workflow's conditions for one set of facts at one moment, memoised."""

    def __init__(
        self, workflow: CompiledWorkflow, facts: Facts, now: datetime, facts_at: FactsAt | None = None
    ) -> None:
        self.workflow = workflow
        self.facts = facts
        self.now = now
        self.facts_at = facts_at
        self._results: dict[str, ConditionResult] = {}
        self._judged = _judged(workflow)
        self._windowed: dict[tuple[str, datetime], Outcome] = {}
        self._once: dict[Hashable, Any] = {}
        # Set when a condition looked at the facts' history (`held`): such a status costs a pass over
        # the log to work out, so keeping its row pays only for a long log (`reading.materialised`).
        self.looked_back = False

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
            if condition.kind not in _ALTERNATIVES:
                for part in condition.parts:
                    visit(part)
            if not blocking_only or result.blocking:
                listed[condition_id] = result

        for condition_id in condition_ids:
            visit(condition_id)
        return list(listed.values())

    # --- one condition ---------------------------------------------------------------------

    def _evaluate(self, condition_id: str) -> ConditionResult:
        condition = self.workflow.compiled_conditions[condition_id]
        measure, judge = _EVALUATE[condition.kind]
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
            missing = [name for name, ok in zip(requires, satisfied, strict=True) if not ok]
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

    # --- what a kind may ask (`cooperation.engine.conditions.base.Measuring`) ---------------------

    def member(self, condition_id: str, since: datetime | None) -> Outcome:
        """A part of a condition: its full result, or its own test on facts from `since` on (in `expiring`)."""
        if since is None:
            result = self.result(condition_id)
            return (result.met or result.waived, result.detail, result.progress)
        key = (condition_id, since)
        found = self._windowed.get(key)
        if found is None:
            condition = self.workflow.compiled_conditions[condition_id]
            measure, judge = _EVALUATE[condition.kind]
            found = self._windowed[key] = judge(self.workflow, condition, measure(self, condition, since))
        return found

    def knows_history(self) -> bool:
        self.looked_back = True
        return self.facts_at is not None and self.facts.created is not None

    def past(self, moment: datetime) -> Evaluator:
        assert self.facts_at is not None, "ask knows_history() first"
        self.looked_back = True
        return Evaluator(self.workflow, self.facts_at(moment), moment, self.facts_at)

    def past_each(
        self,
        moments: Sequence[datetime],
        *,
        ignoring: frozenset[str] = frozenset(),
        always: Set[datetime] = frozenset(),
    ) -> Iterator[Evaluator | None]:
        """An evaluator at each of `moments` (ascending), the log folded once for all of them
        when it is a `History`; None where no event was applied since the moment before (events
        of the kinds `ignoring` are not), unless the moment is among `always`. Each is to be
        asked before the next is taken."""
        facts_at = self.facts_at
        assert facts_at is not None, "ask knows_history() first"
        self.looked_back = True
        if isinstance(facts_at, History):
            folded = facts_at.each(moments, ignoring)
        else:
            folded = ((facts_at(moment), True) for moment in moments)
        workflow, judged = self.workflow, self._judged
        for moment, (facts, changed) in zip(moments, folded, strict=True):
            if not changed and moment not in always:
                yield None
                continue
            past = Evaluator.__new__(Evaluator)  # as __init__ makes it, less looking up the shared results
            past.workflow, past.facts, past.now, past.facts_at = workflow, facts, moment, facts_at
            past._results, past._judged, past._windowed, past._once = {}, judged, {}, {}
            yield past

    def quiet_under(self, condition_id: str) -> frozenset[str]:
        """The kinds of event that change nothing a condition reads, through its parts and prerequisites."""
        reads: set[str] = {"waivers"}  # every condition's own waiver
        for current in _under(self.workflow, condition_id):
            own = KINDS[current.kind].reads(current)
            if own is None:
                return frozenset()
            reads |= own
        return quiet_kinds(frozenset(reads))

    def windows_under(self, condition_id: str) -> set[Span]:
        return _windows_under(self.workflow, condition_id)

    def turns_under(self, condition_id: str) -> set[datetime]:
        compiled = self.workflow.compiled_conditions
        return {
            instant
            for timed in _timed_under(self.workflow, condition_id)
            for instant in KINDS[compiled[timed].kind].turns(self, compiled[timed])
        }

    def later(self, moment: datetime) -> Evaluator:
        return Evaluator(self.workflow, self.facts, moment, self.facts_at)

    def once(self, key: Hashable, work: Callable[[], T]) -> T:
        if key not in self._once:
            self._once[key] = work()
        found: T = self._once[key]
        return found

    def lapses_on(self, condition_id: str) -> datetime | None:
        """When a condition met now stops holding if nothing more is recorded (None: it does not)."""
        condition = self.workflow.compiled_conditions[condition_id]
        return KINDS[condition.kind].lapses_on(self, condition)


@lru_cache(maxsize=256)
def can_lapse(workflow: CompiledWorkflow) -> tuple[tuple[int, str], ...]:
    """The conditions that depend on an `expiring` window, so may stop holding with no new event,
    with their places in the working order (a status looks at these few only)."""
    order = workflow.condition_order
    return tuple((place, condition) for place, condition in enumerate(order) if _windows_under(workflow, condition))


def _under(workflow: CompiledWorkflow, condition_id: str) -> Iterator[CompiledCondition[Any]]:
    """A condition and every one it depends on, through its parts and prerequisites, each once."""
    pending, seen = [condition_id], set()
    while pending:
        current = workflow.compiled_conditions[pending.pop()]
        if current.id in seen:
            continue
        seen.add(current.id)
        pending.extend(current.requires)
        pending.extend(current.parts)
        yield current


@lru_cache(maxsize=1024)
def _timed_under(workflow: CompiledWorkflow, condition_id: str) -> tuple[str, ...]:
    """The conditions of a timed kind (`ConditionKind.timed`) a condition depends on, itself included."""
    return tuple(current.id for current in _under(workflow, condition_id) if KINDS[current.kind].timed)


def _windows_under(workflow: CompiledWorkflow, condition_id: str) -> set[Span]:
    """The spans of the `expiring` windows a condition depends on, through its parts and prerequisites."""
    windows: set[Span] = set()
    for current in _under(workflow, condition_id):
        span = KINDS[current.kind].window_span(current)
        if span is not None:
            windows.add(span)
    return windows


# Each kind's measurement of the facts and judgement of that measurement. `since` restricts
# dated records to a window, for `expiring`. A measurement is small and hashable; the
# judgement (met, detail, progress) is a pure function of it, so results are shared by
# every initiative that measures the same.
_Measure = Callable[["Evaluator", Any, datetime | None], Hashable]
_Judge = Callable[[CompiledWorkflow, Any, Any], Outcome]
_EVALUATE: dict[str, tuple[_Measure, _Judge]] = {name: (kind.measure, kind.judge) for name, kind in KINDS.items()}
_ALTERNATIVES = frozenset(name for name, kind in KINDS.items() if kind.alternatives)  # parts not listed as work


# For kinds whose result depends only on records kept for them (`ConditionKind.records`):
# with none recorded (and no waiver), the result is the same for every initiative. So is
# a combination's, when every member has nothing recorded.
# (condition, where its records are, their key ("" for a whole list), (member, its fixed result)...,
#  its fixed result)
_Entry = tuple[str, str | None, str, tuple[tuple[str, ConditionResult], ...], ConditionResult]
# Results shared by every initiative of a workflow, by (condition, measurement, which
# prerequisites are satisfied). Bounded: it is a cache, emptied when it grows past the limit, which is
# kept small: on a diverse portfolio few results repeat beyond a few thousand, and at 50,000 it was
# a fifth of a status listing's peak memory.
_JUDGED_LIMIT = 4_096
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
            kind = KINDS[condition.kind]
            source, key = kind.records(condition) or (None, "")
            parts = condition.parts if kind.members_decide else ()
            members = tuple((member, empty.result(member)) for member in parts)
            entries.append((condition_id, source, key, members, empty.result(condition_id)))
        plan = _plans[workflow] = tuple(entries)
    return plan


def _members_first(workflow: CompiledWorkflow) -> list[str]:
    """The working order, with every combination's members moved before it."""
    placed: dict[str, None] = {}

    def place(condition_id: str) -> None:
        if condition_id not in placed:
            for member in workflow.compiled_conditions[condition_id].parts:
                place(member)
            placed[condition_id] = None

    for condition_id in workflow.condition_order:
        place(condition_id)
    return list(placed)
