"""Finding workflows: the built-in ones shipped with the package, or a file the user names.

Each workflow is compiled once: per process, and across processes through a small cache
of compiled workflows keyed by the file's content, so that a command such as `coop
status` neither parses YAML nor imports networkx when the workflow has not changed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from cooperation.definition.cache import cache_key, read_cached, write_cached
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.precompiled import read_precompiled
from cooperation.errors import InstallationError, UnknownWorkflowError

_PACKAGE = Path(__file__).resolve().parent.parent
# Installed wheels carry the definitions inside the package; a source checkout has them beside it.
_CANDIDATE_DIRS = (_PACKAGE / "builtin_workflows", _PACKAGE.parent / "workflows")

_compiled: dict[tuple[str, str], CompiledWorkflow] = {}  # by content and label (a path, or a stored version)
_BUILTIN_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # a word, never a path


def builtin_directory() -> Path:
    for directory in _CANDIDATE_DIRS:
        if directory.is_dir():
            return directory
    raise InstallationError(
        "the built-in workflows are missing from this installation "
        f"(looked in {', '.join(str(directory) for directory in _CANDIDATE_DIRS)}); reinstall the package"
    )


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


def is_builtin_id(name: str) -> bool:
    """Whether `name` is the id of a workflow shipped with the package (never taken as a path)."""
    return _BUILTIN_ID.fullmatch(name) is not None and (builtin_directory() / f"{name}.yaml").is_file()


def get_workflow(name: str) -> CompiledWorkflow:
    """The compiled workflow for a built-in id or a file path (messages name the path as given)."""
    path = workflow_path(name)
    try:
        source = path.read_bytes()
    except OSError as error:
        raise UnknownWorkflowError(name, builtin_workflow_ids(), reason=error.strerror or "cannot be read") from None
    return compile_text(source, label=str(path))


def compile_text(source: bytes, *, label: str) -> CompiledWorkflow:
    """A workflow's text compiled, once per process and through the on-disk cache; `label` names it in messages."""
    key = cache_key(source)
    compiled = _compiled.get((key, label))
    if compiled is None:
        compiled = read_cached(key)
        if compiled is None:
            # A built-in's text is shipped compiled (as JSON), so no cache is needed for speed.
            compiled = read_precompiled(source, label)
            if compiled is None:
                from cooperation.definition.loading import (
                    load_workflow_text,  # YAML and networkx: only on a miss
                )

                compiled = load_workflow_text(source, file=label)
            write_cached(key, compiled)
        if compiled.source != label:  # compiled from the same text elsewhere
            compiled = replace(compiled, source=label)
        _compiled[(key, label)] = compiled
    return compiled
