"""The fold (`cooperation.engine.facts`) on its own: what each event adds to the facts, cut-offs and time order.

Elsewhere the fold is tested through the Registry; here events are built by hand and folded
directly, so that a failure points at the fold itself. The properties check what the
engine relies on: folding at once equals applying event by event, folding until a moment
equals folding the events up to it, and events at one moment keep their log order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.engine.events import Event, moment, parse_at
from cooperation.engine.facts import Facts, Move, apply, fold, time_ordered

INITIATIVE = "pilot"
START_STAGE = "challenge"
DAY0 = datetime(2021, 3, 1, 9, tzinfo=UTC)
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def at(days: float) -> str:
    """The canonical `at` text `days` after DAY0 (whole seconds)."""
    return parse_at(DAY0 + timedelta(seconds=round(days * 86_400)))


def log(*entries: tuple[str, float, dict[str, Any]] | tuple[str, float, dict[str, Any], str | None]) -> list[Event]:
    """Events numbered 1, 2, ... in the order given: (kind, days after DAY0, data[, by])."""
    events = []
    for seq, entry in enumerate(entries, start=1):
        kind, days, data = entry[0], entry[1], entry[2]
        by = entry[3] if len(entry) > 3 else None
        events.append(Event(INITIATIVE, kind, at(days), data, by, seq))
    return events


def created(days: float = 0) -> tuple[str, float, dict[str, Any]]:
    return ("initiative_created", days, {"name": "Pilot", "workflow": "cooperation-maturity"})


def joined(name: str, days: float, community: str = "technical", role: str = "member", **extra: Any) -> Any:
    return ("participant_joined", days, {"name": name, "community": community, "role": role, **extra})


def folded(events: list[Event], until: datetime | None = None) -> Facts:
    return fold(INITIATIVE, time_ordered(events), start=START_STAGE, until=until)


# --- what each event adds -------------------------------------------------------------------------


def test_creation_names_the_initiative_and_starts_its_stage_clock() -> None:
    facts = folded(log(created(0)))
    assert (facts.name, facts.workflow, facts.stage) == ("Pilot", "cooperation-maturity", START_STAGE)
    assert facts.created == facts.stage_since == DAY0
    assert facts.version == 1 and facts.last_event == DAY0 and facts.moments == [DAY0]


def test_participants_join_leave_and_rejoin() -> None:
    events = log(
        created(),
        joined("Ada", 1, "technical", "owner", organisation="CERT"),
        joined("Ben", 1, "business"),
        ("participant_left", 2, {"name": "Ada"}),
        ("participant_left", 2, {"name": "Nobody"}),  # someone who never joined: nothing changes
        joined("Ada", 5, "government", "secretariat"),
    )
    before_rejoining = folded(events, until=moment(at(3)))
    assert [p.name for p in before_rejoining.active_participants()] == ["Ben"]
    assert before_rejoining.participants["Ada"].active is False
    assert before_rejoining.participants["Ada"].organisation == "CERT"
    assert "Nobody" not in before_rejoining.participants

    facts = folded(events)
    ada = facts.participants["Ada"]
    assert (ada.community, ada.role, ada.active, ada.joined) == ("government", "secretariat", True, moment(at(5)))
    assert ada.organisation is None  # rejoining starts a new record
    assert sorted(p.name for p in facts.active_participants()) == ["Ada", "Ben"]


def test_a_join_without_a_role_is_a_member() -> None:
    events = log(created(), ("participant_joined", 1, {"name": "Cy", "community": "academia"}))
    assert folded(events).participants["Cy"].role == "member"


def test_meetings_keep_their_attendees_and_neutrality_in_time_order() -> None:
    events = log(
        created(),
        ("meeting_held", 10, {"attendees": ["Ada", "Ben"], "neutral": True}),
        ("meeting_held", 3, {"attendees": ["Ada"]}),  # recorded late, for an earlier date
    )
    meetings = folded(events).meetings
    assert [(m.at, m.attendees, m.neutral) for m in meetings] == [
        (moment(at(3)), ("Ada",), False),
        (moment(at(10)), ("Ada", "Ben"), True),
    ]


def test_evidence_is_kept_per_condition_with_its_label_link_and_author() -> None:
    events = log(
        created(),
        ("evidence_recorded", 1, {"condition": "trust", "text": "Minutes."}, "Ada"),
        ("evidence_recorded", 2, {"condition": "trust", "text": "Charter.", "tlp": "TLP:CLEAR", "link": "x"}, "Ben"),
        ("evidence_recorded", 2, {"condition": "neutrality", "text": "Venue."}),
    )
    evidence = folded(events).evidence
    assert [(e.text, e.tlp, e.link, e.by) for e in evidence["trust"]] == [
        ("Minutes.", "TLP:AMBER", None, "Ada"),  # unlabelled evidence is AMBER
        ("Charter.", "TLP:CLEAR", "x", "Ben"),
    ]
    assert [e.text for e in evidence["neutrality"]] == ["Venue."]


def test_attestations_keep_the_latest_per_person_and_a_breach_voids_them() -> None:
    events = log(
        created(),
        ("attestation_given", 1, {"condition": "trust"}, "Ada"),
        ("attestation_given", 2, {"condition": "trust"}, "Ben"),
        ("attestation_given", 3, {"condition": "trust"}, "Ada"),
        ("attestation_given", 3, {"condition": "trust"}),  # nobody named: not an attestation
        ("trust_breached", 4, {"description": "A leak."}),
        ("attestation_given", 5, {"condition": "commitment"}, "Cy"),
    )
    before_the_breach = folded(events, until=moment(at(3)))
    assert before_the_breach.attestations == {"trust": {"Ada": moment(at(3)), "Ben": moment(at(2))}}

    facts = folded(events)
    assert facts.attestations == {"commitment": {"Cy": moment(at(5))}}
    assert facts.breaches == [(moment(at(4)), "A leak.")]


def test_scores_keep_their_history_and_the_latest_level_counts() -> None:
    events = log(
        created(),
        ("score_set", 1, {"parameter": "trust-level", "level": 2}),
        ("score_set", 4, {"parameter": "trust-level", "level": 1}),
        ("score_set", 2, {"parameter": "trust-level", "level": 3}),
    )
    facts = folded(events)
    assert facts.scores["trust-level"] == [(moment(at(1)), 2), (moment(at(2)), 3), (moment(at(4)), 1)]
    assert facts.score("trust-level") == 1
    assert facts.score("unknown") is None
    assert folded(events, until=moment(at(3))).score("trust-level") == 3


def test_a_later_waiver_of_a_condition_replaces_the_earlier_one() -> None:
    events = log(
        created(),
        ("condition_waived", 1, {"condition": "costs", "rationale": "Volunteers carry it."}, "Ada"),
        ("condition_waived", 2, {"condition": "costs", "rationale": "Still no costs."}, "Di"),
    )
    waiver = folded(events).waivers["costs"]
    assert (waiver.at, waiver.rationale, waiver.by) == (moment(at(2)), "Still no costs.", "Di")


def test_outputs_carry_their_data_and_moment() -> None:
    events = log(created(), ("output_published", 6, {"title": "Guidelines", "link": "https://example.org"}))
    assert folded(events).outputs == [{"at": moment(at(6)), "title": "Guidelines", "link": "https://example.org"}]


def test_moves_change_the_stage_and_its_clock_and_a_hand_off_names_the_body() -> None:
    events = log(
        created(),
        ("stage_advanced", 1, {"from": "challenge", "to": "ownership"}, "Ada"),
        ("stage_regressed", 2, {"from": "ownership", "to": "challenge", "transition": "breach", "reason": "Leak"}),
        ("escalated", 3, {"from": "challenge", "to": "regulation", "transition": "escalate"}, "Ada"),
        ("handed_off", 4, {"from": "regulation", "to": "handed-off", "body": "ETSI", "body_kind": "standard"}, "Di"),
    )
    facts = folded(events)
    assert facts.moves == [
        Move(moment(at(1)), "stage_advanced", "challenge", "ownership", "Ada"),
        Move(moment(at(2)), "stage_regressed", "ownership", "challenge", None, "Leak", "breach"),
        Move(moment(at(3)), "escalated", "challenge", "regulation", "Ada", "", "escalate"),
        Move(moment(at(4)), "handed_off", "regulation", "handed-off", "Di", "ETSI"),
    ]
    assert (facts.stage, facts.stage_since) == ("handed-off", moment(at(4)))
    assert facts.handed_off_to == {"body": "ETSI", "body_kind": "standard", "at": moment(at(4))}
    middle = folded(events, until=moment(at(2)))
    assert (middle.stage, middle.stage_since, middle.handed_off_to) == ("challenge", moment(at(2)), None)


def test_a_move_without_from_or_to_starts_from_the_current_stage() -> None:
    events = log(created(), ("handed_off", 1, {"body": "ITU", "body_kind": "standard"}))
    facts = folded(events)
    assert (facts.moves[0].source, facts.moves[0].target, facts.stage) == (START_STAGE, START_STAGE, START_STAGE)


def test_until_includes_events_at_that_moment_and_nothing_after() -> None:
    events = log(created(), joined("Ada", 1), joined("Ben", 2))
    facts = folded(events, until=moment(at(1)))
    assert list(facts.participants) == ["Ada"] and facts.version == 2 and facts.last_event == moment(at(1))
    assert folded(events, until=DAY0 - timedelta(seconds=1)) == Facts(INITIATIVE, stage=START_STAGE)


def test_version_is_the_highest_seq_applied_not_the_last() -> None:
    events = log(created(), joined("Ada", 5), joined("Ben", 1))  # the third was recorded late, for day 1
    ordered = time_ordered(events)
    assert [event.seq for event in ordered] == [1, 3, 2]
    assert folded(events).version == 3
    assert folded(events, until=moment(at(2))).version == 3


def test_time_ordered_keeps_an_ascending_log_as_it_is() -> None:
    events = log(created(), joined("Ada", 1), joined("Ben", 1), joined("Cy", 2))
    assert time_ordered(events) == events


def test_time_ordered_compares_moments_not_texts_across_dates_and_times() -> None:
    events = [
        Event(INITIATIVE, "initiative_created", "2021-03-01", {"name": "P", "workflow": "w"}, None, 1),
        Event(INITIATIVE, "participant_joined", "2021-03-02T00:00:00Z", {"name": "B", "community": "media"}, None, 2),
        Event(INITIATIVE, "participant_joined", "2021-03-02", {"name": "A", "community": "media"}, None, 3),
        Event(INITIATIVE, "participant_joined", "2021-03-01T23:59:59Z", {"name": "C", "community": "media"}, None, 4),
    ]
    # A date means its start: 2021-03-02 and 2021-03-02T00:00:00Z are one moment, so log order decides.
    assert [event.seq for event in time_ordered(events)] == [1, 4, 2, 3]


# --- properties ---------------------------------------------------------------------------------

_NAMES = st.sampled_from(("Ada", "Ben", "Cy", "Di"))
_CONDITIONS = st.sampled_from(("trust", "neutrality", "commitment"))


def _entries() -> st.SearchStrategy[tuple[str, dict[str, Any], str | None]]:
    """One event of any kind the fold knows: (kind, data, by)."""
    return st.one_of(
        st.builds(
            lambda n, c: ("participant_joined", {"name": n, "community": c, "role": "member"}, None),
            _NAMES,
            st.sampled_from(("technical", "business", "media")),
        ),
        st.builds(lambda n: ("participant_left", {"name": n}, None), _NAMES),
        st.builds(
            lambda a, n: ("meeting_held", {"attendees": a, "neutral": n}, None),
            st.lists(_NAMES, min_size=1, max_size=3, unique=True),
            st.booleans(),
        ),
        st.builds(lambda c, b: ("evidence_recorded", {"condition": c, "text": "Noted."}, b), _CONDITIONS, _NAMES),
        st.builds(lambda c, b: ("attestation_given", {"condition": c}, b), _CONDITIONS, _NAMES),
        st.builds(
            lambda c, b: ("condition_waived", {"condition": c, "rationale": "Not needed."}, b), _CONDITIONS, _NAMES
        ),
        st.builds(lambda level: ("score_set", {"parameter": "trust-level", "level": level}, None), st.integers(0, 5)),
        st.just(("output_published", {"title": "Guidelines"}, None)),
        st.just(("trust_breached", {"description": "A leak."}, None)),
        st.builds(lambda to: ("stage_advanced", {"from": "x", "to": to}, "Ada"), st.sampled_from(("a", "b", "c"))),
    )


@st.composite
def event_logs(draw: st.DrawFn) -> list[Event]:
    """A log in append order whose moments may go back in time (late records) and repeat (ties)."""
    entries = draw(st.lists(st.tuples(_entries(), st.integers(0, 20)), max_size=25))
    events = [Event(INITIATIVE, "initiative_created", at(0), {"name": "P", "workflow": "w"}, None, 1)]
    for seq, ((kind, data, by), day) in enumerate(entries, start=2):
        events.append(Event(INITIATIVE, kind, at(day), data, by, seq))
    return events


@QUICK
@given(events=event_logs())
def test_folding_at_once_equals_applying_event_by_event(events: list[Event]) -> None:
    ordered = time_ordered(events)
    by_hand = Facts(INITIATIVE, stage=START_STAGE)
    for event in ordered:
        apply(by_hand, event, event.moment)
    assert fold(INITIATIVE, ordered, start=START_STAGE) == by_hand


@QUICK
@given(events=event_logs(), day=st.integers(-1, 21))
def test_folding_until_a_moment_equals_folding_the_events_up_to_it(events: list[Event], day: int) -> None:
    cutoff = moment(at(day))
    ordered = time_ordered(events)
    prefix = [event for event in ordered if event.moment <= cutoff]
    assert fold(INITIATIVE, ordered, start=START_STAGE, until=cutoff) == fold(INITIATIVE, prefix, start=START_STAGE)


@QUICK
@given(events=event_logs())
def test_time_order_is_by_moment_then_seq_and_loses_nothing(events: list[Event]) -> None:
    ordered = time_ordered(events)
    assert sorted(event.seq for event in ordered) == [event.seq for event in events]
    keys = [(event.moment, event.seq) for event in ordered]
    assert keys == sorted(keys)


@QUICK
@given(events=event_logs())
def test_the_facts_hold_one_moment_per_event_in_time_order(events: list[Event]) -> None:
    facts = folded(events)
    assert facts.moments == sorted(event.moment for event in events)
    assert facts.version == len(events)
    assert facts.last_event == max(event.moment for event in events)
