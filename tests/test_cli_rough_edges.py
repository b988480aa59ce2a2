"""The CLI's rough edges, each through the real command (in process, on real SQLite files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.errors import EventError, UnknownInitiativeError
from cooperation.registry import Registry

RUNNER = CliRunner()


def coop(db: Path | str | None, *args: str, env: dict[str, str] | None = None) -> Result:
    result = RUNNER.invoke(app, [*args, *(["--db", str(db)] if db is not None else [])], env=env)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "coop.db"
    ok(coop(path, "new", "Pilot", "--id", "pilot", "--by", "ISOC", "--at", "2024-01-10"))
    ok(coop(path, "join", "pilot", "ISOC", "-c", "technical", "-r", "owner", "--at", "2024-01-11", "--by", "ISOC"))
    return path


def test_a_refused_advance_with_json_prints_the_refusal_as_json(db: Path) -> None:
    refused = coop(db, "advance", "pilot", "--by", "ISOC", "--json")
    assert refused.exit_code == 1
    shown = json.loads(refused.stdout)
    assert shown["moved"] is False and shown["reason"] == "blocked" and shown["target"] == "ownership"
    status = json.loads(ok(coop(db, "status", "pilot", "--json")).stdout)
    assert [item["condition"] for item in shown["unmet"]] == [
        item["condition"] for item in status["unmet"] if item["blocking"]
    ]
    assert "cannot move to 'ownership'" in refused.stderr
    ok(coop(db, "join", "pilot", "Obs", "-c", "media", "-r", "observer", "--by", "ISOC"))
    not_allowed = json.loads(coop(db, "advance", "pilot", "--by", "Obs", "--json").stdout)
    assert not_allowed["reason"] == "not-permitted" and not_allowed["allowed_roles"] == ["owner", "secretariat"]


def test_an_import_reports_every_bad_line_up_to_a_limit_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    before = ok(coop(db, "export")).stdout
    good = '{"initiative": "other-%d", "kind": "initiative_created", "at": "2024-02-01", "by": "Ada", "data": %s}'
    data = '{"name": "Other", "workflow": "cooperation-maturity"}'
    lines = [good % (n, data) for n in range(30)] + ["not json"] * 25
    lines[3] = lines[3].replace("2024-02-01", "2024-02-31")
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = coop(db, "import", str(file))
    assert refused.exit_code == 2
    assert "26 bad lines, so nothing was imported" in refused.stderr
    assert f"{file}:4:" in refused.stderr and f"{file}:31:" in refused.stderr
    assert "... and 6 more" in refused.stderr  # 20 shown whole
    assert ok(coop(db, "export")).stdout == before


def test_importing_an_export_into_the_registry_holding_it_says_it_exists(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "pilot.jsonl"
    ok(coop(db, "export", "--output", str(file)))
    again = coop(db, "import", str(file))
    assert again.exit_code == 2
    assert "initiative 'pilot' already exists in this registry" in again.stderr
    assert "before the last stage move" not in again.stderr


def test_close_ids_and_names_are_suggested(db: Path) -> None:
    assert "did you mean 'pilot'?" in coop(db, "status", "Pilot").stderr
    assert "did you mean 'pilot'?" in coop(db, "history", "pilott").stderr
    wrong_case = coop(db, "attest", "pilot", "voluntary", "--by", "isoc")
    assert wrong_case.exit_code == 2 and "did you mean 'ISOC'?" in wrong_case.stderr
    assert "did you mean 'ISOC'?" in coop(db, "advance", "pilot", "--by", "Isoc").stderr
    with Registry.open(db, create=False) as registry, pytest.raises(UnknownInitiativeError, match="did you mean"):
        registry.status("PILOT")


def test_a_missing_registry_says_where_it_looked_and_a_new_one_is_announced(tmp_path: Path) -> None:
    missing = coop(tmp_path / "nowhere.db", "status")
    assert missing.exit_code == 2
    assert str((tmp_path / "nowhere.db").absolute()) in missing.stderr
    assert "--db" in missing.stderr and "COOP_DB" in missing.stderr
    started = ok(coop(tmp_path / "fresh.db", "new", "Second", "--by", "Ada"))
    assert started.stdout == "second\n"
    assert "a new one was started there" in started.stderr and str(tmp_path / "fresh.db") in started.stderr
    assert "started" not in ok(coop(tmp_path / "fresh.db", "new", "Third", "--by", "Ada")).stderr  # it exists now


def test_a_relative_sqlite_url_explains_the_four_slashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    missing = coop("sqlite:///srv/coop/x.db", "status")
    assert missing.exit_code == 2 and "sqlite:////srv/coop/x.db" in missing.stderr
    assert "four slashes" in missing.stderr
    assert "sqlite:////PATH is absolute" in " ".join(ok(coop(None, "status", "--help")).stdout.split())


def test_yaml_syntax_errors_are_said_in_plain_words(tmp_path: Path) -> None:
    file = tmp_path / "flow.yaml"
    file.write_text("id: x\nstages:\n  - id: a\n    title: A\n  ? b\n", encoding="utf-8")
    said = coop(None, "workflows", "check", str(file))
    assert said.exit_code == 2
    assert f"{file}:5:3: YAML syntax: this line is not lined up" in said.stderr
    assert "indent it" in said.stderr and "<block end>" not in said.stderr


def test_tlp_labels_are_read_in_any_case_everywhere(db: Path) -> None:
    ok(coop(db, "evidence", "pilot", "challenge", "A problem", "--by", "ISOC", "--tlp", "amber"))
    ok(coop(db, "evidence", "pilot", "challenge", "Another", "--by", "ISOC", "--tlp", "Tlp:Green"))
    events = json.loads(ok(coop(db, "history", "pilot", "--json")).stdout)
    assert [event["data"]["tlp"] for event in events if event["kind"] == "evidence_recorded"] == [
        "TLP:AMBER",
        "TLP:GREEN",
    ]
    assert "Another" in ok(coop(db, "report", "pilot", "--audience", "green")).stdout
    assert coop(db, "evidence", "pilot", "challenge", "x", "--tlp", "purple", "--by", "Ada").exit_code == 2


def test_status_as_of_before_any_initiative_says_none_existed_then(db: Path) -> None:
    said = ok(coop(db, "status", "--all", "--as-of", "2010-01-01")).stdout
    assert said == "no initiative existed yet at the end of 2010-01-01 (the registry's first was created later)\n"


def test_counts_are_worded_for_one_and_the_end_of_a_day_is_spelt_once(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "pilot.jsonl"
    ok(coop(db, "export", "pilot", "--output", str(file)))
    imported = ok(coop(tmp_path / "other.db", "import", str(file))).stdout
    assert imported == "imported 2 events into 1 initiative (1 new); recorded_at and recorded_by kept from the file\n"
    status = json.loads(ok(coop(db, "status", "pilot", "--json", "--as-of", "2024-06-01")).stdout)
    assert status["as_of"] == "2024-06-01T23:59:59Z"
    with Registry.open(db, create=False) as registry, pytest.raises(EventError) as raised:
        registry.record("pilot", "participant_joined", {"name": "Ben", "community": "business"}, by="ISOC")
        registry.record("pilot", "condition_waived", {"condition": "comfort-zone", "rationale": "y" * 40}, by="Ben")
    assert "members cannot waive conditions (allowed: owner or secretariat)" in str(raised.value)


def test_help_names_its_placeholders_and_lists_commands_whole() -> None:
    top = ok(coop(None, "--help")).stdout
    assert "..." not in top.split("Commands:")[1]
    evidence = ok(coop(None, "evidence", "--help", "--by", "Ada")).stdout
    assert " evidence [OPTIONS] ID CONDITION TEXT" in evidence.splitlines()[0]
    assert "--at DATE" in evidence and "--db PATH|URL" in evidence and "<str>" not in evidence
    assert "{" not in evidence.splitlines()[0]
    for command in ("status", "new", "advance", "report", "verify", "history", "import", "export"):
        assert "Example" in ok(coop(None, command, "--help")).stdout, command
