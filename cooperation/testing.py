"""Property tests for workflow definitions, with hypothesis: strategies and a rule-based machine.

Needs hypothesis (a test dependency, so `cooperation` itself never imports this module):

    from cooperation.testing import workflow_state_machine

    TestMyWorkflow = workflow_state_machine("workflows/my-workflow.yaml").TestCase

The machine drives an initiative of the workflow through a registry held in memory: a
rule per event kind, rules that try every move (with preconditions that mirror the
guards), and invariants that must hold for any workflow. The strategies generate valid
events for a workflow, and whole logs, for tests of your own.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from hypothesis.strategies import SearchStrategy

from cooperation.definition.catalog import get_workflow
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.errors import BlockedTransitionError, CooperationError, EventError, NotPermittedError, TransitionError
from cooperation.engine.evaluation import Evaluator
from cooperation.engine.events import MOVE_KINDS, Event, moment, parse_at
from cooperation.engine.facts import Facts, fold, time_ordered
from cooperation.engine.moves import moves_for
from cooperation.registry import Registry
from cooperation.engine.status import InitiativeStatus
from cooperation.verify.analysis import (
    NAMES,
    Clock,
    Guide,
    Move,
    apply_move,
    guarded_breacher,
    memory_registry,
    moves_from,
    random_step,
    take_step,
    workflow_reference,
)
from cooperation.vocabulary import COMMUNITIES, ROLES, TLP_LABELS

__all__ = [
    "START",
    "Clock",
    "WorkflowMachine",
    "attestations",
    "breaches",
    "event_logs",
    "evidence",
    "groups",
    "meetings",
    "moments",
    "participants",
    "publications",
    "scores",
    "waivers",
    "workflow_state_machine",
]

START = datetime(2020, 1, 6, 9, tzinfo=UTC)  # when generated initiatives start, by default
Moment = datetime | SearchStrategy[datetime]
Breaches = Literal["anyone", "guarded"]


def _compiled(workflow: CompiledWorkflow | str) -> CompiledWorkflow:
    return get_workflow(workflow) if isinstance(workflow, str) else workflow


def _at(at: Moment) -> SearchStrategy[datetime]:
    return at if isinstance(at, SearchStrategy) else st.just(at)


def _event(initiative: str, kind: str, at: datetime, data: dict[str, Any], by: str | None = None) -> Event:
    return Event(initiative, kind, parse_at(at), data, by)


# --- strategies: moments and events ------------------------------------------------------------------


def moments(start: datetime = START, end: datetime | None = None) -> SearchStrategy[datetime]:
    """Moments in whole seconds (UTC) from `start` to `end` (default: a year after `start`)."""
    last = end or start + timedelta(days=365)
    span = int((last - start).total_seconds())
    return st.integers(0, max(0, span)).map(lambda seconds: start + timedelta(seconds=seconds))


_names = st.sampled_from(NAMES[:8])
_booleans = st.booleans()
_nobody = st.none()


def participants(
    initiative: str = "example",
    *,
    at: Moment = START,
    name: SearchStrategy[str] = _names,
    communities: Sequence[str] = COMMUNITIES,
    roles: Sequence[str] = ROLES,
) -> SearchStrategy[Event]:
    """A participant joining, from a random community, in a random role."""
    return st.builds(
        lambda who, community, role, when, organisation: _event(
            initiative,
            "participant_joined",
            when,
            {
                "name": who,
                "community": community,
                "role": role,
                **({"organisation": organisation} if organisation else {}),
            },
        ),
        name,
        st.sampled_from(list(communities)),
        st.sampled_from(list(roles)),
        _at(at),
        st.none() | st.sampled_from(("CERT", "Ministry", "ISP", "University", "NGO")),
    )


def groups(
    initiative: str = "example",
    *,
    at: Moment = START,
    min_size: int = 1,
    max_size: int = 8,
    min_communities: int = 1,
    roles: Sequence[str] = ("owner", "secretariat", "member", "member", "observer"),
) -> SearchStrategy[list[Event]]:
    """Participants joining together: distinct names, from at least `min_communities` communities.

    The first joins as owner, so that someone may move the initiative on.
    """
    size = st.integers(max(min_size, min_communities, 1), max(max_size, min_size, min_communities, 1))

    def build(count: int, draw_communities: list[str], draw_roles: list[str], when: datetime) -> list[Event]:
        events = []
        for index in range(count):
            community = COMMUNITIES[index] if index < min_communities else draw_communities[index]
            role = "owner" if index == 0 else draw_roles[index]
            name = NAMES[index] if index < len(NAMES) else f"Participant {index + 1}"
            events.append(
                _event(initiative, "participant_joined", when, {"name": name, "community": community, "role": role})
            )
        return events

    return size.flatmap(
        lambda count: st.builds(
            build,
            st.just(count),
            st.lists(st.sampled_from(COMMUNITIES), min_size=count, max_size=count),
            st.lists(st.sampled_from(list(roles)), min_size=count, max_size=count),
            _at(at),
        )
    )


def meetings(
    initiative: str = "example",
    attendees: Sequence[str] = ("Ada", "Ben"),
    *,
    start: datetime = START,
    min_meetings: int = 1,
    max_meetings: int = 8,
    max_span_days: int = 365,
    neutral: SearchStrategy[bool] = _booleans,
) -> SearchStrategy[list[Event]]:
    """A series of meetings over a random span (up to `max_span_days`), starting at `start`."""

    def build(count: int, span: int, points: list[float], flags: list[bool], who: list[str]) -> list[Event]:
        offsets = sorted([0.0, *points[: count - 1]]) if count > 1 else [0.0]
        if count > 1:
            offsets[-1] = 1.0  # the series spans exactly `span` days
        return [
            _event(
                initiative,
                "meeting_held",
                start + timedelta(seconds=round(offset * span * 86_400)),
                {"attendees": who, "neutral": flag},
            )
            for offset, flag in zip(offsets, flags, strict=True)
        ]

    return st.integers(min_meetings, max(min_meetings, max_meetings)).flatmap(
        lambda count: st.builds(
            build,
            st.just(count),
            st.integers(0, max_span_days),
            st.lists(st.floats(0, 1), min_size=count, max_size=count),
            st.lists(neutral, min_size=count, max_size=count),
            st.lists(st.sampled_from(list(attendees)), min_size=1, max_size=len(attendees), unique=True),
        )
    )


def evidence(
    workflow: CompiledWorkflow | str, initiative: str = "example", *, at: Moment = START
) -> SearchStrategy[Event]:
    """Evidence for one of the workflow's conditions, with a random TLP label."""
    compiled = _compiled(workflow)
    return st.builds(
        lambda condition, tlp, when, text: _event(
            initiative, "evidence_recorded", when, {"condition": condition, "text": text, "tlp": tlp}
        ),
        st.sampled_from(list(compiled.condition_order)),
        st.sampled_from(TLP_LABELS),
        _at(at),
        st.sampled_from(("Minutes of the meeting.", "A signed charter.", "Published procedures.", "A report.")),
    )


def attestations(
    workflow: CompiledWorkflow | str,
    initiative: str = "example",
    *,
    attesters: Sequence[str] = NAMES[:8],
    at: Moment = START,
) -> SearchStrategy[Event]:
    """An attestation, by one of `attesters`, to one of the workflow's conditions."""
    compiled = _compiled(workflow)
    return st.builds(
        lambda condition, by, when: _event(initiative, "attestation_given", when, {"condition": condition}, by),
        st.sampled_from(list(compiled.condition_order)),
        st.sampled_from(list(attesters)),
        _at(at),
    )


def waivers(
    workflow: CompiledWorkflow | str,
    initiative: str = "example",
    *,
    granters: Sequence[str] = ("Ada",),
    at: Moment = START,
) -> SearchStrategy[Event]:
    """A waiver of a waivable or advisory condition, with a rationale long enough to be accepted."""
    compiled = _compiled(workflow)
    open_to_waiver = [c.id for c in compiled.definition.conditions if c.strength != "required"]
    if not open_to_waiver:
        return st.nothing()

    def build(condition: str, by: str, when: datetime, reason: str) -> Event:
        rationale = reason
        while len(rationale) < compiled.waiver_min_rationale(condition):
            rationale += " " + reason
        return _event(initiative, "condition_waived", when, {"condition": condition, "rationale": rationale}, by)

    return st.builds(
        build,
        st.sampled_from(open_to_waiver),
        st.sampled_from(list(granters)),
        _at(at),
        st.sampled_from(
            (
                "The initiative shares no data at all, so there is nothing to protect.",
                "Volunteer time carries the work for now; no costs arise.",
            )
        ),
    )


def scores(
    workflow: CompiledWorkflow | str, initiative: str = "example", *, at: Moment = START
) -> SearchStrategy[Event]:
    """A scored parameter set to a level of its scale."""
    parameters = _compiled(workflow).definition.parameters
    if not parameters:
        return st.nothing()
    return st.sampled_from(parameters).flatmap(
        lambda parameter: st.builds(
            lambda level, when: _event(initiative, "score_set", when, {"parameter": parameter.id, "level": level}),
            st.integers(parameter.scale.min, parameter.scale.max),
            _at(at),
        )
    )


def breaches(
    initiative: str = "example", *, at: Moment = START, by: SearchStrategy[str | None] = _nobody
) -> SearchStrategy[Event]:
    """A breach of trust (a workflow may regress the initiative on it)."""
    return st.builds(
        lambda when, who, what: _event(initiative, "trust_breached", when, {"description": what}, who),
        _at(at),
        by,
        st.sampled_from(("Shared information was misused.", "An incident leaked to the press.")),
    )


def publications(initiative: str = "example", *, at: Moment = START) -> SearchStrategy[Event]:
    """An output the initiative published."""
    return st.builds(
        lambda when, title: _event(initiative, "output_published", when, {"title": title}),
        _at(at),
        st.sampled_from(("Guidelines", "A best practice document", "A joint statement")),
    )


@st.composite
def event_logs(
    draw: st.DrawFn,
    workflow: CompiledWorkflow | str,
    *,
    initiative: str = "example",
    start: datetime = START,
    max_steps: int = 40,
) -> list[Event]:
    """A whole log of one initiative, moves included, that the engine accepts (so it imports as is).

    Steps are drawn, then replayed through a registry in memory: most work towards a
    next move (participants, meetings spaced over the span, evidence, attestations,
    scores, waivers), the rest are anything at all; whatever the engine refuses is left
    out. Breaches of trust are left out where the automatic move they cause would skip its
    own roles or requirements (which the engine does not check for automatic moves).
    """
    compiled = _compiled(workflow)
    plan = draw(
        st.lists(
            st.tuples(st.integers(0, 9), st.integers(0, 2**32 - 1), st.sampled_from((1 / 1440, 1 / 24, 1.0, 7.0))),
            max_size=max_steps,
        )
    )
    clock = Clock(start)
    guide = Guide(compiled)
    with memory_registry(clock) as registry:
        registry.create("Example", workflow=workflow_reference(compiled), initiative=initiative, at=clock.now)
        for choice, seed, wait in plan:
            clock.advance(wait)
            rng = random.Random(seed)
            try:
                if choice < 7:
                    step = guide.next_step(registry, initiative, clock.now, rng)
                    if step is not None:
                        take_step(registry, initiative, step, clock.advance)
                else:
                    random_step(compiled, registry, initiative, rng, breaches="guarded")
            except CooperationError:
                pass
        return list(registry.export_events(initiative))


# --- the rule-based machine ----------------------------------------------------------------------------


class WorkflowMachine(RuleBasedStateMachine):
    """One initiative of `workflow`, in a registry held in memory, driven by hypothesis.

    Build one with `workflow_state_machine`; subclass it to add rules or invariants of your own.
    """

    workflow: ClassVar[CompiledWorkflow]
    initiative: ClassVar[str] = "example"
    start: ClassVar[datetime] = START
    breaches_by: ClassVar[Breaches] = "anyone"

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock(self.start)  # START by default: a Monday morning in 2020
        self.registry = self.make_registry()
        self.registry.create(
            "Example", workflow=workflow_reference(self.workflow), initiative=self.initiative, at=self.clock.now
        )
        self.guide = Guide(self.workflow)
        self._moves_checked = 0
        self._cache: tuple[tuple[int, datetime], InitiativeStatus, Facts] | None = None

    def make_registry(self) -> Registry:
        """The registry the machine drives, on `self.clock`: in memory; override for another store."""
        return memory_registry(self.clock)

    def teardown(self) -> None:
        try:
            self.replaying_the_log_gives_the_same_status()
        finally:
            self.registry.close()

    # --- reading the initiative ------------------------------------------------------------------

    def status(self) -> InitiativeStatus:
        return self._state()[0]

    def facts(self) -> Facts:
        return self._state()[1]

    def _state(self) -> tuple[InitiativeStatus, Facts]:
        key = (self.registry.store.version(self.initiative), self.clock.now)
        if self._cache is None or self._cache[0] != key:
            history = self.registry.history(self.initiative)
            facts = fold(self.initiative, time_ordered(history), start=self.workflow.start)
            self._cache = (key, self.registry.status(self.initiative), facts)
        return self._cache[1], self._cache[2]

    def permitted(self, roles: Sequence[str]) -> list[str]:
        """Current participants whose role may make a move open to `roles`."""
        return sorted(p.name for p in self.facts().active_participants() if p.role in roles)

    def _blocking(self, needs: Sequence[str]) -> list[str]:
        shown = {condition.condition: condition for condition in self.status().conditions}
        return [need for need in needs if shown[need].blocking]

    # --- writing, with the property that a refused write changes nothing ---------------------------

    def attempt(self, action: Any) -> CooperationError | None:
        """Run a write; if the engine refuses it, check that nothing was written."""
        before = self.registry.history(self.initiative)
        try:
            action()
        except (EventError, TransitionError) as error:
            assert self.registry.history(self.initiative) == before, f"a refused write appended events: {error}"
            return error
        return None

    def record(self, kind: str, data: dict[str, Any], by: str | None = None) -> CooperationError | None:
        self.clock.advance(minutes=1)
        return self.attempt(lambda: self.registry.record(self.initiative, kind, data, by=by))

    # --- moves -----------------------------------------------------------------------------------

    def try_advance(self, actor: str, *, tick: bool = True) -> None:
        """can_advance agrees with the result of advance; a refusal names exactly what blocks."""
        if tick:
            self.clock.advance(minutes=1)
        status = self.status()
        following = status.next
        may = self.registry.can_advance(self.initiative)
        assert may == status.can_advance
        advance = moves_for(self.workflow).advance(status.stage)
        permitted = advance is not None and actor in self.permitted(advance.roles)
        error = self.attempt(lambda: self.registry.advance(self.initiative, by=actor))
        if following is None:
            assert type(error) is TransitionError, error
        elif not permitted:
            assert isinstance(error, NotPermittedError), error
        elif not may:
            assert isinstance(error, BlockedTransitionError), error
            assert [r.condition for r in error.unmet] == [u.condition for u in status.unmet if u.blocking]
        else:
            assert error is None, error
            moved = self.registry.history(self.initiative)[-1]
            assert (moved.kind, moved.by, moved.data) == (
                "stage_advanced",
                actor,
                {"from": status.stage, "to": following},
            )

    def try_transition(self, transition_id: str, actor: str, *, tick: bool = True) -> None:
        """A transition succeeds exactly when it starts here, the actor may take it and nothing blocks it."""
        if tick:
            self.clock.advance(minutes=1)
        status = self.status()
        transition = self.workflow.transitions[transition_id]
        move = replace(moves_for(self.workflow).of_transition(transition.id)[0], source=status.stage)
        blocking = self._blocking(move.needs)
        error = self.attempt(lambda: apply_move(self.registry, self.initiative, move, by=actor))
        if status.stage not in transition.from_:
            assert type(error) is TransitionError, error
        elif actor not in self.permitted(move.roles):
            assert isinstance(error, NotPermittedError), error
        elif blocking:
            assert isinstance(error, BlockedTransitionError), error
            listed = [r.condition for r in error.unmet]
            # every blocking need, in working order, each after the unmet parts it is made of
            assert [condition for condition in listed if condition in move.needs] == blocking, listed
            assert all(r.blocking for r in error.unmet), listed
        else:
            assert error is None, error
            moved = self.registry.history(self.initiative)[-1]
            assert moved.data.get("transition") == transition.id and moved.data["to"] == transition.to, moved

    # --- the invariants ------------------------------------------------------------------------------

    @invariant()
    def the_log_is_whole_and_the_stage_is_the_fold_of_its_moves(self) -> None:
        history = self.registry.history(self.initiative)
        assert [event.seq for event in history] == list(range(1, len(history) + 1))
        stage = self.workflow.start
        for event in time_ordered(history):
            if event.kind in MOVE_KINDS:
                assert event.data["from"] == stage, event
                stage = event.data["to"]
        assert self.status().stage == stage

    @invariant()
    def no_stage_was_entered_with_its_blocking_prerequisites_unmet(self) -> None:
        ordered = time_ordered(self.registry.history(self.initiative))
        moves = [index for index, event in enumerate(ordered) if event.kind in MOVE_KINDS]
        for index in moves[self._moves_checked :]:
            move = ordered[index]
            before = ordered[:index]
            facts = fold(self.initiative, before, start=self.workflow.start)

            def facts_at(at: datetime, before: list[Event] = before) -> Facts:
                return fold(self.initiative, before, start=self.workflow.start, until=at)

            transition = move.data.get("transition")
            needs = self.workflow.transition_needs[transition] if transition else self.workflow.needs(move.data["to"])
            blocking = [r.condition for r in Evaluator(self.workflow, facts, move.moment, facts_at).blocking(needs)]
            assert not blocking, f"{move.kind} to '{move.data['to']}' at {move.at} with {blocking} unmet"
        self._moves_checked = len(moves)

    # --- checks run at random points (too costly to run after every step) ------------------------------

    @rule()
    def replaying_the_log_gives_the_same_status(self) -> None:
        lines = [event.to_line() for event in self.registry.export_events(self.initiative)]
        with memory_registry(self.clock) as copy:
            copy.import_lines(lines, source="replay")
            assert copy.status(self.initiative).to_json() == self.registry.status(self.initiative).to_json()
            assert copy.can_advance(self.initiative) == self.registry.can_advance(self.initiative)

    @rule(pick=st.integers(0, 10_000))
    def status_as_of_a_past_moment_equals_the_replay_up_to_it(self, pick: int) -> None:
        history = self.registry.history(self.initiative)
        as_of = history[pick % len(history)].at
        cutoff = moment(as_of)
        prefix = [event for event in history if event.moment <= cutoff]
        with memory_registry(self.clock) as copy:
            copy.import_lines((event.to_line() for event in prefix), source="prefix")
            then = self.registry.status(self.initiative, as_of=as_of).to_json()
            replayed = copy.status(self.initiative, as_of=as_of).to_json()
        assert replayed.pop("version") == len(prefix)
        then.pop("version")  # the original log may hold later-recorded events dated before the cutoff
        assert replayed == then

    # --- time, and work towards the next move -----------------------------------------------------------

    @rule(days=st.sampled_from((1 / 1440, 1 / 24, 1.0, 3.0, 14.0, 45.0, 200.0)))
    def time_passes(self, days: float) -> None:
        self.clock.advance(days)

    @rule(seed=st.integers(0, 2**32 - 1), rounds=st.integers(1, 40))
    def work_towards_a_move(self, seed: int, rounds: int) -> None:
        """Record what a next move lacks, then make it: keeps walks reaching the later stages."""
        rng = random.Random(seed)
        target: Move | None = None
        moves = 0
        for _ in range(rounds):
            self.clock.advance(minutes=rng.choice((1, 30, 600)))
            stage = self.status().stage
            if target is None or target.source != stage:
                if moves == 2:  # leave room for the other rules between moves
                    return
                target = self.guide.choose_move(stage, rng)
                if target is None:
                    return
            step = self.guide.next_step(
                self.registry, self.initiative, self.clock.now, rng, target, known=self._state()
            )
            if step is None:
                return
            error = self.attempt(lambda step=step: take_step(self.registry, self.initiative, step, self.clock.advance))
            if step.action == "move" and error is None:
                moves, target = moves + 1, None


def workflow_state_machine(
    workflow: CompiledWorkflow | str,
    *,
    initiative: str = "example",
    start: datetime = START,
    breaches_by: Breaches = "anyone",
    names: Sequence[str] = NAMES[:6],
) -> type[WorkflowMachine]:
    """A `RuleBasedStateMachine` for `workflow` (a built-in id, a file, or a compiled workflow from a file).

    Use its `.TestCase` as a test; its default settings (deadline off, 30 steps) can be
    overridden through `TestCase.settings`. With `breaches_by="guarded"` breaches of trust
    are recorded only where the automatic move they cause meets its own roles and
    requirements (the engine does not check them for automatic moves).
    """
    compiled = _compiled(workflow)
    workflow_reference(compiled)  # fail now, not in every example, if it cannot be recorded
    people = st.sampled_from(list(names))
    conditions = st.sampled_from(list(compiled.condition_order))
    parameters = compiled.definition.parameters
    transitions = [transition.id for transition in compiled.definition.transitions]

    class Machine(WorkflowMachine):
        # --- a rule per event kind -----------------------------------------------------------------

        @rule(name=people, community=st.sampled_from(COMMUNITIES), role=st.sampled_from(ROLES))
        def join(self, name: str, community: str, role: str) -> None:
            self.record("participant_joined", {"name": name, "community": community, "role": role})

        @rule(name=people)
        def leave(self, name: str) -> None:
            self.record("participant_left", {"name": name})

        @rule(attendees=st.lists(people, min_size=1, max_size=4, unique=True), neutral=st.booleans())
        def meet(self, attendees: list[str], neutral: bool) -> None:
            self.record("meeting_held", {"attendees": attendees, "neutral": neutral})

        @rule(condition=conditions, tlp=st.sampled_from(TLP_LABELS))
        def record_evidence(self, condition: str, tlp: str) -> None:
            """Adding evidence never un-meets a condition."""
            self.clock.advance(minutes=1)
            ahead = {c.condition: c.met for c in self.status().conditions}
            error = self.attempt(
                lambda: self.registry.record(
                    self.initiative, "evidence_recorded", {"condition": condition, "text": "Noted.", "tlp": tlp}
                )
            )
            after = {c.condition: c.met for c in self.status().conditions}
            lost = [name for name in after if ahead[name] and not after[name]]
            assert error is None and not lost, f"evidence for '{condition}' un-met {lost}"

        @rule(condition=conditions, by=people)
        def attest(self, condition: str, by: str) -> None:
            self.record("attestation_given", {"condition": condition}, by=by)

        @rule(condition=conditions, by=people, long_enough=st.booleans())
        def waive(self, condition: str, by: str, long_enough: bool) -> None:
            rationale = "Not applicable here, for reasons recorded in the minutes of the meeting."
            if long_enough:
                rationale = (rationale + " ") * (1 + compiled.waiver_min_rationale(condition) // len(rationale))
            else:
                rationale = rationale[: max(1, compiled.waiver_min_rationale(condition) - 1)]
            self.record("condition_waived", {"condition": condition, "rationale": rationale.strip()}, by=by)

        if parameters:

            @rule(parameter=st.sampled_from(parameters), data=st.data())
            def score(self, parameter: Any, data: st.DataObject) -> None:
                level = data.draw(st.integers(parameter.scale.min - 1, parameter.scale.max + 1), label="level")
                self.record("score_set", {"parameter": parameter.id, "level": level})

        @rule(title=st.sampled_from(("Guidelines", "A joint statement")))
        def publish(self, title: str) -> None:
            self.record("output_published", {"title": title})

        @rule(by=st.none() | people)
        def breach(self, by: str | None) -> None:
            stage = self.status().stage
            if self.breaches_by == "guarded":
                by = guarded_breacher(compiled, self.registry, self.initiative, self.facts(), by)
                if by == "":
                    return
            error = self.record("trust_breached", {"description": "Shared information was misused."}, by=by)
            automatic = moves_for(compiled).automatic(stage, "trust_breached")
            if error is None and automatic:
                assert self.status().stage == automatic.target

        # --- moves: every transition tried, and preconditions that mirror the guards ------------------------

        @rule(actor=people)
        def advance(self, actor: str) -> None:
            self.try_advance(actor)

        @precondition(lambda self: self._advance_open() is not None)
        @rule()
        def advance_when_the_guard_allows(self) -> None:
            actor = self._advance_open()
            assert actor is not None
            self.try_advance(actor, tick=False)  # at the moment the guard was read
            assert self.registry.history(self.initiative)[-1].kind == "stage_advanced"

        @precondition(lambda self: self._advance_blocked() is not None)
        @rule()
        def advance_when_the_guard_refuses(self) -> None:
            actor = self._advance_blocked()
            assert actor is not None
            self.try_advance(actor)

        def _advance_open(self) -> str | None:
            status = self.status()
            if status.next is None or not status.can_advance:
                return None
            advance = moves_for(compiled).advance(status.stage)
            allowed = self.permitted(advance.roles) if advance is not None else []
            return allowed[0] if allowed else None

        def _advance_blocked(self) -> str | None:
            status = self.status()
            if status.next is None or status.can_advance:
                return None
            advance = moves_for(compiled).advance(status.stage)
            allowed = self.permitted(advance.roles) if advance is not None else []
            return allowed[0] if allowed else None

        if transitions:

            @rule(transition=st.sampled_from(transitions), actor=people)
            def take(self, transition: str, actor: str) -> None:
                self.try_transition(transition, actor)

            @precondition(lambda self: bool(self._open_transitions()))
            @rule(pick=st.integers(0, 100))
            def take_a_transition_the_guards_allow(self, pick: int) -> None:
                options = self._open_transitions()
                transition, actor = options[pick % len(options)]
                self.try_transition(transition, actor, tick=False)
                assert self.registry.history(self.initiative)[-1].data.get("transition") == transition

            def _open_transitions(self) -> list[tuple[str, str]]:
                open_now = []
                for move in moves_from(compiled, self.status().stage):
                    if move.transition is None or self._blocking(move.needs):
                        continue
                    allowed = self.permitted(move.roles)
                    if allowed:
                        open_now.append((move.transition, allowed[0]))
                return open_now

    Machine.workflow = compiled
    Machine.initiative = initiative
    Machine.start = start
    Machine.breaches_by = breaches_by
    Machine.__name__ = Machine.__qualname__ = "".join(part.title() for part in compiled.id.split("-")) + "Machine"
    Machine.TestCase.settings = settings(
        deadline=None,
        stateful_step_count=30,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    return Machine
