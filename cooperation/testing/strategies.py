"""Hypothesis strategies for one workflow: moments, participants, meetings, evidence and whole logs.

Each strategy makes events the engine accepts for the workflow it is given (a built-in
id, a file, or a compiled workflow), for property tests of your own; `event_logs` makes
a whole log, moves included, that imports as is.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from cooperation.definition.catalog import get_workflow
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.events import Event, parse_at
from cooperation.engine.payloads import EventData, EventKind, ParticipantJoinedData
from cooperation.errors import CooperationError
from cooperation.verify.guide import Guide, take_step
from cooperation.verify.planner import NAMES
from cooperation.verify.walks import Clock, random_step
from cooperation.verify.witness import CONVENOR, memory_registry, workflow_reference
from cooperation.vocabulary import COMMUNITIES, ROLES, TLP_LABELS, Community, Role

START = datetime(2020, 1, 6, 9, tzinfo=UTC)  # when generated initiatives start, by default
Moment = datetime | SearchStrategy[datetime]


def as_compiled(workflow: CompiledWorkflow | str) -> CompiledWorkflow:
    """The compiled workflow itself, or the one a built-in id or a file names."""
    return get_workflow(workflow) if isinstance(workflow, str) else workflow


def _at(at: Moment) -> SearchStrategy[datetime]:
    return at if isinstance(at, SearchStrategy) else st.just(at)


def _event(initiative: str, kind: EventKind, at: datetime, data: EventData, by: str | None = None) -> Event:
    return Event(initiative, kind, parse_at(at), data, by)


# --- strategies: moments and events ------------------------------------------------------------------


def moments(start: datetime = START, end: datetime | None = None) -> SearchStrategy[datetime]:
    """Moments in whole seconds (UTC) from `start` to `end` (default: a year after `start`)."""
    last = end or start + timedelta(days=365)
    span = int((last - start).total_seconds())
    return st.integers(0, max(0, span)).map(lambda seconds: start + timedelta(seconds=seconds))


_names = st.sampled_from(NAMES[:8])
_booleans = st.booleans()
_owner: SearchStrategy[str | None] = st.just(NAMES[0])
OWNER = NAMES[0]
"""Who creates an example initiative and joins it first, as owner (as `groups` lays it out): the default
actor of the facts these strategies build, since every event names who records it."""


def participants(
    initiative: str = "example",
    *,
    at: Moment = START,
    name: SearchStrategy[str] = _names,
    communities: Sequence[Community] = COMMUNITIES,
    roles: Sequence[Role] = ROLES,
) -> SearchStrategy[Event]:
    """A participant joining, from a random community, in a random role."""

    def build(who: str, community: Community, role: Role, when: datetime, organisation: str | None) -> Event:
        joined: ParticipantJoinedData = {"name": who, "community": community, "role": role}
        if organisation:
            joined["organisation"] = organisation
        return _event(initiative, "participant_joined", when, joined)

    return st.builds(
        build,
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
    roles: Sequence[Role] = ("owner", "secretariat", "member", "member", "observer"),
) -> SearchStrategy[list[Event]]:
    """Participants joining together: distinct names, from at least `min_communities` communities.

    The first joins as owner, so that someone may move the initiative on.
    """
    size = st.integers(max(min_size, min_communities, 1), max(max_size, min_size, min_communities, 1))

    def build(count: int, draw_communities: list[Community], draw_roles: list[Role], when: datetime) -> list[Event]:
        events = []
        for index in range(count):
            community = COMMUNITIES[index] if index < min_communities else draw_communities[index]
            role = "owner" if index == 0 else draw_roles[index]
            name = NAMES[index] if index < len(NAMES) else f"Participant {index + 1}"
            joined: ParticipantJoinedData = {"name": name, "community": community, "role": role}
            events.append(_event(initiative, "participant_joined", when, joined, NAMES[0]))  # the first, the owner
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
                OWNER,
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
    compiled = as_compiled(workflow)
    return st.builds(
        lambda condition, tlp, when, text: _event(
            initiative, "evidence_recorded", when, {"condition": condition, "text": text, "tlp": tlp}, OWNER
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
    compiled = as_compiled(workflow)
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
    compiled = as_compiled(workflow)
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
    parameters = as_compiled(workflow).definition.parameters
    if not parameters:
        return st.nothing()
    return st.sampled_from(parameters).flatmap(
        lambda parameter: st.builds(
            lambda level, when: _event(
                initiative, "score_set", when, {"parameter": parameter.id, "level": level}, OWNER
            ),
            st.integers(parameter.scale.min, parameter.scale.max),
            _at(at),
        )
    )


def breaches(
    initiative: str = "example", *, at: Moment = START, by: SearchStrategy[str | None] = _owner
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
        lambda when, title: _event(initiative, "output_published", when, {"title": title}, OWNER),
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
    """A whole log of one initiative, moves included, that the engine accepts (so it imports as is into
    a registry that holds the workflow's version it names: its first event pins it by id and hash).

    Steps are drawn, then replayed through a registry in memory: most work towards a
    next move (participants, meetings spaced over the span, evidence, attestations,
    scores, waivers), the rest are anything at all; whatever the engine refuses is left
    out. Breaches of trust are left out where the automatic move they cause would skip its
    own roles or requirements (which the engine does not check for automatic moves).
    """
    compiled = as_compiled(workflow)
    plan = draw(
        st.lists(
            st.tuples(st.integers(0, 9), st.integers(0, 2**32 - 1), st.sampled_from((1 / 1440, 1 / 24, 1.0, 7.0))),
            max_size=max_steps,
        )
    )
    clock = Clock(start)
    guide = Guide(compiled)
    with memory_registry(clock) as registry:
        registry.create(
            "Example",
            workflow=workflow_reference(compiled),
            initiative=initiative,
            by=CONVENOR,
            community="technical",
            at=clock.now,
        )
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
