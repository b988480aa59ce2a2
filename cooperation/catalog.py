"""Finding workflows: the built-in ones shipped with the package, or a file the user names.

Each workflow is loaded and compiled once per process and shared by every initiative.
"""

from __future__ import annotations

from pathlib import Path

from cooperation.compiled import CompiledWorkflow
from cooperation.errors import UnknownWorkflowError
from cooperation.loading import load_workflow_file

_PACKAGE = Path(__file__).resolve().parent
# Installed wheels carry the definitions inside the package; a source checkout has them beside it.
_CANDIDATE_DIRS = (_PACKAGE / "builtin_workflows", _PACKAGE.parent / "workflows")
_compiled: dict[tuple[str, int, int], CompiledWorkflow] = {}


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
    """The compiled workflow for a built-in id or a file path, loaded once per process."""
    path = workflow_path(name)
    status = path.stat()
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = load_workflow_file(path)  # messages name the path as given
    return compiled
