"""What every condition kind is made of: the base class, its outcome, and the markers of its settings.

A kind is one module under `cooperation.engine.conditions` holding a subclass of
`ConditionKind` and its settings record, and one entry in `table.KINDS`. The class
gathers everything about the kind: its settings (from which the workflow file's model
is generated), how it measures facts and judges the measurement, how it is described,
which extra checks its definition needs, and how the verifier lays out facts that meet
it or guides an initiative towards it. `missing_parts` names what a kind lacks; what a
kind may ask of the evaluator, the checks, the planner and the guide is in `asks`.

No pydantic here, nor in any kind module: evaluating conditions is on the path of
reading a status, which must stay light. The model is built from the settings'
annotations by `cooperation.definition.models`, using the markers below.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, TypeVar, get_args, get_origin
from typing import get_type_hints as _type_hints

from cooperation.engine.span import Span

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
    from cooperation.engine.conditions.asks import Checking, Guiding, Measuring, Planning
    from cooperation.engine.facts import Facts
    from cooperation.errors import Problem
    from cooperation.verify.guide import Step
    from cooperation.verify.planner import Window
    from cooperation.vocabulary import Community

DAY = 86_400  # seconds: the verifier lays out facts in whole seconds before the moment of the moves

# A condition's own test: (met, detail, progress from 0 to 1). A plain tuple: this is the hot path.
Outcome = tuple[bool, str, float]


def ratio(have: int, need: int) -> float:
    """How far `have` goes towards `need`, capped at 1 (1 when nothing is needed)."""
    return 1.0 if need <= 0 else min(1.0, have / need)


def in_days(seconds: int) -> str:
    """A span of the planner's seconds, in days for a person: whole when it is."""
    days = seconds / DAY
    return str(int(days)) if days == int(days) else f"{days:.1f}"


# --- markers on settings fields, read when generating the workflow file's model --------------
# Plain classes: they are defined each time a status is read, and a dataclass costs more to define.


class Reference:
    """The field names a `what` ("condition", "parameter") declared elsewhere in the workflow."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what


class AtLeast:
    """The number written in the file must be at least `minimum`."""

    __slots__ = ("minimum",)

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum


MAX_DAYS = 36_525
"""The longest period a setting may declare: a hundred years, which keeps every date a
condition computes within the supported range (`cooperation.engine.events.LATEST`)."""
MAX_COUNT = 1_000
"""The most participants, items, meetings or communities a setting may ask for: the
verifier lays out that many facts to prove a condition can be met (at this limit, `coop verify`
of a workflow asking it of every count takes about 40 seconds; ten times more took over 5 minutes)."""
MAX_LEVEL = 1_000_000
"""The largest level (in size) a scale or a score may name."""


class Period:
    """The field is a span of time (a `Span`), written in the file either as `<field>: N` (N days
    of 24 hours) or as `<field with 'days' replaced by 'duration'>: <ISO 8601 date duration>`,
    exactly one of the two (or neither, when the field has a default). Its length is at least
    `minimum_days` days and at most MAX_DAYS (a calendar duration's longest length)."""

    __slots__ = ("minimum_days",)

    def __init__(self, minimum_days: int) -> None:
        self.minimum_days = minimum_days


def duration_field(field: str) -> str:
    """The name of the field that writes a period as an ISO 8601 duration: `days` -> `duration`."""
    return field.removesuffix("days") + "duration"


class AtMost:
    """The number written in the file must be at most `maximum`; `unit` names what it counts."""

    __slots__ = ("maximum", "unit")

    def __init__(self, maximum: int, unit: str) -> None:
        self.maximum = maximum
        self.unit = unit


class MinItems:
    """The list written in the file must have at least `count` items."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


class Keyed:
    """The setting is written in the file as a mapping (`{government: 2}`) and compiled as its
    (key, value) pairs in the file's order: a tuple of pairs, whose value type carries its own markers."""

    __slots__ = ()


class Description:
    """What the field means, shown in the JSON Schema."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


ConditionId = Annotated[str, Reference("condition")]
ParameterId = Annotated[str, Reference("parameter")]
RoleId = Annotated[str, Reference("role")]  # a built-in role or one the workflow declares (`roles:`)
COUNTED_ROLES = Description("Only participants holding one of these roles count (default: every role but observer).")


def counts(roles: tuple[str, ...], role: str) -> bool:
    """Whether a participant in `role` counts for a condition that names `roles` (none named: all but observers)."""
    return role in roles if roles else role != "observer"


# --- the kind ---------------------------------------------------------------------------------

SettingsT = TypeVar("SettingsT", bound=tuple[Any, ...])
MeasuredT = TypeVar("MeasuredT")


class ConditionKind(Generic[SettingsT, MeasuredT]):
    """One kind of condition, whole. Its docstring says when it is met (the file format shows it).

    Subclasses set `name`, `model_name` and `settings`, and define every method below that
    raises NotImplementedError; the others have defaults that suit most kinds.
    """

    name: ClassVar[str]  # what `kind:` says in a workflow file
    model_name: ClassVar[str]  # the model's name, also its name in the JSON Schema's $defs
    settings: type[SettingsT]  # its compiled settings; the file's fields are generated from them
    alternatives: ClassVar[bool] = False  # its parts are alternatives: left to its detail, not listed as work
    # If it counts people (see `people`): the words before the names of those it counts and of
    # those who could still count, after its detail ("by", "could still attest:").
    counts_people: ClassVar[tuple[str, str] | None] = None
    # Keys of other kinds an author may write here by mistake, each with the fix (`kind: all` with `at_least`).
    misplaced_keys: ClassVar[tuple[tuple[str, str], ...]] = ()
    timed: ClassVar[bool] = False  # its result may change with time alone, at the instants `turns` gives
    # With every member at its result for no records, its own is its result for no records (the
    # evaluator's shortcut); false for a kind that also reads something else (the stage).
    members_decide: ClassVar[bool] = True

    # --- evaluation ---

    def measure(
        self, evaluator: Measuring, condition: CompiledCondition[SettingsT], since: datetime | None
    ) -> MeasuredT:
        """A small hashable measurement of the facts (those from `since` on, inside an expiring window)."""
        raise NotImplementedError

    def judge(
        self, workflow: CompiledWorkflow, condition: CompiledCondition[SettingsT], measured: MeasuredT
    ) -> Outcome:
        """Met, a detail a person can act on, and progress: a pure function of the measurement."""
        raise NotImplementedError

    def people(
        self, facts: Facts, condition: CompiledCondition[SettingsT], since: datetime | None
    ) -> tuple[list[str], list[str]]:
        """For a kind that `counts_people`: the names of those it counts (from `since` on, inside an
        expiring window), and of the current participants who could still count but do not; each sorted.

        Asked only for an initiative shown on its own (`cooperation.engine.who`), never while
        measuring: names would make every initiative's result its own, so no result could be shared.
        """
        raise NotImplementedError

    def records(self, condition: CompiledCondition[SettingsT]) -> tuple[str, str] | None:
        """Where the only records it reads are kept: a Facts attribute and its key ("" for a whole
        list); with none there (and no waiver) its result is the same for every initiative."""
        return None

    def reads(self, condition: CompiledCondition[SettingsT]) -> frozenset[str] | None:
        """The attributes of Facts its measurement reads, if it reads nothing else: no other
        record, and the clock only through the window it is given (`since`); other conditions
        only through `member`. None (the default) when that is not known: then any event may
        change it. `held` skips evaluating at moments when no event touched what is read."""
        return None

    def window_span(self, condition: CompiledCondition[SettingsT]) -> Span | None:
        """The span of facts it keeps, if it keeps only recent ones."""
        return None

    def turns(self, evaluator: Measuring, condition: CompiledCondition[SettingsT]) -> Iterable[datetime]:
        """Instants at which its own test may change with no new event, other than a fact leaving an
        `expiring` window (a time in a stage running out); a kind that has some sets `timed`."""
        return ()

    def lapses_on(self, evaluator: Measuring, condition: CompiledCondition[SettingsT]) -> datetime | None:
        """When a condition met now stops holding if nothing more is recorded; None if it never does.

        With no new event, a condition changes only when a fact leaves one of the `expiring`
        windows it depends on (through its parts and prerequisites), or when a timed kind under
        it turns (a `time_in_stage` becomes met). Only the first can make a met condition stop
        holding, so with no window it never lapses; with one, it is checked at each such instant
        in turn (the turns included, for what a `held` above them counts): the first at which it
        no longer holds is when it lapses. A kind that knows a quicker answer may override this.
        """
        windows = evaluator.windows_under(condition.id)
        if not windows:
            return None
        now = evaluator.now
        for instant in changes_after(now, evaluator.facts.moments, windows, evaluator.turns_under(condition.id)):
            if not evaluator.later(instant).member(condition.id, None)[0]:
                return instant
        return None

    # --- wording and definition checks ---

    def describe(self, condition: CompiledCondition[SettingsT]) -> str:
        """One line saying what it takes to meet it."""
        raise NotImplementedError

    def check(self, condition: CompiledCondition[SettingsT], where: Checking) -> Iterable[Problem]:
        """Problems in its definition beyond shape and references (those are checked for every kind)."""
        return ()

    # --- verification ---

    def plan(
        self, planner: Planning, condition: CompiledCondition[SettingsT], first: int, last: int, window: Window | None
    ) -> None:
        """Lay out facts meeting it at every moment from `first` to `last` (seconds, relative), inside `window`."""
        raise NotImplementedError

    def room(self, planner: Planning, condition: CompiledCondition[SettingsT]) -> int | None:
        """Seconds of dated facts it needs before the moment it is checked; None when nothing it reads is dated."""
        raise NotImplementedError

    def unmeetable_hint(self, condition: CompiledCondition[SettingsT]) -> str:
        """How to fix it when the planner finds that no facts can meet it."""
        raise NotImplementedError

    def named_communities(self, condition: CompiledCondition[SettingsT]) -> tuple[Community, ...]:
        """Communities it names, which the planner's participants should come from first."""
        return ()

    def guide(self, guide: Guiding, condition: CompiledCondition[SettingsT], *, fresh: bool) -> Step:
        """One step towards meeting it; `fresh` when only recent facts count (inside an expiring window)."""
        raise NotImplementedError


REQUIRED_METHODS = ("measure", "judge", "describe", "plan", "room", "unmeetable_hint", "guide")


def missing_parts(kind: object) -> list[str]:
    """What a kind lacks to be used everywhere conditions are: empty when it is whole."""
    missing = [
        attribute
        for attribute in ("name", "model_name")
        if not isinstance(getattr(kind, attribute, None), str) or not getattr(kind, attribute)
    ]
    settings = getattr(kind, "settings", None)
    if not (isinstance(settings, type) and issubclass(settings, tuple) and hasattr(settings, "_fields")):
        missing.append("settings")
    if not (type(kind).__doc__ or "").strip() or type(kind).__doc__ == ConditionKind.__doc__:
        missing.append("docstring")
    if not isinstance(kind, ConditionKind):
        return missing + list(REQUIRED_METHODS)
    missing += [method for method in REQUIRED_METHODS if getattr(type(kind), method) is getattr(ConditionKind, method)]
    if kind.counts_people and type(kind).people is ConditionKind.people:
        missing.append("people")  # it says it counts people, but cannot name them
    return missing


# --- references, read from the settings' annotations -------------------------------------------


@cache
def reference_fields(settings: type[tuple[Any, ...]]) -> tuple[tuple[str, str, bool], ...]:
    """The settings' fields that name something declared elsewhere: (field, what, a list of them)."""
    found = []
    for field, annotation in _type_hints(settings, include_extras=True).items():
        many = get_origin(_unannotated(annotation)) is tuple
        target = get_args(_unannotated(annotation))[0] if many else annotation
        reference = next((mark for mark in _marks(target) if isinstance(mark, Reference)), None)
        if reference is not None:
            found.append((field, reference.what, many))
    return tuple(found)


def references(settings: Any, values: object) -> list[tuple[tuple[str | int, ...], str, str]]:
    """What `values` (compiled settings, or the model read from the file) names:
    (where, within the condition; the id named; what it names)."""
    named: list[tuple[tuple[str | int, ...], str, str]] = []
    for field, what, many in reference_fields(settings):
        value = getattr(values, field)
        if many:
            named += [((field, position), item, what) for position, item in enumerate(value)]
        else:
            named.append(((field,), value, what))
    return named


_PERIOD_FIELDS: dict[type, tuple[tuple[str, Period], ...]] = {}


def period_fields(settings: type) -> tuple[tuple[str, Period], ...]:
    """The settings' fields that are spans of time (`Period`), with their markers."""
    found = _PERIOD_FIELDS.get(settings)
    if found is None:
        hints = _type_hints(settings, include_extras=True).items()
        found = _PERIOD_FIELDS[settings] = tuple(
            (field, mark) for field, annotation in hints for mark in _marks(annotation) if isinstance(mark, Period)
        )
    return found


def written_span(values: Any, field: str, default: Span | None) -> Span:
    """The span a model read from the file gives a `Period` field: its duration, its days, or `default`."""
    duration = getattr(values, duration_field(field))
    if duration is not None:
        return Span.parse(duration)
    count = getattr(values, field)
    if count is not None:
        return Span(0, count)
    assert default is not None, "the model requires one of the two"
    return default


def _unannotated(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _marks(annotation: Any) -> tuple[Any, ...]:
    return get_args(annotation)[1:] if get_origin(annotation) is Annotated else ()


def changes_after(
    now: datetime, moments: Sequence[datetime], windows: Iterable[Span], turns: Iterable[datetime]
) -> Iterator[datetime]:
    """Each instant after `now` at which a recorded moment leaves one of the windows or a timed kind
    turns, in time order, once each, made only as far as it is read: a lapse is usually the first
    one, and the fold asks for it before each event of a stage that can lapse, so working out every
    instant of a long log each time made reading one quadratic in its length.

    `moments` are in time order (as the fold records them), and a span's `leaves` never goes back
    in time as its moment goes forward, so each window's instants after `now` follow in order from
    the first one found by bisection."""
    streams = [_leaving(span, moments, bisect_right(moments, now, key=span.leaves)) for span in windows]
    streams.append(iter(sorted(instant for instant in turns if instant > now)))
    last = None
    for instant in heapq.merge(*streams):
        if instant != last:
            last = instant
            yield instant


def _leaving(span: Span, moments: Sequence[datetime], first: int) -> Iterator[datetime]:
    for place in range(first, len(moments)):
        yield span.leaves(moments[place])
