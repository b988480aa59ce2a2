"""Names, not only counts: who attested, who could still, which communities; counts that read well when exceeded."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.wording import counted

RUNNER = CliRunner()


@given(have=st.integers(0, 500), need=st.integers(1, 500))
def test_a_count_never_reads_more_of_less(have: int, need: int) -> None:
    text = counted(have, need, "community", "communities")
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    assert numbers == [have, need]
    assert (" of " in text) == (have < need)
    assert text.endswith(f"({need} needed)") == (have >= need)
    assert ("community " in text + " ") == (have == 1 and have >= need)


def test_status_names_the_communities_attesting_and_present(tmp_path: Path) -> None:
    db = str(tmp_path / "coop.db")

    def coop(*args: str) -> str:
        result = RUNNER.invoke(app, [*args, "--db", db])
        assert result.exit_code == 0, result.stdout + result.stderr
        return result.stdout

    coop("new", "Pilot", "--id", "pilot", "--by", "Ada", "--community", "technical")  # Ada joins as owner
    for name, community in (("Ben", "business"), ("Cy", "government"), ("Di", "academia")):
        coop("join", "pilot", name, "--community", community, "--by", "Ada")
    coop("join", "pilot", "Obs", "--community", "media", "--role", "observer", "--by", "Ada")
    for name in ("Ada", "Ben"):
        coop("attest", "pilot", "trust-attested", "--by", name)
    status = json.loads(coop("status", "pilot", "--json"))
    by_id = {item["condition"]: item for item in status["conditions"]}
    attested = by_id["trust-attested"]["detail"]
    # The people are not named: an attestation's result is shared by every initiative measuring the same.
    assert attested == "attested by 2 of 4 participants, from 2 communities (2 needed): business, technical"
    group = [item["detail"] for item in status["conditions"] if item["kind"] == "participation"]
    assert any("government, business, technical, academia" in detail for detail in group)
    assert "from 2 communities (2 needed): business, technical" in coop("report", "pilot")
