"""The constructive planner of verification: facts that meet a condition, or why none can.

The planner lays out, in whole seconds before the moment of the moves, the facts that
meet a condition from one moment to another: participants from enough communities,
meetings spaced over a span, evidence, attestations, scores and waivers, keeping inside
the windows that `held` and `expiring` conditions impose. Where no layout can exist it
says why (more communities than there are, a span longer than a window that expires
first, a level above the scale, ...). Each kind lays out its own facts (`ConditionKind.plan`,
in `cooperation.engine.conditions`); the planner keeps the bookkeeping they share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.conditions.base import DAY, counts, in_days, period_fields
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.payloads import RecordableKind
from cooperation.engine.permissions import allowed_roles
from cooperation.engine.span import Span
from cooperation.vocabulary import COMMUNITIES, Community

__all__ = ["DAY", "NAMES", "WAIVER_RATIONALE", "Infeasible", "Participant", "Planner", "Window"]

NAMES = (
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lea",
    "Max",
    "Nia",
    "Oto",
    "Pia",
    "Quin",
    "Rui",
    "Sol",
    "Tia",
    "Uma",
    "Vic",
    "Wen",
    "Xia",
    "Yan",
    "Zoe",
)
WAIVER_RATIONALE = "Waived in a verification witness: the engine checks only who waives and the rationale's length."


class Infeasible(Exception):
    """No layout of facts meets a condition; `proven` when no layout can exist at all."""

    def __init__(self, culprit: str, reason: str, *, proven: bool = True) -> None:
        super().__init__(reason)
        self.culprit = culprit
        self.reason = reason
        self.proven = proven


@dataclass(frozen=True, slots=True)
class Window:
    """Only facts from `start` (seconds, relative) count, because of expiring condition `owner`
    (which keeps `span`; `start` is where the span is shortest)."""

    start: int
    owner: str
    span: Span


@dataclass(frozen=True, slots=True)
class _Fact:
    offset: int  # seconds relative to the moment of the moves (<= 0)
    kind: RecordableKind
    data: Any  # the data of `kind`, as the condition kinds lay it out (checked when it is imported)
    by: str | None = None


@dataclass(slots=True)
class Participant:
    """A participant a witness needs: who joins it, from which community, in which role."""

    name: str
    community: Community
    role: str  # a built-in role or one the workflow declares


class _Pool:
    """The participants a witness needs; communities cycle, those some condition names first."""

    def __init__(self, communities: Sequence[Community], lead_role: str) -> None:
        self.communities = tuple(communities)
        self.lead_role = lead_role
        self.members: list[Participant] = []

    def _add(self, role: str, roles: tuple[str, ...] = (), community: Community | None = None) -> Participant:
        """A new participant in `role`, from `community` or else the next community of those counting for `roles`."""
        index = len(self.members)
        name = NAMES[index] if index < len(NAMES) else f"Participant {index + 1}"
        counted = sum(1 for member in self.members if counts(roles, member.role))
        member = Participant(name, community or self.communities[counted % len(self.communities)], role)
        self.members.append(member)
        return member

    def counted(self, count: int, roles: tuple[str, ...] = ()) -> list[str]:
        """Names of `count` participants who count (holding one of `roles`; none named: not observers),
        from as many communities as possible."""
        while sum(1 for member in self.members if counts(roles, member.role)) < count:
            if roles:
                self._add(self.lead_role if not self.members and self.lead_role in roles else roles[0], roles)
            else:
                self._add(self.lead_role if not self.members else "member")
        return [member.name for member in self.members if counts(roles, member.role)][:count]

    def of_community(self, community: Community, count: int, roles: tuple[str, ...] = ()) -> list[str]:
        """Names of `count` participants who count (for `roles`), all from `community`. One of each community
        comes first, so that those `counted` asks for still come from as many communities as can be."""
        self.counted(len(self.communities), roles)
        while sum(1 for m in self.members if counts(roles, m.role) and m.community == community) < count:
            self._add(roles[0] if roles else "member", roles, community)
        return [m.name for m in self.members if counts(roles, m.role) and m.community == community][:count]

    def with_role(self, roles: Sequence[str]) -> str:
        for member in self.members:
            if member.role in roles:
                return member.name
        return self._add(roles[0]).name


class Planner:
    """Lays out facts (relative to the moment of the moves) that meet conditions; explains failure.

    Strict, it raises `Infeasible`; lenient, it lays out the closest it can and notes the shortfall.
    """

    def __init__(self, workflow: CompiledWorkflow, *, strict: bool) -> None:
        self.workflow = workflow
        self.strict = strict
        named = [
            community
            for condition in workflow.compiled_conditions.values()
            for community in KINDS[condition.kind].named_communities(condition)
        ]
        order = list(dict.fromkeys([*named, *COMMUNITIES]))
        leads = [role for role in workflow.definition.advance_roles if role != "observer"]
        self.pool = _Pool(order, leads[0] if leads else "member")
        self.facts: list[_Fact] = []
        self.creation = 0  # the latest moment the initiative may have been created (held windows)
        # The moves laid out, if any: the stage they end in, the stages they enter and when (all at
        # the moment of the moves: the planner does not spread moves over time).
        self.stage: str | None = None
        self.entered: dict[str, int] = {}
        self.shortfalls: list[str] = []
        self.unproven: list[str] = []  # failures that do not prove that no layout exists (kept through rollbacks)
        self._rooms: dict[str, int | None] = {}
        self._laid: list[tuple[str, int, int, Window | None]] = []  # layouts made, so none is made twice

    # --- bookkeeping -----------------------------------------------------------------------------

    def _mark(self) -> tuple[int, int, int, int, int]:
        return len(self.facts), len(self.pool.members), self.creation, len(self.shortfalls), len(self._laid)

    def _rollback(self, mark: tuple[int, int, int, int, int]) -> None:
        del self.facts[mark[0] :]
        del self.pool.members[mark[1] :]
        self.creation = mark[2]
        del self.shortfalls[mark[3] :]
        del self._laid[mark[4] :]

    def fail(self, culprit: str, reason: str, *, proven: bool = True) -> None:
        if not proven:
            self.unproven.append(reason)
        if self.strict:
            raise Infeasible(culprit, reason, proven=proven)
        self.shortfalls.append(reason)

    def strictly(self, action: Callable[[], None]) -> Infeasible | None:
        """Try `action` strictly; on failure undo what it laid out and return why."""
        mark, strict = self._mark(), self.strict
        self.strict = True
        try:
            action()
            return None
        except Infeasible as failure:
            self._rollback(mark)
            return failure
        finally:
            self.strict = strict

    # --- entry points ----------------------------------------------------------------------------

    def why_unmeetable(self, condition_id: str) -> Infeasible | None:
        """Why no layout meets the condition at the moment of the moves; None when one does (laid out)."""
        return self.strictly(partial(self.meet, condition_id, 0, 0, None))

    def needs(self, condition_ids: Iterable[str]) -> None:
        """Lay out what unblocks a move: required conditions met, waivable ones met or waived."""
        for condition_id in condition_ids:
            if self.workflow.compiled_conditions[condition_id].strength != "advisory":
                self.satisfy(condition_id, 0, 0)

    def satisfy(self, condition_id: str, first: int, last: int) -> None:
        """Met (or, failing that, waived where allowed) at every moment from `first` to `last`."""
        failure = self.strictly(lambda: self.meet(condition_id, first, last, None))
        if failure is None:
            return
        condition = self.workflow.compiled_conditions[condition_id]
        declared = self.workflow.declared_roles  # a declared role waives only if its `may:` says so
        granters = [
            role
            for role in self.workflow.definition.advance_roles
            if role not in declared or "condition_waived" in declared[role].may
        ]
        if condition.strength != "required" and granters:
            if any(
                f.kind == "condition_waived" and f.data["condition"] == condition_id and f.offset <= first
                for f in self.facts
            ):
                return
            by = self.pool.with_role(granters)
            rationale = WAIVER_RATIONALE
            while len(rationale) < self.workflow.waiver_min_rationale(condition_id):
                rationale += " " + WAIVER_RATIONALE
            self.record(first, "condition_waived", {"condition": condition_id, "rationale": rationale}, by)
            return
        if self.strict:
            raise failure
        self.meet(condition_id, first, last, None)

    def record(self, offset: int, kind: RecordableKind, data: dict[str, Any], by: str | None = None) -> None:
        """A fact at `offset` seconds (relative to the moment of the moves) in the layout."""
        self.facts.append(_Fact(offset, kind, data, by))

    def meet(self, condition_id: str, first: int, last: int, window: Window | None) -> None:
        """Met at every moment from `first` to `last` (seconds, relative), on facts inside `window`."""
        key = (condition_id, first, last, window)
        if key in self._laid:
            return
        self._laid.append(key)
        condition = self.workflow.compiled_conditions[condition_id]
        if window is None:  # inside an expiring window only the condition's own test counts
            for prerequisite in condition.requires:
                self.satisfy(prerequisite, first, last)
        KINDS[condition.kind].plan(self, condition, first, last, window)

    # --- what a kind may ask (`cooperation.engine.conditions.base.Planning`) ---------------------

    def member(self, condition_id: str, first: int, last: int, window: Window | None, held_by: str = "") -> None:
        """A member of a combination: outside windows its waiver counts too (as the evaluator has it)."""
        if window is None:
            self.satisfy(condition_id, first, last)
            return
        if window.start > first and self.room(condition_id) is not None:
            self.fail(
                window.owner,
                f"'{held_by or condition_id}' needs '{condition_id}' met on facts from {in_days(-first)} days back, "
                f"but '{window.owner}' keeps only facts from the last {window.span.text}",
                proven=window.start - window.span.slack > first + self.slack(held_by or condition_id),
            )
            window = Window(min(window.start, first), window.owner, window.span)
        self.meet(condition_id, first, last, window)

    def window(self, start: int, owner: str, span: Span) -> Window:
        return Window(start, owner, span)

    def need_communities(self, condition_id: str, communities: int) -> None:
        if communities > len(COMMUNITIES):
            self.fail(
                condition_id,
                f"'{condition_id}' asks for {communities} communities, but there are only "
                f"{len(COMMUNITIES)} stakeholder communities ({', '.join(COMMUNITIES)})",
            )

    def roles_that_may(self, kind: RecordableKind, condition_id: str, roles: tuple[str, ...]) -> tuple[str, ...]:
        """Of the `roles` a condition counts, those that may record `kind` (none named: as given)."""
        if not roles:
            return roles
        allowed = allowed_roles(self.workflow, kind)
        able = tuple(role for role in roles if role in allowed)
        if not able:
            self.fail(
                condition_id,
                f"'{condition_id}' counts only {_roles(roles)}, and none of them may record {kind} "
                f"(those who may: {', '.join(allowed) or 'no role'})",
            )
        return able or roles

    def slot(self, condition_id: str, first: int, window: Window | None) -> int:
        """When to date a fact that must count from `first` on, inside `window`."""
        if window is not None and window.start > first:
            self.fail(
                window.owner,
                f"'{condition_id}' would have to be met {in_days(-first)} days back, "
                f"but '{window.owner}' keeps only facts from the last {window.span.text}",
                proven=window.start - window.span.slack > first,
            )
            return window.start
        return first

    def slack(self, condition_id: str) -> int:
        """Seconds by which the calendar spans of a condition and its parts may be shorter than laid out
        (their longest lengths are laid out): a shortfall within it is not proven impossible."""
        total, pending, seen = 0, [condition_id], set()
        while pending:
            condition = self.workflow.compiled_conditions[pending.pop()]
            if condition.id not in seen:
                seen.add(condition.id)
                pending.extend(condition.parts)
                fields = period_fields(KINDS[condition.kind].settings)
                total += sum(getattr(condition.settings, field).slack for field, _ in fields)
        return total

    def room(self, condition_id: str) -> int | None:
        """Seconds of dated facts the condition needs before the moment it is checked; None if undated."""
        if condition_id not in self._rooms:
            condition = self.workflow.compiled_conditions[condition_id]
            self._rooms[condition_id] = KINDS[condition.kind].room(self, condition)
        return self._rooms[condition_id]


def _roles(roles: Sequence[str]) -> str:
    return ("the role " if len(roles) == 1 else "the roles ") + ", ".join(roles)
