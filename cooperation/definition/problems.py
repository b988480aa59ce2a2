"""Problems placed in a workflow file: the line and column where a field path appears."""

from __future__ import annotations

from collections.abc import Iterable

from cooperation.definition.yamlsafe import Document, PathKey, format_path
from cooperation.errors import Problem


def problem_at(document: Document | None, path: PathKey, message: str, *, file: str, hint: str = "") -> Problem:
    """A Problem placed at the line and column where `path` appears in the file."""
    place = document.locate(path) if document else None
    line, column = place if place else (None, None)
    return Problem(message, path=format_path(path), file=file, line=line, column=column, hint=hint)


def in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.column or 0))
