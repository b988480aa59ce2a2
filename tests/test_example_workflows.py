"""The example workflows of real maturity models (examples/workflows/): each checks and verifies
clean, and its log replays through the command line (`coop new`, `coop import`,
`coop status --json`) to the stages and conditions its story says, date by date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cooperation.cli import app

FOLDER = Path(__file__).resolve().parent.parent / "examples" / "workflows"
OPENSSF, SIM3 = FOLDER / "openssf-badge-like.yaml", FOLDER / "sim3-like.yaml"
# How each log starts: `coop new` pins the initiative to the file (a log never opens one).
CREATED = {
    OPENSSF: ("Fictional: libexample", "fictional-libexample", "Rosa", "2024-03-01"),
    SIM3: ("Fictional: Campus CSIRT", "fictional-campus-csirt", "Marta", "2020-09-01"),
}


def coop(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Each example's log imported into a registry of its own, through the command line."""
    registries: dict[Path, Path] = {}
    for workflow, (name, initiative, by, at) in CREATED.items():
        db = tmp_path_factory.mktemp(workflow.stem) / "coop.db"
        assert coop(db, "init").exit_code == 0
        made = coop(
            db, "new", name, "--workflow", str(workflow), "--id", initiative, "--by", by, "-c", "technical", "--at", at
        )
        assert made.exit_code == 0, made.output
        imported = coop(db, "import", str(workflow.with_suffix(".jsonl")))
        assert imported.exit_code == 0, imported.output
        registries[workflow] = db
    return registries


def _status(db: Path, initiative: str, as_of: str | None = None) -> dict[str, Any]:
    result = coop(db, "status", initiative, "--json", *(["--as-of", as_of] if as_of else []))
    assert result.exit_code in (0, 1), result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def _condition(status: dict[str, Any], condition: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in status["conditions"] if c["condition"] == condition)
    return found


@pytest.mark.parametrize("workflow", [OPENSSF, SIM3], ids=lambda path: path.name)
def test_each_example_checks_and_verifies_clean(workflow: Path) -> None:
    checked = CliRunner().invoke(app, ["workflows", "check", str(workflow)])
    assert checked.exit_code == 0 and ": ok (" in checked.output
    verified = CliRunner().invoke(app, ["verify", str(workflow), "--json"])
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["clean"]


# --- the badge: tiers earned in order, at least k of the SHOULD criteria ----------------------------

BADGE = "fictional-libexample"


@pytest.mark.parametrize(
    ("as_of", "stage"), [("2024-03-19", "in-progress"), ("2024-04-02", "passing"), ("2025-02-03", "silver")]
)
def test_the_badge_tiers_date_by_date(replayed: dict[Path, Path], as_of: str, stage: str) -> None:
    assert _status(replayed[OPENSSF], BADGE, as_of)["stage"] == stage


def test_the_passing_should_criteria_count_k_of_n_with_a_justification_as_met(replayed: dict[Path, Path]) -> None:
    before = _condition(_status(replayed[OPENSSF], BADGE, "2024-03-19"), "passing-should")
    assert not before["met"] and before["detail"] == (
        "0 of 8 met, need 6; missing: contribution-requirements, english, report-tracker, "
        "enhancement-responses, build-floss-tools and 3 more"
    )
    moved = _condition(_status(replayed[OPENSSF], BADGE, "2024-04-02"), "passing-should")
    assert moved["met"] and moved["detail"] == "6 of 8 met, need 6"  # five with evidence, crypto-pfs justified
    assert _condition(_status(replayed[OPENSSF], BADGE, "2024-04-02"), "crypto-pfs")["waived"]


def test_the_badge_is_silver_and_gold_waits_for_what_is_named(replayed: dict[Path, Path]) -> None:
    status = _status(replayed[OPENSSF], BADGE)
    assert (status["stage"], status["next"], status["can_advance"]) == ("silver", "gold", False)
    blocking = {c["condition"]: c["detail"] for c in status["unmet"] if c["blocking"]}
    assert blocking == {
        "build-reproducible": "no evidence recorded yet",
        "test-statement-coverage90": "no evidence recorded yet",
        "security-review": "in the last 5 years: no evidence recorded yet",  # a review of the last five years
        "security-review-report": "no evidence recorded yet",
        "gold-should": "1 of 3 met, need 2; missing: dynamic-analysis, dynamic-analysis-enable-assertions",
    }
    assert _condition(status, "two-unassociated-contributors")["met"]
    assert _condition(status, "silver-should")["detail"] == "4 of 6 met, need 4"


# --- SIM3: listed, accredited, certified; a profile of k of n parameters; re-certification ----------

TEAM = "fictional-campus-csirt"


@pytest.mark.parametrize(
    ("as_of", "stage"),
    [
        ("2020-09-20", "applicant"),
        ("2020-09-21", "listed"),
        ("2021-02-01", "accredited"),
        ("2022-05-31", "accredited"),
        ("2022-06-01", "certified"),
    ],
)
def test_the_team_steps_up_date_by_date(replayed: dict[Path, Path], as_of: str, stage: str) -> None:
    assert _status(replayed[SIM3], TEAM, as_of)["stage"] == stage


def test_the_first_assessment_falls_short_of_the_profile_and_names_what_is_missing(
    replayed: dict[Path, Path],
) -> None:
    status = _status(replayed[SIM3], TEAM, "2022-04-01")
    assert _condition(status, "sim3-core")["met"]
    profile = _condition(status, "sim3-profile")
    assert not profile["met"] and profile["progress"] == pytest.approx(15 / 17, abs=0.001)
    assert profile["detail"] == (
        "15 of 22 met, need 17; missing: o-7-at-2, h-2-at-2, h-4-at-2, t-8-at-2, p-12-at-2 and 2 more"
    )
    remediated = _status(replayed[SIM3], TEAM, "2022-05-31")
    assert _condition(remediated, "sim3-profile")["detail"] == "18 of 22 met, need 17"
    assert remediated["can_advance"]


def test_the_certification_lapses_three_calendar_years_after_the_assessment_with_no_new_event(
    replayed: dict[Path, Path],
) -> None:
    ready = _status(replayed[SIM3], TEAM, "2022-05-31")
    current = _condition(ready, "certification-current")
    # Three calendar years after the March 2022 scores: 1095 days would end on the 13th, a day
    # early, because of the leap day of 2024.
    assert current["met"] and current["lapses_on"] == "2025-03-14"
    due = _status(replayed[SIM3], TEAM, "2025-03-13")
    assert due["stage"] == "certified" and due["lapse"] == {
        "on": "2025-03-14",
        "at": "2025-03-14T00:00:01Z",
        "transition": "certification-lapsed",
        "to": "accredited",
        "condition": "certification-current",
    }
    # Nothing is recorded between June 2022 and May 2025: the lapse is read from the log alone.
    lapsed = _status(replayed[SIM3], TEAM, "2025-03-15")
    assert (lapsed["stage"], lapsed["lapse"]) == ("accredited", None)
    assert not _condition(lapsed, "certification-current")["met"]
    history = coop(replayed[SIM3], "history", TEAM)
    assert history.exit_code == 0
    assert "2025-03-14T00:00:01Z  stage_lapsed: from=certified, to=accredited" in history.output
    assert "condition=certification-current" in history.output
    # Between two recorded events, as in this imported log, it stays derived: nothing to record.
    assert "before later events: stays derived" in history.output
    assert "no lapse to record" in coop(replayed[SIM3], "lapse", TEAM).output.lower()
    assert _status(replayed[SIM3], TEAM, "2025-05-18")["stage"] == "accredited"  # re-assessed, not yet certified
    renewed = _status(replayed[SIM3], TEAM, "2026-06-30")  # certified again on 19 May 2025
    assert renewed["stage"] == "certified" and not renewed["at_risk"]
    assert _condition(renewed, "certification-current")["lapses_on"] == "2028-05-12"


def test_only_sponsors_attestations_count_for_the_listing(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    assert coop(db, "new", "Team B", "-w", str(SIM3), "--id", "b", "--by", "Marta", "-c", "technical").exit_code == 0
    for name, role in (("Lee", "member"), ("Kim", "member"), ("Pieter", "sponsor")):
        assert coop(db, "join", "b", name, "-c", "technical", "-r", role, "--by", "Marta").exit_code == 0
    for name in ("Marta", "Lee", "Kim", "Pieter"):  # the owner and two members attest too
        assert coop(db, "attest", "b", "sponsored", "--by", name).exit_code == 0
    sponsored = _condition(_status(db, "b"), "sponsored")
    assert not sponsored["met"]  # one sponsor of the two asked
    assert sponsored["detail"].startswith("attested by 1 of 2 participants")
    assert coop(db, "join", "b", "Ola", "-c", "technical", "-r", "sponsor", "--by", "Marta").exit_code == 0
    assert coop(db, "attest", "b", "sponsored", "--by", "Ola").exit_code == 0
    assert _condition(_status(db, "b"), "sponsored")["met"]
