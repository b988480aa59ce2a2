"""The shape of the package: a folder per layer, small modules and functions, no import cycles.

These are the limits a maintainer relies on to find their way (see docs/architecture.md):
a module is one concept of at most 400 lines, a function at most 60, at most 12 modules sit
directly in `cooperation/`, and imports form no cycle (type-only imports aside), so that
data flows down the layers one way.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cooperation"
MODULE_LINES, FUNCTION_LINES, TOP_LEVEL_MODULES = 400, 60, 12
# Modules that are data tables (a list of words, a schema), exempt from the line limit, with why.
DATA_TABLES: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


class _Imports(ast.NodeVisitor):
    """Every module a file imports from the package, at any depth, except under `if TYPE_CHECKING:`."""

    def __init__(self, known: dict[str, Path]) -> None:
        self.known = known
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.orelse:
                self.visit(statement)
            return
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module in self.known:
            self.found.add(module)
        self.found |= {f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in self.known}

    def visit_Import(self, node: ast.Import) -> None:
        self.found |= {alias.name for alias in node.names if alias.name in self.known}


def import_graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        visitor = _Imports(modules)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        graph.add_edges_from((name, imported) for imported in visitor.found if imported != name)
    return graph


def test_no_import_cycle() -> None:
    cycles = [" -> ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(import_graph())]
    assert cycles == []


def test_the_cycle_check_sees_function_level_imports(tmp_path: Path) -> None:
    """The check above can fail: an import inside a function counts."""
    source = "def late() -> None:\n    from cooperation.registry import Registry\n"
    visitor = _Imports({"cooperation.registry": Path()})
    visitor.visit(ast.parse(source))
    assert visitor.found == {"cooperation.registry"}


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


@pytest.mark.parametrize("name", sorted(_modules()))
def test_modules_and_functions_are_small(name: str) -> None:
    path = _modules()[name]
    source = path.read_text(encoding="utf-8")
    if name not in DATA_TABLES:
        assert source.count("\n") <= MODULE_LINES, f"{path}: split it by concept"
    long = [
        f"{function.name} ({function.end_lineno - function.lineno + 1} lines)"  # type: ignore[operator]
        for function in _functions(ast.parse(source))
        if function.end_lineno - function.lineno + 1 > FUNCTION_LINES  # type: ignore[operator]
    ]
    assert long == [], f"{path}: functions over {FUNCTION_LINES} lines"


def test_few_modules_sit_directly_in_the_package() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_MODULES, top


def test_every_folder_of_the_package_is_a_package() -> None:
    folders = [path for path in PACKAGE.rglob("*") if path.is_dir() and any(path.glob("*.py"))]
    assert [folder for folder in folders if not (folder / "__init__.py").is_file()] == []


def test_the_architecture_page_names_only_files_and_tests_that_exist() -> None:
    """docs/architecture.md lists each speed rule with the test that guards it: those must exist."""
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for match in re.finditer(r"`(tests/[\w/]+\.py)((?:::\w+)?)`|`::(\w+)`", page):
        if match.group(1):
            current, name = PACKAGE.parent / match.group(1), match.group(2).removeprefix("::")
            if not current.is_file():
                missing.append(match.group(1))
                continue
        else:
            name = match.group(3)
        if name and f"def {name}(" not in current.read_text(encoding="utf-8"):
            missing.append(f"{current.name}::{name}")
    for module in re.findall(r"`((?:definition|engine|stores|views|reports|verify|cli)/[\w/]+\.py)`", page):
        if not (PACKAGE / module).is_file():
            missing.append(module)
    assert missing == []
