"""Names, not only counts (issue 18): for an initiative shown on its own, who has attested and which
current participants could still, and who takes part; kept apart from the condition results, which
initiatives in the same situation share (docs/architecture.md, "Rules that exist only for speed")."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from reliability_helpers import run_cli

from cooperation.engine.conditions.base import ConditionKind, missing_parts
from cooperation.engine.conditions.table import KINDS
from cooperation.registry import Registry
from tests.test_engine_properties import START, WALK, Clock, _new_registry, play, steps

ATTESTED = ("Ada Lovelace", "Grace Hopper")
COULD_STILL = ("Alan Turing", "Barbara Liskov")
NOT_COUNTED = ("Olga Observer", "Ken Left")  # an observer, and someone who attested then left
EVERY_NAME = (*ATTESTED, *COULD_STILL, *NOT_COUNTED)
NAMES_LINE = "; by Ada Lovelace, Grace Hopper; could still attest: Alan Turing, Barbara Liskov"


def coop(db: Path, *args: str) -> str:
    """Run the real `coop ARGS --db DB`; its standard output (it must succeed)."""
    result = run_cli(*args, "--db", str(db))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def pilot(registry: Registry, initiative: str = "pilot", people: tuple[str, ...] = EVERY_NAME) -> None:
    """At the first stage, two of four current participants attested `voluntary` (an advisory condition);
    an observer did not (they cannot), and someone who attested has left since."""
    ada, grace, alan, barbara, olga, ken = people
    registry.create(
        initiative.title(),
        workflow="cooperation-maturity",
        initiative=initiative,
        by=ada,  # the creator, its first owner
        community="technical",
        at="2024-01-01",
    )
    for name, community in ((grace, "government"), (alan, "business"), (barbara, "academia")):
        registry.join(initiative, name, community=community, role="member", by=ada, at="2024-01-02")
    registry.join(initiative, olga, community="media", role="observer", by=ada, at="2024-01-02")
    registry.join(initiative, ken, community="civil-society", by=ada, at="2024-01-02")
    for name in (grace, ada, ken):
        registry.attest(initiative, "voluntary", by=name, at="2024-01-03")
    registry.leave(initiative, ken, by=ken, at="2024-01-04")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("who") / "coop.db"
    with Registry.open(path) as registry:
        pilot(registry)
    return path


def test_status_of_one_initiative_says_who_attested_and_who_could_still(db: Path) -> None:
    text = coop(db, "status", "pilot", "--as-of", "2024-02-01")
    line = next(line for line in text.splitlines() if "voluntary" in line)
    assert line.startswith("    ~ voluntary (advisory): attested by 2 of 3 participants") and line.endswith(NAMES_LINE)
    assert not any(name in text for name in NOT_COUNTED)
    status = json.loads(coop(db, "status", "pilot", "--json", "--as-of", "2024-02-01"))
    assert status["who"]["voluntary"] == {"kind": "attestation", "names": [*ATTESTED], "could_still": [*COULD_STILL]}
    assert status["who"]["initial-group"] == {
        "kind": "participation",
        "names": sorted((*ATTESTED, *COULD_STILL)),
        "could_still": [],
    }
    assert "Ada" not in json.dumps(status["conditions"]) + json.dumps(status["unmet"])  # not in the shared results


def test_before_anyone_attested_everyone_current_could_still(db: Path) -> None:
    text = coop(db, "status", "pilot", "--as-of", "2024-01-02")
    line = next(line for line in text.splitlines() if "voluntary" in line)
    assert line.endswith("; could still attest: Ada Lovelace, Alan Turing, Barbara Liskov, Grace Hopper, Ken Left")


def test_a_portfolio_names_no_one(db: Path) -> None:
    text = coop(db, "status", "--all", "--as-of", "2024-02-01")
    assert "voluntary" in text and not any(name in text for name in EVERY_NAME)
    (status,) = json.loads(coop(db, "status", "--all", "--json", "--as-of", "2024-02-01"))
    assert status["who"] is None
    with Registry.open(db, create=False) as registry:
        assert [status.who for status in registry.statuses(as_of="2024-02-01")] == [None]
        shown = registry.status("pilot", as_of="2024-02-01").who
    assert shown is not None and shown["voluntary"].names == [*ATTESTED]
    assert shown["voluntary"].text() == NAMES_LINE.removeprefix("; ")


def test_anonymised_status_and_reports_name_attesters_by_pseudonym_only(db: Path) -> None:
    outputs = {
        "status": coop(db, "status", "pilot", "--anonymise", "--as-of", "2024-02-01"),
        "status --json": coop(db, "status", "pilot", "--json", "--anonymise", "--as-of", "2024-02-01"),
        **{
            f"report {form}": coop(db, "report", "pilot", "-f", form, "--anonymise", "--as-of", "2024-02-01")
            for form in ("md", "html", "json")
        },
    }
    words = {word for name in EVERY_NAME for word in name.split()}
    for what, output in outputs.items():
        assert not [word for word in words if word in output], what
    line = next(line for line in outputs["status"].splitlines() if "voluntary" in line)
    assert re.search(r"; by Participant \d, Participant \d; could still attest: Participant \d, Participant \d$", line)
    shown = json.loads(outputs["status --json"])["who"]["voluntary"]
    assert len(shown["names"]) == 2 and len(shown["could_still"]) == 2
    report = json.loads(outputs["report json"])["initiatives"][0]
    voluntary = next(line for line in report["conditions"] if line["condition"] == "voluntary")
    assert set(voluntary["who"]["names"]) == set(shown["names"])  # the same pseudonyms everywhere
    owner = coop(db, "report", "pilot", "-f", "md", "--as-of", "2024-02-01")
    assert NAMES_LINE in owner  # without --anonymise, the names themselves


def test_initiatives_in_the_same_situation_share_results_whoever_attested(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        pilot(registry, "first")
        pilot(registry, "second", tuple(f"{name} Second" for name in EVERY_NAME))
        first, second = (registry.status(initiative, as_of="2024-02-01") for initiative in ("first", "second"))
    assert first.who is not None and second.who is not None
    assert first.who["voluntary"].names != second.who["voluntary"].names
    # The results themselves are the very same objects: names never make a result an initiative's own.
    assert all(mine is theirs for mine, theirs in zip(first.conditions, second.conditions, strict=True))


def test_an_expiring_window_names_those_who_attested_within_it(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        pilot(registry)
        registry.attest("pilot", "trust-attested", by="Alan Turing", at="2024-01-05")
        registry.attest("pilot", "trust-attested", by="Grace Hopper", at="2025-03-01")
        who = registry.status("pilot", as_of="2025-06-01").who
    assert who is not None
    assert who["trust-attested"].names == ["Alan Turing", "Grace Hopper"]
    assert who["trust-reaffirmed"].names == ["Grace Hopper"]  # within its 365 days
    assert who["trust-reaffirmed"].could_still == ["Ada Lovelace", "Alan Turing", "Barbara Liskov"]


def test_a_kind_that_counts_people_must_name_them() -> None:
    class Counting(type(KINDS["evidence"])):  # type: ignore[misc]
        """Met when someone counts."""

        counts_people = ("by", "could still:")

    assert "people" in missing_parts(Counting())
    assert all(kind.counts_people is None or type(kind).people is not ConditionKind.people for kind in KINDS.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk=steps)
def test_names_are_those_the_counts_count(walk: list[Any]) -> None:
    """Whatever happened (joins, leaves, observers, breaches, windows), the names an attestation lists are as many as
    its detail counts, and with those who could still they are the current participants who count, once each."""
    folder = tempfile.mkdtemp()
    try:
        clock = Clock(START)
        with _new_registry(folder, "a.db", clock) as registry:
            play(registry, clock, walk, backdate=False)
            clock.now += timedelta(days=1)
            status = registry.status(WALK)
            facts = registry._load(WALK, registry.store.read(WALK)).facts
        counting = {name for name, p in facts.participants.items() if p.active and p.role != "observer"}
        results = {result.condition: result for result in status.conditions}
        assert status.who is not None
        for condition, who in status.who.items():
            assert who.names == sorted(who.names) and who.could_still == sorted(who.could_still)
            assert set(who.names) | set(who.could_still) == counting and not set(who.names) & set(who.could_still)
            result = results[condition]
            if result.waived:
                continue  # the detail is the rationale
            pattern = r"attested by (\d+)" if who.kind == "attestation" else r"^(\d+)"
            found = re.search(pattern, result.detail)
            assert found is not None and int(found.group(1)) == len(who.names), (condition, result.detail, who)
    finally:
        shutil.rmtree(folder)
