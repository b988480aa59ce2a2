"""Reading where initiatives stand imports only what reading needs.

A status check starts a fresh process each time it is run from a script, so what its
imports cost is paid every time: no pydantic, YAML, networkx or transitions on that path
(they are for validating input, compiling workflows and moving initiatives), and no OpenSSL
(`_hashlib`: 3.6 MB of memory; `cooperation.definition.digest` hashes the few texts a read needs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cooperation import Registry

HEAVY = ("_hashlib", "pydantic", "pydantic_core", "yaml", "networkx", "transitions")
REPOSITORY = Path(__file__).resolve().parent.parent


def _imported_by(code: str, tmp_path: Path) -> list[str]:
    probe = f"""
import json, sys
{code}
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""
    environment = {**os.environ, "COOP_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPOSITORY)}
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    return [name for name in json.loads(found.stdout.splitlines()[-1]) if name in HEAVY]


def test_status_and_portfolio_status_import_nothing_heavy(tmp_path: Path) -> None:
    database = tmp_path / "coop.db"
    with Registry.open(database) as registry:
        registry.create(
            "Reading",
            workflow="cooperation-maturity",
            initiative="reading",
            at="2024-01-01",
            by="Ada",
            community="media",
        )
        registry.record(
            "reading", "evidence_recorded", {"condition": "challenge", "text": "A problem"}, at="2024-01-02", by="Ada"
        )
    read = f"""
from cooperation import Registry
from cooperation.views.status_json import status_json
from cooperation.views.status_text import status_text
with Registry.open({str(database)!r}, create=False) as registry:
    status_text(registry.status("reading"))
    [status_json(status) for status in registry.statuses()]
"""
    _imported_by(read, tmp_path)  # the first run compiles the workflow (YAML, networkx) into the cache
    assert _imported_by(read, tmp_path) == []


def test_coop_status_imports_nothing_heavy(tmp_path: Path) -> None:
    """Through the real CLI, whose framework must not bring pydantic in either."""
    database = tmp_path / "coop.db"
    with Registry.open(database) as registry:
        registry.create(
            "Reading",
            workflow="cooperation-maturity",
            initiative="reading",
            at="2024-01-01",
            by="Ada",
            community="media",
        )
    command = f"""
import runpy
sys.argv = ["coop", "status", "reading", "--db", {str(database)!r}]
try:
    runpy.run_path({str(REPOSITORY / "cli.py")!r}, run_name="__main__")
except SystemExit as finished:
    assert finished.code in (0, None), finished.code
"""
    _imported_by(command, tmp_path)  # compiles the workflow into the cache
    assert _imported_by(command, tmp_path) == []


def test_the_probe_sees_heavy_imports(tmp_path: Path) -> None:
    """The check above can fail: validating an event does import pydantic."""
    assert {"pydantic", "pydantic_core"} <= set(_imported_by("import cooperation.engine.event_schema", tmp_path))
    assert _imported_by("import hashlib", tmp_path) == ["_hashlib"]


def test_every_command_module_is_registered() -> None:
    """cooperation.cli registers the modules listed, not whatever it finds: a new one must be listed."""
    import pkgutil

    import cooperation.cli.commands as package
    from cooperation.cli import COMMAND_MODULES

    listed = [module.__name__.removeprefix(package.__name__ + ".") for module in COMMAND_MODULES]
    assert sorted(listed) == sorted(info.name for info in pkgutil.iter_modules(package.__path__))
