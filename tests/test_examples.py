"""The shipped examples: the real 'no default passwords' initiative replayed from dated public
facts, and the fictional logs. Each is imported into a fresh SQLite registry under the same
rules as live recording, and the replay has to tell the story the facts tell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.demo import SEED_TARGET, SeedTarget, example_files, examples_directory, hand_offs, judge_target
from cooperation.errors import BlockedTransitionError, EventError
from cooperation.registry import Registry
from cooperation.stores.locate import open_store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REAL = EXAMPLES / "no-default-passwords.jsonl"
TOPIC, PILOT = "no-default-passwords-topic", "no-default-passwords"

# The dates of the public timeline the real example is built from. A fact known only to the
# month is dated on the month's last day, the first day by which it certainly holds.
TIMELINE_DATES = {
    "2017-11-10": "the proposal to the IGF working group (the seed)",
    "2018-03-31": "UK DCMS 'Secure by Design' report, March 2018",
    "2018-09-28": "California SB-327 signed",
    "2018-10-31": "UK Code of Practice for Consumer IoT Security, October 2018",
    "2019-01-31": "IGF MAG allows a self-funded pilot, January 2019",
    "2019-02-28": "ETSI TS 103 645, February 2019",
    "2019-05-01": "UK DCMS consultation on regulatory proposals",
    "2019-11-27": "IGF 2019 workshop of the pilot",
    "2020-01-01": "SB-327 takes effect",
    "2020-01-31": "the pilot's report, January 2020",
    "2020-06-30": "ETSI EN 303 645 V2.1.1, June 2020",
    "2020-07-16": "UK Call for Views",
    "2020-11-06": "DC-ISSS launched",
    "2021-10-29": "RED Delegated Regulation (EU) 2022/30 adopted",
    "2021-12-31": "renamed IS3C, December 2021",
    "2022-12-06": "PSTI Act 2022 Royal Assent",
    "2023-09-14": "PSTI Regulations 2023 signed",
    "2024-04-29": "UK PSTI regime in force",
    "2024-12-10": "Cyber Resilience Act in force",
    "2025-08-01": "RED cybersecurity requirements mandatory",
    "2026-09-11": "CRA reporting obligations apply",
}
PUBLIC_BODIES = {"IGF WG-MWP", "UK DCMS", "IGF MAG", "ETSI TC CYBER", "IGF Secretariat", "Consumer IoT manufacturers"}

# (initiative, as of, stage) along the real story.
STAGES = [
    (TOPIC, "2017-12-31", "proposed"),
    (TOPIC, "2018-12-31", "proposed"),
    (TOPIC, "2019-02-27", "proposed"),
    (TOPIC, "2019-02-28", "pilot"),
    (TOPIC, "2026-09-30", "pilot"),
    (PILOT, "2019-03-31", "selected"),
    (PILOT, "2019-05-01", "intersessional-work"),
    (PILOT, "2019-11-10", "intersessional-work"),
    (PILOT, "2019-12-31", "intersessional-work"),
    (PILOT, "2020-01-31", "mature"),
    (PILOT, "2020-06-29", "mature"),
    (PILOT, "2020-06-30", "handed-off"),
    (PILOT, "2026-09-30", "handed-off"),
]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(open_store(tmp_path / "coop.db")) as opened:
        yield opened


@pytest.fixture
def real(registry: Registry) -> Registry:
    with REAL.open(encoding="utf-8") as lines:
        registry.import_lines(lines, source=REAL.name)
    return registry


# --- every example imports under the live rules ----------------------------------------------------


def test_the_examples_are_found_beside_the_checkout() -> None:
    assert examples_directory() == EXAMPLES
    files = [path.name for path in example_files()]
    assert files[0] == REAL.name
    assert files[1:] == sorted(path.name for path in EXAMPLES.glob("fictional-*.jsonl"))
    assert 2 <= len(files[1:]) <= 3


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.jsonl")), ids=lambda path: path.name)
def test_each_example_imports_cleanly_into_a_fresh_registry(registry: Registry, path: Path) -> None:
    lines = _lines(path)
    with path.open(encoding="utf-8") as source:
        report = registry.import_lines(source, source=path.name)
    assert report.events == len(lines)
    assert set(report.created) == {line["initiative"] for line in lines}
    for initiative in report.created:
        assert [event.kind for event in registry.history(initiative)] == [
            line["kind"] for line in lines if line["initiative"] == initiative
        ]


def test_the_importer_refuses_a_move_whose_prerequisites_the_log_lacks(registry: Registry) -> None:
    lines = REAL.read_text(encoding="utf-8").splitlines(keepends=True)
    tampered = [line for line in lines if '"attestation_given"' not in line]
    with pytest.raises(EventError, match="cannot move to 'mature'") as refused:
        registry.import_lines(tampered, source="tampered.jsonl")
    assert str(refused.value).startswith("tampered.jsonl:")
    assert "commonly-supported" in str(refused.value)
    assert registry.initiatives() == []


# --- the real initiative ---------------------------------------------------------------------------


@pytest.mark.parametrize(("initiative", "as_of", "stage"), STAGES)
def test_the_real_story_stage_by_date(real: Registry, initiative: str, as_of: str, stage: str) -> None:
    assert real.status(initiative, as_of=as_of).stage == stage


def test_at_the_end_of_2018_two_criteria_were_still_unanswered(real: Registry) -> None:
    status = real.status(TOPIC, as_of="2018-12-31")
    assert [item.condition for item in status.unmet] == ["multistakeholder", "global-standard"]


def test_the_pilot_did_not_exist_before_the_topic_qualified(real: Registry) -> None:
    assert [status.initiative for status in real.statuses(as_of="2019-02-27")] == [TOPIC]


def test_the_hand_offs_go_to_a_standards_body_then_to_legislators(real: Registry) -> None:
    moved = hand_offs(real, [TOPIC, PILOT])
    assert [(h.at, h.body, h.body_kind) for h in moved] == [
        ("2020-06-30", "ETSI (European Telecommunications Standards Institute)", "standardisation"),
        ("2021-10-29", "European Commission", "legislation"),
        ("2022-12-06", "UK Parliament", "legislation"),
    ]
    for hand_off in moved:
        status = real.status(PILOT, as_of=hand_off.at)
        assert status.handed_off is not None and status.handed_off["body_kind"] == hand_off.body_kind
        assert not status.terminal and not status.at_risk


def test_the_two_year_target_was_missed_on_the_facts(real: Registry) -> None:
    assert SEED_TARGET.due == date(2019, 11, 10)
    verdict = judge_target(real, [TOPIC, PILOT])
    assert not verdict.met
    assert [(s.initiative, s.stage) for s in verdict.statuses_when_due] == [
        (TOPIC, "pilot"),
        (PILOT, "intersessional-work"),
    ]
    assert verdict.first_legislative is not None and verdict.first_legislative.at == "2021-10-29"
    assert verdict.days_late(verdict.first_legislative) == 719


def test_the_verdict_follows_the_facts_not_a_fixed_answer(real: Registry) -> None:
    later = SeedTarget(SEED_TARGET.promise, SEED_TARGET.proposed, due=date(2021, 10, 29))
    assert judge_target(real, [TOPIC, PILOT], later).met
    sooner = SeedTarget(SEED_TARGET.promise, SEED_TARGET.proposed, due=date(2021, 10, 28))
    assert not judge_target(real, [TOPIC, PILOT], sooner).met


def test_every_real_event_is_dated_on_the_public_timeline() -> None:
    undated = sorted({line["at"] for line in _lines(REAL)} - set(TIMELINE_DATES))
    assert undated == []


def test_every_real_fact_carries_a_source_link() -> None:
    sourced = [line for line in _lines(REAL) if line["kind"] in ("evidence_recorded", "output_published")]
    assert len(sourced) > 20
    assert all(line["data"].get("link", "").startswith(("https://", "http://")) for line in sourced)


def test_real_participants_are_public_bodies_or_roles() -> None:
    joined = [line["data"] for line in _lines(REAL) if line["kind"] == "participant_joined"]
    assert {data["name"] for data in joined} == PUBLIC_BODIES
    assert all(data.get("organisation") for data in joined)


def test_reconstructions_are_labelled_as_such() -> None:
    lines = _lines(REAL)
    attested = {line["data"]["condition"] for line in lines if line["kind"] == "attestation_given"}
    for condition in attested:
        assert any(
            line["kind"] == "evidence_recorded"
            and line["data"]["condition"] == condition
            and "Reconstructed" in line["data"]["text"]
            for line in lines
        ), condition
    meetings = [line["data"] for line in lines if line["kind"] == "meeting_held"]
    assert meetings and all("reconstructed" in data["venue"] for data in meetings)


def test_coop_status_as_of_tells_the_story(real: Registry) -> None:
    db = real.store.url
    expected = {
        "2018-12-31": "stage: proposed",
        "2019-12-31": "stage: intersessional-work",
        "2022-12-31": "handed off to UK Parliament (legislation)",
    }
    for as_of, line in expected.items():
        result = CliRunner().invoke(app, ["status", "--db", db, "--as-of", as_of], prog_name="coop")
        assert result.exit_code == 0, result.output
        assert line in result.stdout


# --- the fictional examples ----------------------------------------------------------------------


def _fictional(name: str) -> Path:
    return EXAMPLES / f"fictional-{name}.jsonl"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("fictional-*.jsonl")), ids=lambda path: path.name)
def test_fictional_examples_are_labelled(path: Path) -> None:
    lines = _lines(path)
    assert all(line["initiative"].startswith("fictional-") for line in lines)
    created = [line["data"] for line in lines if line["kind"] == "initiative_created"]
    assert created and all(data["name"].startswith("Fictional: ") for data in created)
    assert all(
        line["data"]["organisation"].endswith("(fictional)") for line in lines if line["kind"] == "participant_joined"
    )
    assert all(line["data"]["text"].startswith("Fictional") for line in lines if line["kind"] == "evidence_recorded")


def test_the_forum_example_is_blocked_until_it_reaches_out_to_government(registry: Registry) -> None:
    with _fictional("phishing-bpf").open(encoding="utf-8") as lines:
        registry.import_lines(lines)
    status = registry.status("fictional-phishing-bpf", as_of="2023-06-05")
    assert (status.stage, status.next, status.can_advance) == ("convened", "critical-mass", False)
    with pytest.raises(BlockedTransitionError) as refused:
        registry.advance("fictional-phishing-bpf", by="Ada", at="2023-06-05")
    assert [result.condition for result in refused.value.unmet] == ["absent-communities-reached", "critical-mass"]
    assert len(registry.history("fictional-phishing-bpf")) == len(_lines(_fictional("phishing-bpf")))


def test_the_exchange_example_regresses_after_a_breach_of_trust(registry: Registry) -> None:
    with _fictional("abuse-exchange").open(encoding="utf-8") as lines:
        registry.import_lines(lines)
    kinds = [event.kind for event in registry.history("fictional-abuse-exchange")]
    breach = kinds.index("trust_breached")
    assert kinds[breach + 1] == "stage_regressed"
    assert registry.status("fictional-abuse-exchange", as_of="2023-06-19").stage == "common-cause"
    after = registry.status("fictional-abuse-exchange", as_of="2023-06-20")
    assert after.stage == "trust"
    assert {"equality", "trust", "commitment"} <= {item.condition for item in after.unmet if item.blocking}


def test_the_track_example_waives_input_and_concludes(registry: Registry) -> None:
    with _fictional("router-track").open(encoding="utf-8") as lines:
        registry.import_lines(lines)
    waived = registry.status("fictional-router-track", as_of="2024-04-02")
    assert next(item for item in waived.conditions if item.condition == "input-up-front").waived
    assert registry.status("fictional-router-track", as_of="2024-04-01").stage == "merged"
    final = registry.status("fictional-router-track", as_of="2024-05-01")
    assert (final.stage, final.terminal) == ("concluded", True)
