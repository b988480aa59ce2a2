"""The `coop` command end to end, on real SQLite files: CliRunner on `cooperation.cli.app`, and real processes.

Dates are relative to today, because the CLI runs on the real clock: the pilot starts 300 days ago,
so that trust attested 200 days ago still counts (it expires after a year).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from helpers import PEOPLE
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.definition.catalog import builtin_directory
from cooperation.vocabulary import COMMUNITIES, ROLES, TLP_LABELS

RUNNER = CliRunner()
TODAY = datetime.now(UTC).date()  # the CLI's clock is UTC
START = TODAY - timedelta(days=300)
BUILTIN_HASH = hashlib.sha256((builtin_directory() / "cooperation-maturity.yaml").read_bytes()).hexdigest()
RATIONALE = "No personal or incident data is shared in this initiative at all."


@pytest.fixture(scope="module", autouse=True)
def _build_the_command_once() -> Any:
    """CliRunner rebuilds the click command from the app on every call (most of its cost); build it once."""
    command = typer.main.get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            typer.testing,
            "_get_command",
            lambda typer_app: command if typer_app is app else typer.main.get_command(typer_app),
        )
        yield


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


def coop(db: Path | None, *args: str, stdin: str | None = None) -> Result:
    """Run `coop ARGS --db DB` in process; check that no traceback escaped, whatever the outcome."""
    result = RUNNER.invoke(app, [*args, *(["--db", str(db)] if db is not None else [])], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"coop {' '.join(args)} raised {result.exception!r}"
    )
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def export(db: Path) -> str:
    return ok(coop(db, "export")).stdout


def carried(line: str) -> bool:
    """Whether an export line carries a workflow text rather than an event."""
    return line.startswith('{"coop_workflow":')


def event_lines(text: str) -> list[str]:
    """The lines of an export that are events (not its v2 header, nor a workflow text)."""
    return [line for line in text.splitlines() if not carried(line) and not line.startswith('{"coop_export":')]


def _evidence(condition: str, at: int, count: int = 1, *extra: str) -> list[list[str]]:
    return [
        ["evidence", "pilot", condition, f"{condition}, item {n}", "--at", day(at), "--by", "Ada", *extra]
        for n in range(count)
    ]


def _attest(condition: str, at: int, people: tuple[str, ...]) -> list[list[str]]:
    return [["attest", "pilot", condition, "--by", name, "--at", day(at)] for name in people]


# Per ladder stage: the commands that meet its prerequisites, who advances and on which day.
WALK: list[tuple[str, list[list[str]], str, int]] = [
    (
        "ownership",
        [
            *[
                [
                    "join",
                    "pilot",
                    name,
                    "--community",
                    community,
                    "--role",
                    role,
                    "--organisation",
                    f"{name} Org",
                    "--at",
                    day(1),
                    "--by",
                    "Ada",
                ]
                for name, community, role in PEOPLE
            ],
            *_evidence("challenge", 2),
            *_evidence("owner-declared", 2),
            ["meet", "pilot", "Ada", "Ben", "Cy", "--neutral", "--venue", "Library", "--at", day(2), "--by", "Ada"],
            *_attest("voluntary", 2, ("Ada", "Ben", "Cy")),
        ],
        "Ada",
        3,
    ),
    (
        "trust",
        [
            *_evidence("perspective", 5),
            *_evidence("trust-model", 5),
            *_attest("equality", 5, ("Ada", "Ben", "Cy")),
            ["meet", "pilot", "Ada", "Ben", "Cy", "--neutral", "--at", day(40), "--by", "Ada"],
            ["meet", "pilot", "Ada", "Ben", "Cy", "Di", "--at", day(100), "--by", "Ada"],
            *_attest("comfort-zone", 100, ("Ada", "Ben", "Cy")),
            *_attest("trust-attested", 100, ("Ada", "Ben", "Cy", "Di")),
            ["score", "pilot", "trust-level", "3", "--at", day(100), "--by", "Ada"],
        ],
        "Ada",
        101,
    ),
    (
        "common-cause",
        [
            *_evidence("expectations-and-goals", 110),
            ["score", "pilot", "alignment", "3", "--at", day(110), "--by", "Ada"],
            *_evidence("common-cause", 110),
            *_attest("commitment", 110, ("Ada", "Ben", "Cy", "Di")),
        ],
        "Di",
        111,
    ),
    (
        "critical-mass",
        [
            *_evidence("transparency-and-integrity", 120, 2, "--tlp", "TLP:GREEN", "--link", "https://example.org/p"),
            *_evidence("costs-and-effort", 120),
            ["waive", "pilot", "anonymisation", "--rationale", RATIONALE, "--by", "Ada", "--at", day(120)],
        ],
        "Ada",
        121,
    ),
    (
        "result",
        [
            [
                "publish",
                "pilot",
                "Best practice paper",
                "--link",
                "https://example.org/paper",
                "--at",
                day(130),
                "--by",
                "Ada",
            ],
            *_evidence("result", 130),
        ],
        "Ada",
        131,
    ),
]
ADVANCED_ON = {stage: offset for stage, _, _, offset in WALK}


def walk(db: Path, check: Callable[[str, str], None] | None = None) -> None:
    """Take the pilot up the built-in ladder with the CLI; `check(stage, 'before'|'ready')` may look in."""
    ok(coop(db, "init"))
    assert ok(coop(db, "new", "Pilot", "--id", "pilot", "--at", day(0), "--by", "Ada")).stdout == "pilot\n"
    for stage, commands, actor, offset in WALK:
        if check:
            check(stage, "before")
        for args in commands:
            ok(coop(db, *args))
        if check:
            check(stage, "ready")
        moved = ok(coop(db, "advance", "pilot", "--by", actor, "--at", day(offset)))
        assert moved.stdout == f"pilot: now at '{stage}'\n"


@dataclass
class Pilot:
    """The pilot walked to 'result' with the CLI: its registry, its exported log, and what was seen on the way."""

    db: Path
    log: Path
    seen: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Pilot:
    folder = tmp_path_factory.mktemp("pilot")
    found = Pilot(folder / "coop.db", folder / "pilot.jsonl")

    def look(stage: str, phase: str) -> None:
        """Before a stage's facts, and once they are recorded: what --ready, advance and status say."""
        before = export(found.db)
        seen: dict[str, Any] = {
            "ready": coop(found.db, "status", "pilot", "--ready"),
            "status": json.loads(ok(coop(found.db, "status", "pilot", "--json")).stdout),
        }
        # Before, the owner is refused for what is unmet; once ready, those who may not move it are refused.
        for actor in ("Ada",) if phase == "before" else ("Obs", "Zed", "Ben"):
            seen[actor] = coop(found.db, "advance", "pilot", "--by", actor)
        seen["unchanged"] = export(found.db) == before
        found.seen[stage, phase] = seen

    walk(found.db, look)
    ok(coop(found.db, "export", "--format", "v1", "--output", str(found.log)))  # sliced by date below
    return found


@pytest.fixture(scope="module")
def pilot_log(pilot: Pilot) -> Path:
    return pilot.log


def imported(tmp_path: Path, log: Path, *, until: str | None = None, name: str = "coop.db") -> Path:
    """A new registry holding the pilot's log, or its lines dated up to `until` (a day, inclusive)."""
    db = tmp_path / name
    source = log
    if until is not None:
        lines = [line for line in log.read_text().splitlines() if carried(line) or json.loads(line)["at"][:10] <= until]
        source = tmp_path / f"until-{until}.jsonl"
        source.write_text("\n".join(lines) + "\n")
    ok(coop(db, "import", str(source)))
    return db


def status_json(db: Path, *args: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(ok(coop(db, "status", "pilot", "--json", *args)).stdout)
    return loaded


# --- the walk ----------------------------------------------------------------------------------


def test_walk_up_the_ladder(tmp_path: Path, pilot: Pilot) -> None:
    assert list(pilot.seen) == [(stage, phase) for stage, *_ in WALK for phase in ("before", "ready")]
    for (stage, phase), seen in pilot.seen.items():
        assert seen["unchanged"], (stage, phase)  # refusals and reads write nothing
        if phase == "before":
            refused = seen["Ada"]
            if stage == "ownership":  # nobody has joined yet: no actor to name
                assert refused.exit_code == 2 and "Ada is not a current participant of pilot" in refused.stderr
                continue
            assert refused.exit_code == 1 and refused.stdout == ""
            # Nothing of the next stage is met yet: --ready fails, the advance is refused with what is unmet.
            assert seen["ready"].exit_code == 1
            assert seen["status"]["next"] == stage and seen["status"]["can_advance"] is False
            assert refused.stderr.startswith(f"error: pilot cannot move to '{stage}': ")
            unmet = [u["condition"] for u in seen["status"]["unmet"] if u["blocking"]]
            listed = [line.split(":")[0].strip(" -") for line in refused.stderr.splitlines()[1:]]
            assert listed == unmet and unmet, refused.stderr
        else:
            # Ready: --ready exits 0, but only a current owner or secretariat may move it.
            assert seen["ready"].exit_code == 0 and "ready to advance" in seen["ready"].stdout
            assert seen["status"]["can_advance"] is True
            observer = seen["Obs"]
            assert observer.exit_code == 1 and observer.stdout == ""
            assert observer.stderr.startswith("error: Obs may not advance pilot: an observer may not")
            assert "(allowed roles: owner, secretariat)" in observer.stderr
            stranger = seen["Zed"]  # no actor at all: usage, with how to name one
            assert stranger.exit_code == 2 and stranger.stdout == ""
            assert stranger.stderr.startswith("error: Zed is not a current participant of pilot")
            member = seen["Ben"]
            assert member.exit_code == 1 and "Ben may not advance pilot: a member may not" in member.stderr
    db = imported(tmp_path, pilot.log)

    text = ok(coop(db, "status", "pilot")).stdout
    assert text.splitlines()[:3] == [
        f"pilot: Pilot  [cooperation-maturity, as of {TODAY.isoformat()}]",
        f"  stage: result (Result) since {day(131)}",
        "  next: none; moves from here: trust-breached, realign, reconvene, hand-off, stimulate",
    ]
    assert coop(db, "status", "pilot", "--ready").exit_code == 1  # nowhere to advance to
    refused = coop(db, "advance", "pilot", "--by", "Ada")
    assert refused.exit_code == 1 and "last stage of the ladder" in refused.stderr

    # Hand off: refused until a receiving body is ready and the hand-off broadly supported.
    refused = coop(
        db, "handoff", "pilot", "--by", "Ada", "--body", "ETSI", "--body-kind", "standardisation", "--at", day(140)
    )
    assert refused.exit_code == 1
    assert [line.split(":")[0].strip(" -") for line in refused.stderr.splitlines()[1:]] == [
        "receiving-body",
        "hand-off-supported",
    ]
    usage = coop(db, "handoff", "pilot", "--by", "Ada", "--body", "ETSI", "--body-kind", "court")
    assert usage.exit_code == 2 and "standardisation" in usage.stderr
    for args in (*_evidence("receiving-body", 140), *_attest("hand-off-supported", 140, ("Ada", "Ben", "Cy", "Di"))):
        ok(coop(db, *args))
    moved = json.loads(
        ok(
            coop(
                db,
                "handoff",
                "pilot",
                "--by",
                "Ada",
                "--body",
                "ETSI",
                "--body-kind",
                "standardisation",
                "--at",
                day(141),
                "--json",
            )
        ).stdout
    )
    assert (moved["stage"], moved["terminal"]) == ("handed-off", True)
    assert moved["handed_off"] == {"body": "ETSI", "body_kind": "standardisation", "at": f"{day(141)}T00:00:00Z"}
    text = ok(coop(db, "status", "pilot")).stdout
    assert "handed off to ETSI (standardisation)" in text and "next: none (terminal)" in text

    # History: one event per line, in recorded order; the moves are events.
    history = json.loads(ok(coop(db, "history", "pilot", "--json")).stdout)
    chained = [json.loads(line) for line in event_lines(export(db))]  # after the v2 header, without workflow texts
    assert history == [
        {key: value for key, value in line.items() if key not in ("position", "hash")} for line in chained
    ]
    assert {event["recorded_by"] for event in history} == {getpass.getuser()}
    moves = [
        (e["kind"], e["data"].get("from"), e["data"].get("to"), e["by"])
        for e in history
        if e["kind"] in ("stage_advanced", "handed_off")
    ]
    assert moves == [
        ("stage_advanced", "challenge", "ownership", "Ada"),
        ("stage_advanced", "ownership", "trust", "Ada"),
        ("stage_advanced", "trust", "common-cause", "Di"),
        ("stage_advanced", "common-cause", "critical-mass", "Ada"),
        ("stage_advanced", "critical-mass", "result", "Ada"),
        ("handed_off", "result", "handed-off", "Ada"),
    ]
    lines = ok(coop(db, "history", "pilot")).stdout.splitlines()
    assert len(lines) == len(history)
    assert lines[0].split() == [
        "1",
        day(0),
        "initiative_created",
        "by",
        "Ada:",
        "name=Pilot,",
        "workflow=cooperation-maturity,",
        f"workflow_hash={BUILTIN_HASH}",  # pinned to the built-in as this coop ships it
        "[recorded",
        history[0]["recorded_at"],
        "by",
        "account",
        f"{getpass.getuser()}]",
    ]
    advanced = lines[[e["kind"] for e in history].index("stage_advanced")]
    assert "stage_advanced by Ada: from=challenge, to=ownership" in advanced
    evidence = [e for e in history if e["kind"] == "evidence_recorded"]
    labelled = "transparency-and-integrity"
    assert {e["data"]["tlp"] for e in evidence if e["data"]["condition"] != labelled} == {"TLP:AMBER"}
    assert {e["data"]["tlp"] for e in evidence if e["data"]["condition"] == labelled} == {"TLP:GREEN"}


def test_status_json_has_what_tools_need(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log, until=day(5))  # at ownership, part of trust's needs recorded
    status = status_json(db)
    assert {
        "initiative",
        "name",
        "workflow",
        "stage",
        "next",
        "can_advance",
        "at_risk",
        "unmet",
        "conditions",
        "as_of",
    } <= set(status)
    assert (status["initiative"], status["name"], status["workflow"]) == ("pilot", "Pilot", "cooperation-maturity")
    shown = (status["stage"], status["next"], status["can_advance"], status["at_risk"])
    assert shown == ("ownership", "trust", False, False)
    assert [u["condition"] for u in status["unmet"]] == [
        "time",
        "neutrality",
        "comfort-zone",
        "trust-attested",
        "trust-reaffirmed",
        "trust-level-reached",
        "trust",
    ]
    for item in status["unmet"]:
        assert {"condition", "title", "detail", "blocking"} <= set(item)
        assert item["blocking"] is (item["condition"] != "comfort-zone")
    by_id = {c["condition"]: c for c in status["conditions"]}
    assert len(by_id) == len(status["conditions"]) > 30
    for condition in status["conditions"]:
        assert isinstance(condition["met"], bool) and isinstance(condition["detail"], str)
        assert 0.0 <= condition["progress"] <= 1.0
    assert by_id["equality"]["met"] is True and by_id["equality"]["progress"] == 1.0
    assert by_id["time"]["met"] is False and by_id["time"]["detail"] == "1 of 3 meetings, spanning 0 of 60 days"
    as_of = datetime.fromisoformat(status["as_of"].replace("Z", "+00:00"))
    assert abs(as_of - datetime.now(UTC)) < timedelta(minutes=5)
    # several initiatives: a list
    ok(coop(db, "new", "Second", "--at", day(3), "--by", "Ada"))
    many = json.loads(ok(coop(db, "status", "--json")).stdout)
    assert [s["initiative"] for s in many] == ["pilot", "second"]
    both = json.loads(ok(coop(db, "status", "pilot", "second", "--json")).stdout)
    assert [s["initiative"] for s in both] == ["pilot", "second"]


def test_status_as_of_a_past_date_replays_history(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log)
    previous = "challenge"
    for stage, offset in ADVANCED_ON.items():
        assert status_json(db, "--as-of", day(offset - 1))["stage"] == previous
        past = status_json(db, "--as-of", day(offset))
        assert past["stage"] == stage and past["as_of"].startswith(f"{day(offset)}T23:59:59")
        assert not past["at_risk"]
        text = ok(coop(db, "status", "pilot", "--as-of", day(offset))).stdout
        assert f"as of {day(offset)}]" in text and f"stage: {stage} " in text
        previous = stage
    assert status_json(db, "--as-of", f"{day(3)}T00:00:00Z")["stage"] == "ownership"
    assert status_json(db, "--as-of", f"{day(2)}T23:59:59+00:00")["stage"] == "challenge"
    # an offset is taken into account: 01:00+02:00 on the day of the advance is still the day before, in UTC
    assert status_json(db, "--as-of", f"{day(3)}T01:00:00+02:00")["stage"] == "challenge"


def test_at_risk_when_a_participant_leaves(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log, until=day(121))  # just advanced to critical-mass
    assert status_json(db)["at_risk"] is False
    ok(coop(db, "leave", "pilot", "Ho", "--at", day(125), "--by", "Ho"))
    status = status_json(db)
    shown = (status["stage"], status["at_risk"], status["at_risk_conditions"])
    assert shown == ("critical-mass", True, ["critical-mass"])
    assert "AT RISK: no longer met for this stage: critical-mass" in ok(coop(db, "status", "pilot")).stdout
    assert status_json(db, "--as-of", day(124))["at_risk"] is False
    ok(coop(db, "join", "pilot", "Iv", "-c", "media", "--at", day(126), "--by", "Ada"))
    assert status_json(db)["at_risk"] is False


def test_breach_regresses_to_trust_and_voids_earlier_attestations(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log)
    assert status_json(db)["stage"] == "result"
    ok(coop(db, "breach", "pilot", "Incident list leaked to the press", "--by", "Di", "--at", day(150)))
    history = json.loads(ok(coop(db, "history", "pilot", "--json")).stdout)
    assert [(e["kind"], e["at"]) for e in history[-2:]] == [("trust_breached", day(150)), ("stage_regressed", day(150))]
    assert history[-1]["data"] == {
        "from": "result",
        "to": "trust",
        "transition": "trust-breached",
        "reason": "Incident list leaked to the press",
    }
    status = status_json(db)
    conditions = {c["condition"]: c for c in status["conditions"]}
    assert status["stage"] == "trust" and status["next"] == "common-cause"
    assert conditions["equality"]["met"] is False and conditions["commitment"]["met"] is False
    assert {"equality", "trust", "commitment"} <= {u["condition"] for u in status["unmet"] if u["blocking"]}
    assert status_json(db, "--as-of", day(149))["stage"] == "result"
    # trust earned again counts
    for name in ("Ada", "Ben", "Cy"):
        ok(coop(db, "attest", "pilot", "equality", "--by", name, "--at", day(151)))
    assert {c["condition"]: c["met"] for c in status_json(db)["conditions"]}["equality"] is True


def test_regress_through_the_cli(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log, until=day(121))
    before = export(db)
    several = coop(db, "regress", "pilot", "--by", "Ada", "--reason", "Goals drifted")
    assert several.exit_code in (1, 2) and "several regress moves fit" in several.stderr
    member = coop(db, "regress", "pilot", "--by", "Ben", "--reason", "Goals drifted", "--to", "common-cause")
    assert member.exit_code == 1 and "a member may not" in member.stderr
    assert export(db) == before
    moved = ok(
        coop(
            db, "regress", "pilot", "--by", "Ada", "--reason", "Goals drifted", "--to", "common-cause", "--at", day(122)
        )
    )
    assert moved.stdout == "pilot: now at 'common-cause'\n"
    last = json.loads(export(db).splitlines()[-1])
    recorded = (last["kind"], last["data"]["transition"], last["data"]["reason"])
    assert recorded == ("stage_regressed", "realign", "Goals drifted")
    moved = json.loads(
        ok(
            coop(
                db,
                "regress",
                "pilot",
                "--by",
                "Di",
                "--reason",
                "Start again",
                "--transition",
                "reconvene",
                "--at",
                day(123),
                "--json",
            )
        ).stdout
    )
    assert moved["stage"] == "ownership"


def test_escalate_stimulation_then_regulation(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    start = TODAY - timedelta(days=250)

    def on(offset: int) -> str:
        return (start + timedelta(days=offset)).isoformat()

    ok(coop(db, "new", "Spam", "--id", "spam", "--at", on(0), "--by", "Ada"))
    for name, community, role in PEOPLE[:4]:
        ok(coop(db, "join", "spam", name, "-c", community, "-r", role, "--at", on(0), "--by", "Ada"))
    refused = coop(db, "escalate", "spam", "--by", "Ada", "--reason", "Nothing moves", "--at", on(1))
    assert refused.exit_code == 1
    assert [line.split(":")[0].strip(" -") for line in refused.stderr.splitlines()[1:]] == [
        "voluntary-cooperation-failed",
        "stimulation",
    ]
    for n in range(2):
        ok(coop(db, "evidence", "spam", "voluntary-cooperation-failed", f"Tried {n}", "--at", on(1), "--by", "Ada"))
    ok(coop(db, "evidence", "spam", "stimulation", "Ministry funds a secretariat", "--at", on(2), "--by", "Ada"))
    moved = ok(coop(db, "escalate", "spam", "--by", "Ada", "--reason", "Nothing moves", "--at", on(3)))
    assert moved.stdout == "spam: now at 'stimulation'\n"
    # regulation only once stimulation has had its 180 days and failed
    before = export(db)
    refused = coop(db, "escalate", "spam", "--by", "Ada", "--reason", "Regulate", "--at", on(4))
    assert refused.exit_code == 1 and "cannot move to 'regulation'" in refused.stderr
    assert "regulation: 0 of 2 met" in refused.stderr or "regulation: 1 of 2 met" in refused.stderr
    assert export(db) == before
    for n in range(2):
        ok(coop(db, "evidence", "spam", "stimulation-failed", f"Still failing {n}", "--at", on(200), "--by", "Ada"))
    status = json.loads(
        ok(coop(db, "escalate", "spam", "--by", "Ada", "--reason", "Regulate", "--at", on(200), "--json")).stdout
    )
    assert (status["stage"], status["terminal"], status["next"]) == ("regulation", True, None)
    logged = json.loads(ok(coop(db, "history", "spam", "--json")).stdout)
    kinds = [(e["kind"], e["data"].get("transition")) for e in logged if e["kind"] == "escalated"]
    assert kinds == [("escalated", "stimulate"), ("escalated", "regulate")]
    assert coop(db, "advance", "spam", "--by", "Ada").exit_code == 1


# --- export and import -------------------------------------------------------------------------


def test_export_then_import_gives_identical_history(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log)
    ok(coop(db, "breach", "pilot", "Leak", "--by", "Di", "--at", day(150)))
    ok(coop(db, "new", "Second", "--at", day(10), "--by", "Ada"))
    exported = export(db)
    assert len(exported.splitlines()) == 1 + len(pilot_log.read_text().splitlines()) + 3  # a header, then events
    fresh = tmp_path / "fresh.db"
    report = ok(coop(fresh, "import", "-", stdin=exported))
    assert report.stdout == (
        f"imported {len(event_lines(exported))} events into 2 initiatives (2 new); "
        "recorded_at and recorded_by kept from the file\n"
    )
    assert export(fresh) == exported  # the same chain, to the same head
    assert coop(fresh, "audit").stdout == coop(db, "audit").stdout
    for initiative in ("pilot", "second"):
        assert coop(fresh, "history", initiative, "--json").stdout == coop(db, "history", initiative, "--json").stdout
        assert coop(fresh, "history", initiative).stdout == coop(db, "history", initiative).stdout
    today = TODAY.isoformat()
    copied = coop(fresh, "status", "--json", "--as-of", today).stdout
    assert copied == coop(db, "status", "--json", "--as-of", today).stdout
    assert coop(fresh, "status", "--as-of", day(100)).stdout == coop(db, "status", "--as-of", day(100)).stdout


def test_export_of_one_initiative(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log)
    ok(coop(db, "new", "Second", "--at", day(10), "--by", "Ada"))
    header, *lines = ok(coop(db, "export", "second")).stdout.splitlines()
    assert json.loads(header)["chain"] == "part"
    only = event_lines("\n".join(lines))
    assert [json.loads(line)["kind"] for line in only] == ["initiative_created"]
    assert ok(coop(db, "export", "pilot", "--format", "v1")).stdout == pilot_log.read_text()


def test_import_with_an_error_on_line_n_names_it_and_writes_nothing(tmp_path: Path, pilot_log: Path) -> None:
    db = imported(tmp_path, pilot_log, until=day(5))
    before = export(db)
    lines = [
        json.dumps(
            {
                "initiative": "other",
                "kind": "initiative_created",
                "at": day(6),
                "by": "Ada",
                "data": {"name": "Other", "workflow": "cooperation-maturity"},
            }
        ),
        json.dumps(
            {"initiative": "pilot", "kind": "meeting_held", "at": day(6), "by": "Ada", "data": {"attendees": ["Ada"]}}
        ),
        "",
        json.dumps(
            {
                "initiative": "pilot",
                "kind": "evidence_recorded",
                "at": day(6),
                "by": "Ada",
                "data": {"condition": "nutrality", "text": "A neutral venue"},
            }
        ),
        json.dumps(
            {"initiative": "pilot", "kind": "meeting_held", "at": day(7), "by": "Ada", "data": {"attendees": ["Ada"]}}
        ),
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    result = coop(db, "import", str(bad))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {bad}:4: ")
    assert "unknown condition 'nutrality'" in result.stderr and "did you mean 'neutrality'?" in result.stderr
    assert export(db) == before
    # into a new registry: nothing either, not even an empty registry file
    fresh = tmp_path / "fresh.db"
    assert coop(fresh, "import", str(bad)).exit_code == 2
    assert not fresh.exists() and list(tmp_path.glob("fresh.db*")) == []


# --- bad input: exit 2, a message on stderr, no traceback, nothing written ----------------------


BAD_INPUT = [
    pytest.param(
        ["evidence", "pilot", "nutrality", "A venue", "--by", "Ada"],
        "did you mean 'neutrality'?",
        id="unknown-condition",
    ),
    pytest.param(
        ["attest", "pilot", "equalty", "--by", "Ada"], "did you mean 'equality'?", id="unknown-condition-attest"
    ),
    pytest.param(
        ["waive", "pilot", "costs-and-efort", "--rationale", RATIONALE, "--by", "Ada"],
        "did you mean 'costs-and-effort'?",
        id="unknown-condition-waive",
    ),
    pytest.param(
        ["score", "pilot", "trust-levl", "3", "--by", "Ada"], "did you mean 'trust-level'?", id="unknown-parameter"
    ),
    pytest.param(["score", "pilot", "trust-level", "7", "--by", "Ada"], "outside the scale", id="level-outside-scale"),
    pytest.param(["status", "ghost"], "no initiative 'ghost'", id="unknown-initiative-status"),
    pytest.param(
        ["join", "ghost", "Ivo", "-c", "media", "--by", "Ada"], "no initiative 'ghost'", id="unknown-initiative-join"
    ),
    pytest.param(["history", "ghost"], "no initiative 'ghost'", id="unknown-initiative-history"),
    pytest.param(["export", "ghost"], "no initiative 'ghost'", id="unknown-initiative-export"),
    pytest.param(["advance", "ghost", "--by", "Ada"], "no initiative 'ghost'", id="unknown-initiative-advance"),
    pytest.param(
        ["record", "pilot", "participant_joined", "--data", "{bad", "--by", "Ada"],
        "--data is not valid JSON",
        id="bad-json",
    ),
    pytest.param(
        ["record", "pilot", "participant_joined", "--data", "[1]", "--by", "Ada"],
        "must be a JSON object",
        id="json-list",
    ),
    pytest.param(
        ["record", "pilot", "participant_joined", "--data", '{"name": "Ivo"}', "--by", "Ada"],
        "data.community",
        id="missing-field",
    ),
    pytest.param(
        ["record", "pilot", "participant_joined", "--data", '{"name": "Ivo", "community": "press"}', "--by", "Ada"],
        "'intergovernmental'",
        id="record-unknown-community",
    ),
    pytest.param(
        ["record", "pilot", "stage_advanced", "--data", '{"from": "ownership", "to": "trust"}', "--by", "Ada"],
        "cannot be recorded directly",
        id="record-a-move",
    ),
    pytest.param(
        [
            "record",
            "pilot",
            "evidence_recorded",
            "--data",
            '{"condition": "trust-model", "text": "TLP rules", "tlp": "TLP:WHITE"}',
            "--by",
            "Ada",
        ],
        "TLP:AMBER+STRICT",
        id="record-bad-tlp",
    ),
    pytest.param(
        ["evidence", "pilot", "trust-model", "TLP rules", "--tlp", "TLP:WHITE", "--by", "Ada"],
        "TLP:AMBER+STRICT",
        id="bad-tlp",
    ),
    pytest.param(
        ["join", "pilot", "Ivo", "-c", "private-sector", "--by", "Ada"], "intergovernmental", id="unknown-community"
    ),
    pytest.param(["join", "pilot", "Ivo", "-c", "media", "-r", "chair", "--by", "Ada"], "observer", id="unknown-role"),
    pytest.param(["join", "pilot", "Ben", "-c", "media", "--by", "Ada"], "already takes part", id="joined-twice"),
    pytest.param(
        ["meet", "pilot", "Ada", "Zed", "--by", "Ada"], "not participants of pilot: Zed", id="unknown-attendee"
    ),
    pytest.param(["attest", "pilot", "equality", "--by", "Obs"], "observers cannot attest", id="observer-attests"),
    pytest.param(
        ["waive", "pilot", "equality", "--rationale", RATIONALE, "--by", "Ada"], "cannot be waived", id="waive-required"
    ),
    pytest.param(
        ["waive", "pilot", "costs-and-effort", "--rationale", "Because", "--by", "Ada"],
        "at least 40",
        id="short-rationale",
    ),
    pytest.param(["leave", "pilot", "Zed", "--by", "Zed"], "not a current participant", id="unknown-leaver"),
    pytest.param(["new", "Pilot", "--id", "pilot", "--by", "Ada"], "already exists", id="taken-id"),
    pytest.param(
        ["new", "Other", "--workflow", "no-such-flow", "--by", "Ada"], "unknown workflow", id="unknown-workflow"
    ),
    pytest.param(["new", "!!!", "--by", "Ada"], "cannot make an id", id="name-without-an-id"),
    pytest.param(["new", "Other", "--id", "has space", "--by", "Ada"], "not a valid initiative id", id="bad-id"),
    pytest.param(["status", "pilot", "--as-of", "2001-01-01"], "did not exist yet", id="before-creation-status"),
    pytest.param(
        ["evidence", "pilot", "trust-model", "Too early", "--at", "2001-01-01", "--by", "Ada"],
        "before pilot was created",
        id="before-creation",
    ),
    pytest.param(
        ["withdraw", "pilot", "2", "--reason", "Not a fact", "--by", "Ada"],
        "only evidence, attestations and waivers can be withdrawn",
        id="withdraw-not-a-fact",
    ),
    pytest.param(
        ["evidence", "pilot", "trust-model", "Later", "--at", (TODAY + timedelta(days=30)).isoformat(), "--by", "Ada"],
        "in the future",
        id="in-the-future",
    ),
    pytest.param(["import", "/nonexistent/events.jsonl"], "events.jsonl", id="missing-import-file"),
]


@pytest.fixture(scope="module")
def early(tmp_path_factory: pytest.TempPathFactory, pilot_log: Path) -> Path:
    """A registry with the pilot at 'ownership', shared by tests that must not change it."""
    return imported(tmp_path_factory.mktemp("early"), pilot_log, until=day(5))


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(early: Path, args: list[str], message: str) -> None:
    db = early
    before = export(db)
    result = coop(db, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr, result.stderr
    assert result.stdout == ""
    assert export(db) == before


def test_the_valid_words_are_listed_when_one_is_wrong(early: Path) -> None:
    db = early
    refused = coop(
        db, "evidence", "pilot", "trust-model", "x", "--tlp", "purple", "--by", "Ada"
    )  # `amber`, any case, is fine
    assert all(label in refused.stderr for label in TLP_LABELS)
    assert all(name in coop(db, "join", "pilot", "Ivo", "-c", "press", "--by", "Ada").stderr for name in COMMUNITIES)
    assert all(
        role in coop(db, "join", "pilot", "Ivo", "-c", "media", "-r", "chair", "--by", "Ada").stderr for role in ROLES
    )


def test_a_missing_registry_is_not_created_by_reading(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    reading = (["status"], ["status", "pilot"], ["history", "pilot"], ["export"])
    for args in (*reading, ["advance", "pilot", "--by", "Ada"]):
        result = coop(db, *args)
        assert result.exit_code == 2 and "no registry at" in result.stderr and "coop init" in result.stderr
    assert not db.exists()


BAD_DATES = [
    pytest.param(["join", "pilot", "Ivo", "-c", "media", "--at", "2019-02-30", "--by", "Ada"], id="join-at"),
    pytest.param(
        ["record", "pilot", "participant_left", "--data", '{"name": "Ben"}', "--at", "2019-02-30", "--by", "Ada"],
        id="record-at",
    ),
    pytest.param(["status", "pilot", "--as-of", "2019-02-30"], id="status-as-of"),
    pytest.param(["status", "--as-of", "yesterday"], id="status-all-as-of"),
    pytest.param(["advance", "pilot", "--by", "Ada", "--at", "2019-13-01"], id="advance-at"),
    pytest.param(["new", "Other", "--at", "2019-02-30", "--by", "Ada"], id="new-at"),
]


@pytest.mark.parametrize("args", BAD_DATES)
def test_a_bad_date_exits_2_without_a_traceback(early: Path, args: list[str]) -> None:
    db = early
    before = export(db)
    result = coop(db, *args)
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr
    assert export(db) == before


# --- real processes ------------------------------------------------------------------------------


def run(repo_root: Path, *args: str, module: bool = False) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "COOP_DB"}
    command = [sys.executable, "-m", "cli"] if module else [sys.executable, "cli.py"]
    return subprocess.run(
        [*command, *args], cwd=repo_root, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_real_processes_record_check_and_move(tmp_path: Path, repo_root: Path, pilot_log: Path) -> None:
    db = str(tmp_path / "coop.db")
    lines = [line for line in event_lines(pilot_log.read_text()) if json.loads(line)["at"][:10] <= day(2)]
    (tmp_path / "part.jsonl").write_text("\n".join(lines) + "\n")
    imported_ = run(repo_root, "import", str(tmp_path / "part.jsonl"), "--db", db)
    assert imported_.returncode == 0, imported_.stderr
    assert imported_.stdout == f"imported {len(lines)} events into 1 initiative (1 new)\n"
    # ready: exit 0, and the JSON says so
    ready = run(repo_root, "status", "pilot", "--ready", "--json", "--db", db, module=True)
    assert ready.returncode == 0, ready.stderr
    status = json.loads(ready.stdout)
    assert (status["stage"], status["next"], status["can_advance"]) == ("challenge", "ownership", True)
    # an observer is refused (exit 1, a clear message, no traceback)
    observer = run(repo_root, "advance", "pilot", "--by", "Obs", "--db", db)
    assert observer.returncode == 1 and observer.stdout == ""
    assert observer.stderr.startswith("error: Obs may not advance pilot: ")
    assert "observer may not" in observer.stderr and "(allowed roles: owner, secretariat)" in observer.stderr
    # the owner moves it; the next advance is refused with the unmet prerequisites on stderr
    moved = run(repo_root, "advance", "pilot", "--by", "Ada", "--at", day(3), "--db", db)
    assert (moved.returncode, moved.stdout) == (0, "pilot: now at 'ownership'\n"), moved.stderr
    blocked = run(repo_root, "advance", "pilot", "--by", "Ada", "--db", db)
    assert blocked.returncode == 1 and "Traceback" not in blocked.stderr
    assert blocked.stderr.splitlines()[0] == (
        "error: pilot cannot move to 'trust': 9 prerequisites unmet, in the order to work on them:"
    )
    assert [line.split(":")[0] for line in blocked.stderr.splitlines()[1:]] == [
        "  - perspective",
        "  - equality",
        "  - trust-model",
        "  - time",
        "  - neutrality",
        "  - trust-attested",
        "  - trust-reaffirmed",
        "  - trust-level-reached",
        "  - trust",
    ]


def test_real_processes_report_bad_input_without_a_traceback(tmp_path: Path, repo_root: Path) -> None:
    db = str(tmp_path / "coop.db")
    created = run(repo_root, "new", "Pilot", "--id", "pilot", "--db", db, "--by", "Ada", "-c", "technical")
    assert (created.returncode, created.stdout) == (0, "pilot\n"), created.stderr
    bad = run(repo_root, "evidence", "pilot", "nutrality", "A venue", "--db", db, "--by", "Ada")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == (
        "error: unknown condition 'nutrality' in workflow cooperation-maturity (did you mean 'neutrality'?)\n"
    )
    result = run(repo_root, "join", "pilot", "Ivo", "-c", "media", "--at", "2019-02-30", "--db", db, "--by", "Ada")
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert result.stderr == (
        "error: '2019-02-30' is not an ISO 8601 date (2019-02-01) or datetime (2019-02-01T09:30:00Z)\n"
    )
