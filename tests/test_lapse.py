"""A transition taken by itself when a condition lapses (`on_lapse`, issue 17 item 6), through `coop`.

The example workflow `examples/workflows/certification.yaml`: a team certified on an audit
falls back to `accredited` the moment the audit is older than 365 days, with no event. Reading
derives the lapse at its instant; the next write and `coop lapse` record it as `stage_lapsed`;
the two never double. Dates are fixed in the past (2024, a leap year): 365 days after
2024-02-01 is 2025-01-31, and the audit leaves its window one second after that day begins.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from test_cli_registry import coop

from cooperation.definition.loading import load_workflow_file
from cooperation.errors import CooperationError
from cooperation.registry import Registry
from cooperation.stores.sqlite import SqliteStore
from cooperation.testing import workflow_state_machine
from cooperation.verify.exploration import Exploration
from cooperation.verify.findings import findings

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "workflows" / "certification.yaml"
TEAM = "team-a"
LAPSED_AT = "2025-01-31T00:00:01Z"


def ok(db: Path, *args: str, stdin: str | None = None) -> str:
    result = coop(db, *args, stdin=stdin)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def status(db: Path, *args: str) -> dict[str, Any]:
    return json.loads(ok(db, "status", TEAM, *args, "--json"))  # type: ignore[no-any-return]


def history(db: Path) -> list[dict[str, Any]]:
    return json.loads(ok(db, "history", TEAM, "--json"))  # type: ignore[no-any-return]


def new_team(db: Path, workflow: Path) -> None:
    """Team A, created by Ada (technical) on 1 January 2024 under `workflow`."""
    ok(
        db,
        "new",
        "Team A",
        "--workflow",
        str(workflow),
        "--id",
        TEAM,
        "--by",
        "Ada",
        "-c",
        "technical",
        "--at",
        "2024-01-01",
    )


@pytest.fixture
def certified(tmp_path: Path) -> Path:
    """A team certified on 2024-02-02 on an audit of 2024-02-01, with nothing recorded since."""
    db = tmp_path / "coop.db"
    new_team(db, EXAMPLE)
    ok(db, "evidence", TEAM, "sponsored", "Letter from CERT-X", "--by", "Ada", "--at", "2024-01-02")
    ok(db, "evidence", TEAM, "sponsored", "Letter from CERT-Y", "--by", "Ada", "--at", "2024-01-03")
    ok(db, "advance", TEAM, "--by", "Ada", "--at", "2024-01-04")
    ok(db, "evidence", TEAM, "audit-passed", "Audit report", "--by", "Ada", "--at", "2024-02-01")
    ok(db, "advance", TEAM, "--by", "Ada", "--at", "2024-02-02")
    return db


def test_a_lapse_shows_in_the_status_with_no_new_event(certified: Path) -> None:
    before = ok(certified, "export")
    now = status(certified)
    assert (now["stage"], now["stage_since"]) == ("accredited", LAPSED_AT)
    assert now["unmet"][0]["condition"] == "certification-current"
    assert now["lapse"] is None  # nothing more to lapse from here
    assert ok(certified, "export") == before  # reading wrote nothing


def test_as_of_before_the_instant_shows_the_stage_before_and_the_lapse_to_come(certified: Path) -> None:
    before = status(certified, "--as-of", "2025-01-31T00:00:00Z")
    assert before["stage"] == "certified"
    assert before["lapses_on"] == "2025-01-31"
    assert before["lapse"] == {
        "on": "2025-01-31",
        "at": LAPSED_AT,
        "transition": "certification-lapsed",
        "to": "accredited",
        "condition": "certification-current",
    }
    text = ok(certified, "status", TEAM, "--as-of", "2024-06-01")
    assert "lapse: on 2025-01-31 'certification-lapsed' takes it to 'accredited'" in text
    after = status(certified, "--as-of", LAPSED_AT)
    assert (after["stage"], after["lapse"]) == ("accredited", None)
    assert status(certified, "--as-of", "2025-01-31")["stage"] == "accredited"  # the end of that day


def test_history_shows_the_derived_lapse_at_its_instant_with_its_reason(certified: Path) -> None:
    derived = [event for event in history(certified) if event.get("derived")]
    assert [(event["kind"], event["at"]) for event in derived] == [("stage_lapsed", LAPSED_AT)]
    assert derived[0]["data"]["reason"].startswith("certification-current stopped holding: ")
    assert "not recorded yet" in ok(certified, "history", TEAM)


def test_coop_lapse_records_once_and_then_nothing_more(certified: Path) -> None:
    derived = status(certified, "--as-of", "2025-06-01")
    printed = ok(certified, "lapse", "--all")
    assert f"{TEAM}: recorded stage_lapsed at {LAPSED_AT}" in printed
    events = history(certified)
    lapses = [event for event in events if event["kind"] == "stage_lapsed"]
    assert len(lapses) == 1 and lapses[0].get("by") is None and "derived" not in lapses[0]
    assert lapses[0]["data"]["transition"] == "certification-lapsed"
    exported = ok(certified, "export")
    assert ok(certified, "lapse", "--all") == "no lapse to record\n"
    assert ok(certified, "lapse", TEAM) == "no lapse to record\n"
    assert ok(certified, "export") == exported
    recorded = status(certified, "--as-of", "2025-06-01")
    assert {**recorded, "version": 0} == {**derived, "version": 0}
    assert recorded["version"] == derived["version"] + 1
    assert ok(certified, "audit").startswith("sound:")


def test_the_next_append_records_the_lapse_first(certified: Path) -> None:
    ok(certified, "evidence", TEAM, "audit-passed", "A new audit", "--by", "Ada", "--at", "2025-03-01")
    kinds = [(event["kind"], event["at"]) for event in history(certified)[-2:]]
    assert kinds == [("stage_lapsed", LAPSED_AT), ("evidence_recorded", "2025-03-01")]
    ok(certified, "advance", TEAM, "--by", "Ada", "--at", "2025-03-02")
    assert status(certified, "--as-of", "2025-06-01")["stage"] == "certified"
    assert "recorded stage_lapsed at 2026-03-01T00:00:01Z" in ok(certified, "lapse", TEAM)  # the new audit's year
    assert ok(certified, "lapse", TEAM) == "no lapse to record\n"


def test_a_move_made_after_the_instant_leaves_the_stage_the_lapse_reached(certified: Path) -> None:
    ok(certified, "evidence", TEAM, "audit-passed", "A new audit", "--by", "Ada", "--at", "2025-03-01")
    assert status(certified, "--as-of", "2025-03-01")["can_advance"]
    moved = ok(certified, "advance", TEAM, "--by", "Ada", "--at", "2025-03-02")
    assert "certified" in moved
    advanced = [event for event in history(certified) if event["kind"] == "stage_advanced"][-1]
    assert advanced["data"] == {"from": "accredited", "to": "certified"}


def test_a_renewal_before_the_instant_keeps_the_stage(certified: Path) -> None:
    ok(certified, "evidence", TEAM, "audit-passed", "The yearly audit", "--by", "Ada", "--at", "2025-01-15")
    renewed = status(certified, "--as-of", "2025-06-01")
    assert renewed["stage"] == "certified"
    assert renewed["lapse"]["on"] == "2026-01-15"
    assert status(certified)["stage"] == "accredited"  # and a year later, it lapsed again
    assert [event["at"] for event in history(certified) if event.get("derived")] == ["2026-01-15T00:00:01Z"]


def test_export_then_import_reads_the_same_statuses(certified: Path, tmp_path: Path) -> None:
    for recorded in (False, True):
        if recorded:
            ok(certified, "lapse", TEAM)
        fresh = tmp_path / f"fresh-{recorded}.db"
        ok(fresh, "import", "-", stdin=ok(certified, "export"))
        for moment in ("2024-06-01", "2025-01-31T00:00:00Z", LAPSED_AT, "2025-06-01"):
            assert status(fresh, "--as-of", moment) == status(certified, "--as-of", moment)
        assert status(fresh) == status(certified)


def test_a_lapse_is_not_recorded_by_hand(certified: Path) -> None:
    data = {
        "from": "certified",
        "to": "accredited",
        "transition": "certification-lapsed",
        "condition": "certification-current",
        "reason": "said so",
    }
    result = coop(certified, "record", TEAM, "stage_lapsed", "--data", json.dumps(data), "--by", "Ada")
    assert result.exit_code == 2
    assert "cannot be recorded directly" in result.stderr


def test_an_imported_lapse_at_another_instant_is_refused(certified: Path, tmp_path: Path) -> None:
    keys = ("initiative", "kind", "at", "by", "data")
    lines = [json.loads(line) for line in ok(certified, "export").splitlines()]
    workflows = [line for line in lines if "coop_workflow" in line]  # a v1 file: no chain to forge
    plain = workflows + [{key: line[key] for key in keys if key in line} for line in lines if "initiative" in line]
    forged = {"initiative": TEAM, "kind": "stage_lapsed", "at": "2024-06-01", "by": None}
    forged["data"] = {
        "from": "certified",
        "to": "accredited",
        "transition": "certification-lapsed",
        "condition": "certification-current",
        "reason": "early",
    }
    source = tmp_path / "forged.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in [*plain, forged]) + "\n")
    fair = tmp_path / "fair.jsonl"
    fair.write_text("\n".join(json.dumps(line) for line in [*plain, {**forged, "at": LAPSED_AT}]) + "\n")
    ok(tmp_path / "fair.db", "import", str(fair))  # at its instant, it is the workflow's own lapse
    result = coop(tmp_path / "fresh.db", "import", str(source))
    assert result.exit_code == 2, result.stdout
    assert "not the lapse of its workflow" in result.stderr


CHAIN = """
id: chain
version: "1"
title: Two lapses in a row
description: A certified team loses its certification, and later its accreditation, with no event.
stages:
  - {id: listed, title: Listed, description: Known.}
  - {id: accredited, title: Accredited, description: Checked., requires: [accreditation-current]}
  - {id: certified, title: Certified, description: Audited., requires: [certification-current]}
conditions:
  - {id: checked, kind: evidence, title: Checked, description: A check., min_items: 1}
  - {id: audited, kind: evidence, title: Audited, description: An audit., min_items: 1}
  - {id: accreditation-current, kind: expiring, title: Checked lately, description: Within 120 days.,
     condition: checked, days: 120}
  - {id: certification-current, kind: expiring, title: Audited lately, description: Within 60 days.,
     condition: audited, days: 60}
transitions:
  - {id: certification-lapsed, kind: regress, title: Certification lapsed, description: No audit lately.,
     from: [certified], to: accredited, on_lapse: certification-current}
  - {id: accreditation-lapsed, kind: regress, title: Accreditation lapsed, description: No check lately.,
     from: [accredited], to: listed, on_lapse: accreditation-current}
"""


def test_one_lapse_may_follow_another_with_no_event_between(tmp_path: Path) -> None:
    workflow = tmp_path / "chain.yaml"
    workflow.write_text(CHAIN)
    db = tmp_path / "coop.db"
    new_team(db, workflow)
    ok(db, "evidence", TEAM, "checked", "Checked", "--by", "Ada", "--at", "2024-01-01")
    ok(db, "evidence", TEAM, "audited", "Audited", "--by", "Ada", "--at", "2024-01-01")
    ok(db, "advance", TEAM, "--by", "Ada", "--at", "2024-01-02")
    ok(db, "advance", TEAM, "--by", "Ada", "--at", "2024-01-02")
    assert status(db, "--as-of", "2024-02-29")["stage"] == "certified"
    assert status(db, "--as-of", "2024-03-01")["stage"] == "accredited"  # 60 days after 2024-01-01
    assert status(db, "--as-of", "2024-04-29")["stage"] == "accredited"
    assert status(db, "--as-of", "2024-04-30")["stage"] == "listed"  # 120 days after it
    assert [event["data"]["to"] for event in history(db) if event.get("derived")] == ["accredited", "listed"]
    ok(db, "lapse", TEAM)
    assert [event["kind"] for event in history(db)[-2:]] == ["stage_lapsed", "stage_lapsed"]
    assert status(db)["stage"] == "listed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("on_lapse: certification-curent", "did you mean 'certification-current'"),
        ("on_lapse: audit-passed", "can never lapse"),
        ("on_lapse: certification-current\n    on_event: trust_breached", "both on an event"),
    ],
)
def test_workflows_check_finds_a_lapse_that_cannot_work(tmp_path: Path, change: str, message: str) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text().replace("on_lapse: certification-current", change))
    result = coop(None, "workflows", "check", str(broken))
    assert result.exit_code == 2
    assert message in result.stdout + result.stderr
    assert "broken.yaml:" in result.stdout + result.stderr  # the place in the file


# --- derived equals recorded -------------------------------------------------------------------

BEGIN = datetime(2015, 1, 1, tzinfo=UTC)  # the last reading, 3,300 days on at most, is still past


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["audit", "advance", "letter"]), st.integers(min_value=1, max_value=200)),
        max_size=12,
    ),
    read_after=st.integers(min_value=0, max_value=900),
)
@example(steps=[("letter", 1), ("letter", 1), ("advance", 1), ("audit", 1), ("advance", 1)], read_after=500)
def test_the_derived_status_is_the_status_once_its_lapses_are_recorded(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int]], read_after: int
) -> None:
    folder = tmp_path_factory.mktemp("lapse")
    moment = BEGIN
    clock_at = BEGIN + timedelta(days=sum(gap for _, gap in steps) + read_after)
    with Registry(SqliteStore(folder / "coop.db"), clock=lambda: clock_at) as registry:
        registry.create("Team A", workflow=str(EXAMPLE), initiative=TEAM, by="Ada", community="technical", at=moment)
        for what, gap in steps:
            moment += timedelta(days=gap)
            try:
                if what == "advance":
                    registry.advance(TEAM, by="Ada", at=moment)
                else:
                    condition = "audit-passed" if what == "audit" else "sponsored"
                    registry.evidence(TEAM, condition, f"{what} on {moment:%Y-%m-%d}", by="Ada", at=moment)
            except CooperationError:  # a blocked advance, say: refused, nothing written
                pass
        readings = [max(BEGIN, clock_at - timedelta(days=days)) for days in (0, 30, 400)]
        derived = [registry.status(TEAM, as_of=reading).to_json() for reading in readings]
        registry.record_lapses()
        assert registry.record_lapses() == []  # once only
        recorded = [registry.status(TEAM, as_of=reading).to_json() for reading in readings]
        assert [{**one, "version": 0} for one in recorded] == [{**one, "version": 0} for one in derived]
        assert not recorded[0]["invalid_moves"]


def test_coop_verify_lets_its_witness_lapse(tmp_path: Path) -> None:
    explored = Exploration(load_workflow_file(EXAMPLE), seed=0, walks=0, steps=0)
    explored.analyse_conditions()
    explored.explore()
    lapse = next(move for move in explored.fired if move.on_lapse is not None)
    kinds = [event.kind for event in explored.fired[lapse]]
    assert kinds[-1] == "stage_lapsed"  # taken by the lapse, not by hand
    assert not findings(explored)
    result = coop(None, "verify", str(EXAMPLE))
    assert result.exit_code == 0 and "clean" in result.stdout


def test_a_witness_lapses_past_this_machines_clock(tmp_path: Path) -> None:
    """A window of a century lapses long after today: the witness's store must not refuse its lapse
    as dated in the future (its clock is the witness's own)."""
    longer = tmp_path / "century.yaml"
    longer.write_text(EXAMPLE.read_text(encoding="utf-8").replace("days: 365", "duration: P100Y"), encoding="utf-8")
    explored = Exploration(load_workflow_file(longer), seed=0, walks=0, steps=0)
    explored.analyse_conditions()
    explored.explore()
    lapse = next(move for move in explored.fired if move.on_lapse is not None)
    lapsed = explored.fired[lapse][-1]
    assert lapsed.kind == "stage_lapsed" and lapsed.moment > datetime.now(UTC) + timedelta(days=365 * 90)
    assert not findings(explored)


QUICK = """
id: quick-lapse
version: "1"
title: A certificate of a month
description: Certified on an audit that holds for 30 days; it lapses back to applied.
stages:
  - {id: applied, title: Applied, description: Asked for it.}
  - {id: certified, title: Certified, description: Audited lately., requires: [current]}
conditions:
  - {id: audited, kind: evidence, title: Audited, description: An audit., min_items: 1}
  - {id: current, kind: expiring, title: Audited lately, description: Within 30 days., condition: audited, days: 30}
transitions:
  - {id: lapsed, kind: regress, title: Lapsed, description: No audit lately., from: [certified], to: applied,
     roles: [], on_lapse: current}
"""


def test_a_lapsing_workflow_keeps_every_invariant_of_the_testing_machine(tmp_path: Path) -> None:
    """The rule-based machine of `cooperation.testing`: time passes (up to 200 days a step), so a
    certificate of a month lapses; the stage is the fold of the moves and the lapses derived, and
    recording the lapses changes no status (its teardown)."""
    workflow = tmp_path / "quick.yaml"
    workflow.write_text(QUICK)
    machine = workflow_state_machine(str(workflow))
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        ),
    )


def test_the_api_reads_the_stage_after_the_lapse_as_the_status_does(certified: Path) -> None:
    with Registry.open(certified) as registry:
        assert registry.status(TEAM).stage == "accredited"
        assert not registry.can_advance(TEAM)
        assert [result.condition for result in registry.unmet(TEAM)] == ["certification-current"]
        assert [event.at for event in registry.derived_lapses(TEAM)] == [LAPSED_AT]


def test_a_closed_initiative_does_not_lapse(certified: Path) -> None:
    ok(certified, "archive", TEAM, "--reason", "The team merged into another", "--by", "Ada", "--at", "2024-06-01")
    assert status(certified, "--as-of", "2025-06-01")["stage"] == "certified"
    assert ok(certified, "lapse", "--all") == "no lapse to record\n"
