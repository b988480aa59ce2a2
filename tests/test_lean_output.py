"""Lean status JSON: one encoder built once, each result's text kept (bounded), a listing streamed.

Each fast path is held to what the slow, obvious one gives (docs/architecture.md, "Rules that
exist only for speed").
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_helpers import run_cli

from cooperation.engine.status import InitiativeStatus
from cooperation.registry import Registry
from cooperation.views import status_json as module
from cooperation.views.status_json import status_json
from tests.test_status_json import pydantic_json, statuses

FLOATS = st.floats(allow_nan=False) | st.sampled_from((math.inf, -math.inf, 0.1, 1e300))
SCALARS = st.none() | st.booleans() | st.integers() | FLOATS | st.text(st.characters(exclude_categories=("Cs",)))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(deadline=None)
@given(value=VALUES)
def test_the_encoder_built_once_writes_what_the_standard_encoder_writes(value: Any) -> None:
    standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    assert module._dumps(value) == standard(value)


def test_the_encoder_built_once_refuses_what_the_standard_encoder_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        module._dumps({"a": object()})


@settings(max_examples=150, deadline=None)
@given(many=st.lists(statuses(), min_size=1, max_size=6))
def test_result_texts_are_kept_within_their_bound_and_stay_right(many: list[InitiativeStatus]) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(module, "_TEXTS_KEPT", 3)  # forgotten often: kept texts and fresh ones mix
        patched.setattr(module, "_texts_of", {})
        for status in many * 2:  # the second time round, from the kept texts
            assert status_json(status) == pydantic_json(status).decode()
            assert len(module._texts_of) <= 3


def test_a_listing_is_each_status_as_written_alone(tmp_path: Path) -> None:
    """`coop status --all --json` writes, initiative by initiative, what `status_json` writes for each."""
    db = tmp_path / "coop.db"
    with Registry.open(db) as registry:
        for index, name in enumerate(("First", "Second", "Third")):
            registry.create(name, workflow="cooperation-maturity", at="2024-01-01", by="Ada", community="technical")
            for day in range(index + 1):
                registry.record(
                    name.lower(),
                    "evidence_recorded",
                    {"condition": "challenge", "text": f"A problem {day}"},
                    at=f"2024-01-0{day + 2}",
                    by="Ada",
                )
        alone = [status_json(status) for status in registry.statuses(as_of="2024-06-01")]
    listed = run_cli("status", "--all", "--json", "--as-of", "2024-06-01", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == "[\n  " + ",\n  ".join(alone) + "\n]\n"


def test_a_status_listed_is_encoded_once_for_its_row_and_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first `coop status --all --json` writes the text it made for each stored row, not a second encoding;
    the lines are those a later call streams from the rows (as of its own moment)."""
    from typer.testing import CliRunner

    from cooperation.cli import app
    from cooperation.reading import materialised

    db = tmp_path / "coop.db"
    with Registry.open(db) as registry:
        for name in ("First", "Second", "Third"):
            registry.create(name, workflow="cooperation-maturity", at="2024-01-01", by="Ada", community="technical")
    encoded: list[str] = []

    def counted(status: InitiativeStatus, *, indent: int | None = None) -> str:
        encoded.append(status.initiative)
        return status_json(status, indent=indent)

    monkeypatch.setattr(materialised, "status_json", counted)
    monkeypatch.setattr(module, "status_json", counted)  # the command imports it from there when it runs
    runner = CliRunner()
    first = runner.invoke(app, ["status", "--all", "--json", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert sorted(encoded) == ["first", "second", "third"]  # once each: for its row, whose text is the line
    again = runner.invoke(app, ["status", "--all", "--json", "--db", str(db)])
    assert sorted(encoded) == ["first", "second", "third"]  # from the rows: nothing encoded
    moment = r'"as_of":"[^"]*"'
    assert re.sub(moment, "", again.output) == re.sub(moment, "", first.output)
