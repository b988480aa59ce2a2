"""Finding workflows: the built-in ones shipped with the package, or a file the user names.

Each workflow is compiled once: per process, and across processes through a small cache
of compiled workflows keyed by the file's content, so that a command such as `coop
status` neither parses YAML nor imports networkx when the workflow has not changed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import replace
from pathlib import Path

from cooperation.compiled import CompiledWorkflow
from cooperation.errors import UnknownWorkflowError

_PACKAGE = Path(__file__).resolve().parent
# Installed wheels carry the definitions inside the package; a source checkout has them beside it.
_CANDIDATE_DIRS = (_PACKAGE / "builtin_workflows", _PACKAGE.parent / "workflows")
# A cached compilation is only valid for the code that made it.
_COMPILER_FILES = ("definition.py", "compiled.py", "graph.py", "loading.py", "yamlsafe.py", "vocabulary.py")
CACHE_ENVIRONMENT_VARIABLE = "COOP_CACHE_DIR"

_compiled: dict[tuple[str, str], CompiledWorkflow] = {}  # by content and path
_code_digest: bytes | None = None


def builtin_directory() -> Path:
    for directory in _CANDIDATE_DIRS:
        if directory.is_dir():
            return directory
    raise FileNotFoundError("the built-in workflows are missing from this installation; reinstall the package")


def builtin_workflow_ids() -> list[str]:
    """Ids of the workflows shipped with the package, sorted."""
    return sorted(path.stem for path in builtin_directory().glob("*.yaml"))


def workflow_path(name: str) -> Path:
    """The file behind a built-in id, or `name` itself when it is a path to a file."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise UnknownWorkflowError(name, builtin_workflow_ids(), reason="no such file")
        return candidate
    builtin = builtin_directory() / f"{name}.yaml"
    if not builtin.is_file():
        raise UnknownWorkflowError(name, builtin_workflow_ids())
    return builtin


def get_workflow(name: str) -> CompiledWorkflow:
    """The compiled workflow for a built-in id or a file path (messages name the path as given)."""
    path = workflow_path(name)
    try:
        source = path.read_bytes()
    except OSError as error:
        raise UnknownWorkflowError(name, builtin_workflow_ids(), reason=error.strerror or "cannot be read") from None
    key = hashlib.sha256(_compiler_digest() + source).hexdigest()
    compiled = _compiled.get((key, str(path)))
    if compiled is None:
        compiled = _read_cache(key)
        if compiled is None:
            from cooperation.loading import load_workflow_text  # YAML and networkx: only on a miss

            compiled = load_workflow_text(source, file=str(path))
            _write_cache(key, compiled)
        if compiled.source != str(path):  # compiled from the same text elsewhere
            compiled = replace(compiled, source=str(path))
        _compiled[(key, str(path))] = compiled
    return compiled


def _compiler_digest() -> bytes:
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256(sys.version.encode())
        for name in _COMPILER_FILES:
            digest.update((_PACKAGE / name).read_bytes())
        _code_digest = digest.digest()
    return _code_digest


def cache_directory() -> Path:
    """$COOP_CACHE_DIR, else $XDG_CACHE_HOME/coop, else ~/.cache/coop."""
    configured = os.environ.get(CACHE_ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "coop"


def _read_cache(key: str) -> CompiledWorkflow | None:
    try:
        with open(cache_directory() / f"{key}.pickle", "rb") as cached:
            compiled = pickle.load(cached)
    except Exception:  # a missing, unreadable or stale entry is just a miss
        return None
    return compiled if isinstance(compiled, CompiledWorkflow) else None


def _write_cache(key: str, compiled: CompiledWorkflow) -> None:
    import tempfile  # only when a workflow was compiled: a status check never needs it

    directory = cache_directory()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as temporary:
            pickle.dump(compiled, temporary, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary.name, directory / f"{key}.pickle")
    except OSError:
        pass  # no cache where we cannot write one: compiling again next time is only slower
