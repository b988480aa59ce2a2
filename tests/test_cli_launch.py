"""How `coop` starts and how it ends: its launchers, `--version`, and the table of exit codes.

From a checkout, `python cli.py`, `python -m cli` and `python -m cooperation` must run the
same application as the installed `coop` (tests/test_packaging.py runs that one); every
error of ours must end a command with the exit code the documentation gives its class.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cooperation
from cooperation.cli import app
from cooperation.cli.exits import EXIT_BLOCKED, EXIT_CONFLICT, EXIT_USAGE, ReportingGroup, exit_code_for
from cooperation.errors import (
    ConflictError,
    CooperationError,
    EventError,
    NotPermittedError,
    StoreError,
    TamperedRecordError,
    TransitionError,
    UnknownInitiativeError,
)

VERSION_LINE = f"coop {cooperation.__version__}\n"
LAUNCHERS = {
    "cli.py": [sys.executable, "cli.py"],
    "-m cli": [sys.executable, "-m", "cli"],
    "-m cooperation": [sys.executable, "-m", "cooperation"],
}


def launch(repo_root: Path, launcher: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `coop ARGS` through one of the checkout's launchers, as a real process."""
    env = {key: value for key, value in os.environ.items() if key != "COOP_DB"}
    return subprocess.run(
        [*LAUNCHERS[launcher], *map(str, args)],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- --version ----------------------------------------------------------------------------------


def test_version_through_cli_runner() -> None:
    result = CliRunner().invoke(app, ["--version"], prog_name="coop")
    assert (result.exit_code, result.stdout) == (0, VERSION_LINE)


def test_version_comes_before_any_command(tmp_path: Path) -> None:
    """Eager: with a command after it, only the version is printed; the command does not run."""
    registry = tmp_path / "never.db"
    result = CliRunner().invoke(app, ["--version", "init", "--db", str(registry)], prog_name="coop")
    assert (result.exit_code, result.stdout) == (0, VERSION_LINE)
    assert not registry.exists()


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_every_launcher_prints_the_version(repo_root: Path, launcher: str) -> None:
    result = launch(repo_root, launcher, "--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, VERSION_LINE, "")


@pytest.mark.parametrize("arguments", [["--version"], ["status", "launch", "--db", "{db}"]])
def test_version_and_status_read_no_installed_metadata(repo_root: Path, tmp_path: Path, arguments: list[str]) -> None:
    """The version comes from `cooperation.__version__`: reading package metadata would slow every start."""
    db = tmp_path / "coop.db"
    made = launch(
        repo_root, "-m cooperation", "new", "Launch", "--id", "launch", "--by", "Ada", "-c", "media", "--db", db
    )
    assert made.returncode == 0, made.stderr
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['coop', *{[argument.format(db=db) for argument in arguments]!r}]\n"
        "try:\n"
        "    runpy.run_module('cooperation', run_name='__main__')\n"
        "except SystemExit as finished:\n"
        "    assert finished.code in (0, None), finished.code\n"
        "print(sorted(name for name in sys.modules if name.startswith('importlib.metadata')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo_root, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


# --- the launchers run the same application -----------------------------------------------------


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_every_launcher_runs_the_commands(repo_root: Path, tmp_path: Path, launcher: str) -> None:
    db = tmp_path / "coop.db"
    created = launch(
        repo_root,
        launcher,
        "new",
        "Launch",
        "--id",
        "launch",
        "--at",
        "2024-01-01",
        "--by",
        "Ada",
        "-c",
        "media",
        "--db",
        db,
    )
    assert (created.returncode, created.stdout) == (0, "launch\n"), created.stderr
    refused = launch(repo_root, launcher, "advance", "launch", "--by", "Ada", "--db", db)
    assert refused.returncode == EXIT_BLOCKED and refused.stdout == ""
    assert refused.stderr.startswith("error: launch cannot move to 'ownership': ")
    shown = launch(repo_root, launcher, "status", "launch", "--json", "--db", db)
    assert shown.returncode == 0 and json.loads(shown.stdout)["stage"] == "challenge"
    bare = launch(repo_root, launcher)
    assert bare.returncode == EXIT_USAGE and "Usage: coop [OPTIONS] COMMAND [ARGS]..." in bare.stdout + bare.stderr


def test_shell_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--help"], prog_name="coop")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


# --- the exit codes -----------------------------------------------------------------------------


def _our_errors(kind: type[CooperationError] = CooperationError) -> list[type[CooperationError]]:
    return [kind, *(found for sub in kind.__subclasses__() for found in _our_errors(sub))]


@pytest.mark.parametrize("kind", _our_errors(), ids=lambda kind: kind.__name__)
def test_every_error_has_its_documented_exit_code(kind: type[CooperationError]) -> None:
    """A refused move or a failed audit exits 1, a lost race 3, everything else of ours 2 (the errors module's tree)."""
    documented = (
        EXIT_BLOCKED
        if issubclass(kind, (TransitionError, TamperedRecordError))
        else EXIT_CONFLICT
        if issubclass(kind, ConflictError)
        else EXIT_USAGE
    )
    error = kind.__new__(kind)  # the code depends on the class alone; its constructor's data does not matter
    assert exit_code_for(error) == documented


_failing = typer.Typer(cls=ReportingGroup, add_completion=False)
_raised: list[CooperationError] = []


@_failing.callback()
def _group() -> None:
    """A group (not a lone command), as `coop` is."""


@_failing.command("fail")
def _fail() -> None:
    raise _raised[-1]


_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
_errors = st.one_of(
    st.builds(EventError, _names),
    st.builds(StoreError, _names),
    st.builds(TransitionError, _names),
    st.builds(UnknownInitiativeError, _names),
    st.builds(ConflictError, _names, st.integers(0, 10**6), st.integers(0, 10**6)),
    st.builds(NotPermittedError, _names, st.sampled_from(["advance", "regress"]), _names, st.lists(_names), _names),
)


@settings(max_examples=60, deadline=None)
@given(error=_errors)
def test_an_error_ends_the_command_with_one_line_and_its_code(error: CooperationError) -> None:
    _raised.append(error)
    result = CliRunner().invoke(_failing, ["fail"])
    assert result.exit_code == exit_code_for(error)
    assert (result.stdout, result.stderr) == ("", f"error: {error}\n")
