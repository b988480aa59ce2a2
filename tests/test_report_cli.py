"""`coop report` as a user runs it: options, mistakes, output files, and a progress bar only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_sample import AS_OF, SAMPLE_WORKFLOW, sample_db  # noqa: F401
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.registry import Registry
from cooperation.reports.build import build_report

RUNNER = CliRunner()


def coop(*args: str) -> Result:
    result = RUNNER.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_json_report_covers_every_initiative_by_default(sample_db: Path) -> None:  # noqa: F811
    result = coop("report", "--format", "json", "--as-of", AS_OF, "--db", str(sample_db))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "coop-report" and report["audience"] == "TLP:CLEAR" and report["as_of"] == AS_OF
    assert [item["initiative"] for item in report["initiatives"]] == [
        "botnet-cleanup",
        "no-default-passwords",
        "phishing-awareness",
        "spam-traps",
    ]


def test_the_portfolio_says_where_each_initiative_stands_and_what_blocks_most(sample_db: Path) -> None:  # noqa: F811
    with Registry.open(sample_db, create=False) as registry:
        report = build_report(registry, as_of=AS_OF)
    found = {item.initiative: item for item in report.initiatives}
    spam = found["spam-traps"]
    assert (spam.stage, spam.stage_since, spam.days_in_stage, spam.next) == ("trust", "2024-05-11", 234, "result")
    assert spam.at_risk and spam.at_risk_conditions == ["group"]
    assert [item.condition for item in spam.blockers] == ["group", "outcome", "broad-group"]
    assert spam.communities.present == ["government", "technical"]
    assert found["botnet-cleanup"].communities.observing_only == ["media"]
    assert found["botnet-cleanup"].communities.missing == ["civil-society", "academia", "media", "intergovernmental"]
    top = report.top_blockers[0]
    assert (top.condition, top.initiatives) == ("group", ["phishing-awareness", "spam-traps"])
    passwords = found["no-default-passwords"]
    assert [(step.at, step.move, step.stage) for step in passwords.path] == [
        ("2024-02-01", "created", "problem"),
        ("2024-02-04", "advanced", "group"),
        ("2024-03-12", "advanced", "trust"),
        ("2024-05-03", "advanced", "result"),
        ("2024-06-02", "handed off", "handed-off"),
    ]
    assert passwords.stage_entered == {stage: at for at, _, stage in [(s.at, s.move, s.stage) for s in passwords.path]}
    assert passwords.handed_off is not None and passwords.handed_off.body is None  # free text: TLP:AMBER


def test_as_of_leaves_out_initiatives_not_yet_created_and_facts_not_yet_recorded(sample_db: Path) -> None:  # noqa: F811
    result = coop("report", "--format", "json", "--as-of", "2024-02-15", "--audience", "red", "--db", str(sample_db))
    report = json.loads(result.stdout)
    assert [item["initiative"] for item in report["initiatives"]] == ["botnet-cleanup", "no-default-passwords"]
    botnet = report["initiatives"][0]
    assert botnet["stage"] == "group" and max(line["at"] for line in botnet["history"]) <= "2024-02-15"
    assert len(botnet["history"]) == 10


def test_output_goes_to_the_file_named_and_nothing_to_standard_output(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    target = tmp_path / "report.html"
    result = coop(
        "report", "spam-traps", "--format", "html", "-o", str(target), "--as-of", AS_OF, "--db", str(sample_db)
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "report written" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nope"], "nope"),
        (["--audience", "TLP:WHITE"], "use one of: TLP:CLEAR"),
        (["--as-of", "31/12/2024"], "not an ISO 8601 date"),
        (["--format", "pdf"], "pdf"),
        (["-o", "/no/such/folder/report.md"], "does not exist"),
        (["phishing-awareness", "--as-of", "2024-01-01"], "did not exist yet"),
    ],
)
def test_mistakes_exit_2_with_a_message_and_no_traceback(sample_db: Path, arguments: list[str], message: str) -> None:  # noqa: F811
    result = coop("report", *arguments, "--db", str(sample_db))
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_missing_registry_is_reported_not_created(tmp_path: Path) -> None:
    result = coop("report", "--db", str(tmp_path / "missing.db"))
    assert result.exit_code == 2 and not (tmp_path / "missing.db").exists()


def _run(db: Path, repo_root: Path, *, terminal: bool) -> tuple[str, str]:
    """Run `coop report` as a process; with `terminal`, its standard error is a pseudo-terminal."""
    command = [sys.executable, "cli.py", "report", "--format", "json", "--as-of", AS_OF, "--db", str(db)]
    environment = {**os.environ, "COLUMNS": "100"}
    if not terminal:
        done = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, env=environment, check=True)
        return done.stdout, done.stderr
    controller, follower = pty.openpty()
    with subprocess.Popen(command, cwd=repo_root, stdout=subprocess.PIPE, stderr=follower, env=environment) as process:
        os.close(follower)
        stdout = process.stdout.read().decode() if process.stdout else ""
        process.wait()
    seen = b""
    while select.select([controller], [], [], 0)[0]:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed once the process ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert process.returncode == 0
    return stdout, seen.decode(errors="replace")


def test_a_progress_bar_shows_on_a_terminal_and_nothing_otherwise(sample_db: Path, repo_root: Path) -> None:  # noqa: F811
    quiet_out, quiet_err = _run(sample_db, repo_root, terminal=False)
    shown_out, shown_err = _run(sample_db, repo_root, terminal=True)
    assert quiet_err == ""
    assert "gathering initiatives" in shown_err and "100%" in shown_err
    assert json.loads(shown_out) == json.loads(quiet_out)  # the bar never mixes into the report
