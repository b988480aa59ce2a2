"""`coop demo`: the shipped examples imported and explained, through the API, CliRunner and a real process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import NOT_SOURCE
from typer.testing import CliRunner, Result

import cooperation.demo.examples as examples_module
from cooperation.cli import app
from cooperation.demo import demo_text, example_files, run_demo
from cooperation.registry import Registry
from cooperation.stores.locate import open_store

TODAY = date(2026, 11, 28)
# (year, initiative, stage at the end of that year) in the demo's story.
STORY = [
    (2017, "no-default-passwords-topic", "proposed"),
    (2018, "no-default-passwords-topic", "proposed"),
    (2019, "no-default-passwords-topic", "pilot"),
    (2019, "no-default-passwords", "intersessional-work"),
    (2020, "no-default-passwords", "handed-off"),
    (2021, "no-default-passwords", "handed-off"),
    (2022, "no-default-passwords", "handed-off"),
]


def coop(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), prog_name="coop", env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(open_store(tmp_path / "demo.db")) as opened:
        yield opened


def _example_sizes() -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in example_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                initiative = re.search(r'"initiative": "([^"]+)"', line)
                assert initiative is not None
                sizes[initiative.group(1)] = sizes.get(initiative.group(1), 0) + 1
    return sizes


# --- the library ----------------------------------------------------------------------------------


def test_run_demo_tells_the_story_year_by_year(registry: Registry) -> None:
    shown = run_demo(registry, today=TODAY)
    years = {year.year: year for year in shown.years}
    assert sorted(years) == list(range(2017, TODAY.year + 1))
    assert years[TODAY.year].as_of == TODAY
    for year, initiative, stage in STORY:
        assert {status.initiative: status.stage for status in years[year].statuses}[initiative] == stage
    assert [status.initiative for status in years[2018].statuses] == ["no-default-passwords-topic"]
    assert any("HANDED OFF to UK Parliament" in happening.text for happening in years[2022].happenings)
    assert [hand_off.body_kind for hand_off in shown.hand_offs] == ["standardisation", "legislation", "legislation"]
    assert not shown.target.met


def test_run_demo_shows_each_rule_moment_and_writes_nothing_else(registry: Registry) -> None:
    shown = run_demo(registry, today=TODAY)
    kinds = {(moment.kind, moment.initiative) for moment in shown.moments}
    assert {
        ("regressed", "fictional-abuse-exchange"),
        ("blocked", "fictional-phishing-bpf"),
        ("waived", "fictional-router-track"),
    } <= kinds
    blocked = next(m for m in shown.moments if m.kind == "blocked" and m.initiative == "fictional-phishing-bpf")
    assert any("absent-communities-reached" in line for line in blocked.lines)
    # The refused move and the status look-ups added no event to any log.
    assert {initiative: registry.store.version(initiative) for initiative in registry.initiatives()} == _example_sizes()


def test_run_demo_reuses_examples_already_in_the_registry(registry: Registry) -> None:
    run_demo(registry, today=TODAY)
    again = run_demo(registry, today=TODAY)
    assert not any(example.imported for example in again.examples)
    assert {initiative: registry.store.version(initiative) for initiative in registry.initiatives()} == _example_sizes()


def test_demo_text_names_the_years_the_target_and_the_moments(registry: Registry) -> None:
    text = demo_text(run_demo(registry, today=TODAY))
    lines = text.splitlines()
    headers = [line for line in lines if re.fullmatch(r"\d{4}( \(to \d{4}-\d{2}-\d{2}\))?", line)]
    assert [header[:4] for header in headers] == [str(year) for year in range(2017, TODAY.year + 1)]
    assert "Due 2019-11-10: MISSED." in " ".join(text.split())
    for marker in (
        "REGRESSED: fictional-abuse-exchange",
        "BLOCKED: fictional-phishing-bpf",
        "WAIVED: fictional-router-track",
        "HANDED OFF to ETSI",
    ):
        assert marker in text
    assert all(len(line) <= 100 for line in lines if not line.startswith("registry: "))


# --- the command ------------------------------------------------------------------------------------


def test_coop_demo_runs_in_a_temporary_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = coop("demo", env={"COOP_DB": str(tmp_path / "not-this.db")})
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert "(temporary, removed when the demo ends)" in shown
    assert "[no-default-passwords] stage 'handed-off' since 2022-12-06" in shown
    assert "MISSED" in shown
    # $COOP_DB is not used, and nothing is left behind in the working directory.
    assert list(tmp_path.iterdir()) == []


def test_coop_demo_keeps_the_examples_in_the_registry_given(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    first = coop("demo", "--db", db)
    assert first.exit_code == 0, first.output
    assert "imported: no-default-passwords.jsonl" in first.stdout
    as_of = coop("status", "--db", db, "--as-of", "2019-11-10")
    assert "stage: intersessional-work" in as_of.stdout and "stage: pilot" in as_of.stdout
    second = coop("demo", "--db", db)
    assert second.exit_code == 0, second.output
    assert "already present: no-default-passwords.jsonl" in second.stdout


def test_coop_demo_refuses_a_registry_with_other_data_under_an_example_id(tmp_path: Path) -> None:
    db = str(tmp_path / "mine.db")
    assert coop("new", "No default passwords", "--db", db, "--by", "Ada").exit_code == 0
    result = coop("demo", "--db", db)
    assert result.exit_code == 2
    assert "already holds no-default-passwords" in result.stderr
    assert "without --db" in result.stderr
    with Registry.open(db, create=False) as registry:
        assert registry.initiatives() == ["no-default-passwords"]
        assert len(registry.history("no-default-passwords")) == 1


def test_coop_demo_says_how_to_fix_an_installation_without_examples(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(examples_module, "_CANDIDATE_DIRS", (tmp_path / "nowhere",))
    result = coop("demo")
    assert result.exit_code == 2
    assert "example event logs are missing" in result.stderr and "reinstall" in result.stderr


def test_coop_demo_as_a_real_process(tmp_path: Path, repo_root: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "COOP_DB"}
    result = subprocess.run(
        [sys.executable, str(repo_root / "cli.py"), "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    shown = " ".join(result.stdout.split())
    assert "== The real initiative, year by year" in shown
    assert "[no-default-passwords-topic] stage 'proposed' since 2017-11-10" in shown
    assert "Due 2019-11-10: MISSED." in shown
    assert list(tmp_path.iterdir()) == []


# --- a fresh, non-editable install ----------------------------------------------------------------


@pytest.mark.packaging
def test_coop_demo_runs_from_a_fresh_install(tmp_path: Path, repo_root: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "COOP_DB")}
    source, venv, work = tmp_path / "source", tmp_path / "venv", tmp_path / "work"
    shutil.copytree(repo_root, source, ignore=NOT_SOURCE)
    work.mkdir()
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    for command in (
        [sys.executable, "-m", "venv", str(venv)],
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(source)],
    ):
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    result = subprocess.run(
        [str(bin_dir / "coop"), "demo"], cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())
    assert "imported: no-default-passwords.jsonl" in shown and "Due 2019-11-10: MISSED." in shown
    assert (
        "site-packages"
        in subprocess.run(
            [str(bin_dir / "python"), "-c", "import cooperation.demo as d; print(d.examples_directory())"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        ).stdout
    )
    assert list(work.iterdir()) == []
