"""A real wheel, installed in a fresh venv: it finds its built-in workflows and runs `coop`,
ships its licence, and puts nothing at the top level of site-packages but `cooperation`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import NOT_SOURCE

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILTIN = "cooperation-maturity"


def _run(args: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout."""
    base = tmp_path_factory.mktemp("packaging")
    before = sorted(path.name for path in REPO_ROOT.iterdir())
    source = base / "source"
    shutil.copytree(REPO_ROOT, source, ignore=NOT_SOURCE)
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", base / "dist", source], cwd=base
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert sorted(path.name for path in REPO_ROOT.iterdir()) == before, "building wrote into the checkout"
    (found,) = (base / "dist").glob("*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Path:
    """The `bin` directory of a fresh venv with the wheel installed."""
    venv = wheel.parent.parent / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=wheel.parent)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    install = _run([bin_dir / "python", "-m", "pip", "install", "--quiet", wheel], cwd=wheel.parent)
    assert install.returncode == 0, install.stdout + install.stderr
    return bin_dir


@pytest.mark.packaging
def test_the_wheel_holds_only_the_package_and_its_licence(wheel: Path) -> None:
    """No top-level `cli` (it would collide with any other distribution's), and the MIT text."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (licence,) = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
        licence_text = archive.read(licence).decode("utf-8")
        (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata_text = archive.read(metadata).decode("utf-8")
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"cooperation"}
    assert not [name for name in names if name.split("/")[0] in ("cli", "cli.py")]
    assert "cooperation/__main__.py" in names and "cooperation/cli/__init__.py" in names
    assert licence_text == (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence_text.startswith("MIT License") and "the cooperation-maturity authors" in licence_text
    assert "License-Expression: MIT" in metadata_text.splitlines()
    assert "Project-URL: Changelog, " in metadata_text


@pytest.mark.packaging
def test_installed_coop_prints_its_version(installed: Path, tmp_path: Path) -> None:
    import cooperation

    for command in ([installed / "coop", "--version"], [installed / "python", "-m", "cooperation", "--version"]):
        result = _run(command, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (0, f"coop {cooperation.__version__}\n", "")


@pytest.mark.packaging
def test_installed_package_has_no_top_level_cli(installed: Path, tmp_path: Path) -> None:
    result = _run([installed / "python", "-c", "import cli"], cwd=tmp_path)
    assert result.returncode == 1 and "ModuleNotFoundError: No module named 'cli'" in result.stderr


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
