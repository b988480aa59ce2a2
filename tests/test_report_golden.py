"""Golden tests: `coop report` on the sample registry gives, byte for byte, the Markdown and JSON kept in
tests/golden/. After an intended change, rewrite them with COOP_UPDATE_GOLDEN=1 and read the diff."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from test_report_sample import AS_OF, sample_db  # noqa: F401
from typer.testing import CliRunner

from cooperation.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = {
    # golden file stem: the options after `coop report`
    "portfolio-green": ["--audience", "TLP:GREEN"],
    "portfolio-clear-anonymised": ["--anonymise"],
    "initiative-red": ["botnet-cleanup", "--audience", "TLP:RED"],
}


@pytest.mark.parametrize("report_format", ["md", "json"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_report_matches_its_golden_file(sample_db: Path, case: str, report_format: str) -> None:  # noqa: F811
    result = CliRunner().invoke(
        app, ["report", *CASES[case], "--format", report_format, "--as-of", AS_OF, "--db", str(sample_db)]
    )
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / f"{case}.{report_format}"
    if os.environ.get("COOP_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if result.stdout != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), result.stdout.splitlines(True), str(golden), "coop report", n=2
            )
        )
        pytest.fail(f"the report differs from {golden.name} (rewrite with COOP_UPDATE_GOLDEN=1 if intended):\n{diff}")
