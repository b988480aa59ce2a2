"""The constructive planner of verification: facts that meet a condition, or why none can.

The planner lays out, in whole seconds before the moment of the moves, the facts that
meet a condition from one moment to another: participants from enough communities,
meetings spaced over a span, evidence, attestations, scores and waivers, keeping inside
the windows that `held` and `expiring` conditions impose. Where no layout can exist it
says why (more communities than there are, a span longer than a window that expires
first, a level above the scale, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.models import (
    AllCondition,
    AnyCondition,
    AttestationCondition,
    EvidenceCondition,
    ExpiringCondition,
    HeldCondition,
    MeetingsCondition,
    ParticipationCondition,
    ScoreCondition,
)
from cooperation.vocabulary import COMMUNITIES, Role

DAY = 86_400  # seconds: the planner works in whole seconds before the moment of the moves
MAX_PIECES = 4_000  # a layout needing more refreshes than this is not attempted
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
class _Window:
    """Only facts from `start` (seconds, relative) count, because of expiring condition `owner`."""

    start: int
    owner: str
    days: int


@dataclass(frozen=True, slots=True)
class _Fact:
    offset: int  # seconds relative to the moment of the moves (<= 0)
    kind: str
    data: dict[str, Any]
    by: str | None = None


@dataclass(slots=True)
class _Participant:
    name: str
    community: str
    role: Role


class _Pool:
    """The participants a witness needs; communities cycle, those some condition names first."""

    def __init__(self, communities: Sequence[str], lead_role: Role) -> None:
        self.communities = tuple(communities)
        self.lead_role = lead_role
        self.members: list[_Participant] = []

    def _add(self, role: Role) -> _Participant:
        index = len(self.members)
        name = NAMES[index] if index < len(NAMES) else f"Participant {index + 1}"
        counted = sum(1 for member in self.members if member.role != "observer")
        member = _Participant(name, self.communities[counted % len(self.communities)], role)
        self.members.append(member)
        return member

    def counted(self, count: int) -> list[str]:
        """Names of `count` participants who count (not observers), from as many communities as possible."""
        while sum(1 for member in self.members if member.role != "observer") < count:
            self._add(self.lead_role if not self.members else "member")
        return [member.name for member in self.members if member.role != "observer"][:count]

    def with_role(self, roles: Sequence[Role]) -> str:
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
            c
            for condition in workflow.conditions.values()
            if isinstance(condition, ParticipationCondition)
            for c in condition.required_communities
        ]
        order = list(dict.fromkeys([*named, *COMMUNITIES]))
        leads: list[Role] = [role for role in workflow.definition.advance_roles if role != "observer"]
        self.pool = _Pool(order, leads[0] if leads else "member")
        self.facts: list[_Fact] = []
        self.creation = 0  # the latest moment the initiative may have been created (held windows)
        self.shortfalls: list[str] = []
        self._rooms: dict[str, int | None] = {}
        self._laid: list[tuple[str, int, int, _Window | None]] = []  # layouts made, so none is made twice

    # --- bookkeeping -----------------------------------------------------------------------------

    def _mark(self) -> tuple[int, int, int, int, int]:
        return len(self.facts), len(self.pool.members), self.creation, len(self.shortfalls), len(self._laid)

    def _rollback(self, mark: tuple[int, int, int, int, int]) -> None:
        del self.facts[mark[0] :]
        del self.pool.members[mark[1] :]
        self.creation = mark[2]
        del self.shortfalls[mark[3] :]
        del self._laid[mark[4] :]

    def _fail(self, culprit: str, reason: str, *, proven: bool = True) -> None:
        if self.strict:
            raise Infeasible(culprit, reason, proven=proven)
        self.shortfalls.append(reason)

    def _strictly(self, action: Callable[[], None]) -> Infeasible | None:
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
        return self._strictly(partial(self.meet, condition_id, 0, 0, None))

    def needs(self, condition_ids: Iterable[str]) -> None:
        """Lay out what unblocks a move: required conditions met, waivable ones met or waived."""
        for condition_id in condition_ids:
            if self.workflow.conditions[condition_id].strength != "advisory":
                self.satisfy(condition_id, 0, 0)

    def satisfy(self, condition_id: str, first: int, last: int) -> None:
        """Met (or, failing that, waived where allowed) at every moment from `first` to `last`."""
        failure = self._strictly(lambda: self.meet(condition_id, first, last, None))
        if failure is None:
            return
        condition = self.workflow.conditions[condition_id]
        granters = self.workflow.definition.advance_roles
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
            self.facts.append(_Fact(first, "condition_waived", {"condition": condition_id, "rationale": rationale}, by))
            return
        if self.strict:
            raise failure
        self.meet(condition_id, first, last, None)

    def meet(self, condition_id: str, first: int, last: int, window: _Window | None) -> None:
        """Met at every moment from `first` to `last` (seconds, relative), on facts inside `window`."""
        key = (condition_id, first, last, window)
        if key in self._laid:
            return
        self._laid.append(key)
        condition = self.workflow.conditions[condition_id]
        if window is None:  # inside an expiring window only the condition's own test counts
            for prerequisite in condition.requires:
                self.satisfy(prerequisite, first, last)
        match condition:
            case EvidenceCondition(min_items=items):
                at = self._slot(condition_id, first, window)
                self.facts.extend(
                    _Fact(at, "evidence_recorded", {"condition": condition_id, "text": f"Evidence for {condition_id}."})
                    for _ in range(items)
                )
            case AttestationCondition(min_participants=people, min_communities=communities):
                self._communities(condition_id, communities)
                at = self._slot(condition_id, first, window)
                self.facts.extend(
                    _Fact(at, "attestation_given", {"condition": condition_id}, name)
                    for name in self.pool.counted(people)
                )
            case ParticipationCondition(
                min_participants=people, min_communities=communities, required_communities=named
            ):
                self._communities(condition_id, communities)
                order = self.pool.communities
                self.pool.counted(max(people, communities, *(order.index(name) + 1 for name in named)))
            case MeetingsCondition(min_meetings=count, min_span_days=span, neutral_only=neutral):
                self._meetings(condition_id, first, window, count, span, neutral)
            case ScoreCondition(parameter=parameter, at_least=level):
                scale = next(p.scale for p in self.workflow.definition.parameters if p.id == parameter)
                if level > scale.max:
                    self._fail(
                        condition_id,
                        f"'{condition_id}' asks for '{parameter}' at {level}, "
                        f"above the top of its scale ({scale.min}..{scale.max})",
                    )
                at = self._slot(condition_id, first, window)
                self.facts.append(_Fact(at, "score_set", {"parameter": parameter, "level": scale.max}))
            case HeldCondition(condition=inner, days=days):
                start = first - days * DAY
                self.creation = min(self.creation, start)
                self._member(inner, start, last, window, held_by=condition_id)
            case ExpiringCondition(condition=inner, days=days):
                self._expiring(condition_id, inner, days, first, last, window)
            case AllCondition(of=members):
                for member in members:
                    self._member(member, first, last, window)
            case AnyCondition(of=members):
                self._any(condition_id, members, first, last, window)
            case _:  # a kind this planner does not know: leave it to the random walks
                self._fail(
                    condition_id,
                    f"verify cannot lay out events for conditions of kind '{condition.kind}'",
                    proven=False,
                )

    # --- the kinds that need care ----------------------------------------------------------------

    def _member(self, condition_id: str, first: int, last: int, window: _Window | None, held_by: str = "") -> None:
        """A member of a combination: outside windows its waiver counts too (as the evaluator has it)."""
        if window is None:
            self.satisfy(condition_id, first, last)
            return
        if window.start > first and self.room(condition_id) is not None:
            self._fail(
                window.owner,
                f"'{held_by or condition_id}' needs '{condition_id}' met on facts from {_days(-first)} days back, "
                f"but '{window.owner}' keeps only facts from the last {window.days} days",
            )
            window = _Window(min(window.start, first), window.owner, window.days)
        self.meet(condition_id, first, last, window)

    def _any(self, condition_id: str, members: Sequence[str], first: int, last: int, window: _Window | None) -> None:
        failures: list[Infeasible] = []
        for member in members:  # an alternative that can be met, before one that can only be waived
            attempt = (
                partial(self.meet, member, first, last, None)
                if window is None
                else partial(self._member, member, first, last, window)
            )
            failure = self._strictly(attempt)
            if failure is None:
                return
            failures.append(failure)
        if window is None and any(self._strictly(partial(self.satisfy, m, first, last)) is None for m in members):
            return
        reasons = "; ".join(failure.reason for failure in failures)
        self._fail(
            condition_id,
            f"none of '{condition_id}''s alternatives can be met: {reasons}",
            proven=all(failure.proven for failure in failures),
        )
        self._member(members[0], first, last, window)

    def _expiring(
        self, condition_id: str, inner: str, days: int, first: int, last: int, window: _Window | None
    ) -> None:
        room = self.room(inner)
        if room is None:  # nothing in it is dated: the window changes nothing
            self.meet(inner, first, last, window) if window else self.satisfy(inner, first, last)
            return
        if room > days * DAY:
            self._fail(
                condition_id,
                f"'{inner}' needs {_days(room)} days of facts, but '{condition_id}' keeps only the last {days} days",
            )
        # Cover [first, last] with pieces short enough that facts laid out for a piece stay
        # inside the window of every moment of it; each piece refreshes them.
        piece = (days * DAY - room) // 2 if last > first else 0
        if last > first and piece <= 0:
            self._fail(
                condition_id,
                f"'{condition_id}' keeps only the last {days} days, all of which '{inner}' "
                "needs, so it cannot hold without a break",
            )
            piece = max(piece, DAY)
        count = 1 if last == first else -(-(last - first) // piece) + 1
        if count > MAX_PIECES:
            self._fail(
                condition_id, f"keeping '{condition_id}' met would take {count} refreshes of '{inner}'", proven=False
            )
            count = MAX_PIECES
        end = last
        for _ in range(count):
            start = max(first, end - piece)
            own = _Window(end - days * DAY, condition_id, days)
            bounded = own if window is None or own.start >= window.start else window
            self.meet(inner, start, end, bounded)
            if start == first:
                break
            end = start

    def _meetings(
        self, condition_id: str, first: int, window: _Window | None, count: int, span: int, neutral: bool
    ) -> None:
        latest = first
        earliest = latest - span * DAY
        if window is not None and earliest < window.start:
            self._fail(
                window.owner,
                f"'{condition_id}' needs meetings spanning {span} days, but '{window.owner}' "
                f"keeps only the last {window.days} days",
            )
            earliest = max(window.start, earliest)
            latest = max(latest, earliest)
        number = max(count, 2 if span else 1)
        attendees = self.pool.counted(2)
        step = (latest - earliest) // (number - 1) if number > 1 else 0
        for index in range(number):
            at = earliest + index * step if index < number - 1 else latest
            data: dict[str, Any] = {
                "attendees": attendees,
                "venue": "Neutral venue" if neutral else "A participant's office",
            }
            if neutral:
                data["neutral"] = True
            self.facts.append(_Fact(at, "meeting_held", data))

    def _communities(self, condition_id: str, communities: int) -> None:
        if communities > len(COMMUNITIES):
            self._fail(
                condition_id,
                f"'{condition_id}' asks for {communities} communities, but there are only "
                f"{len(COMMUNITIES)} stakeholder communities ({', '.join(COMMUNITIES)})",
            )

    def _slot(self, condition_id: str, first: int, window: _Window | None) -> int:
        """When to date a fact that must count from `first` on, inside `window`."""
        if window is not None and window.start > first:
            self._fail(
                window.owner,
                f"'{condition_id}' would have to be met {_days(-first)} days back, "
                f"but '{window.owner}' keeps only facts from the last {window.days} days",
            )
            return window.start
        return first

    def room(self, condition_id: str) -> int | None:
        """Seconds of dated facts the condition needs before the moment it is checked; None if undated."""
        if condition_id not in self._rooms:
            self._rooms[condition_id] = self._room(condition_id)
        return self._rooms[condition_id]

    def _room(self, condition_id: str) -> int | None:
        match self.workflow.conditions[condition_id]:
            case ParticipationCondition():
                return None
            case MeetingsCondition(min_span_days=span):
                return span * DAY
            case HeldCondition(condition=inner, days=days):
                inner_room = self.room(inner)
                return None if inner_room is None else days * DAY + inner_room
            case ExpiringCondition(condition=inner):
                return self.room(inner)
            case AllCondition(of=members):
                rooms = [room for room in (self.room(member) for member in members) if room is not None]
                return max(rooms) if rooms else None
            case AnyCondition(of=members):
                options = [self.room(member) for member in members]
                return None if None in options else min(room for room in options if room is not None)
        return 0


def _days(seconds: int) -> str:
    days = seconds / DAY
    return str(int(days)) if days == int(days) else f"{days:.1f}"
