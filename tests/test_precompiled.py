"""The built-in workflows shipped compiled as JSON: exactly what compiling their YAML gives.

With no usable cache folder, a cold `coop status` reads the shipped JSON instead of compiling
the YAML, so it imports nothing heavy. The JSON is generated from the YAML; if it falls behind
the YAML or the code (`python -m cooperation.definition.precompiling` regenerates it), the
first test fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from cooperation import Registry
from cooperation.definition.catalog import builtin_directory, builtin_workflow_ids
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.loading import load_workflow_text
from cooperation.definition.precompiled import PRECOMPILED, read_precompiled
from cooperation.definition.precompiling import generate

REPOSITORY = Path(__file__).resolve().parent.parent
HEAVY = ("pydantic", "pydantic_core", "yaml", "networkx", "transitions")
NO_CACHE = "/dev/null/coop"  # a folder nobody can create, root included


def test_the_shipped_file_is_what_compiling_the_builtin_workflows_gives() -> None:
    assert json.loads(PRECOMPILED.read_text(encoding="utf-8")) == json.loads(json.dumps(generate()))


def _records(compiled: CompiledWorkflow) -> dict[str, object]:
    return {item.name: getattr(compiled, item.name) for item in fields(CompiledWorkflow)}


@pytest.mark.parametrize("name", builtin_workflow_ids())
def test_each_builtin_read_from_json_equals_its_compilation(name: str) -> None:
    source = (builtin_directory() / f"{name}.yaml").read_bytes()
    label = str(builtin_directory() / f"{name}.yaml")
    shipped = read_precompiled(source, label)
    compiled = load_workflow_text(source, file=label)
    assert shipped is not None
    assert {**_records(shipped), "pickled_definition": b""} == {**_records(compiled), "pickled_definition": b""}
    for mapping in ("stage_needs", "compiled_stages", "compiled_transitions", "compiled_conditions"):
        assert list(getattr(shipped, mapping)) == list(getattr(compiled, mapping))  # the same order too
    assert shipped.definition == compiled.definition  # parsed from its text when asked for


def test_a_text_that_is_no_builtin_is_a_miss() -> None:
    source = (builtin_directory() / "cooperation-maturity.yaml").read_bytes()
    assert read_precompiled(source + b"\n# changed\n", "copy.yaml") is None


def test_cold_status_with_no_usable_cache_folder_compiles_nothing(tmp_path: Path) -> None:
    database = tmp_path / "coop.db"
    with Registry.open(database) as registry:
        registry.create("Cold", workflow="cooperation-maturity", initiative="cold", at="2024-01-01", by="Ada")
    probe = f"""
import json, runpy, sys
sys.argv = ["coop", "status", "cold", "--db", {str(database)!r}]
try:
    runpy.run_path({str(REPOSITORY / "cli.py")!r}, run_name="__main__")
except SystemExit as finished:
    assert finished.code in (0, None), finished.code
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""
    environment = {**os.environ, "COOP_CACHE_DIR": NO_CACHE, "PYTHONPATH": str(REPOSITORY)}
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    assert "cold: Cold" in found.stdout
    assert [name for name in json.loads(found.stdout.splitlines()[-1]) if name in HEAVY] == []
