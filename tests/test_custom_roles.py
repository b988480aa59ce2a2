"""Roles a workflow declares (`roles:` with `may:`), the conditions that count only some roles, and
transitions taken by themselves when a participant in a role leaves, joins or changes role.

Each case runs through the real `coop` command on a real SQLite file, with the example workflow
`examples/workflows/sponsored-initiative.yaml`; the rule of whom a condition counts is a property
over generated workflows (`cooperation.testing.roles`).
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.definition.loading import load_workflow_text
from cooperation.engine.facts import fold, time_ordered
from cooperation.engine.permissions import allowed_roles
from cooperation.testing import workflow_state_machine
from cooperation.testing.roles import (
    ATTESTED,
    PRESENT,
    counted_names,
    role_assignments,
    workflow_text,
    workflows_with_roles,
)
from cooperation.verify.walks import Clock
from cooperation.verify.witness import memory_registry

RUNNER = CliRunner()
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "workflows" / "sponsored-initiative.yaml"
WAIVER = "The launch date is set by the sponsors' own calendar, which is not public yet."


def coop(db: Path | None, *args: str) -> Result:
    """Run `coop ARGS` (with `--db DB` when given) in process; no traceback may escape."""
    result = RUNNER.invoke(app, [*args, *(["--db", str(db)] if db is not None else [])])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stdout}{result.stderr}"
    return result


def export(db: Path) -> str:
    return ok(coop(db, "export")).stdout


def status(db: Path) -> dict[str, object]:
    shown: dict[str, object] = json.loads(coop(db, "status", "sp", "--json").stdout)
    return shown


def condition(db: Path, condition_id: str) -> dict[str, object]:
    conditions = status(db)["conditions"]
    assert isinstance(conditions, list)
    found: dict[str, object] = next(c for c in conditions if c["condition"] == condition_id)
    return found


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A registry with an initiative of the example workflow: Ada owns it; two sponsors, a member, a reviewer."""
    db = tmp_path / "registry.db"
    ok(coop(db, "new", "Sponsored", "-w", str(EXAMPLE), "--id", "sp", "--by", "Ada", "-c", "technical"))
    for name, community, role in (
        ("Ben", "business", "sponsor"),
        ("Cleo", "government", "sponsor"),
        ("Dev", "media", "member"),
        ("Fay", "academia", "reviewer"),
    ):
        ok(coop(db, "join", "sp", name, "-c", community, "-r", role, "--by", "Ada"))
    ok(coop(db, "evidence", "sp", "plan", "What we will do, by when, with whom.", "--by", "Ada"))
    return db


def _launched(db: Path) -> None:
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Ben"))
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Cleo"))
    ok(coop(db, "advance", "sp", "--by", "Ada"))
    ok(coop(db, "evidence", "sp", "launch-date", "The first of next month.", "--by", "Ada"))
    ok(coop(db, "advance", "sp", "--by", "Ben"))  # a sponsor may launch: advance_roles [owner, sponsor]
    assert status(db)["stage"] == "launched"


# --- conditions that count some roles -------------------------------------------------------------


def test_sponsor_attestations_count_only_from_sponsors(db: Path) -> None:
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Ada"))  # the owner
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Dev"))  # a member
    shown = condition(db, "sponsors-attest")
    assert not shown["met"]
    assert str(shown["detail"]).startswith("attested by 0 of 2 participants")
    assert coop(db, "advance", "sp", "--by", "Ada").exit_code == 1
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Ben"))
    assert str(condition(db, "sponsors-attest")["detail"]).startswith("attested by 1 of 2 participants")
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Cleo"))
    assert condition(db, "sponsors-attest")["met"]
    ok(coop(db, "advance", "sp", "--by", "Ada"))
    assert status(db)["stage"] == "sponsored"


def test_participation_counts_only_the_roles_it_names(db: Path) -> None:
    assert condition(db, "sponsors-present")["met"]
    ok(coop(db, "leave", "sp", "Ben", "--by", "Ben"))
    assert condition(db, "sponsors-present")["met"]  # Cleo is still a sponsor
    ok(coop(db, "role", "sp", "Cleo", "member", "--by", "Ada"))
    shown = condition(db, "sponsors-present")
    assert not shown["met"]
    assert str(shown["detail"]).startswith("0 of 1 participant")  # Ada, Cleo and Dev take part, but none sponsors


# --- roles in events, checked against the initiative's workflow ---------------------------------------


def test_a_participant_joined_in_a_role_the_workflow_has_not_is_refused_and_nothing_stored(db: Path) -> None:
    before = export(db)
    refused = coop(db, "join", "sp", "Eve", "-c", "media", "-r", "sponsr", "--by", "Ada")
    assert refused.exit_code == 2
    assert "unknown role 'sponsr'" in refused.stderr and "did you mean 'sponsor'?" in refused.stderr
    assert "declared by the workflow: sponsor, reviewer" in refused.stderr
    data = json.dumps({"name": "Eve", "community": "media", "role": "chair"})
    recorded = coop(db, "record", "sp", "participant_joined", "--data", data, "--by", "Ada")
    assert recorded.exit_code == 2 and "unknown role 'chair'" in recorded.stderr
    changed = coop(db, "role", "sp", "Dev", "chair", "--by", "Ada")
    assert changed.exit_code == 2 and "unknown role 'chair'" in changed.stderr
    assert export(db) == before


def test_a_built_in_workflow_refuses_a_role_it_does_not_declare(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    ok(coop(db, "new", "Pilot", "--id", "pilot", "--by", "Ada", "-c", "technical"))
    before = export(db)
    refused = coop(db, "join", "pilot", "Ben", "-c", "media", "-r", "sponsor", "--by", "Ada")
    assert refused.exit_code == 2
    assert "its roles are owner, secretariat, member, observer (it declares none of its own)" in refused.stderr
    assert export(db) == before


def test_an_import_with_an_undeclared_role_is_refused_whole(db: Path, tmp_path: Path) -> None:
    before = export(db)
    at = datetime.now(UTC).isoformat()  # after the fixture's facts, and not ahead of the clock
    lines = [
        {"initiative": "sp", "kind": "participant_joined", "at": at, "by": "Ada", "data": data}
        for data in (
            {"name": "Gus", "community": "media", "role": "sponsor"},
            {"name": "Hana", "community": "media", "role": "patron"},
        )
    ]
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    refused = coop(db, "import", str(source))
    assert refused.exit_code == 2 and "unknown role 'patron'" in refused.stderr
    assert export(db) == before


def test_a_workflow_without_the_roles_participants_hold_is_refused_as_an_upgrade(db: Path, tmp_path: Path) -> None:
    before = export(db)
    without_reviewers = _variant(
        tmp_path,
        ("  - id: reviewer\n", "  - id: auditor\n"),
        ('version: "1.0"', 'version: "1.1"'),
    )
    refused = coop(db, "workflows", "upgrade", "sp", "--to", str(without_reviewers), "--by", "Ada", "--apply")
    assert refused.exit_code == 2
    assert "hold roles that workflow sponsored-initiative does not have (reviewer;" in refused.stderr
    assert export(db) == before
    ok(coop(db, "role", "sp", "Fay", "member", "--by", "Ada"))
    ok(coop(db, "workflows", "upgrade", "sp", "--to", str(without_reviewers), "--by", "Ada", "--apply"))


# --- what a declared role may record --------------------------------------------------------------


def test_a_declared_roles_may_list_is_honoured_and_nothing_outside_it(db: Path) -> None:
    ok(coop(db, "evidence", "sp", "plan", "Read it: the dates hold.", "--by", "Fay"))  # reviewer: evidence
    before = export(db)
    refused = coop(db, "attest", "sp", "sponsors-attest", "--by", "Fay")
    assert refused.exit_code == 2
    assert "Fay is a reviewer of sp; reviewers cannot attest" in refused.stderr
    assert "owner, secretariat, member or sponsor" in refused.stderr
    meeting = coop(db, "meet", "sp", "Ada", "Fay", "--by", "Fay")
    assert meeting.exit_code == 2 and "reviewers cannot record meetings" in meeting.stderr
    waiving = coop(db, "waive", "sp", "launch-date", "--rationale", WAIVER, "--by", "Fay")
    assert waiving.exit_code == 2
    assert export(db) == before
    ok(coop(db, "waive", "sp", "launch-date", "--rationale", WAIVER, "--by", "Ben"))  # sponsor: may waive
    assert condition(db, "launch-date")["waived"]


def test_a_sponsor_may_launch_but_not_advance_where_the_workflow_does_not_say_so(db: Path) -> None:
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Ben"))
    ok(coop(db, "attest", "sp", "sponsors-attest", "--by", "Cleo"))
    refused = coop(db, "advance", "sp", "--by", "Ben")  # into 'sponsored': the workflow's owner, secretariat
    assert refused.exit_code == 1 and "a sponsor may not" in refused.stderr
    ok(coop(db, "advance", "sp", "--by", "Ada"))
    ok(coop(db, "evidence", "sp", "launch-date", "The first of next month.", "--by", "Ben"))
    ok(coop(db, "advance", "sp", "--by", "Cleo"))
    assert status(db)["stage"] == "launched"


# --- transitions taken by themselves --------------------------------------------------------------


def test_the_initiative_regresses_by_itself_when_its_owner_leaves(db: Path) -> None:
    _launched(db)
    ok(coop(db, "leave", "sp", "Dev", "--by", "Dev"))  # a member leaving moves nothing
    assert status(db)["stage"] == "launched"
    ok(coop(db, "leave", "sp", "Ada", "--by", "Ada"))
    assert status(db)["stage"] == "proposed"
    history = [json.loads(line) for line in export(db).splitlines() if line.startswith('{"initiative"')]
    regressed = [event for event in history if event.get("kind") == "stage_regressed"]
    assert len(regressed) == 1
    assert regressed[0]["data"]["transition"] == "owner-left"
    assert regressed[0]["data"]["reason"] == "Ada (owner) left"
    assert "by" not in regressed[0] or regressed[0]["by"] is None
    assert status(db)["invalid_moves"] == []  # read again, the move the workflow made stands


def test_the_initiative_regresses_by_itself_when_its_owner_steps_down(db: Path) -> None:
    _launched(db)
    ok(coop(db, "role", "sp", "Ben", "member", "--by", "Ada"))  # a sponsor stepping down moves nothing
    assert status(db)["stage"] == "launched"
    ok(coop(db, "role", "sp", "Ada", "member", "--by", "Ada"))
    assert status(db)["stage"] == "proposed"
    assert status(db)["invalid_moves"] == []


def test_a_log_with_an_automatic_regression_imports_again_as_it_was(db: Path, tmp_path: Path) -> None:
    _launched(db)
    ok(coop(db, "leave", "sp", "Ada", "--by", "Ada"))
    exported = tmp_path / "export.jsonl"
    exported.write_text(export(db))
    copy = tmp_path / "copy.db"
    ok(coop(copy, "import", str(exported)))
    assert json.loads(coop(copy, "status", "sp", "--json").stdout)["stage"] == "proposed"


def test_a_breach_of_trust_still_regresses_a_built_in_workflow(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    text = (Path(__file__).resolve().parent.parent / "workflows" / "cooperation-maturity.yaml").read_text()
    assert "on_event: trust_breached" in text and "on_roles" not in text
    compiled = load_workflow_text(text)
    assert [t.on_event for t in compiled.compiled_transitions.values() if t.on_event] == ["trust_breached"]
    assert all(t.on_roles == () for t in compiled.compiled_transitions.values())
    assert compiled.declared_roles == {}
    ok(coop(db, "new", "Pilot", "--id", "pilot", "--by", "Ada", "-c", "technical"))
    ok(coop(db, "leave", "pilot", "Ada", "--by", "Ada"))  # no trigger on leaving: it stays
    assert json.loads(coop(db, "status", "pilot", "--json").stdout)["stage"] == "challenge"


# --- the workflow file: checks and findings -------------------------------------------------------


def _variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = EXAMPLE.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "variant.yaml"
    path.write_text(text)
    return path


def test_the_example_workflow_checks_and_verifies_clean(tmp_path: Path) -> None:
    ok(coop(None, "workflows", "check", str(EXAMPLE)))
    verified = coop(None, "verify", str(EXAMPLE))
    assert verified.exit_code == 0, verified.stdout + verified.stderr


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        (
            [("    roles: [sponsor]\n", "    roles: [sponsr]\n")],
            ":60:13: conditions[1].roles[0]: unknown role 'sponsr' (did you mean 'sponsor'?)",
        ),
        (
            [("advance_roles: [owner, sponsor]", "advance_roles: [owner, sponsors]")],
            ":43:28: stages[2].advance_roles[1]: unknown role 'sponsors' (did you mean 'sponsor'?)",
        ),
        (
            [("    on_roles: [owner]\n", "    on_roles: [ownr]\n")],
            ":84:16: transitions[0].on_roles[0]: unknown role 'ownr' (did you mean 'owner'?)",
        ),
        (
            [("  - id: reviewer", "  - id: member\n  - id: reviewer")],
            ":23:5: roles[1].id: 'member' is a built-in role and cannot be declared again",
        ),
        (
            [("  - id: reviewer", "  - id: sponsor\n  - id: reviewer")],
            ":23:5: roles[1].id: duplicate role 'sponsor' (also roles[0])",
        ),
        (
            [("on_event: role_changed", "on_event: trust_breached")],
            "transitions[1].on_roles: on_roles applies only to an on_event about a participant",
        ),
        (
            [("    on_event: participant_left\n", "    on_event: meeting_held\n")],
            ":83:5: transitions[0].on_event: 'meeting_held' is not allowed here (use one of: trust_breached,",
        ),
        (
            [
                (
                    "    may: [evidence_recorded]\n",
                    "    may: [evidence_recorded]\npermissions:\n  meeting_held: [reviewer]\n",
                )
            ],
            "'reviewer' is a role this workflow declares: what it may record is its own 'may:' list",
        ),
    ],
)
def test_a_wrong_role_is_refused_by_workflows_check_with_its_place(
    tmp_path: Path, replacements: list[tuple[str, str]], expected: str
) -> None:
    checked = coop(None, "workflows", "check", str(_variant(tmp_path, *replacements)))
    assert checked.exit_code == 2
    assert expected in checked.stdout + checked.stderr


def test_a_condition_counting_a_role_that_may_not_attest_is_an_impossible_finding(tmp_path: Path) -> None:
    variant = _variant(
        tmp_path, ("    min_communities: 2\n    roles: [sponsor]", "    min_communities: 2\n    roles: [reviewer]")
    )
    ok(coop(None, "workflows", "check", str(variant)))  # well formed: only verify can tell
    verified = coop(None, "verify", str(variant))
    assert verified.exit_code == 1
    assert "impossible-condition: sponsors-attest" in verified.stdout
    assert "counts only the role reviewer, and none of them may record attestation_given" in verified.stdout
    assert "add attestation_given to the 'may:' of reviewer" in verified.stdout


# --- the rule, over generated workflows -----------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflow=workflows_with_roles(), data=st.data())
def test_a_participant_whose_role_is_not_counted_never_counts(workflow: dict[str, object], data: st.DataObject) -> None:
    people = data.draw(role_assignments(workflow))
    leaving = data.draw(st.sets(st.sampled_from([name for name, _, _ in people])))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(workflow_text(workflow))
        compiled = load_workflow_text(path.read_text())
        clock = Clock()
        registry = memory_registry(clock)
        with registry:
            registry.create("Generated", workflow=str(path), initiative="g", by="Owner", community="technical")
            may_attest = allowed_roles(compiled, "attestation_given")
            for name, community, role in people:
                clock.advance(minutes=1)
                registry.join("g", name, community=community, role=role, by="Owner")
                if role in may_attest:
                    registry.attest("g", ATTESTED, by=name)
            for name in sorted(leaving):
                registry.leave("g", name, by=name)
            facts = fold("g", time_ordered(registry.history("g")), start=compiled.start)
            shown = registry.status("g")
    assert shown.who is not None
    for condition_id, attested in ((ATTESTED, ATTESTED), (PRESENT, None)):
        roles = compiled.compiled_conditions[condition_id].settings.roles
        expected = counted_names(facts, roles, attested=attested)
        assert shown.who[condition_id].names == expected
        assert all(facts.participants[name].role in roles for name in expected if roles)
        result = next(c for c in shown.conditions if c.condition == condition_id)
        prefix = "attested by " if attested else ""
        assert result.detail.startswith(f"{prefix}{len(expected)} ")  # "2 of 3 ...", or "3 participants (3 needed)"


# --- the rule-based machine, on the example workflow -----------------------------------------------

SponsoredMachine = workflow_state_machine(str(EXAMPLE))
SponsoredMachine.TestCase.settings = settings(
    SponsoredMachine.TestCase.settings, max_examples=15, stateful_step_count=25, deadline=None
)
TestSponsoredWorkflow = SponsoredMachine.TestCase
