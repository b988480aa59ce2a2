"""Golden tests: `coop report` on the sample registry gives, byte for byte, the Markdown and JSON kept in
tests/golden/. After an intended change, rewrite them with COOP_UPDATE_GOLDEN=1 and read the diff."""

from __future__ import annotations

import difflib
import getpass
import os
import re
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


# What the registry records when the sample is made, and so differs on every run: when each event was
# recorded, by which account, and the chain's hashes, which cover both.
_OF_THE_RUN = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"), "RECORDED-AT"),
    (re.compile(r"[0-9a-f]{64}"), "HASH"),
    (re.compile(rf"(?<=RECORDED-AT by ){re.escape(getpass.getuser())}\b"), "ACCOUNT"),
    (re.compile(rf'"recorded_by": "{re.escape(getpass.getuser())}"'), '"recorded_by": "ACCOUNT"'),
)


def _settled(text: str) -> str:
    """`text` with what differs on every run replaced by a name for it."""
    for pattern, name in _OF_THE_RUN:
        text = pattern.sub(name, text)
    return text


@pytest.mark.parametrize("report_format", ["md", "json"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_report_matches_its_golden_file(sample_db: Path, case: str, report_format: str) -> None:  # noqa: F811
    result = CliRunner().invoke(
        app, ["report", *CASES[case], "--format", report_format, "--as-of", AS_OF, "--db", str(sample_db)]
    )
    assert result.exit_code == 0, result.stderr
    made = _settled(result.stdout)
    golden = GOLDEN / f"{case}.{report_format}"
    if os.environ.get("COOP_UPDATE_GOLDEN"):
        golden.write_text(made, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if made != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), made.splitlines(True), str(golden), "coop report", n=2)
        )
        pytest.fail(f"the report differs from {golden.name} (rewrite with COOP_UPDATE_GOLDEN=1 if intended):\n{diff}")
