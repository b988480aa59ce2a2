"""Who may do what: only the roles a workflow allows trigger each move; attestations count only
from current participants; an observer can neither attest nor advance. Every refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_helpers import ENGINE_LADDER

from cooperation.errors import ActorError, EventError, NotPermittedError
from cooperation.registry import Registry

PEOPLE = (
    ("Own", "technical", "owner"),
    ("Sec", "business", "secretariat"),
    ("Mem", "government", "member"),
    ("Obs", "media", "observer"),
    ("Gone", "academia", "owner"),
)


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """An initiative at 'formed' on the engine ladder, with one person of each role and an owner who left."""
    with Registry.open(tmp_path / "coop.db") as opened:
        opened.create("Roles", workflow=ENGINE_LADDER, initiative="roles", at="2018-01-01", by="Own")
        for name, community, role in PEOPLE:  # Own, the creator, first
            opened.record(
                "roles",
                "participant_joined",
                {"name": name, "community": community, "role": role},
                at="2018-01-01",
                by="Own",
            )
        opened.record("roles", "evidence_recorded", {"condition": "problem", "text": "p"}, by="Own", at="2018-01-02")
        opened.advance("roles", by="Own", at="2018-01-03")
        opened.record("roles", "participant_left", {"name": "Gone"}, at="2018-01-04", by="Gone")
        yield opened


def _history(registry: Registry) -> list[str]:
    return [event.to_line() for event in registry.history("roles")]


@pytest.mark.parametrize("actor", ["Mem", "Obs", "Gone", "Nobody"])
@pytest.mark.parametrize("move", ["advance", "restart", "escalate"])
def test_only_allowed_current_participants_may_move(registry: Registry, actor: str, move: str) -> None:
    if move == "escalate":  # the escalation's own prerequisites are met, so only the role can refuse it
        registry.record("roles", "evidence_recorded", {"condition": "failure", "text": "f"}, by="Own", at="2018-01-05")
    before = _history(registry)
    refusal = ActorError if actor in ("Gone", "Nobody") else NotPermittedError  # no actor, or one not allowed
    with pytest.raises(refusal) as caught:
        if move == "advance":
            registry.advance("roles", by=actor, at="2018-01-06")
        elif move == "restart":
            registry.regress("roles", by=actor, reason="again", transition="restart", at="2018-01-06")
        else:
            registry.escalate("roles", by=actor, reason="stuck", at="2018-01-06")
    expected = "not a current participant" if actor in ("Gone", "Nobody") else "may not"
    assert expected in str(caught.value) and caught.value.actor == actor
    assert _history(registry) == before


def test_a_restart_is_allowed_only_to_the_owner_role_the_workflow_names(registry: Registry) -> None:
    with pytest.raises(NotPermittedError, match=r"allowed roles: owner\)"):
        registry.regress("roles", by="Sec", reason="again", transition="restart", at="2018-01-06")
    assert registry.regress("roles", by="Own", reason="again", transition="restart", at="2018-01-06").stage == "idea"


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        ("Obs", "observers cannot attest"),
        ("Gone", "not a current participant"),
        ("Nobody", "not a current participant"),
    ],
)
def test_attestations_only_from_current_non_observer_participants(registry: Registry, actor: str, message: str) -> None:
    before = _history(registry)
    with pytest.raises(EventError, match=message):
        registry.record("roles", "attestation_given", {"condition": "trust-attested"}, by=actor, at="2018-01-06")
    assert _history(registry) == before


def test_an_attestation_stops_counting_when_its_author_leaves(registry: Registry) -> None:
    def trust_attested() -> bool:
        return next(r for r in registry.status("roles").conditions if r.condition == "trust-attested").met

    for name in ("Own", "Mem"):
        registry.record("roles", "attestation_given", {"condition": "trust-attested"}, by=name, at="2018-01-06")
    assert trust_attested()
    registry.record("roles", "participant_left", {"name": "Mem"}, at="2018-01-07", by="Mem")
    assert not trust_attested()


@pytest.mark.parametrize("actor", ["Mem", "Obs", "Gone"])
def test_only_owner_or_secretariat_may_waive(registry: Registry, actor: str) -> None:
    before = _history(registry)
    with pytest.raises(EventError):
        registry.record(
            "roles",
            "condition_waived",
            {"condition": "vouched", "rationale": "nobody outside the group could vouch for it at all"},
            by=actor,
            at="2018-01-06",
        )
    assert _history(registry) == before
