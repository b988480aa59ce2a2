"""The permission matrix: every role (and no actor, and a stranger) by every kind of fact, each cell
accepted or refused as the documented policy says; refusals write nothing. A workflow may narrow the
table, never widen it.

The policy is written out here by hand (`POLICY`), as the README states it, so that a change to
`cooperation.engine.permissions` that the documentation does not follow fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import ENGINE_LADDER

from cooperation.definition.catalog import get_workflow
from cooperation.engine.payloads import EVENT_KINDS
from cooperation.engine.permissions import PERMISSIONS, allowed_roles
from cooperation.errors import ActorError, WorkflowDefinitionError
from cooperation.registry import Registry

STEER = {"owner", "secretariat"}
WORK = {"owner", "secretariat", "member"}
POLICY: dict[str, set[str]] = {
    "participant_joined": STEER,
    "participant_left": STEER,  # besides anyone's own leaving
    "meeting_held": WORK,
    "evidence_recorded": WORK,
    "attestation_given": WORK,
    "condition_waived": STEER,
    "score_set": STEER,
    "output_published": WORK,
    "trust_breached": WORK,
    "account_bound": STEER,
    "fact_withdrawn": WORK,  # besides the finer rule of corrections: its author, or a steward
    "role_changed": STEER,
    "initiative_renamed": STEER,
    "initiative_closed": STEER,
    "workflow_changed": STEER,
    "outreach_done": WORK,
}
# Kinds no one records directly: `workflow_changed` is written only by `coop workflows upgrade
# --apply`, which pins the new workflow's text in the same write; its row is checked above only.
NOT_RECORDED_DIRECTLY = {"workflow_changed"}
ACTORS = {"Own": "owner", "Sec": "secretariat", "Mem": "member", "Obs": "observer"}
RATIONALE = "No outsider can vouch for a group this new; the board agreed to go on without it."
DATA: dict[str, dict[str, Any]] = {
    "participant_joined": {"name": "New", "community": "media"},
    "participant_left": {"name": "Other"},
    "meeting_held": {"attendees": ["Own", "Mem"]},
    "evidence_recorded": {"condition": "problem", "text": "A shared problem"},
    "attestation_given": {"condition": "trust"},
    "condition_waived": {"condition": "vouched", "rationale": RATIONALE},
    "score_set": {"parameter": "trust-level", "level": 2},
    "output_published": {"title": "Guidelines"},
    "trust_breached": {"description": "Shared information was misused."},
    "account_bound": {"account": "someone", "participant": "Other"},
    # The seq is that of Mem's evidence, recorded by the fixture (so Mem, its author, may withdraw it).
    "fact_withdrawn": {"seq": 0, "reason": "Recorded against the wrong condition"},
    "role_changed": {"name": "Other", "role": "secretariat"},
    "initiative_renamed": {"name": "Roles, renamed", "alias": "roles-renamed"},
    "initiative_closed": {"state": "withdrawn", "reason": "Created by mistake, with a mistyped id"},
    "outreach_done": {"community": "academia", "venue": "A research network's annual meeting"},
}


def _data(registry: Registry, kind: str) -> dict[str, Any]:
    """The sample data of `kind`; a withdrawal names the seq of Mem's evidence in the fixture's log."""
    if kind != "fact_withdrawn":
        return DATA[kind]
    evidence = [e.seq for e in registry.history("roles") if e.kind == "evidence_recorded" and e.by == "Mem"]
    assert len(evidence) == 1
    return {**DATA[kind], "seq": evidence[0]}


def test_the_policy_is_the_table_in_code() -> None:
    assert set(PERMISSIONS) == set(EVENT_KINDS)  # a new kind of event needs a row: who may record it
    ladder = get_workflow(ENGINE_LADDER)
    facts = {kind for kind, permission in PERMISSIONS.items() if not permission.move and kind != "initiative_created"}
    assert facts == set(POLICY)
    assert set(DATA) == set(POLICY) - NOT_RECORDED_DIRECTLY
    assert {kind: set(allowed_roles(ladder, kind)) for kind in POLICY} == POLICY  # type: ignore[arg-type]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """An initiative created by Own (its first owner), with one participant of each role and Other, a member;
    Mem has recorded one piece of evidence (for withdrawals)."""
    with Registry.open(tmp_path / "coop.db") as opened:
        opened.create(
            "Roles", workflow=ENGINE_LADDER, initiative="roles", by="Own", community="technical", at="2018-01-01"
        )
        for name, role in [*list(ACTORS.items())[1:], ("Other", "member")]:
            opened.join("roles", name, community="business", role=role, by="Own", at="2018-01-01")  # type: ignore[arg-type]
        opened.evidence("roles", "problem", "A shared problem", by="Mem", at="2018-01-01")
        yield opened


@pytest.mark.parametrize("kind", sorted(DATA))
@pytest.mark.parametrize("actor", [*ACTORS, "Nobody", None])
def test_each_cell_is_accepted_or_refused_as_the_policy_says(registry: Registry, actor: str | None, kind: str) -> None:
    allowed = actor in ACTORS and ACTORS[actor] in POLICY[kind]
    before = registry.history("roles")
    if allowed:
        event = registry.record("roles", kind, _data(registry, kind), by=actor, at="2018-01-02")  # type: ignore[call-overload]
        assert (event.kind, event.by) == (kind, actor)
        return
    with pytest.raises(ActorError) as refused:
        registry.record("roles", kind, _data(registry, kind), by=actor, at="2018-01-02")  # type: ignore[call-overload]
    assert refused.value.actor == actor and refused.value.kind == kind
    assert "name who records it with --by NAME" in str(refused.value)
    assert registry.history("roles") == before


@pytest.mark.parametrize("actor", list(ACTORS))
def test_anyone_may_record_their_own_leaving(registry: Registry, actor: str) -> None:
    registry.leave("roles", actor, by=actor, at="2018-01-02")
    assert registry.history("roles")[-1].data == {"name": actor}


@pytest.mark.parametrize("actor", ["Mem", "Obs"])
def test_no_one_but_an_owner_or_secretariat_removes_someone_else(registry: Registry, actor: str) -> None:
    with pytest.raises(ActorError, match="cannot remove participants"):
        registry.leave("roles", "Own", by=actor, at="2018-01-02")


def test_an_attestation_is_always_the_attesters_own(registry: Registry) -> None:
    """There is no field to attest for another: the attester is `by`, the participant named as recording it."""
    event = registry.attest("roles", "trust", by="Mem", at="2018-01-02")
    facts_attesters = [e.by for e in registry.history("roles") if e.kind == "attestation_given"]
    assert facts_attesters == ["Mem"] and set(event.data) == {"condition"}


def test_the_first_participant_is_the_creator_as_owner(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        registry.create("Bare", workflow=ENGINE_LADDER, initiative="bare", by="Ada", at="2018-01-01")
        for name, by, role in [("Ben", "Ada", "member"), ("Ada", "Ben", "owner"), ("Ada", "Ada", "member")]:
            with pytest.raises(ActorError, match="the first participant of bare is its creator, Ada"):
                registry.join("bare", name, community="technical", role=role, by=by, at="2018-01-01")  # type: ignore[arg-type]
        registry.join("bare", "Ada", community="technical", role="owner", by="Ada", at="2018-01-01")
        registry.join("bare", "Ben", community="business", by="Ada", at="2018-01-01")
        assert [e.kind for e in registry.history("bare")] == ["initiative_created", *["participant_joined"] * 2]


def test_creating_needs_a_creator_and_makes_them_the_first_owner(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        with pytest.raises(ActorError, match="needs who creates it, its first owner: name them with --by NAME"):
            registry.create("Nameless", workflow=ENGINE_LADDER, at="2018-01-01")
        assert registry.initiatives() == []
        created = registry.create("Named", workflow=ENGINE_LADDER, by="Ada", community="academia", at="2018-01-01")
        joined = registry.history(created)[1]
        assert (joined.kind, joined.by, joined.data) == (
            "participant_joined",
            "Ada",
            {"name": "Ada", "community": "academia", "role": "owner"},
        )


# --- a workflow narrows the table, never widens it --------------------------------------------------


def _ladder_with(tmp_path: Path, permissions: str) -> Path:
    text = Path(ENGINE_LADDER).read_text(encoding="utf-8")
    path = tmp_path / "narrowed.yaml"
    path.write_text(text.replace("waiver_min_rationale: 30\n", f"waiver_min_rationale: 30\n{permissions}"), "utf-8")
    return path


def test_a_workflow_may_narrow_who_records_a_kind(tmp_path: Path) -> None:
    path = _ladder_with(tmp_path, "permissions:\n  evidence_recorded: [secretariat]\n")
    with Registry.open(tmp_path / "coop.db") as registry:
        registry.create("N", workflow=str(path), initiative="n", by="Own", community="technical", at="2018-01-01")
        registry.join("n", "Sec", community="business", role="secretariat", by="Own", at="2018-01-01")
        with pytest.raises(ActorError, match=r"owners cannot record evidence \(allowed: secretariat\)"):
            registry.evidence("n", "problem", "x", by="Own", at="2018-01-02")
        assert registry.evidence("n", "problem", "x", by="Sec", at="2018-01-02").by == "Sec"


def test_a_workflow_that_widens_the_table_is_refused_naming_the_place(tmp_path: Path) -> None:
    path = _ladder_with(tmp_path, "permissions:\n  score_set: [owner, member]\n")
    with pytest.raises(WorkflowDefinitionError) as refused:
        get_workflow(str(path))
    message = str(refused.value)
    assert "permissions.score_set[1]" in message and "role 'member' may not record score_set by default" in message
    assert "narrowed.yaml:" in message
