"""The compiled-workflow cache: keyed by everything that shapes a compilation, and never a way in.

An entry is a pickle, and unpickling runs code, so the cache must only ever be read from a
folder that this user owns and that nobody else may write to, and only entries this user owns.
"""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import cooperation
from cooperation.definition import cache
from cooperation.definition.catalog import workflow_path

REPOSITORY = Path(__file__).resolve().parent.parent
STRANGER = 54_321  # a user id nobody on the machine has


class _Planted:
    """Unpickling this writes a marker file: proof that an entry was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (Path(self.marker), "loaded"))  # type: ignore[return-value]


def _compile_in_a_fresh_process(cache_folder: Path) -> subprocess.CompletedProcess[str]:
    code = "from cooperation import get_workflow; print(get_workflow('cooperation-maturity').id)"
    environment = {**os.environ, "COOP_CACHE_DIR": str(cache_folder), "PYTHONPATH": str(REPOSITORY)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)


def _plant(folder: Path, marker: Path) -> Path:
    """An entry under the name the next compilation of the built-in workflow will look for."""
    key = cache.cache_key(workflow_path("cooperation-maturity").read_bytes())
    entry = folder / f"{key}.pickle"
    entry.write_bytes(pickle.dumps(_Planted(marker)))
    return entry


def test_the_cache_folder_is_created_private(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "cache"
    assert _compile_in_a_fresh_process(folder).stdout.strip() == "cooperation-maturity"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len(list(folder.glob("*.pickle"))) == 1


def test_an_entry_in_a_private_folder_is_used(tmp_path: Path) -> None:
    """The check below can fail: a planted entry in our own private folder is loaded."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    marker = tmp_path / "marker"
    _plant(folder, marker)
    _compile_in_a_fresh_process(folder)
    assert marker.read_text() == "loaded"


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_folder_others_may_write_to_is_never_read(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(mode)
    marker = tmp_path / "marker"
    _plant(folder, marker)
    assert _compile_in_a_fresh_process(folder).stdout.strip() == "cooperation-maturity"
    assert not marker.exists()


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a folder to another user")
def test_a_folder_owned_by_someone_else_is_never_read(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    marker = tmp_path / "marker"
    entry = _plant(folder, marker)
    os.chown(entry, STRANGER, STRANGER)
    os.chown(folder, STRANGER, STRANGER)
    _compile_in_a_fresh_process(folder)
    assert not marker.exists()


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a file to another user")
def test_an_entry_owned_by_someone_else_is_never_read(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    marker = tmp_path / "marker"
    os.chown(_plant(folder, marker), STRANGER, STRANGER)
    _compile_in_a_fresh_process(folder)
    assert not marker.exists()


def test_a_link_in_place_of_the_folder_is_never_read(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    marker = tmp_path / "marker"
    _plant(real, marker)
    link = tmp_path / "cache"
    link.symlink_to(real)
    _compile_in_a_fresh_process(link)
    assert not marker.exists()


def test_the_key_covers_every_module_that_shapes_a_compilation() -> None:
    sources = {path.resolve() for path in cache.compiler_sources()}
    package = Path(cooperation.__file__).resolve().parent
    for module in [*(package / "definition").rglob("*.py"), package / "errors.py", package / "vocabulary.py"]:
        assert module.resolve() in sources, module
    assert any(path.name == "version.py" and path.parent.name == "pydantic" for path in sources)


def test_the_key_changes_with_the_package_version(monkeypatch: pytest.MonkeyPatch) -> None:
    text = b"id: anything\n"
    monkeypatch.setattr(cache, "_code_digest", None)
    before = cache.cache_key(text)
    monkeypatch.setattr(cooperation, "__version__", cooperation.__version__ + ".post1")
    monkeypatch.setattr(cache, "_code_digest", None)
    assert cache.cache_key(text) != before
    assert cache.cache_key(text + b" ") != cache.cache_key(text)
