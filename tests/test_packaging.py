"""A real, non-editable install in a fresh venv finds its built-in workflows and runs `coop`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILTIN = "cooperation-maturity"
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", ".mypy_cache",
    "build", "dist", "*.egg-info", "tests", "*.db", "*.db-wal", "*.db-shm",
)


def _run(args: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` directory of a fresh venv with the package installed from a copy of the checkout."""
    base = tmp_path_factory.mktemp("packaging")
    before = sorted(path.name for path in REPO_ROOT.iterdir())
    source = base / "source"
    shutil.copytree(REPO_ROOT, source, ignore=NOT_SOURCE)
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=base)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    install = _run([bin_dir / "python", "-m", "pip", "install", "--quiet", source], cwd=base)
    assert install.returncode == 0, install.stdout + install.stderr
    assert sorted(path.name for path in REPO_ROOT.iterdir()) == before, "installing wrote into the checkout"
    return bin_dir


@pytest.mark.packaging
def test_installed_coop_lists_the_builtin_workflow(installed: Path, tmp_path: Path) -> None:
    result = _run([installed / "coop", "workflows", "list"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert BUILTIN in [line.split()[0] for line in result.stdout.splitlines()]


@pytest.mark.packaging
def test_installed_coop_checks_the_builtin_workflow(installed: Path, tmp_path: Path) -> None:
    result = _run([installed / "coop", "workflows", "check", BUILTIN], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{BUILTIN}: ok")
    assert result.stderr == ""


@pytest.mark.packaging
def test_installed_package_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import cooperation, cooperation.definition.catalog as c, cooperation.definition.schema as s;"
        "print(cooperation.__file__); print(c.builtin_directory()); print(s.SCHEMA_DIRECTORY)"
    )
    result = _run([installed / "python", "-c", probe], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    package_file, workflows, schemas = (Path(line) for line in result.stdout.splitlines())
    assert REPO_ROOT not in package_file.parents
    assert "site-packages" in package_file.parts
    assert workflows.name == "builtin_workflows" and (workflows / f"{BUILTIN}.yaml").is_file()
    assert (schemas / "workflow.schema.json").is_file()
    assert (package_file.parent / "py.typed").is_file()
