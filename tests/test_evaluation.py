"""The evaluator on its own: folded facts in, condition results out, for each kind.

Facts are folded from events built here (`cooperation.engine.facts.fold`), so these tests
reach the kinds without a registry. The sample workflow (tests/workflows/valid/full.yaml)
has a condition of every kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.definition.loading import load_workflow_file
from cooperation.engine.evaluation import ConditionResult, Evaluator
from cooperation.engine.events import Event
from cooperation.engine.facts import Facts, fold

WORKFLOW = load_workflow_file(Path(__file__).resolve().parent / "workflows" / "valid" / "full.yaml")
INITIATIVE = "pilot"
START = datetime(2024, 1, 1, 9, tzinfo=UTC)
PEOPLE = {"Ada": "government", "Ben": "business", "Cy": "technical", "Di": "civil-society", "Ed": "academia"}
OWN_TEST_KINDS = ("evidence", "attestation", "meetings", "participation", "score")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Spec = tuple[int, str, dict[str, Any], str | None]  # day after START, event kind, data, by


def _events(specs: Sequence[Spec]) -> list[Event]:
    created = Event(INITIATIVE, "initiative_created", START.isoformat(), {"name": "Pilot", "workflow": WORKFLOW.id})
    timed = sorted(specs, key=lambda spec: spec[0])
    return [created] + [
        Event(INITIATIVE, kind, (START + timedelta(days=day)).isoformat(), data, by) for day, kind, data, by in timed
    ]


def _evaluator(specs: Sequence[Spec], now_day: int = 400, *, history: bool = True) -> Evaluator:
    events = _events(specs)
    facts = fold(INITIATIVE, events, start=WORKFLOW.start)

    def facts_at(moment: datetime) -> Facts:
        return fold(INITIATIVE, events, start=WORKFLOW.start, until=moment)

    return Evaluator(WORKFLOW, facts, START + timedelta(days=now_day), facts_at if history else None)


def _joined(*names: str, role: str = "member", day: int = 0) -> list[Spec]:
    return [
        (day, "participant_joined", {"name": name, "community": PEOPLE[name], "role": role}, None) for name in names
    ]


def _result(specs: Sequence[Spec], condition: str, now_day: int = 400, *, history: bool = True) -> ConditionResult:
    return _evaluator(specs, now_day, history=history).result(condition)


# --- each kind ---------------------------------------------------------------------------------


def test_evidence_counts_pieces() -> None:
    one = [(1, "evidence_recorded", {"condition": "output", "text": "A report"}, None)]
    assert _result([], "output").detail == "no evidence recorded yet"
    half = _result(one, "output")
    assert (half.met, half.detail, half.progress) == (False, "1 of 2 pieces of evidence recorded", 0.5)
    both = _result([*one, (2, "evidence_recorded", {"condition": "output", "text": "Another"}, None)], "output")
    assert (both.met, both.detail) == (True, "2 pieces of evidence recorded")


def test_attestation_counts_current_participants_and_their_communities() -> None:
    attest = [(5, "attestation_given", {"condition": "trust-attested"}, name) for name in ("Ada", "Ben", "Cy")]
    met = _result(_joined("Ada", "Ben", "Cy") + attest, "trust-attested")
    assert met.met and met.detail.endswith(": business, government, technical")
    assert "3 participants (3 needed)" in met.detail and "Ada" not in met.detail  # shared: nobody named
    observers = _joined("Ada", "Ben") + _joined("Cy", role="observer") + attest
    assert not _result(observers, "trust-attested").met
    left = _joined("Ada", "Ben", "Cy") + attest + [(6, "participant_left", {"name": "Cy"}, None)]
    assert _result(left, "trust-attested").detail.startswith("attested by 2 of 3 participants")
    two = _result(_joined("Ada", "Ben", "Cy", "Di") + attest[:2], "trust-attested")
    assert two.detail.startswith("attested by 2 of 3 participants") and not two.met


def test_meetings_count_only_neutral_ones_over_the_span() -> None:
    def meeting(day: int, neutral: bool) -> Spec:
        return (day, "meeting_held", {"attendees": ["Ada"], "neutral": neutral}, None)

    people = _joined("Ada")
    assert _result([*people, meeting(1, True), meeting(31, True)], "meetings").met
    short = _result([*people, meeting(1, True), meeting(20, True)], "meetings")
    assert (short.met, short.detail) == (False, "2 meetings (2 needed) at a neutral venue, spanning 19 of 30 days")
    assert not _result([*people, meeting(1, True), meeting(31, False)], "meetings").met


def test_participation_names_missing_communities() -> None:
    result = _result(_joined("Ben", "Cy", "Ed", "Ada"), "broad-group")
    assert "missing civil-society" in result.detail and not result.met
    assert ": government, business, technical, academia;" in result.detail  # present, in the vocabulary's order


def test_score_shows_the_label_of_the_level() -> None:
    scored = [
        (1, "evidence_recorded", {"condition": "problem", "text": "P"}, None),
        (2, "score_set", {"parameter": "trust-level", "level": 4}, None),
    ]
    result = _result(scored, "trust-score")
    assert (result.met, result.detail) == (True, "'trust-level' at 4 (everything shared), needs 3")
    assert _result([], "trust-score").detail == "'trust-level' not scored yet (needs 3 on 0..4)"


def test_a_prerequisite_unmet_keeps_a_condition_unmet() -> None:
    result = _result([(2, "score_set", {"parameter": "trust-level", "level": 3}, None)], "trust-score")
    assert not result.met and result.detail.endswith("; but needs problem first")


def test_held_needs_history_and_the_days() -> None:
    held = [(day, "meeting_held", {"attendees": ["Ada"], "neutral": True}, None) for day in (1, 40)]
    meetings = _joined("Ada") + held
    assert _result(meetings, "meeting-habit", now_day=200).met  # met since day 40, for 160 days
    young = _result(meetings, "meeting-habit", now_day=100)
    assert (young.met, young.detail) == (False, "'meetings' held for 60 of 90 days")
    blind = _result(meetings, "meeting-habit", now_day=200, history=False)
    assert blind.detail == "'meetings' is met, but its history is not known here"


def test_expiring_counts_only_recent_facts() -> None:
    attest = [
        (day, "attestation_given", {"condition": "trust-attested"}, name)
        for day, name in ((10, "Ada"), (10, "Ben"), (300, "Cy"))
    ]
    facts = _joined("Ada", "Ben", "Cy") + attest
    assert _result(facts, "trust-recent", now_day=360).met
    later = _result(facts, "trust-recent", now_day=400)
    assert not later.met and later.detail.startswith("in the last 365 days: attested by 1 of 3")


def test_all_and_any() -> None:
    neutral = [(1, "evidence_recorded", {"condition": "venue-neutral", "text": "Town hall"}, None)]
    assert _result(neutral, "venue").detail == "met through venue-neutral"
    assert _result([], "venue").detail == "none of venue-neutral, venue-host met yet"
    assert _result([], "trust").detail == "0 of 2 met: missing trust-recent, trust-score"


def test_to_work_on_lists_the_parts_of_an_all_but_not_the_alternatives_of_an_any() -> None:
    listed = [result.condition for result in _evaluator([]).to_work_on(["trust", "venue"])]
    assert listed == ["trust-attested", "trust-recent", "problem", "trust-score", "trust", "venue"]


# --- properties ----------------------------------------------------------------------------------

_CONDITIONS = sorted(WORKFLOW.compiled_conditions)
_spec = st.one_of(
    st.tuples(
        st.integers(1, 399),
        st.just("evidence_recorded"),
        st.builds(lambda c: {"condition": c, "text": "Noted"}, st.sampled_from(_CONDITIONS)),
        st.none(),
    ),
    st.tuples(
        st.integers(1, 399),
        st.just("attestation_given"),
        st.builds(lambda c: {"condition": c}, st.sampled_from(_CONDITIONS)),
        st.sampled_from(sorted(PEOPLE)),
    ),
    st.tuples(
        st.integers(1, 399),
        st.just("meeting_held"),
        st.builds(lambda neutral: {"attendees": ["Ada"], "neutral": neutral}, st.booleans()),
        st.none(),
    ),
    st.tuples(
        st.integers(1, 399),
        st.just("score_set"),
        st.builds(lambda level: {"parameter": "trust-level", "level": level}, st.integers(0, 4)),
        st.none(),
    ),
    st.tuples(
        st.integers(1, 399),
        st.just("participant_left"),
        st.builds(lambda name: {"name": name}, st.sampled_from(sorted(PEOPLE))),
        st.none(),
    ),
)
_logs = st.tuples(st.sets(st.sampled_from(sorted(PEOPLE)), min_size=1), st.lists(_spec, max_size=25))


def _log(people: set[str], specs: list[Spec]) -> list[Spec]:
    return [*_joined(*sorted(people)), *specs]


@SETTINGS
@given(_logs, st.integers(1, 500))
def test_progress_is_within_bounds_and_whole_when_met(log: tuple[set[str], list[Spec]], now_day: int) -> None:
    evaluator = _evaluator(_log(*log), now_day)
    results = {result.condition: result for result in evaluator.all_results()}
    for result in results.values():
        assert 0.0 <= result.progress <= 1.0
        if result.met:
            assert result.progress == 1.0
        condition = WORKFLOW.compiled_conditions[result.condition]
        own_test_only = result.kind in OWN_TEST_KINDS and all(results[r].satisfied for r in condition.requires)
        if own_test_only and not result.waived:
            assert (result.progress == 1.0) == result.met, result


@SETTINGS
@given(_logs, st.sampled_from(sorted(PEOPLE)), st.sampled_from(_CONDITIONS))
def test_more_evidence_or_attestations_never_unmeet_one(
    log: tuple[set[str], list[Spec]], attester: str, condition: str
) -> None:
    before = _evaluator(_log(*log))
    more = [
        *_log(*log),
        (399, "evidence_recorded", {"condition": condition, "text": "More"}, None),
        (399, "attestation_given", {"condition": condition}, attester),
    ]
    after = _evaluator(more)
    for name, compiled in WORKFLOW.compiled_conditions.items():
        if compiled.kind in ("evidence", "attestation") and before.result(name).met:
            assert after.result(name).met, name


@SETTINGS
@given(_logs, st.sampled_from(["output", "venue-host"]))
def test_a_waived_or_advisory_condition_does_not_block(log: tuple[set[str], list[Spec]], condition: str) -> None:
    waiver = (399, "condition_waived", {"condition": condition, "rationale": "Agreed at the plenary, minuted."}, "Ada")
    result = _result([*_log(*log), waiver], condition)
    assert result.satisfied and not result.blocking
    assert result.waived == (not result.met)
    if result.waived:
        assert result.detail == "waived: Agreed at the plenary, minuted."


@SETTINGS
@given(_logs)
def test_a_waiver_of_a_required_condition_changes_nothing(log: tuple[set[str], list[Spec]]) -> None:
    waiver = (399, "condition_waived", {"condition": "problem", "rationale": "We would rather not say why."}, "Ada")
    assert _result([*_log(*log), waiver], "problem") == _result(_log(*log), "problem")


HELD_OVER_EXPIRING = """
id: held-over-expiring
version: "1"
title: Held over an expiring condition
description: A condition held for 30 days, made of evidence that counts for a year.
stages:
  - {id: start, title: Start}
  - {id: kept, title: Kept, requires: [kept-up]}
conditions:
  - {id: evidence, kind: evidence, title: Evidence, description: Something recorded.}
  - {id: recent, kind: expiring, condition: evidence, days: 365, title: Recent, description: Within a year.}
  - {id: kept-up, kind: held, condition: recent, days: 30, title: Kept up, description: For a month.}
"""


def test_held_over_an_expiring_condition_counts_its_own_days_not_the_window() -> None:
    from cooperation.definition.loading import load_workflow_text

    workflow = load_workflow_text(HELD_OVER_EXPIRING)
    events = _events([(1, "evidence_recorded", {"condition": "evidence", "text": "A note"}, None)])

    def result(now_day: int) -> ConditionResult:
        facts = fold(INITIATIVE, events, start=workflow.start)
        history = lambda moment: fold(INITIATIVE, events, start=workflow.start, until=moment)  # noqa: E731
        return Evaluator(workflow, facts, START + timedelta(days=now_day), history).result("kept-up")

    young = result(20)
    assert (young.met, young.detail, young.progress) == (False, "'recent' held for 19 of 30 days", 0.633)
    old = result(40)
    assert (old.met, old.detail) == (True, "'recent' held for at least 30 days")
