"""What a condition kind may ask of the code that uses it: the evaluator, the definition checks,
the verifier's planner and its guide. Protocols for the type checker only: nothing imports
this module at run time, so reading a status does not pay for defining them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence, Set
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import random

    from cooperation.definition.compiled import CompiledScale, CompiledWorkflow
    from cooperation.engine.conditions.base import Outcome
    from cooperation.engine.evaluation import ConditionResult
    from cooperation.engine.facts import Facts, Participant
    from cooperation.engine.payloads import RecordableKind
    from cooperation.engine.span import Span
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Infeasible, Window
    from cooperation.vocabulary import Community

T = TypeVar("T")


class Measuring(Protocol):
    """What a kind may ask of the evaluator while it measures the facts."""

    @property
    def workflow(self) -> CompiledWorkflow: ...
    @property
    def facts(self) -> Facts: ...
    @property
    def now(self) -> datetime: ...

    def member(self, condition_id: str, since: datetime | None) -> Outcome:
        """Another condition's outcome: its full result, or its own test on facts from `since` on."""
        ...

    def knows_history(self) -> bool:
        """Whether the facts at earlier moments can be had (`past`)."""
        ...

    def past(self, moment: datetime) -> Measuring:
        """An evaluator of the same initiative at an earlier moment (only when `knows_history()`)."""
        ...

    def windows_under(self, condition_id: str) -> set[Span]:
        """The spans of the windows of facts that a condition depends on, through its parts."""
        ...

    def turns_under(self, condition_id: str) -> set[datetime]:
        """The instants at which a timed kind under a condition (through its parts) may change by itself."""
        ...

    def past_each(
        self,
        moments: Sequence[datetime],
        *,
        ignoring: frozenset[str] = frozenset(),
        always: Set[datetime] = frozenset(),
    ) -> Iterator[Measuring | None]:
        """An evaluator at each of `moments` (ascending, all at most `now`), in one pass over the log
        (only when `knows_history()`); None where no event (of a kind not in `ignoring`) was applied
        since the moment before, unless the moment is among `always`. Read each before the next."""
        ...

    def quiet_under(self, condition_id: str) -> frozenset[str]:
        """The kinds of event that change nothing a condition reads, through its parts and prerequisites."""
        ...

    def later(self, moment: datetime) -> Measuring:
        """An evaluator of the same facts at a later moment: what holds if nothing more is recorded."""
        ...

    def once(self, key: Hashable, work: Callable[[], T]) -> T:
        """`work()`, worked out once per evaluator for `key`: a pass two of a kind's methods need."""
        ...


class Checking(Protocol):
    """What a kind's extra definition checks may ask: the scales declared, and where to point."""

    @property
    def scales(self) -> Mapping[str, CompiledScale]: ...

    def problem(self, field: str, message: str, hint: str) -> Problem:
        """A problem at one field of the condition being checked."""
        ...


class Pool(Protocol):
    @property
    def communities(self) -> tuple[str, ...]:
        """The stakeholder communities, in the order participants are drawn from them."""
        ...

    def counted(self, count: int, roles: tuple[str, ...] = ()) -> list[str]:
        """Names of `count` participants who count (holding one of `roles`; none named: not observers),
        from as many communities as possible."""
        ...

    def of_community(self, community: Community, count: int, roles: tuple[str, ...] = ()) -> list[str]:
        """Names of `count` participants who count (holding one of `roles`), all from `community`."""
        ...


class Planning(Protocol):
    """What a kind may ask of the verifier's planner while it lays out facts that meet it."""

    creation: int  # the latest moment the initiative may have been created (a `held` condition moves it back)
    # The moves being laid out (all made at the moment of the moves, 0): the stage they end in and
    # the stages they enter (when, relative); None and empty when a condition is analysed alone.
    stage: str | None
    entered: dict[str, int]

    @property
    def workflow(self) -> CompiledWorkflow: ...
    @property
    def pool(self) -> Pool: ...

    def record(self, offset: int, kind: RecordableKind, data: dict[str, Any], by: str | None = None) -> None: ...
    def window(self, start: int, owner: str, span: Span) -> Window:
        """Only facts from `start` count, because of expiring condition `owner` (which keeps `span`)."""
        ...

    def slot(self, condition_id: str, first: int, window: Window | None) -> int: ...
    def fail(self, culprit: str, reason: str, *, proven: bool = True) -> None: ...
    def strictly(self, action: Callable[[], None]) -> Infeasible | None: ...
    def satisfy(self, condition_id: str, first: int, last: int) -> None: ...
    def meet(self, condition_id: str, first: int, last: int, window: Window | None) -> None: ...
    def member(self, condition_id: str, first: int, last: int, window: Window | None, held_by: str = "") -> None: ...
    def room(self, condition_id: str) -> int | None: ...
    def slack(self, condition_id: str) -> int:
        """Seconds by which its `room` may exceed what it needs where its calendar spans are shortest."""
        ...

    def need_communities(self, condition_id: str, count: int) -> None: ...
    def roles_that_may(self, kind: RecordableKind, condition_id: str, roles: tuple[str, ...]) -> tuple[str, ...]:
        """Of `roles` (none named: every role that counts), those that may record `kind`; fails when none may."""
        ...


class Guiding(Protocol):
    """What a kind may ask of the guide while it proposes one step towards meeting it."""

    @property
    def facts(self) -> Facts: ...
    @property
    def now(self) -> datetime: ...
    @property
    def rng(self) -> random.Random: ...
    @property
    def workflow(self) -> CompiledWorkflow: ...
    @property
    def results(self) -> Mapping[str, ConditionResult]: ...

    def counted(self, roles: tuple[str, ...] = ()) -> list[Participant]: ...
    def help(self, condition_id: str, *, fresh: bool) -> Step: ...
    def record(self, kind: RecordableKind, data: dict[str, Any], by: str | None = None) -> Step: ...
    def wait(self, days: float) -> Step: ...
    def join(self, community: str | None = None, role: str | None = None) -> Step: ...
    def enter(self, stage: str) -> Step:
        """A move from the current stage into `stage` if one may be made, else a short wait."""
        ...
