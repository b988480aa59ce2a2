"""Every error the library raises on purpose belongs to the `CooperationError` tree.

A tool that catches `CooperationError` must catch every refusal of ours; the few built-in
exceptions raised on purpose are listed here with the reason they must stay what they are.
"""

from __future__ import annotations

import ast
import builtins
import inspect
from pathlib import Path

import pytest

from cooperation import errors
from cooperation.definition import catalog
from cooperation.errors import CooperationError, InstallationError

PACKAGE = Path(errors.__file__).resolve().parent
BUILTIN_ERRORS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
}
# (module, exception): why it is raised as a built-in exception.
ALLOWED = {
    ("cooperation/__init__.py", "AttributeError"): "a module's __getattr__ must raise AttributeError",
    ("cooperation/definition/models.py", "ValueError"): "pydantic turns a validator's ValueError into a placed problem",
    (
        "cooperation/engine/event_schema.py",
        "ValueError",
    ): "pydantic turns a validator's ValueError into a placed problem",
    ("cooperation/engine/events.py", "TypeError"): "the JSON encoder's contract for values it cannot encode",
    ("cooperation/engine/events.py", "ValueError"): "caught at once and re-raised as a MomentError",
    ("cooperation/engine/conditions/base.py", "NotImplementedError"): "the parts a condition kind must define",
}


def _raised_builtins() -> set[tuple[str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name) and target.id in BUILTIN_ERRORS:
                    found.add((path.relative_to(PACKAGE.parent).as_posix(), target.id))
    return found


def test_only_listed_built_in_exceptions_are_raised() -> None:
    assert _raised_builtins() - set(ALLOWED) == set()


def test_every_error_class_is_in_the_tree_and_its_drawing() -> None:
    classes = [value for value in vars(errors).values() if inspect.isclass(value) and issubclass(value, Exception)]
    assert all(issubclass(value, CooperationError) for value in classes)
    drawing = errors.__doc__ or ""
    assert [value.__name__ for value in classes if value.__name__ not in drawing] == []


def test_missing_built_in_workflows_are_an_installation_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(catalog, "_CANDIDATE_DIRS", (tmp_path / "nowhere",))
    with pytest.raises(InstallationError, match="reinstall the package"):
        catalog.builtin_workflow_ids()
