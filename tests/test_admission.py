"""`admit` on its own: whether an event fits an initiative's folded facts, without a registry or a store.

Facts are folded here from events built by hand (`cooperation.engine.facts.fold`), on the
small engine ladder (tests/workflows/engine/ladder.yaml).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperation.definition.catalog import get_workflow
from cooperation.engine.admission import admit
from cooperation.engine.events import Event
from cooperation.engine.facts import Facts, fold
from cooperation.engine.moves import EVENT_KIND_OF_MOVE, MOVE_KIND_OF_EVENT, MoveKind, moves_for
from cooperation.errors import EventError

LADDER = get_workflow(str(Path(__file__).resolve().parent / "workflows" / "engine" / "ladder.yaml"))
MOVES = moves_for(LADDER)
INITIATIVE = "pilot"
CLOCK = datetime(2024, 6, 1, tzinfo=UTC)
PEOPLE = {"Ada": "owner", "Ben": "member", "Di": "secretariat", "Obs": "observer"}
NAME_ONE = "name who records it with --by NAME (by= in the API)"
NAME_WORKING = f"{NAME_ONE}, a current owner, secretariat or member of pilot (Ada, Ben, Di)"
NAME_STEERING = f"{NAME_ONE}, a current owner or secretariat of pilot (Ada, Di)"
WAIVER = "No outsider can vouch for a group this new; the board agreed to go on without it."


def event(kind: str, at: str, data: dict[str, Any] | None = None, by: str | None = "Ada") -> Event:
    """An event of the pilot, recorded by Ada (its creator and owner) unless `by` says otherwise."""
    return Event(INITIATIVE, kind, at, data or {}, by)


def log(*extra: Event, stage: str | None = None) -> list[Event]:
    """A created initiative with four participants (2024-01-02), optionally moved to `stage`, then `extra`."""
    events = [event("initiative_created", "2024-01-01", {"name": "Pilot", "workflow": "engine-ladder"})]
    events += [
        event("participant_joined", "2024-01-02", {"name": name, "community": "technical", "role": role})
        for name, role in PEOPLE.items()
    ]
    if stage is not None:
        events.append(event("stage_advanced", "2024-01-03", {"from": LADDER.start, "to": stage}, by="Ada"))
    events += extra
    return [Event(e.initiative, e.kind, e.at, e.data, e.by, seq) for seq, e in enumerate(events, start=1)]


def facts_of(events: list[Event]) -> Facts:
    return fold(INITIATIVE, events, start=LADDER.start)


def refusal(new: Event, events: list[Event] | None = None, *, then: Facts | None = None) -> str:
    with pytest.raises(EventError) as refused:
        admit(LADDER, facts_of(events if events is not None else log()), new, then=then, clock=CLOCK)
    return str(refused.value)


# --- dates -----------------------------------------------------------------------------------------


def test_an_event_dated_after_the_clock_is_in_the_future() -> None:
    future = event("evidence_recorded", "2024-06-02", {"condition": "problem", "text": "x"})
    assert "is in the future" in refusal(future)
    admitted = event("evidence_recorded", "2024-06-01", {"condition": "problem", "text": "x"})
    assert admit(LADDER, facts_of(log()), admitted, clock=CLOCK) == admitted


def test_an_event_dated_before_the_initiative_was_created_is_refused() -> None:
    message = refusal(event("evidence_recorded", "2023-12-31", {"condition": "problem", "text": "x"}))
    assert message == f"2023-12-31 is before {INITIATIVE} was created (2024-01-01)"


def test_a_fact_dated_before_a_move_is_admitted_as_recorded_late() -> None:
    moved = log(stage="formed")
    late = event("evidence_recorded", "2024-01-02", {"condition": "problem", "text": "x"})
    assert admit(LADDER, facts_of(moved), late, clock=CLOCK) == late
    # still checked against the facts of its date: nobody attests before they joined
    early = fold(INITIATIVE, moved, start=LADDER.start, until=datetime(2024, 1, 1, tzinfo=UTC))
    attestation = event("attestation_given", "2024-01-01", {"condition": "problem"}, by="Ada")
    assert "not a current participant" in refusal(attestation, moved, then=early)


def test_a_move_cannot_come_before_facts_already_recorded() -> None:
    later = log(event("evidence_recorded", "2024-02-01", {"condition": "problem", "text": "x"}))
    message = refusal(event("stage_advanced", "2024-01-15", {"from": "idea", "to": "formed"}, by="Ada"), later)
    assert message.startswith("a move dated 2024-01-15 would come before facts already recorded (up to 2024-02-01)")


def test_a_backdated_fact_is_checked_against_the_facts_of_its_date() -> None:
    """Ben left on 2024-03-01; a meeting he attended on 2024-02-01 fits the facts of that date."""
    events = log(event("participant_left", "2024-03-01", {"name": "Ben"}))
    meeting = event("meeting_held", "2024-02-01", {"attendees": ["Ada", "Ben"]})
    assert "not participants of pilot: Ben" in refusal(meeting, events)
    then = fold(INITIATIVE, events, start=LADDER.start, until=datetime(2024, 2, 1, tzinfo=UTC))
    assert admit(LADDER, facts_of(events), meeting, then=then, clock=CLOCK) == meeting


# --- participants and meetings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (event("initiative_created", "2024-02-01", {"name": "Again", "workflow": "engine-ladder"}), "already exists"),
        (
            event("participant_joined", "2024-02-01", {"name": "Ada", "community": "technical"}),
            "Ada already takes part in pilot",
        ),
        (
            event("participant_left", "2024-02-01", {"name": "Zed"}),
            "Zed is not a current participant of pilot, so cannot leave",
        ),
        (
            event("meeting_held", "2024-02-01", {"attendees": ["Ada", "Zed"]}),
            "not participants of pilot: Zed (record them with `coop join` first)",
        ),
        (event("meeting_held", "2024-02-01", {"attendees": ["Ada", "Ada"]}), "an attendee is listed twice"),
    ],
)
def test_participants_and_meetings_must_fit_who_takes_part(new: Event, message: str) -> None:
    assert message in refusal(new)


def test_someone_who_left_may_join_again_and_then_leave() -> None:
    events = log(event("participant_left", "2024-02-01", {"name": "Ben"}))
    rejoin = event("participant_joined", "2024-02-02", {"name": "Ben", "community": "business"})
    assert admit(LADDER, facts_of(events), rejoin, clock=CLOCK) == rejoin
    again = event("participant_left", "2024-02-02", {"name": "Ben"})
    assert "Ben is not a current participant" in refusal(again, events)


# --- conditions, attestations, waivers and scales ----------------------------------------------------------


def test_an_unknown_condition_is_refused_with_the_closest_known_one() -> None:
    message = refusal(event("evidence_recorded", "2024-02-01", {"condition": "problme", "text": "x"}))
    assert message == "unknown condition 'problme' in workflow engine-ladder (did you mean 'problem'?)"
    message = refusal(event("attestation_given", "2024-02-01", {"condition": "zzz"}, by="Ada"))
    assert message == "unknown condition 'zzz' in workflow engine-ladder (see `coop workflows show engine-ladder`)"


@pytest.mark.parametrize(
    ("by", "message"),
    [
        (None, f"recording attestation_given in pilot needs an actor: {NAME_WORKING}"),
        ("Zed", f"Zed is not a current participant of pilot: {NAME_WORKING}"),
        (
            "Obs",
            "Obs is an observer of pilot; observers cannot attest (allowed: owner, secretariat or member): "
            + NAME_WORKING,
        ),
    ],
)
def test_only_current_participants_who_are_not_observers_attest(by: str | None, message: str) -> None:
    assert refusal(event("attestation_given", "2024-02-01", {"condition": "comfort"}, by=by)) == message


@pytest.mark.parametrize(
    ("condition", "rationale", "by", "message"),
    [
        ("problem", WAIVER, "Ada", "'problem' is required and cannot be waived; meet it instead"),
        (
            "vouched",
            "Too short.",
            "Ada",
            "a waiver of 'vouched' needs a rationale of at least 30 characters (this one has 10): "
            "say why it does not apply",
        ),
        ("vouched", WAIVER, None, f"recording condition_waived in pilot needs an actor: {NAME_STEERING}"),
        ("vouched", WAIVER, "Zed", f"Zed is not a current participant of pilot: {NAME_STEERING}"),
        (
            "vouched",
            WAIVER,
            "Ben",
            "Ben is a member of pilot; members cannot waive conditions (allowed: owner or secretariat): "
            + NAME_STEERING,
        ),
    ],
)
def test_waiver_rules(condition: str, rationale: str, by: str | None, message: str) -> None:
    waiver = event("condition_waived", "2024-02-01", {"condition": condition, "rationale": rationale}, by)
    assert refusal(waiver) == message


def test_a_waiver_that_follows_the_rules_is_admitted() -> None:
    for granter in ("Ada", "Di"):
        waiver = event("condition_waived", "2024-02-01", {"condition": "vouched", "rationale": WAIVER}, by=granter)
        assert admit(LADDER, facts_of(log()), waiver, clock=CLOCK) == waiver


@pytest.mark.parametrize(
    ("parameter", "level", "message"),
    [
        ("trust-levle", 2, "unknown parameter 'trust-levle' in workflow engine-ladder (did you mean 'trust-level'?)"),
        ("zzz", 2, "unknown parameter 'zzz' in workflow engine-ladder (known: trust-level)"),
        ("trust-level", 5, "level 5 is outside the scale of 'trust-level' (0..4)"),
        ("trust-level", -1, "level -1 is outside the scale of 'trust-level' (0..4)"),
    ],
)
def test_scores_must_be_on_a_known_scale(parameter: str, level: int, message: str) -> None:
    assert refusal(event("score_set", "2024-02-01", {"parameter": parameter, "level": level})) == message


# --- moves ---------------------------------------------------------------------------------------------


def test_a_move_must_start_where_the_initiative_is() -> None:
    message = refusal(event("stage_advanced", "2024-02-01", {"from": "formed", "to": "trusted"}, by="Ada"))
    assert message == "the move starts from 'formed' but pilot is at 'idea'"


def test_an_advance_goes_to_the_next_ladder_stage_only() -> None:
    message = refusal(event("stage_advanced", "2024-02-01", {"from": "idea", "to": "trusted"}, by="Ada"))
    assert message == "from 'idea' an advance goes to 'formed', not 'trusted'"
    top = log(stage="delivered")
    message = refusal(event("stage_advanced", "2024-02-01", {"from": "delivered", "to": "x"}, by="Ada"), top)
    assert message == "from 'delivered' an advance goes to nowhere (no next stage on the ladder), not 'x'"


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("stage_regressed", {"from": "idea", "to": "formed", "reason": "r"}),  # nothing regresses from idea
        ("escalated", {"from": "idea", "to": "escalated", "reason": "r", "transition": "restart"}),
        ("handed_off", {"body": "B", "body_kind": "standardisation"}),  # only from delivered
    ],
)
def test_a_move_the_workflow_lacks_is_refused(kind: str, data: dict[str, Any]) -> None:
    message = refusal(event(kind, "2024-02-01", data, by="Ada"))
    move_kind = MOVE_KIND_OF_EVENT[kind]
    assert message == f"workflow engine-ladder has no {move_kind} transition from 'idea' matching this event"


def test_a_hand_off_goes_only_to_the_kinds_of_body_its_transition_names() -> None:
    top = log(stage="delivered")
    hand_off = event("handed_off", "2024-02-01", {"body": "Parliament", "body_kind": "legislation"}, "Ada")
    refused = refusal(hand_off, top)
    assert refused == "'hand-off' hands off only to: standardisation, self-regulation"


def test_admission_completes_a_move_with_where_it_goes() -> None:
    top = log(stage="delivered")
    hand_off = event("handed_off", "2024-02-01", {"body": "IETF", "body_kind": "standardisation"}, by="Ada")
    admitted = admit(LADDER, facts_of(top), hand_off, clock=CLOCK)
    assert admitted.data == {
        "body": "IETF",
        "body_kind": "standardisation",
        "from": "delivered",
        "to": "handed-off",
        "transition": "hand-off",
    }
    # From 'trusted' two regresses fit an event that names no transition: the first is taken.
    regress = event("stage_regressed", "2024-02-01", {"from": "trusted", "to": "idea", "reason": "r"}, by="Ada")
    assert admit(LADDER, facts_of(log(stage="trusted")), regress, clock=CLOCK).data["transition"] == "restart"


# --- properties -------------------------------------------------------------------------------------------

STAGES = tuple(LADDER.compiled_stages)
TRANSITIONS = (None, *LADDER.compiled_transitions)


@st.composite
def move_events(draw: st.DrawFn) -> tuple[str, Event]:
    """A stage the initiative is at, and a move event from it of any kind, with any transition and target."""
    stage = draw(st.sampled_from(STAGES))
    leaving = MOVES.leaving(stage)
    kind: MoveKind
    if leaving and draw(st.booleans()):  # often a move the workflow has, named in part
        listed = draw(st.sampled_from(leaving))
        kind = listed.kind
        optional = kind == "hand_off"  # the only move whose event may leave out its target
        target = draw(st.sampled_from((None, listed.target))) if optional else listed.target
        transition = draw(st.sampled_from((None, listed.transition)))
    else:
        kind = draw(st.sampled_from(("advance", "regress", "escalate", "hand_off")))
        target, transition = draw(st.sampled_from((None, *STAGES))), draw(st.sampled_from(TRANSITIONS))
    data: dict[str, Any] = {"from": stage}
    if target is not None or kind != "hand_off":
        data["to"] = target or "idea"
    if transition is not None and kind != "advance":
        data["transition"] = transition
    if kind in ("regress", "escalate"):
        data["reason"] = "r"
    if kind == "hand_off":
        data.update(body="B", body_kind=draw(st.sampled_from(("standardisation", "self-regulation"))))
    return stage, event(EVENT_KIND_OF_MOVE[kind], "2024-02-01", data, by="Ada")


@settings(max_examples=300, deadline=None)
@given(drawn=move_events())
def test_a_move_is_admitted_exactly_when_the_move_table_has_it_and_goes_where_the_table_says(
    drawn: tuple[str, Event],
) -> None:
    stage, move = drawn
    facts = facts_of(log(stage=stage) if stage != LADDER.start else log())
    kind = MOVE_KIND_OF_EVENT[move.kind]
    if kind == "advance":
        fits = tuple(m for m in (MOVES.advance(stage),) if m is not None and m.target == move.data.get("to"))
    else:
        fits = MOVES.matching(stage, kind, transition=move.data.get("transition"), target=move.data.get("to"))
    body_kind = move.data.get("body_kind")
    expected = fits[0] if fits and (not fits[0].body_kinds or body_kind in fits[0].body_kinds) else None
    try:
        admitted = admit(LADDER, facts, move, clock=CLOCK)
    except EventError:
        assert expected is None, expected
        return
    assert expected is not None
    assert (admitted.kind, admitted.data["from"]) == (expected.event_kind, stage)
    assert admitted.data["to"] == expected.target
    assert admitted.data.get("transition") == expected.transition
    assert admit(LADDER, facts, admitted, clock=CLOCK) == admitted  # a completed move is admitted again unchanged


FACT_EVENTS = st.one_of(
    st.builds(
        lambda c: event("evidence_recorded", "2024-02-01", {"condition": c, "text": "x"}),
        st.sampled_from(LADDER.condition_order),
    ),
    st.builds(
        lambda c, by: event("attestation_given", "2024-02-01", {"condition": c}, by=by),
        st.sampled_from(LADDER.condition_order),
        st.sampled_from((None, *PEOPLE)),
    ),
    st.builds(
        lambda level: event("score_set", "2024-02-01", {"parameter": "trust-level", "level": level}), st.integers(-2, 6)
    ),
    st.builds(
        lambda names: event("meeting_held", "2024-02-01", {"attendees": names}),
        st.lists(st.sampled_from((*PEOPLE, "Zed")), min_size=1, max_size=3),
    ),
)


@settings(max_examples=200, deadline=None)
@given(new=FACT_EVENTS)
def test_a_fact_admitted_once_is_admitted_again_unchanged_and_refused_once_is_refused_again(new: Event) -> None:
    facts = facts_of(log())
    try:
        admitted = admit(LADDER, facts, new, clock=CLOCK)
    except EventError as refused:
        with pytest.raises(EventError) as again:
            admit(LADDER, facts, new, clock=CLOCK)
        assert str(again.value) == str(refused)
        return
    assert admitted == new
    assert admit(LADDER, facts, admitted, clock=CLOCK) == admitted
