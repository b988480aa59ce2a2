"""The README's promises: its API example runs, CI runs its test command, and its tables of
condition kinds and transition options name every kind and option."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from cooperation.engine.conditions.table import KINDS

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_api_example_runs(tmp_path: Path) -> None:
    (example,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    result = subprocess.run(
        [sys.executable, "-c", example],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("challenge -> ownership blocked\n")
    assert "refused: ['owner-declared', 'first-meeting', 'initial-group', 'ownership']" in result.stdout
    assert (tmp_path / "example.db").exists()


def test_ci_runs_the_readme_test_command() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in quick_start.splitlines() if line.startswith("    ")]
    assert len(commands) == 2, "the Quick start has exactly two commands"
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def _table_rows(heading: str) -> list[str]:
    """The first cells of the table that starts with `heading` (`| kind | met when |`)."""
    table = README.split(heading, 1)[1].split("\n\n", 1)[0]
    return [line.split("|")[1] for line in table.splitlines()[2:] if line.startswith("|")]


def test_the_table_of_kinds_has_a_row_for_every_kind_and_option() -> None:
    rows = _table_rows("| kind | met when |")
    for kind in KINDS:
        assert any(f"`{kind}`" in row for row in rows), f"no row for kind '{kind}' in the README's table of kinds"
    for option in ("`min_per_community`", "`roles: [sponsor, ...]`", "`at_least`", "`duration`"):
        assert any(option in row for row in rows), f"no row for {option} in the README's table of kinds"
    transitions = _table_rows("| transition option | taken by itself when |")
    for option in ("`on_event", "`on_roles", "`on_lapse"):
        assert any(option in row for row in transitions), f"no row for {option} in the table of transition options"
