"""The on-disk cache of compiled workflows, so that a status check neither parses YAML nor imports networkx.

An entry is a pickle, and unpickling runs code: the cache is only used in a folder that
this user owns and that nobody else may write to (created 0700), and only for entries
that this user owns. An entry is keyed by the workflow's text and by everything that
shapes a compilation: the package's version, the source of the definition layer and of
the modules its records hold (errors, vocabulary), Python's and pydantic's versions.
"""

from __future__ import annotations

import os
import pickle
import stat
import sys
from importlib.util import find_spec
from pathlib import Path

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.digest import sha256, sha256_hex

CACHE_ENVIRONMENT_VARIABLE = "COOP_CACHE_DIR"
_PACKAGE = Path(__file__).resolve().parent.parent
_code_digest: bytes | None = None


def cache_key(source: bytes) -> str:
    """The entry name of a workflow's text for this installation."""
    return sha256_hex(_compiler_digest() + source)


def _compiler_digest() -> bytes:
    global _code_digest
    if _code_digest is None:
        from cooperation import __version__

        digest = sha256(f"{sys.version}\0{__version__}".encode())
        for path in compiler_sources():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
        _code_digest = digest.digest()
    return _code_digest


def compiler_sources() -> list[Path]:
    """The files whose content shapes a compiled workflow (pickled records and the classes they name)."""
    layers = ("definition", "engine/conditions")
    sources = [path for layer in layers for path in sorted((_PACKAGE / layer).rglob("*.py"))]
    sources += [_PACKAGE / "errors.py", _PACKAGE / "vocabulary.py", _PACKAGE / "engine" / "span.py"]
    pydantic = find_spec("pydantic")  # the file that holds its version, found without importing it
    if pydantic is not None and pydantic.origin is not None:
        sources.append(Path(pydantic.origin).parent / "version.py")
    return sources


def cache_directory() -> Path:
    """$COOP_CACHE_DIR, else $XDG_CACHE_HOME/coop, else ~/.cache/coop."""
    configured = os.environ.get(CACHE_ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "coop"


def _private(status: os.stat_result) -> bool:
    """Owned by this user, and writable by nobody else."""
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_directory() -> Path | None:
    directory = cache_directory()
    try:
        status = os.stat(directory, follow_symlinks=False)
    except OSError:
        return None
    return directory if stat.S_ISDIR(status.st_mode) and _private(status) else None


def read_cached(key: str) -> CompiledWorkflow | None:
    """The cached compilation, or None (missing, stale, unreadable or not trusted: a miss)."""
    directory = _trusted_directory()
    if directory is None:
        return None
    try:
        with open(directory / f"{key}.pickle", "rb") as cached:
            if not _private(os.fstat(cached.fileno())):
                return None
            compiled = pickle.load(cached)
    except Exception:  # a missing, unreadable or stale entry is just a miss
        return None
    return compiled if isinstance(compiled, CompiledWorkflow) else None


def write_cached(key: str, compiled: CompiledWorkflow) -> None:
    import tempfile  # only when a workflow was compiled: a status check never needs it

    try:
        cache_directory().mkdir(mode=0o700, parents=True, exist_ok=True)
        directory = _trusted_directory()
        if directory is None:
            return  # someone else's folder, or one others may write to: never cache there
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as temporary:
            pickle.dump(compiled, temporary, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary.name, directory / f"{key}.pickle")
    except OSError:
        pass  # no cache where we cannot write one: compiling again next time is only slower
