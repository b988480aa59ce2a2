"""The built-in workflows from the 2017 proposal (pilot-topic, intersessional-pilot,
best-practice-forum, solution-track) and regulation as a last resort in cooperation-maturity.

Each workflow is walked through the Registry API on a real SQLite file with a fixed
clock, and its gates are checked: a refused move names what is missing. The pure rules
are also property-tested on folded facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.definition.catalog import builtin_workflow_ids, get_workflow
from cooperation.definition.models import HeldCondition
from cooperation.engine.evaluation import Evaluator
from cooperation.engine.events import Event
from cooperation.engine.facts import fold
from cooperation.engine.status import InitiativeStatus
from cooperation.errors import BlockedTransitionError, EventError, TransitionError
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.testing import Clock
from cooperation.vocabulary import BodyKind

SEED_WORKFLOWS = ("pilot-topic", "intersessional-pilot", "best-practice-forum", "solution-track")
NINE_CRITERIA = (
    "limited-scope",
    "practical",
    "executable",
    "available-to-all",
    "positive-for-all",
    "multistakeholder",
    "global-standard",
    "participants-look-good",
    "safer-from-day-one",
)
BPF_COMMUNITIES = ("government", "business", "technical", "civil-society", "academia")
WAIVER = "The merge came too late to collect written input; it is gathered in the first session instead."


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(open_store(tmp_path / "coop.db"), clock=Clock(datetime(2030, 1, 1, tzinfo=UTC))) as opened:
        yield opened


def _day(offset: int) -> str:
    return (date(2025, 1, 1) + timedelta(days=offset)).isoformat()


def _join(registry: Registry, initiative: str, people: list[tuple[str, str, str]], at: int, by: str = "Ada") -> None:
    """`people` join, added by `by` (the initiative's creator and owner, who joins first)."""
    for name, community, role in people:
        registry.record(
            initiative,
            "participant_joined",
            {"name": name, "community": community, "role": role},
            at=_day(at),
            by=by,
        )


def _evidence(registry: Registry, initiative: str, condition: str, at: int, by: str = "Ada") -> None:
    registry.record(
        initiative, "evidence_recorded", {"condition": condition, "text": f"about {condition}"}, by=by, at=_day(at)
    )


def _refused(action: Any) -> list[str]:
    with pytest.raises(BlockedTransitionError) as refused:
        action()
    return [result.condition for result in refused.value.unmet]


# --- every built-in workflow checks clean ----------------------------------------------------


def test_the_seed_workflows_are_built_in() -> None:
    assert set(SEED_WORKFLOWS) | {"cooperation-maturity"} <= set(builtin_workflow_ids())


@pytest.mark.parametrize("workflow", builtin_workflow_ids())
def test_each_builtin_workflow_checks_clean(workflow: str) -> None:
    assert get_workflow(workflow).warnings == ()
    result = CliRunner().invoke(app, ["workflows", "check", workflow], prog_name="coop")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{workflow}: ok")
    assert result.stderr == ""


@pytest.mark.parametrize("workflow", SEED_WORKFLOWS)
def test_each_seed_workflow_describes_every_condition(workflow: str) -> None:
    compiled = get_workflow(workflow)
    assert compiled.definition.description.strip()
    assert all(condition.description.strip() for condition in compiled.conditions.values())
    assert all(stage.description.strip() for stage in compiled.stages.values())


# --- pilot-topic: all nine criteria, each with evidence --------------------------------------------


def test_pilot_topic_has_the_nine_criteria_as_required_evidence() -> None:
    workflow = get_workflow("pilot-topic")
    assert workflow.ladder == ("proposed", "pilot")
    for criterion in NINE_CRITERIA:
        condition = workflow.conditions[criterion]
        assert (condition.kind, condition.strength) == ("evidence", "required")
        assert criterion in workflow.needs("pilot")


def test_pilot_topic_refuses_with_the_missing_criteria_named(registry: Registry) -> None:
    topic = registry.create("No default passwords", workflow="pilot-topic", at=_day(0), by="Ada")
    _join(registry, topic, [("Ada", "technical", "owner")], 0)
    _evidence(registry, topic, "topic-statement", 0)
    for criterion in NINE_CRITERIA[:5]:
        _evidence(registry, topic, criterion, 1)

    missing = _refused(lambda: registry.advance(topic, by="Ada", at=_day(2)))
    assert missing == [
        "several-communities",
        "multistakeholder",
        "global-standard",
        "participants-look-good",
        "safer-from-day-one",
    ]
    shown = registry.status(topic, as_of=_day(2))
    assert [item.condition for item in shown.unmet] == missing
    assert not shown.can_advance

    # Evidence for criterion 6 counts only once two communities actually take part.
    for criterion in NINE_CRITERIA[5:]:
        _evidence(registry, topic, criterion, 3)
    assert _refused(lambda: registry.advance(topic, by="Ada", at=_day(3))) == [
        "several-communities",
        "multistakeholder",
    ]
    _join(registry, topic, [("Ben", "government", "member")], 4)
    assert registry.advance(topic, by="Ada", at=_day(4)).stage == "pilot"


def test_a_pilot_can_be_withdrawn_by_its_owner_only(registry: Registry) -> None:
    topic = registry.create("Topic", workflow="pilot-topic", at=_day(0), by="Ada")
    _join(registry, topic, [("Ada", "technical", "owner"), ("Ben", "government", "member")], 0)
    for criterion in ("topic-statement", *NINE_CRITERIA):
        _evidence(registry, topic, criterion, 1)
    registry.advance(topic, by="Ada", at=_day(1))
    with pytest.raises(TransitionError):
        registry.regress(topic, by="Ben", reason="the scope has grown", at=_day(2))
    assert registry.regress(topic, by="Ada", reason="the scope has grown", at=_day(2)).stage == "proposed"


@settings(max_examples=60, deadline=None)
@given(answered=st.sets(st.sampled_from(NINE_CRITERIA)), communities=st.integers(1, 3))
def test_a_topic_is_ready_exactly_when_all_nine_criteria_are_answered(answered: set[str], communities: int) -> None:
    workflow = get_workflow("pilot-topic")
    people = [("P1", "technical"), ("P2", "government"), ("P3", "business")][:communities]
    raw: list[tuple[str, str, dict[str, Any]]] = [
        ("initiative_created", "2025-01-01", {"name": "t", "workflow": "pilot-topic"})
    ]
    raw += [("participant_joined", "2025-01-01", {"name": name, "community": community}) for name, community in people]
    raw += [
        ("evidence_recorded", "2025-01-02", {"condition": condition, "text": "x"})
        for condition in ["topic-statement", *sorted(answered)]
    ]
    events = [Event("t", kind, at, data, seq=seq) for seq, (kind, at, data) in enumerate(raw, start=1)]
    facts = fold("t", events, start=workflow.start)
    blocking = {
        result.condition
        for result in Evaluator(workflow, facts, datetime(2025, 2, 1, tzinfo=UTC)).blocking(workflow.needs("pilot"))
    }
    missing = set(NINE_CRITERIA) - answered
    if communities < 2:
        missing |= {"several-communities", "multistakeholder"}
    assert blocking == missing


# --- intersessional-pilot: work across communities, hand-off needs lessons, more than one hand-off -----


def _mature_pilot(registry: Registry) -> str:
    pilot = registry.create("Pilot", workflow="intersessional-pilot", at=_day(0), by="Ada")
    _join(registry, pilot, [("Ada", "technical", "owner"), ("Sec", "intergovernmental", "secretariat")], 0)
    _evidence(registry, pilot, "pilot-selected", 0)
    assert _refused(lambda: registry.advance(pilot, by="Sec", at=_day(1))) == [
        "platform",
        "several-communities",
        "stakeholder-input",
    ]
    _join(registry, pilot, [("Gov", "government", "member"), ("Biz", "business", "member")], 2)
    _evidence(registry, pilot, "platform", 2)
    _evidence(registry, pilot, "stakeholder-input", 2)
    registry.advance(pilot, by="Sec", at=_day(3))
    assert _refused(lambda: registry.advance(pilot, by="Sec", at=_day(4))) == [
        "absent-communities-reached",
        "open-session",
        "solution",
        "commonly-supported",
    ]
    # Outreach is a required task of intersessional work: civil society and academia are absent.
    registry.reach_out(pilot, "civil-society", venue="A consumer groups' meeting", by="Sec", at=_day(4))
    registry.reach_out(pilot, "academia", venue="A research network's call", by="Sec", at=_day(4))
    registry.record(pilot, "meeting_held", {"attendees": ["Sec", "Ada", "Gov"], "neutral": False}, at=_day(5), by="Ada")
    _evidence(registry, pilot, "solution", 5)
    for name in ("Ada", "Gov", "Biz"):
        registry.record(pilot, "attestation_given", {"condition": "commonly-supported"}, by=name, at=_day(6))
    # A meeting on someone's home ground is not the open, neutral session maturity needs.
    assert _refused(lambda: registry.advance(pilot, by="Sec", at=_day(6))) == ["open-session"]
    registry.record(
        pilot, "meeting_held", {"attendees": ["Sec", "Ada", "Gov", "Biz"], "neutral": True}, at=_day(7), by="Ada"
    )
    assert registry.advance(pilot, by="Sec", at=_day(7)).stage == "mature"
    return pilot


def test_intersessional_pilot_hands_off_only_with_lessons_learned(registry: Registry) -> None:
    pilot = _mature_pilot(registry)

    def hand_off(day: int, kind: BodyKind) -> InitiativeStatus:
        return registry.hand_off(pilot, by="Ada", body="A standards body", body_kind=kind, at=_day(day))

    assert _refused(lambda: hand_off(8, "standardisation")) == ["receiving-body", "lessons-learned"]
    _evidence(registry, pilot, "receiving-body", 8)
    assert _refused(lambda: hand_off(8, "standardisation")) == ["lessons-learned"]
    _evidence(registry, pilot, "lessons-learned", 9)
    closed = hand_off(9, "standardisation")
    assert closed.stage == "handed-off"
    assert closed.handed_off is not None and closed.handed_off["body_kind"] == "standardisation"
    # The hand-off closes the pilot but is not terminal: the same result can go on to a legislator.
    assert not closed.terminal and closed.transitions == ["hand-off"]
    again = registry.hand_off(pilot, by="Ada", body="A parliament", body_kind="legislation", at=_day(30))
    assert again.stage == "handed-off" and again.handed_off is not None
    assert again.handed_off["body"] == "A parliament"
    kinds = [e.data["body_kind"] for e in registry.history(pilot) if e.kind == "handed_off"]
    assert kinds == ["standardisation", "legislation"]
    assert not registry.status(pilot, as_of=_day(400)).at_risk


def test_intersessional_pilot_cannot_hand_off_before_it_is_mature(registry: Registry) -> None:
    pilot = registry.create("Pilot", workflow="intersessional-pilot", at=_day(0), by="Ada")
    _join(registry, pilot, [("Ada", "technical", "owner")], 0)
    for condition in ("receiving-body", "lessons-learned"):
        _evidence(registry, pilot, condition, 1)
    with pytest.raises(TransitionError, match="no hand_off move matches"):
        registry.hand_off(pilot, by="Ada", body="Body", body_kind="self-regulation", at=_day(1))
    assert [event.kind for event in registry.history(pilot)].count("handed_off") == 0


def test_intersessional_pilot_can_go_back_to_work_while_mature(registry: Registry) -> None:
    pilot = _mature_pilot(registry)
    back = registry.regress(pilot, by="Ada", reason="support fell away", at=_day(8))
    assert back.stage == "intersessional-work"


# --- best-practice-forum: outreach to every absent community before critical mass -------------------


def _convened_forum(registry: Registry) -> str:
    forum = registry.create("Forum", workflow="best-practice-forum", at=_day(0), by="Ada")
    people = [("Ada", "technical", "owner"), ("Bo", "technical", "member"), ("Cas", "technical", "member")]
    _join(registry, forum, people, 0)
    _evidence(registry, forum, "forum-topic", 0)
    _evidence(registry, forum, "facilitators", 0)
    registry.record(forum, "meeting_held", {"attendees": ["Ada", "Bo", "Cas"]}, at=_day(1), by="Ada")
    assert registry.advance(forum, by="Ada", at=_day(1)).stage == "convened"
    return forum


def test_forum_cannot_claim_critical_mass_without_outreach_to_each_absent_community(registry: Registry) -> None:
    forum = _convened_forum(registry)
    newcomers = [
        ("Dee", "business"),
        ("Eli", "business"),
        ("Fen", "civil-society"),
        ("Gus", "civil-society"),
        ("Hal", "technical"),
    ]
    _join(registry, forum, [(name, community, "member") for name, community in newcomers], 2)
    # Eight participants from three communities would be enough, but two communities were never approached.
    missing = _refused(lambda: registry.advance(forum, by="Ada", at=_day(2)))
    assert missing == ["absent-communities-reached", "critical-mass"]
    status = registry.status(forum, as_of=_day(2))
    reached = next(item for item in status.unmet if item.condition == "absent-communities-reached")
    assert reached.detail == "absent and not yet reached out to: government, academia"
    assert "needs absent-communities-reached first" in next(
        item.detail for item in status.unmet if item.condition == "critical-mass"
    )

    # Outreach to one absent community is not enough; to both, it is.
    registry.reach_out(
        forum, "government", venue="Regulators' meeting", result="Two regulators interested", by="Bo", at=_day(3)
    )
    assert _refused(lambda: registry.advance(forum, by="Ada", at=_day(3))) == [
        "absent-communities-reached",
        "critical-mass",
    ]
    registry.reach_out(forum, "academia", venue="A research workshop", by="Ada", at=_day(4))
    assert registry.advance(forum, by="Ada", at=_day(4)).stage == "critical-mass"


def test_a_community_already_present_needs_no_outreach(registry: Registry) -> None:
    forum = _convened_forum(registry)
    people = [
        ("Dee", "business"),
        ("Eli", "civil-society"),
        ("Fen", "government"),
        ("Gus", "academia"),
        ("Hal", "business"),
    ]
    _join(registry, forum, [(name, community, "member") for name, community in people], 2)
    assert registry.advance(forum, by="Ada", at=_day(2)).stage == "critical-mass"
    _evidence(registry, forum, "public-comment", 3)
    _evidence(registry, forum, "output-document", 4)
    assert registry.advance(forum, by="Ada", at=_day(4)).stage == "output"


@settings(max_examples=80, deadline=None)
@given(
    states=st.lists(st.sampled_from(("present", "observing", "approached", "twice", "none")), min_size=5, max_size=5)
)
def test_outreach_is_met_exactly_when_every_community_is_present_or_approached(states: list[str]) -> None:
    workflow = get_workflow("best-practice-forum")
    events = [Event("f", "initiative_created", "2025-01-01", {"name": "f", "workflow": "best-practice-forum"}, seq=1)]

    def add(kind: str, data: dict[str, Any]) -> None:
        events.append(Event("f", kind, "2025-01-02", data, seq=len(events) + 1))

    for community, state in zip(BPF_COMMUNITIES, states, strict=True):
        if state in ("present", "observing"):
            role = "member" if state == "present" else "observer"  # an observer does not make a community present
            add("participant_joined", {"name": f"member of {community}", "community": community, "role": role})
        for _ in range({"approached": 1, "twice": 2}.get(state, 0)):
            add("outreach_done", {"community": community})
    evaluator = Evaluator(workflow, fold("f", events, start=workflow.start), datetime(2025, 2, 1, tzinfo=UTC))
    result = evaluator.result("absent-communities-reached")
    assert result.met == all(state in ("present", "approached", "twice") for state in states)
    waiting = [c for c, state in zip(BPF_COMMUNITIES, states, strict=True) if state in ("observing", "none")]
    if waiting:
        assert result.detail.startswith(f"absent and not yet reached out to: {', '.join(waiting)}")
        assert not evaluator.result("critical-mass").met


# --- solution-track: merged, more than one day, ends with an output and a way forward ------------


def test_solution_track_from_proposals_to_output_and_way_forward(registry: Registry) -> None:
    track = registry.create("Track", workflow="solution-track", at=_day(0), by="Oto")
    people = [
        ("Oto", "technical", "owner"),  # its creator, first
        ("Nia", "intergovernmental", "secretariat"),
        ("Quin", "civil-society", "member"),
    ]
    _join(registry, track, people, 0, by="Oto")
    _evidence(registry, track, "same-topic-proposals", 0, by="Oto")
    assert _refused(lambda: registry.advance(track, by="Nia", at=_day(1))) == [
        "same-topic-proposals",
        "merge-agreed",
        "multi-day-programme",
        "several-communities",
    ]
    _join(registry, track, [("Pia", "business", "member")], 1, by="Oto")
    _evidence(registry, track, "same-topic-proposals", 1, by="Oto")
    _evidence(registry, track, "multi-day-programme", 1, by="Oto")
    for name in ("Oto", "Quin"):
        registry.record(track, "attestation_given", {"condition": "merge-agreed"}, by=name, at=_day(1))
    registry.advance(track, by="Nia", at=_day(2))

    everyone = ["Nia", "Oto", "Pia", "Quin"]
    registry.record(track, "meeting_held", {"attendees": everyone}, at=_day(10) + "T09:00:00Z", by="Oto")
    registry.record(track, "meeting_held", {"attendees": everyone}, at=_day(10) + "T15:00:00Z", by="Oto")
    # Two sessions on one day are not a multi-day track, and nobody's input was asked for.
    assert _refused(lambda: registry.advance(track, by="Nia", at=_day(10) + "T16:00:00Z")) == [
        "input-up-front",
        "working-sessions",
    ]
    with pytest.raises(EventError, match=r"members cannot waive conditions \(allowed: owner or secretariat\)"):
        registry.record(
            track, "condition_waived", {"condition": "input-up-front", "rationale": WAIVER}, by="Pia", at=_day(11)
        )
    registry.record(
        track, "condition_waived", {"condition": "input-up-front", "rationale": WAIVER}, by="Oto", at=_day(11)
    )
    registry.record(track, "meeting_held", {"attendees": everyone}, at=_day(11) + "T09:00:00Z", by="Oto")
    waived = registry.advance(track, by="Nia", at=_day(11) + "T12:00:00Z")
    assert waived.stage == "track-held"
    assert next(item for item in waived.conditions if item.condition == "input-up-front").waived

    _evidence(registry, track, "output", 12, by="Oto")
    assert _refused(lambda: registry.advance(track, by="Nia", at=_day(12))) == ["way-forward"]
    _evidence(registry, track, "way-forward", 13, by="Oto")
    concluded = registry.advance(track, by="Nia", at=_day(13))
    assert concluded.stage == "concluded" and concluded.terminal


def test_working_sessions_must_not_be_waived(registry: Registry) -> None:
    track = registry.create("Track", workflow="solution-track", at=_day(0), by="Oto")
    _join(registry, track, [("Oto", "technical", "owner")], 0, by="Oto")
    with pytest.raises(EventError, match="required and cannot be waived"):
        registry.record(
            track, "condition_waived", {"condition": "working-sessions", "rationale": WAIVER}, by="Oto", at=_day(1)
        )


# --- cooperation-maturity: regulation only after voluntary cooperation and stimulation failed -----


def test_every_route_to_regulation_passes_through_failed_stimulation() -> None:
    workflow = get_workflow("cooperation-maturity")
    # Off-ladder stages are reached only by transitions, so these are every way in.
    assert "regulation" not in workflow.ladder and "stimulation" not in workflow.ladder
    into = {
        stage: [(source, t.id) for t in workflow.definition.transitions if t.to == stage for source in t.from_]
        for stage in ("regulation", "stimulation")
    }
    assert into["regulation"] == [("stimulation", "regulate")]
    assert {transition for _, transition in into["stimulation"]} == {"stimulate"}
    # stimulate needs recorded failure of voluntary cooperation; regulate needs that and failed, sustained stimulation.
    assert workflow.transition_needs["stimulate"] == ("voluntary-cooperation-failed", "stimulation")
    assert workflow.conditions["stimulation"].requires == ["voluntary-cooperation-failed"]
    assert workflow.transition_needs["regulate"] == ("regulation",)
    regulation = workflow.conditions["regulation"]
    assert regulation.kind == "all" and regulation.of == ["voluntary-cooperation-failed", "stimulation-failed"]
    assert workflow.conditions["stimulation-failed"].requires == ["stimulation-sustained"]
    sustained = workflow.conditions["stimulation-sustained"]
    assert isinstance(sustained, HeldCondition) and (sustained.condition, sustained.days) == ("stimulation", 180)
    needed = (
        "regulation",
        "voluntary-cooperation-failed",
        "stimulation-failed",
        "stimulation-sustained",
        "stimulation",
    )
    assert all(workflow.conditions[condition].strength == "required" for condition in needed)


def test_regulation_is_refused_until_voluntary_cooperation_and_stimulation_have_failed(registry: Registry) -> None:
    initiative = registry.create("Spam", workflow="cooperation-maturity", at=_day(0), by="Ada")
    _join(registry, initiative, [("Ada", "government", "owner")], 0)

    def escalate(to: str, day: int) -> InitiativeStatus:
        return registry.escalate(initiative, by="Ada", reason="failed", to=to, at=_day(day))

    with pytest.raises(TransitionError, match="no escalate move matches"):
        escalate("regulation", 1)
    assert _refused(lambda: escalate("stimulation", 1)) == ["voluntary-cooperation-failed", "stimulation"]
    _evidence(registry, initiative, "voluntary-cooperation-failed", 2)
    _evidence(registry, initiative, "stimulation", 2)
    assert _refused(lambda: escalate("stimulation", 2)) == ["voluntary-cooperation-failed", "stimulation"]
    _evidence(registry, initiative, "voluntary-cooperation-failed", 3)
    assert escalate("stimulation", 3).stage == "stimulation"

    _evidence(registry, initiative, "stimulation-failed", 10)
    _evidence(registry, initiative, "stimulation-failed", 10)
    # Failure is on record, but stimulation has not had its half year yet.
    with pytest.raises(BlockedTransitionError) as refused:
        escalate("regulation", 10)
    *parts, regulation = refused.value.unmet
    assert [part.condition for part in parts] == ["stimulation-sustained", "stimulation-failed"]
    assert (regulation.condition, regulation.detail) == ("regulation", "1 of 2 met: missing stimulation-failed")
    waiting = next(
        item
        for item in registry.status(initiative, as_of=_day(10)).conditions
        if item.condition == "stimulation-failed"
    )
    assert waiting.detail.endswith("but needs stimulation-sustained first")
    assert escalate("regulation", 190).stage == "regulation"
    assert registry.status(initiative, as_of=_day(190)).terminal
