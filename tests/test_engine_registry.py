"""The registry API on a real SQLite file, with a fixed clock: recording, moves, breaches, risk, history."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import PEOPLE

from cooperation.definition.catalog import get_workflow
from cooperation.definition.pinned import content_hash
from cooperation.engine.events import Event
from cooperation.engine.status import InitiativeStatus
from cooperation.errors import (
    ActorError,
    BlockedTransitionError,
    CooperationError,
    EventError,
    NotPermittedError,
    TransitionError,
    UnknownInitiativeError,
)
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.testing import Clock
from cooperation.views.status_text import status_text

BUILTIN = "cooperation-maturity"
LADDER = ("challenge", "ownership", "trust", "common-cause", "critical-mass", "result")
LONG_RATIONALE = "No personal or incident data is shared in this initiative at all."


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2018, 12, 1, 12, tzinfo=UTC))


@pytest.fixture
def registry(tmp_path: Path, clock: Clock) -> Iterator[Registry]:
    with Registry(open_store(tmp_path / "coop.db"), clock=clock) as opened:
        yield opened


def _evidence(registry: Registry, initiative: str, condition: str, at: str, count: int = 1) -> None:
    for number in range(count):
        registry.record(
            initiative, "evidence_recorded", {"condition": condition, "text": f"{condition} #{number}"}, by="Ada", at=at
        )


def _attest(registry: Registry, initiative: str, condition: str, at: str, people: tuple[str, ...]) -> None:
    for name in people:
        registry.record(initiative, "attestation_given", {"condition": condition}, by=name, at=at)


def _ownership(registry: Registry, i: str) -> None:
    for name, community, role in PEOPLE[1:]:  # Ada, the first, joined as she created it
        registry.record(
            i, "participant_joined", {"name": name, "community": community, "role": role}, at="2018-01-02", by="Ada"
        )
    _evidence(registry, i, "challenge", "2018-01-03")
    _evidence(registry, i, "owner-declared", "2018-01-03")
    registry.record(i, "meeting_held", {"attendees": ["Ada", "Ben", "Cy"], "neutral": True}, at="2018-01-10", by="Ada")
    _attest(registry, i, "voluntary", "2018-01-10", ("Ada", "Ben", "Cy"))


def _trust(registry: Registry, i: str) -> None:
    _evidence(registry, i, "perspective", "2018-01-14")
    _evidence(registry, i, "trust-model", "2018-01-14")
    _attest(registry, i, "equality", "2018-01-14", ("Ada", "Ben", "Cy"))
    registry.record(i, "meeting_held", {"attendees": ["Ada", "Ben", "Cy"], "neutral": True}, at="2018-02-10", by="Ada")
    registry.record(i, "meeting_held", {"attendees": ["Ada", "Ben", "Cy"]}, at="2018-04-10", by="Ada")
    _attest(registry, i, "comfort-zone", "2018-04-10", ("Ada", "Ben", "Cy"))
    _attest(registry, i, "trust-attested", "2018-04-10", ("Ada", "Ben", "Cy", "Di"))
    registry.record(i, "score_set", {"parameter": "trust-level", "level": 3}, by="Ada", at="2018-04-10")


def _common_cause(registry: Registry, i: str) -> None:
    _evidence(registry, i, "expectations-and-goals", "2018-05-01")
    registry.record(i, "score_set", {"parameter": "alignment", "level": 3}, by="Ada", at="2018-05-01")
    _evidence(registry, i, "common-cause", "2018-05-02")
    _attest(registry, i, "commitment", "2018-05-02", ("Ada", "Ben", "Cy", "Di"))


def _critical_mass(registry: Registry, i: str) -> None:
    _evidence(registry, i, "transparency-and-integrity", "2018-06-01", 2)
    _evidence(registry, i, "costs-and-effort", "2018-06-01")
    registry.record(
        i, "condition_waived", {"condition": "anonymisation", "rationale": LONG_RATIONALE}, by="Ada", at="2018-06-01"
    )


def _result(registry: Registry, i: str) -> None:
    registry.record(i, "output_published", {"title": "Best practice paper"}, by="Ada", at="2018-06-10")
    _evidence(registry, i, "result", "2018-06-10")


# Per ladder stage: the facts that meet it, and the day the advance into it is dated.
STEPS = {
    "ownership": (_ownership, "2018-01-11"),
    "trust": (_trust, "2018-04-11"),
    "common-cause": (_common_cause, "2018-05-03"),
    "critical-mass": (_critical_mass, "2018-06-02"),
    "result": (_result, "2018-06-11"),
}


def walk(registry: Registry, stage: str, *, initiative: str = "pilot") -> str:
    """Create an initiative on the built-in workflow and advance it, fact by fact, up to `stage`."""
    i = registry.create(
        "Pilot", workflow=BUILTIN, initiative=initiative, by="Ada", community="technical", at="2018-01-01"
    )
    for target in LADDER[1 : LADDER.index(stage) + 1]:
        record_facts, day = STEPS[target]
        record_facts(registry, i)
        assert registry.can_advance(i), registry.unmet(i)
        registry.advance(i, by="Di" if target == "common-cause" else "Ada", at=day)
        assert registry.status(i).stage == target
    return i


def _line(kind: str, at: str, data: dict[str, Any], by: str | None = None) -> str:
    """One JSON line of an event of initiative 'x', as an import reads it; a fact is recorded by Ada unless
    `by` says otherwise (a move names its actor, or none for the workflow's own)."""
    actor = by if by is not None or kind in MOVES else "Ada"
    return json.dumps({"initiative": "x", "kind": kind, "at": at, **({"by": actor} if actor else {}), "data": data})


MOVES = ("stage_advanced", "stage_regressed", "escalated", "handed_off")


def _unchanged(registry: Registry, initiative: str, before: list[Any]) -> None:
    assert registry.history(initiative) == before


# --- creating and reading ----------------------------------------------------------------------


def test_create_starts_at_the_first_stage(registry: Registry) -> None:
    i = registry.create("No default passwords", workflow=BUILTIN, at="2018-01-01", by="Ada")
    assert i == "no-default-passwords"
    status = registry.status(i)
    assert (status.initiative, status.name, status.workflow, status.stage) == (
        i,
        "No default passwords",
        BUILTIN,
        "challenge",
    )
    assert status.next == "ownership" and status.version == 1
    [created] = registry.history(i)
    assert (created.kind, created.at, created.seq) == ("initiative_created", "2018-01-01", 1)
    assert created.data == {
        "name": "No default passwords",
        "workflow": BUILTIN,
        "workflow_hash": content_hash(registry.store.stored_workflows()[0].text),
    }


def test_a_user_workflow_is_pinned_to_its_text_not_its_path(registry: Registry, engine_ladder: str) -> None:
    i = registry.create("Small", workflow=engine_ladder, at="2018-01-01", by="Ada")
    text = Path(engine_ladder).read_text(encoding="utf-8")
    assert registry.history(i)[0].data == {
        "name": "Small",
        "workflow": "engine-ladder",
        "workflow_hash": content_hash(text),
    }
    assert registry.store.workflow_text(content_hash(text)) == text
    assert registry.status(i).workflow == "engine-ladder"


def test_create_refuses_a_taken_id_and_an_unknown_workflow(registry: Registry) -> None:
    registry.create("Pilot", workflow=BUILTIN, initiative="pilot", at="2018-01-01", by="Ada")
    with pytest.raises(EventError, match="already exists"):
        registry.create("Other", workflow=BUILTIN, initiative="pilot", at="2018-01-01", by="Ada")
    with pytest.raises(CooperationError, match="unknown workflow"):
        registry.create("Other", workflow="no-such-workflow", at="2018-01-01", by="Ada")
    assert registry.initiatives() == ["pilot"]


def test_unknown_initiatives_are_named(registry: Registry) -> None:
    for call in (
        lambda: registry.status("ghost"),
        lambda: registry.history("ghost"),
        lambda: registry.can_advance("ghost"),
        lambda: registry.advance("ghost", by="Ada"),
        lambda: registry.record("ghost", "participant_left", {"name": "Ada"}, by="Ada"),
    ):
        with pytest.raises(UnknownInitiativeError, match="ghost"):
            call()


def test_the_status_says_what_is_unmet_in_working_order(registry: Registry) -> None:
    i = walk(registry, "ownership")
    status = registry.status(i)
    assert status.stage == "ownership" and status.next == "trust"
    assert not status.can_advance and not status.at_risk
    workflow = get_workflow(BUILTIN)
    needs = workflow.needs("trust")
    # unmet: the unsatisfied needs of the next stage, in the workflow's working order, each
    # preceded by the unmet parts of an `all` it is made of (trust = all of reaffirmed attestation, level).
    unsatisfied = [c.condition for c in status.conditions if c.condition in needs and not (c.met or c.waived)]
    assert [u.condition for u in status.unmet if u.condition in needs] == [c for c in needs if c in unsatisfied]
    assert [u.condition for u in status.unmet] == [
        "perspective",
        "equality",
        "trust-model",
        "time",
        "neutrality",
        "comfort-zone",
        "trust-attested",
        "trust-reaffirmed",
        "trust-level-reached",
        "trust",
    ]
    comfort = next(u for u in status.unmet if u.condition == "comfort-zone")
    assert comfort.blocking is False and comfort.strength == "advisory"
    assert all(u.blocking for u in status.unmet if u.condition != "comfort-zone")
    # every condition of the workflow is reported, with met, detail and progress
    assert [c.condition for c in status.conditions] == list(workflow.condition_order)
    time = next(c for c in status.conditions if c.condition == "time")
    assert (time.met, time.detail) == (False, "1 of 3 meetings, spanning 0 of 60 days")
    assert 0 < time.progress < 1
    assert all(c.progress == 1.0 for c in status.conditions if c.met)
    # The API's "why not?" agrees with the status.
    assert [r.condition for r in registry.unmet(i)] == [u.condition for u in status.unmet]
    assert registry.can_advance(i) is False


def test_status_text_lists_what_blocks_in_order(registry: Registry) -> None:
    i = walk(registry, "ownership")
    text = status_text(registry.status(i))
    assert "stage: ownership" in text and "next: trust: blocked by 9" in text
    lines = text.splitlines()
    order = [line.split(":")[0].strip(" -~") for line in lines if line.startswith("    ")]
    assert order == [
        "perspective",
        "equality",
        "trust-model",
        "time",
        "neutrality",
        "comfort-zone (advisory)",
        "trust-attested",
        "trust-reaffirmed",
        "trust-level-reached",
        "trust",
    ]


# --- recording: what does not fit is refused, and nothing is written ---------------------------


@pytest.mark.parametrize(
    ("kind", "data", "by", "at", "message"),
    [
        (
            "evidence_recorded",
            {"condition": "nutrality", "text": "x"},
            "Ada",
            "2018-07-01",
            "did you mean 'neutrality'?",
        ),
        ("attestation_given", {"condition": "equalty"}, "Ada", "2018-07-01", "did you mean 'equality'?"),
        ("score_set", {"parameter": "trust-levle", "level": 2}, "Ada", "2018-07-01", "did you mean 'trust-level'?"),
        ("score_set", {"parameter": "trust-level", "level": 5}, "Ada", "2018-07-01", "outside the scale"),
        ("meeting_held", {"attendees": ["Ada", "Zed"]}, "Ada", "2018-07-01", "not participants of pilot: Zed"),
        ("meeting_held", {"attendees": ["Ada", "Ada"]}, "Ada", "2018-07-01", "listed twice"),
        ("attestation_given", {"condition": "equality"}, "Obs", "2018-07-01", "observers cannot attest"),
        ("attestation_given", {"condition": "equality"}, None, "2018-07-01", "needs an actor"),
        ("attestation_given", {"condition": "equality"}, "Zed", "2018-07-01", "not a current participant"),
        ("condition_waived", {"condition": "equality", "rationale": LONG_RATIONALE}, "Ada", "2018-07-01", "required"),
        ("condition_waived", {"condition": "costs-and-effort", "rationale": "no"}, "Ada", "2018-07-01", "at least 40"),
        (
            "condition_waived",
            {"condition": "costs-and-effort", "rationale": LONG_RATIONALE},
            "Ben",
            "2018-07-01",
            "members cannot waive conditions",
        ),
        (
            "condition_waived",
            {"condition": "costs-and-effort", "rationale": LONG_RATIONALE},
            None,
            "2018-07-01",
            "needs an actor",
        ),
        ("participant_joined", {"name": "Ben", "community": "media"}, "Ada", "2018-07-01", "already takes part"),
        ("participant_left", {"name": "Zed"}, "Ada", "2018-07-01", "not a current participant"),
        ("participant_left", {"name": "Ben"}, None, "2017-12-01", "before pilot was created"),
        ("fact_withdrawn", {"seq": 999, "reason": "Mistaken"}, "Ada", "2018-07-01", "has no event #999"),
        ("fact_withdrawn", {"seq": 2, "reason": "Mistaken"}, "Ada", "2018-07-01", "only evidence, attestations"),
        ("role_changed", {"name": "Ben", "role": "member"}, "Ada", "2018-07-01", "already a member"),
        (
            "role_changed",
            {"name": "Ada", "role": "member"},
            "Ben",
            "2018-07-01",
            "Ben is a member of pilot; members cannot change roles (allowed: owner or secretariat)",
        ),
        ("initiative_renamed", {}, "Ada", "2018-07-01", "needs a new name, a new id"),
        (
            "initiative_closed",
            {"state": "archived", "reason": "Done"},
            None,
            "2018-07-01",
            "recording initiative_closed in pilot needs an actor",
        ),
        ("participant_left", {"name": "Ben"}, None, "2018-12-03", "in the future"),
        ("stage_advanced", {"from": "ownership", "to": "trust"}, "Ada", "2018-07-01", "cannot be recorded directly"),
        ("initiative_created", {"name": "X", "workflow": BUILTIN}, None, "2018-07-01", "cannot be recorded directly"),
    ],
)
def test_record_refuses_what_does_not_fit_and_writes_nothing(
    registry: Registry, kind: str, data: dict[str, Any], by: str | None, at: str, message: str
) -> None:
    i = walk(registry, "ownership")
    before = registry.history(i)
    with pytest.raises(EventError) as caught:
        registry.record(i, kind, data, by=by, at=at)
    assert message in str(caught.value)
    _unchanged(registry, i, before)


def test_record_refuses_an_impossible_date_and_writes_nothing(registry: Registry) -> None:
    i = walk(registry, "ownership")
    before = registry.history(i)
    with pytest.raises((CooperationError, ValueError), match="2019-02-30"):
        registry.record(i, "participant_left", {"name": "Ben"}, at="2019-02-30", by="Ben")
    _unchanged(registry, i, before)


def test_a_bad_date_is_a_cooperation_error_everywhere(registry: Registry) -> None:
    i = walk(registry, "ownership")
    for call in (
        lambda: registry.record(i, "participant_left", {"name": "Ben"}, at="2019-02-30", by="Ben"),
        lambda: registry.status(i, as_of="2019-02-30"),
        lambda: registry.advance(i, by="Ada", at="2019-02-30"),
        lambda: registry.create("Other", workflow=BUILTIN, at="2019-02-30", by="Ada"),
    ):
        with pytest.raises(CooperationError, match="ISO 8601"):
            call()
    assert registry.initiatives() == [i]


def test_the_default_tlp_is_stored_with_evidence(registry: Registry) -> None:
    i = registry.create("Pilot", workflow=BUILTIN, at="2018-01-01", by="Ada", community="technical")
    registry.record(
        i, "evidence_recorded", {"condition": "challenge", "text": "A statement"}, at="2018-01-02", by="Ada"
    )
    registry.record(
        i, "evidence_recorded", {"condition": "challenge", "text": "B", "tlp": "TLP:RED"}, at="2018-01-02", by="Ada"
    )
    assert [event.data.get("tlp") for event in registry.history(i)[2:]] == ["TLP:AMBER", "TLP:RED"]


# --- moving ------------------------------------------------------------------------------------


def test_a_blocked_advance_carries_the_unmet_prerequisites_and_writes_nothing(registry: Registry) -> None:
    i = walk(registry, "ownership")
    before = registry.history(i)
    with pytest.raises(BlockedTransitionError) as caught:
        registry.advance(i, by="Ada", at="2018-01-20")
    error = caught.value
    assert (error.initiative, error.target) == (i, "trust")
    assert [r.condition for r in error.unmet] == [
        "perspective",
        "equality",
        "trust-model",
        "time",
        "neutrality",
        "trust-attested",
        "trust-reaffirmed",
        "trust-level-reached",
        "trust",
    ]
    assert all(r.blocking for r in error.unmet)
    assert "  - time: 1 of 3 meetings, spanning 0 of 60 days" in str(error)
    _unchanged(registry, i, before)


@pytest.mark.parametrize(
    ("actor", "reason"),
    [("Obs", "observer may not"), ("Ben", "member may not")],
)
def test_only_permitted_participants_advance(registry: Registry, actor: str, reason: str) -> None:
    i = walk(registry, "challenge")
    _ownership(registry, i)
    assert registry.can_advance(i)
    before = registry.history(i)
    with pytest.raises(NotPermittedError) as caught:
        registry.advance(i, by=actor, at="2018-01-11")
    assert reason in str(caught.value) and "owner, secretariat" in str(caught.value)
    assert caught.value.allowed == ("owner", "secretariat")
    _unchanged(registry, i, before)


def test_someone_who_takes_no_part_may_not_advance(registry: Registry) -> None:
    i = walk(registry, "challenge")
    _ownership(registry, i)
    before = registry.history(i)
    with pytest.raises(ActorError, match="Zed is not a current participant of pilot") as caught:
        registry.advance(i, by="Zed", at="2018-01-11")
    assert caught.value.actor == "Zed" and "name who records it with --by NAME" in str(caught.value)
    _unchanged(registry, i, before)


def test_a_participant_who_left_may_not_advance(registry: Registry) -> None:
    i = walk(registry, "challenge")
    _ownership(registry, i)
    registry.record(
        i, "participant_joined", {"name": "Ann", "community": "media", "role": "owner"}, at="2018-01-10", by="Ada"
    )
    registry.record(i, "participant_left", {"name": "Ann"}, at="2018-01-10", by="Ann")
    with pytest.raises(ActorError, match="not a current participant"):
        registry.advance(i, by="Ann", at="2018-01-11")


def test_an_advance_is_an_event(registry: Registry) -> None:
    i = walk(registry, "ownership")
    moved = registry.history(i)[-1]
    assert (moved.kind, moved.at, moved.by, moved.data) == (
        "stage_advanced",
        "2018-01-11",
        "Ada",
        {"from": "challenge", "to": "ownership"},
    )
    status = registry.status(i)
    assert status.stage_since == "2018-01-11T00:00:00Z" and status.version == moved.seq


def test_advance_returns_the_new_status(registry: Registry) -> None:
    i = walk(registry, "challenge")
    _ownership(registry, i)
    result = registry.advance(i, by="Ada", at="2018-01-11")
    assert isinstance(result, InitiativeStatus) and result.stage == "ownership"


def test_a_move_may_not_be_dated_before_recorded_facts(registry: Registry) -> None:
    i = walk(registry, "challenge")
    _ownership(registry, i)
    with pytest.raises(EventError, match="before facts already recorded"):
        registry.advance(i, by="Ada", at="2018-01-09")


def test_the_walk_reaches_the_top_and_no_further(registry: Registry) -> None:
    i = walk(registry, "result")
    status = registry.status(i)
    assert status.stage == "result" and status.next is None and status.can_advance is False
    assert registry.can_advance(i) is False and registry.unmet(i) == []
    assert {"hand-off", "stimulate", "trust-breached", "realign", "reconvene"} == set(status.transitions)
    with pytest.raises(TransitionError, match="last stage of the ladder"):
        registry.advance(i, by="Ada")
    moves = [(e.data["from"], e.data["to"]) for e in registry.history(i) if e.kind == "stage_advanced"]
    assert moves == list(itertools.pairwise(LADDER))


def test_regress_needs_a_choice_when_several_fit(registry: Registry) -> None:
    i = walk(registry, "critical-mass")
    before = registry.history(i)
    with pytest.raises(TransitionError, match="several regress moves fit") as caught:
        registry.regress(i, by="Ada", reason="Goals drifted apart")
    assert "realign" in str(caught.value) and "reconvene" in str(caught.value)
    _unchanged(registry, i, before)
    status = registry.regress(i, by="Ada", reason="Goals drifted apart", to="common-cause", at="2018-07-01")
    assert status.stage == "common-cause"
    last = registry.history(i)[-1]
    assert (last.kind, last.data) == (
        "stage_regressed",
        {"from": "critical-mass", "to": "common-cause", "transition": "realign", "reason": "Goals drifted apart"},
    )


def test_regress_respects_transition_roles(registry: Registry) -> None:
    i = walk(registry, "critical-mass")
    with pytest.raises(NotPermittedError, match="a member may not"):
        registry.regress(i, by="Ben", reason="Goals drifted", transition="realign")
    with pytest.raises(TransitionError, match="no regress move matches"):
        registry.regress(i, by="Ada", reason="Back", to="challenge")


def test_escalate_stimulation_first_then_regulation_only_after_failures(registry: Registry, clock: Clock) -> None:
    i = walk(registry, "ownership")
    before = registry.history(i)
    with pytest.raises(BlockedTransitionError) as caught:
        registry.escalate(i, by="Ada", reason="Nothing moves", at="2018-02-01")
    assert [r.condition for r in caught.value.unmet] == ["voluntary-cooperation-failed", "stimulation"]
    _unchanged(registry, i, before)
    with pytest.raises(TransitionError, match="no escalate move matches"):
        registry.escalate(i, by="Ada", reason="Regulate now", to="regulation")
    _evidence(registry, i, "voluntary-cooperation-failed", "2018-02-01", 2)
    _evidence(registry, i, "stimulation", "2018-02-02")
    status = registry.escalate(i, by="Ada", reason="Nothing moves", at="2018-02-03")
    assert status.stage == "stimulation" and status.transitions == ["resume", "regulate"]
    last = registry.history(i)[-1]
    assert (last.kind, last.data["transition"], last.data["to"]) == ("escalated", "stimulate", "stimulation")
    # Regulation is the last resort: not until stimulation was kept up for 180 days and failed.
    _evidence(registry, i, "stimulation-failed", "2018-02-10", 2)
    with pytest.raises(BlockedTransitionError) as caught:
        registry.escalate(i, by="Ada", reason="Stimulation failed", at="2018-02-11")
    *parts, regulation = caught.value.unmet
    assert [part.condition for part in parts] == ["stimulation-sustained", "stimulation-failed"]
    assert (regulation.condition, regulation.detail) == ("regulation", "1 of 2 met: missing stimulation-failed")
    conditions = {c.condition: c for c in registry.status(i, as_of="2018-02-11").conditions}
    assert conditions["stimulation-sustained"].detail == "'stimulation' held for 9 of 180 days"
    assert conditions["stimulation-failed"].detail.endswith("but needs stimulation-sustained first")
    clock.now = datetime(2018, 9, 1, tzinfo=UTC)
    status = registry.escalate(i, by="Ada", reason="Stimulation failed", at="2018-08-31")
    assert (status.stage, status.terminal, status.next, status.transitions) == ("regulation", True, None, [])
    with pytest.raises(TransitionError, match="nothing moves on from here"):
        registry.advance(i, by="Ada")


def test_resume_from_stimulation_needs_cooperation_to_resume(registry: Registry) -> None:
    i = walk(registry, "ownership")
    _evidence(registry, i, "voluntary-cooperation-failed", "2018-02-01", 2)
    _evidence(registry, i, "stimulation", "2018-02-02")
    registry.escalate(i, by="Ada", reason="Nothing moves", at="2018-02-03")
    with pytest.raises(BlockedTransitionError, match="cooperation-resumed"):
        registry.regress(i, by="Ada", reason="Back on track", at="2018-03-01")
    _attest(registry, i, "cooperation-resumed", "2018-03-01", ("Ada", "Ben", "Cy"))
    assert registry.regress(i, by="Ada", reason="Back on track", at="2018-03-02").stage == "ownership"


def test_hand_off_needs_a_receiving_body_and_broad_support(registry: Registry) -> None:
    i = walk(registry, "result")
    with pytest.raises(BlockedTransitionError) as caught:
        registry.hand_off(i, by="Ada", body="ETSI", body_kind="standardisation", at="2018-07-01")
    assert [r.condition for r in caught.value.unmet] == ["receiving-body", "hand-off-supported"]
    _evidence(registry, i, "receiving-body", "2018-07-01")
    _attest(registry, i, "hand-off-supported", "2018-07-01", ("Ada", "Ben", "Cy", "Di"))
    status = registry.hand_off(i, by="Ada", body="ETSI", body_kind="standardisation", at="2018-07-02")
    assert (status.stage, status.terminal) == ("handed-off", True)
    assert status.handed_off == {"body": "ETSI", "body_kind": "standardisation", "at": "2018-07-02T00:00:00Z"}
    last = registry.history(i)[-1]
    assert last.kind == "handed_off" and last.data == {
        "from": "result",
        "to": "handed-off",
        "transition": "hand-off",
        "body": "ETSI",
        "body_kind": "standardisation",
    }
    assert "handed off to ETSI (standardisation)" in status_text(status)


def _ladder_to_delivered(registry: Registry, workflow: str) -> str:
    """The small test ladder, walked to its top stage 'delivered'."""
    i = registry.create("Small", workflow=workflow, at="2018-01-01", by="Ada")
    for name, community, role in (("Ada", "technical", "owner"), ("Ben", "business", "secretariat")):
        registry.record(
            i, "participant_joined", {"name": name, "community": community, "role": role}, at="2018-01-01", by="Ada"
        )
    registry.record(i, "evidence_recorded", {"condition": "problem", "text": "Spam"}, at="2018-01-01", by="Ada")
    registry.advance(i, by="Ada", at="2018-01-02")
    registry.record(i, "score_set", {"parameter": "trust-level", "level": 2}, at="2018-01-02", by="Ada")
    registry.record(i, "meeting_held", {"attendees": ["Ada", "Ben"]}, at="2018-01-02", by="Ada")
    registry.record(i, "meeting_held", {"attendees": ["Ada", "Ben"]}, at="2018-01-06", by="Ada")
    registry.record(i, "evidence_recorded", {"condition": "vouched", "text": "ENISA"}, at="2018-01-06", by="Ada")
    registry.advance(i, by="Ben", at="2018-01-07")
    registry.record(i, "evidence_recorded", {"condition": "output", "text": "Paper"}, at="2018-01-07", by="Ada")
    registry.record(i, "participant_joined", {"name": "Cy", "community": "government"}, at="2018-01-07", by="Ada")
    registry.advance(i, by="Ada", at="2018-01-08")
    assert registry.status(i).stage == "delivered"
    return i


def test_hand_off_only_to_the_kinds_of_body_the_transition_names(registry: Registry, engine_ladder: str) -> None:
    i = _ladder_to_delivered(registry, engine_ladder)
    with pytest.raises(BlockedTransitionError) as caught:
        registry.hand_off(i, by="Ada", body="ETSI", body_kind="standardisation", at="2018-01-09")
    assert [r.condition for r in caught.value.unmet] == ["receiver"]
    registry.record(i, "evidence_recorded", {"condition": "receiver", "text": "ETSI agrees"}, at="2018-01-09", by="Ada")
    before = registry.history(i)
    with pytest.raises(CooperationError, match="hands off only to: standardisation, self-regulation"):
        registry.hand_off(i, by="Ada", body="Parliament", body_kind="legislation", at="2018-01-10")
    _unchanged(registry, i, before)
    status = registry.hand_off(i, by="Ada", body="ETSI", body_kind="self-regulation", at="2018-01-10")
    assert status.stage == "handed-off" and status.handed_off is not None
    assert status.handed_off["body_kind"] == "self-regulation"


# --- trust breach ------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["common-cause", "critical-mass", "result"])
def test_a_breach_regresses_to_trust_in_the_same_write(registry: Registry, stage: str) -> None:
    i = walk(registry, stage)
    version = registry.status(i).version
    appends: list[int] = []
    append = registry.store.append

    def counting_append(initiative: str, events: Any, *, expected_version: int, **kept: Any) -> int:
        appends.append(len(events))
        return append(initiative, events, expected_version=expected_version, **kept)

    registry.store.append = counting_append  # type: ignore[method-assign]
    registry.record(i, "trust_breached", {"description": "Incident list leaked"}, by="Di", at="2018-07-01")
    assert appends == [2]  # the breach and its regress, in one write
    breach, regress = registry.history(i)[-2:]
    assert (breach.kind, breach.seq, regress.kind, regress.seq) == (
        "trust_breached",
        version + 1,
        "stage_regressed",
        version + 2,
    )
    assert regress.at == breach.at == "2018-07-01" and regress.by is None  # the workflow moved it, not Di
    assert regress.data == {
        "from": stage,
        "to": "trust",
        "transition": "trust-breached",
        "reason": "Incident list leaked",
    }
    status = registry.status(i)
    assert (status.stage, status.next, status.stage_since) == ("trust", "common-cause", "2018-07-01T00:00:00Z")
    # history replays: just before the breach it was still at its stage
    assert registry.status(i, as_of="2018-06-30").stage == stage


@pytest.mark.parametrize("stage", ["challenge", "ownership", "trust"])
def test_a_breach_before_common_cause_does_not_move(registry: Registry, stage: str) -> None:
    i = walk(registry, stage)
    registry.record(i, "trust_breached", {"description": "Incident list leaked"}, by="Ada", at="2018-07-01")
    assert registry.history(i)[-1].kind == "trust_breached"
    assert registry.status(i).stage == stage


def test_attestations_before_a_breach_no_longer_count(registry: Registry) -> None:
    i = walk(registry, "critical-mass")

    def met(status: InitiativeStatus) -> dict[str, bool]:
        return {c.condition: c.met for c in status.conditions}

    before = met(registry.status(i))
    assert before["equality"] and before["commitment"] and before["trust-attested"]
    registry.record(i, "attestation_given", {"condition": "cooperation-resumed"}, by="Ed", at="2018-07-01")
    registry.record(i, "trust_breached", {"description": "Incident list leaked"}, by="Di", at="2018-07-01")
    after = registry.status(i)
    lost = {name for name, was in before.items() if was and not met(after)[name]}
    assert {"equality", "commitment", "trust-attested", "trust-reaffirmed", "trust", "voluntary"} <= lost
    equality = next(c for c in after.conditions if c.condition == "equality")
    assert equality.detail.startswith("attested by 0 of 3 participants")
    # Evidence, meetings, scores and participants are facts, not trust: they still count.
    assert {"perspective", "trust-model", "time", "trust-level-reached", "initial-group"} <= {
        name for name, value in met(after).items() if value
    }
    assert {"equality", "trust", "commitment"} <= {u.condition for u in after.unmet if u.blocking}
    # The past still shows the trust that was given then.
    assert met(registry.status(i, as_of="2018-06-30"))["equality"]
    # Trust earned again after the breach counts.
    _attest(registry, i, "equality", "2018-07-02", ("Ada", "Ben", "Cy"))
    assert met(registry.status(i))["equality"]


# --- at risk -----------------------------------------------------------------------------------


def test_not_at_risk_after_each_advance(registry: Registry) -> None:
    i = walk(registry, "result")
    for stage, (_, day) in STEPS.items():
        status = registry.status(i, as_of=day)
        assert status.stage == stage and not status.at_risk, status.at_risk_conditions


def test_a_participant_leaving_puts_critical_mass_at_risk(registry: Registry) -> None:
    i = walk(registry, "critical-mass")
    assert not registry.status(i).at_risk
    registry.record(i, "participant_left", {"name": "Ho"}, at="2018-07-01", by="Ho")
    status = registry.status(i)
    assert status.stage == "critical-mass"
    assert status.at_risk and status.at_risk_conditions == ["critical-mass"]
    detail = next(c.detail for c in status.conditions if c.condition == "critical-mass")
    assert detail.startswith("7 of 8 participants")
    assert "AT RISK: no longer met for this stage: critical-mass" in status_text(status)
    registry.record(i, "participant_joined", {"name": "Iv", "community": "media"}, at="2018-07-02", by="Ada")
    assert not registry.status(i).at_risk


def test_a_lowered_score_puts_the_stage_at_risk(registry: Registry) -> None:
    i = walk(registry, "common-cause")
    registry.record(i, "score_set", {"parameter": "trust-level", "level": 2}, by="Ada", at="2018-07-01")
    status = registry.status(i)
    assert status.at_risk and "trust" in status.at_risk_conditions
    assert (
        next(c for c in status.conditions if c.condition == "trust-level-reached").detail
        == "'trust-level' at 2 (working: participants share TLP:GREEN material within the group), needs 3"
    )
    assert not registry.status(i, as_of="2018-06-30").at_risk


def test_an_expired_condition_puts_the_stage_at_risk(registry: Registry, clock: Clock) -> None:
    i = walk(registry, "common-cause")
    assert not registry.status(i).at_risk
    clock.now = datetime(2019, 4, 11, 12, tzinfo=UTC)  # a year and a day after trust was attested
    status = registry.status(i)
    assert status.at_risk and "trust" in status.at_risk_conditions
    reaffirmed = next(c for c in status.conditions if c.condition == "trust-reaffirmed")
    assert not reaffirmed.met and reaffirmed.detail.startswith("in the last 365 days: attested by 0 of 4")
    # as of a date inside the year, it was not at risk
    assert not registry.status(i, as_of="2019-04-09").at_risk
    _attest(registry, i, "trust-attested", "2019-04-11", ("Ada", "Ben", "Cy", "Di"))
    assert not registry.status(i).at_risk


def test_a_new_initiative_is_not_at_risk(registry: Registry) -> None:
    # Its first stage `requires: [challenge]`, but nothing that held has stopped holding.
    i = registry.create("Pilot", workflow=BUILTIN, at="2018-01-01", by="Ada")
    assert not registry.status(i).at_risk


# --- history and the past ---------------------------------------------------------------------


def test_status_as_of_a_past_date_replays_history(registry: Registry) -> None:
    i = walk(registry, "result")
    expected = {
        "2018-01-01": "challenge",
        "2018-01-10": "challenge",
        "2018-01-11": "ownership",
        "2018-04-10": "ownership",
        "2018-04-11": "trust",
        "2018-05-03": "common-cause",
        "2018-06-01": "common-cause",
        "2018-06-02": "critical-mass",
        "2018-06-11": "result",
    }
    for day, stage in expected.items():
        status = registry.status(i, as_of=day)
        assert status.stage == stage, day
        assert status.as_of.startswith(f"{day}T23:59:59")
    # a datetime cuts within the day
    assert registry.status(i, as_of="2018-01-10T23:59:59Z").stage == "challenge"
    assert registry.status(i, as_of=datetime(2018, 1, 11, tzinfo=UTC)).stage == "ownership"
    # the version as of a date counts what had been recorded by then
    assert registry.status(i, as_of="2018-01-02").version == 1 + len(PEOPLE)


def test_status_before_creation_says_it_did_not_exist(registry: Registry) -> None:
    i = registry.create("Pilot", workflow=BUILTIN, at="2018-01-01", by="Ada")
    with pytest.raises(CooperationError, match="did not exist yet"):
        registry.status(i, as_of="2017-06-01")
    assert registry.status(i, as_of="2018-01-01").stage == "challenge"


def test_statuses_lists_every_initiative_as_of_a_date(registry: Registry) -> None:
    walk(registry, "trust", initiative="alpha")
    registry.create("Beta", workflow=BUILTIN, initiative="beta", at="2018-05-01", by="Ada")
    assert [(s.initiative, s.stage) for s in registry.statuses()] == [("alpha", "trust"), ("beta", "challenge")]
    assert [(s.initiative, s.stage) for s in registry.statuses(as_of="2018-02-01")] == [("alpha", "ownership")]


def test_history_is_in_recorded_order_and_folds_in_time_order(registry: Registry) -> None:
    i = registry.create("Pilot", workflow=BUILTIN, at="2018-01-01", by="Ada")
    registry.record(
        i, "participant_joined", {"name": "Ada", "community": "technical", "role": "owner"}, at="2018-01-01", by="Ada"
    )
    registry.record(
        i, "score_set", {"parameter": "trust-level", "level": 3}, at="2018-01-04", by="Ada"
    )  # recorded late
    registry.record(i, "score_set", {"parameter": "trust-level", "level": 1}, at="2018-01-03", by="Ada")  # even later
    history = registry.history(i)
    assert [e.seq for e in history] == [1, 2, 3, 4]
    assert [e.at for e in history] == ["2018-01-01", "2018-01-01", "2018-01-04", "2018-01-03"]
    trust_level = next(c for c in registry.status(i).conditions if c.condition == "trust-level-reached")
    assert trust_level.met  # the latest in time (3, on the 4th) counts, not the last recorded
    assert not next(
        c for c in registry.status(i, as_of="2018-01-03").conditions if c.condition == "trust-level-reached"
    ).met


# --- import and export -------------------------------------------------------------------------


def _export(registry: Registry) -> list[str]:
    return [event.to_line() for event in registry.export_events()]


def test_export_then_import_gives_identical_history_and_status(
    registry: Registry, tmp_path: Path, clock: Clock
) -> None:
    walk(registry, "result", initiative="alpha")
    walk(registry, "trust", initiative="beta")
    registry.record("alpha", "trust_breached", {"description": "Leak"}, by="Di", at="2018-07-01")
    lines = _export(registry)
    with Registry(open_store(tmp_path / "copy.db"), clock=clock) as copy:
        report = copy.import_lines(lines)
        assert report.events == len(lines) and set(report.created) == {"alpha", "beta"}
        assert _export(copy) == lines
        for i in ("alpha", "beta"):
            assert copy.history(i) == registry.history(i)
            assert copy.status(i).to_json() == registry.status(i).to_json()
            assert copy.status(i, as_of="2018-05-10").to_json() == registry.status(i, as_of="2018-05-10").to_json()


def test_import_continues_an_existing_initiative(registry: Registry, tmp_path: Path, clock: Clock) -> None:
    walk(registry, "ownership")
    lines = _export(registry)
    with Registry(open_store(tmp_path / "copy.db"), clock=clock) as copy:
        copy.import_lines(lines[:10])
        report = copy.import_lines(lines[10:])
        assert report.created == () and report.events == len(lines) - 10
        assert _export(copy) == lines


def test_import_with_an_error_on_line_n_names_it_and_writes_nothing(registry: Registry, tmp_path: Path) -> None:
    walk(registry, "ownership", initiative="alpha")
    before = _export(registry)
    new = [
        json.dumps(
            {
                "initiative": "gamma",
                "kind": "initiative_created",
                "at": "2018-02-01",
                "by": "Ada",
                "data": {"name": "Gamma", "workflow": BUILTIN},
            }
        ),
        json.dumps(
            {
                "initiative": "alpha",
                "kind": "participant_joined",
                "at": "2018-02-01",
                "by": "Ada",
                "data": {"name": "Ivo", "community": "media"},
            }
        ),
        "",
        json.dumps(
            {
                "initiative": "alpha",
                "kind": "evidence_recorded",
                "at": "2018-02-02",
                "by": "Ada",
                "data": {"condition": "nutrality", "text": "x"},
            }
        ),
    ]
    with pytest.raises(EventError) as caught:
        registry.import_lines(new, source="more.jsonl")
    message = str(caught.value)
    assert message.startswith("more.jsonl:4: ") and "did you mean 'neutrality'?" in message
    assert _export(registry) == before
    assert registry.initiatives() == ["alpha"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"initiative": "delta", "kind": "participant_joined", "at": "2018-02-01", '
            '"by": "Ada", "data": {"name": "Ivo", "community": "media"}}',
            "first event must be initiative_created",
        ),
        (
            '{"initiative": "alpha", "kind": "initiative_created", "at": "2018-02-01", '
            '"by": "Ada", "data": {"name": "A", "workflow": "cooperation-maturity"}}',
            "already exists",
        ),
        (
            '{"initiative": "alpha", "kind": "participant_joined", "at": "2019-02-30", '
            '"by": "Ada", "data": {"name": "Ivo", "community": "media"}}',
            "'2019-02-30' is not an ISO 8601 date",
        ),
        (
            '{"initiative": "alpha", "kind": "evidence_recorded", "at": "2018-02-01", '
            '"by": "Ada", "data": {"condition": "challenge", "text": "x", "tlp": "TLP:WHITE"}}',
            "TLP:AMBER+STRICT",
        ),
        (
            '{"initiative": "alpha", "kind": "stage_advanced", "at": "2018-02-01", "by": "Ada", '
            '"data": {"from": "ownership", "to": "result"}}',
            "an advance goes to 'trust'",
        ),
        (
            '{"initiative": "epsilon", "kind": "initiative_created", "at": "2018-02-01", '
            '"by": "Ada", "data": {"name": "E", "workflow": "no-such-workflow"}}',
            "is no built-in id, and a workflow named in data is never opened as a file",
        ),
    ],
)
def test_import_names_the_line_of_each_kind_of_error(registry: Registry, line: str, message: str) -> None:
    walk(registry, "ownership", initiative="alpha")
    before = _export(registry)
    good = json.dumps(
        {
            "initiative": "alpha",
            "kind": "participant_joined",
            "at": "2018-02-01",
            "by": "Ada",
            "data": {"name": "Zoe", "community": "media"},
        }
    )
    with pytest.raises(EventError) as caught:
        registry.import_lines([good, good.replace("Zoe", "Yan"), line], source="in.jsonl")
    assert str(caught.value).startswith("in.jsonl:3: ") and message in str(caught.value)
    assert _export(registry) == before


@pytest.mark.parametrize(
    ("by", "message"), [("Obs", "observer may not"), ("Ada", "cannot move to 'ownership'"), (None, "")]
)
def test_import_refuses_an_advance_whose_prerequisites_are_unmet(
    registry: Registry, by: str | None, message: str
) -> None:
    lines = [
        _line("initiative_created", "2018-01-01", {"name": "X", "workflow": BUILTIN}),
        _line("participant_joined", "2018-01-02", {"name": "Ada", "community": "technical", "role": "owner"}),
        _line("participant_joined", "2018-01-02", {"name": "Obs", "community": "media", "role": "observer"}),
        _line("stage_advanced", "2018-01-03", {"from": "challenge", "to": "ownership"}, by),
    ]
    with pytest.raises(CooperationError) as caught:
        registry.import_lines(lines)
    assert str(caught.value).startswith("<input>:4: ") and message in str(caught.value)
    assert registry.initiatives() == []


def test_an_import_refused_for_a_blocked_move_keeps_the_unmet_prerequisites_as_data(registry: Registry) -> None:
    """The error names the line, and still carries the refusal with what is unmet, in working order."""
    lines = [
        _line("initiative_created", "2018-01-01", {"name": "X", "workflow": BUILTIN}),
        _line("participant_joined", "2018-01-02", {"name": "Ada", "community": "technical", "role": "owner"}),
        _line("stage_advanced", "2018-01-03", {"from": "challenge", "to": "ownership"}, "Ada"),
        _line("participant_joined", "2018-01-04", {"name": "Obs", "community": "media", "role": "observer"}, "Obs"),
    ]
    with pytest.raises(EventError) as caught:
        registry.import_lines(lines, source="log.jsonl")
    refused = caught.value
    assert refused.location == "log.jsonl:3"
    assert isinstance(refused.original, BlockedTransitionError)
    assert str(refused) == f"log.jsonl:3: {refused.original}"
    assert (refused.original.initiative, refused.original.target) == ("x", "ownership")
    assert registry.initiatives() == []
    registry.import_lines(lines[:2])  # as the log stood before the move
    blocking = [result.condition for result in registry.status("x").unmet if result.blocking]
    assert blocking and [result.condition for result in refused.original.unmet] == blocking


def test_an_import_refused_for_a_role_keeps_the_allowed_roles_as_data(registry: Registry) -> None:
    lines = [
        _line("initiative_created", "2018-01-01", {"name": "X", "workflow": BUILTIN}),
        _line("participant_joined", "2018-01-02", {"name": "Ada", "community": "technical", "role": "owner"}),
        _line("participant_joined", "2018-01-02", {"name": "Obs", "community": "media", "role": "observer"}),
        _line("stage_advanced", "2018-01-03", {"from": "challenge", "to": "ownership"}, "Obs"),
    ]
    with pytest.raises(EventError) as caught:
        registry.import_lines(lines, source="log.jsonl")
    refused = caught.value.original
    assert isinstance(refused, NotPermittedError)
    assert (refused.actor, refused.move) == ("Obs", "advance")
    assert "observer" not in refused.allowed and refused.allowed == get_workflow(BUILTIN).default_roles


def test_a_leave_dated_before_the_join_is_refused(registry: Registry) -> None:
    i = registry.create("Pilot", workflow=BUILTIN, at="2018-01-01", by="Ada", community="technical")
    registry.record(i, "participant_joined", {"name": "Ben", "community": "business"}, at="2018-03-01", by="Ada")
    before = registry.history(i)
    with pytest.raises(EventError, match="Ben is not a current participant"):
        registry.record(i, "participant_left", {"name": "Ben"}, at="2018-02-01", by="Ben")
    _unchanged(registry, i, before)


def test_a_log_of_backdated_facts_round_trips(registry: Registry, tmp_path: Path, clock: Clock) -> None:
    i = registry.create("Pilot", workflow=BUILTIN, at="2018-01-01", by="Ada", community="technical")
    registry.record(i, "participant_joined", {"name": "Ben", "community": "business"}, at="2018-03-01", by="Ada")
    registry.record(i, "participant_joined", {"name": "Cy", "community": "government"}, at="2018-01-15", by="Ada")
    registry.record(i, "participant_left", {"name": "Ben"}, at="2018-04-01", by="Ben")
    # recorded after Ben left, dated while Ben took part
    registry.record(i, "attestation_given", {"condition": "voluntary"}, by="Ben", at="2018-03-05")
    registry.record(i, "meeting_held", {"attendees": ["Ben", "Cy"]}, at="2018-03-06", by="Ada")
    registry.record(i, "score_set", {"parameter": "trust-level", "level": 2}, at="2018-02-01", by="Ada")
    with pytest.raises(EventError, match="Ben"):
        registry.record(i, "attestation_given", {"condition": "voluntary"}, by="Ben", at="2018-04-02")
    with Registry(open_store(tmp_path / "copy.db"), clock=clock) as copy:
        copy.import_lines(_export(registry))
        assert copy.history(i) == registry.history(i)
        for as_of in (None, "2018-03-05", "2018-04-01"):
            assert copy.status(i, as_of=as_of).to_json() == registry.status(i, as_of=as_of).to_json()


def test_a_fact_dated_in_the_future_is_refused_so_status_can_advance_and_advance_agree(
    tmp_path: Path, engine_ladder: str
) -> None:
    clock = Clock(datetime(2020, 1, 1, 12, tzinfo=UTC))
    with Registry(open_store(tmp_path / "ahead.db"), clock=clock) as registry:
        i = registry.create("Ahead", workflow=engine_ladder, at="2019-12-01", by="Ada")
        for name, community in (("Ada", "technical"), ("Ben", "business")):
            registry.record(
                i,
                "participant_joined",
                {"name": name, "community": community, "role": "owner"},
                at="2019-12-02",
                by="Ada",
            )
        before = registry.history(i)
        for ahead in ("2020-01-02", clock.now + timedelta(seconds=1), "2020-01-01T13:00:00+00:00"):
            with pytest.raises(EventError, match="in the future"):
                registry.record(i, "evidence_recorded", {"condition": "problem", "text": "x"}, at=ahead, by="Ada")
        with pytest.raises(EventError, match="in the future"):
            registry.advance(i, by="Ada", at="2020-01-02")
        _unchanged(registry, i, before)
        assert registry.status(i).can_advance == registry.can_advance(i) is False
        registry.record(i, "evidence_recorded", {"condition": "problem", "text": "x"}, at=clock.now, by="Ada")
        assert registry.status(i).can_advance == registry.can_advance(i) is True
        assert registry.advance(i, by="Ada").stage == "formed"
        assert registry.status(i).stage == "formed"
        assert registry.history(i)[-1].at == "2020-01-01T12:00:00Z"


def _round_trip(registry: Registry, tmp_path: Path, clock: Clock) -> None:
    """Export every event and import them into a new registry: the same history and status."""
    with Registry(open_store(tmp_path / "copy.db"), clock=clock) as copy:
        copy.import_lines(_export(registry))
        for initiative in registry.initiatives():
            assert copy.history(initiative) == registry.history(initiative)
            assert copy.status(initiative).to_json() == registry.status(initiative).to_json()


def test_a_breach_reported_by_the_owner_round_trips(registry: Registry, tmp_path: Path, clock: Clock) -> None:
    i = walk(registry, "critical-mass")
    registry.record(i, "trust_breached", {"description": "Leak"}, by="Ada", at="2018-07-01")
    _round_trip(registry, tmp_path, clock)


@pytest.mark.parametrize("by", ["Ada", "Ben", "Di"])
def test_a_breach_reported_by_anyone_round_trips(
    registry: Registry, tmp_path: Path, clock: Clock, by: str | None
) -> None:
    i = walk(registry, "critical-mass")
    registry.record(i, "trust_breached", {"description": "Leak"}, by=by, at="2018-07-01")
    assert registry.status(i).stage == "trust"
    _round_trip(registry, tmp_path, clock)


def test_a_breach_that_regresses_may_not_be_dated_before_recorded_facts(registry: Registry) -> None:
    # Its automatic regress is a move, and a move may not come before facts already recorded.
    i = walk(registry, "critical-mass")  # advanced on 2018-06-02
    registry.record(i, "evidence_recorded", {"condition": "result", "text": "Draft"}, by="Ada", at="2018-06-20")
    before = registry.history(i)
    with pytest.raises(EventError, match="cannot be dated before facts already recorded"):
        registry.record(i, "trust_breached", {"description": "Leak"}, by="Ada", at="2018-06-10")
    _unchanged(registry, i, before)


def test_a_breach_that_does_not_regress_may_be_recorded_late(registry: Registry, tmp_path: Path, clock: Clock) -> None:
    i = walk(registry, "trust")  # no automatic move from 'trust'
    registry.record(i, "evidence_recorded", {"condition": "perspective", "text": "Plan"}, by="Ada", at="2018-06-20")
    registry.record(i, "trust_breached", {"description": "Leak"}, by="Ada", at="2018-06-10")
    assert registry.status(i).stage == "trust"
    _round_trip(registry, tmp_path, clock)


def test_an_imported_breach_without_its_regress_does_not_leave_the_stage_as_it_was(
    registry: Registry, tmp_path: Path, clock: Clock
) -> None:
    i = walk(registry, "common-cause")
    breach = Event(i, "trust_breached", "2018-07-01", {"description": "Leak"}, "Ada")
    lines = [*_export(registry), breach.to_line()]
    with Registry(open_store(tmp_path / "copy.db"), clock=clock) as copy:
        try:
            copy.import_lines(lines)
        except EventError:
            assert copy.initiatives() == []
        else:
            assert copy.status(i).stage == "trust"
