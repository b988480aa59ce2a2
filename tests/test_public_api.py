"""`cooperation.__all__` is exactly the public surface `cooperation/__init__.py` exports."""

from __future__ import annotations

import importlib
import types

import cooperation


def _public_names() -> set[str]:
    return {
        name
        for name, value in vars(cooperation).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }


def test_all_lists_exactly_the_public_names() -> None:
    # Names load on first use: the table behind that, what is loaded, and __all__ agree.
    assert set(cooperation.__all__) == set(cooperation._EXPORTS)
    assert _public_names() <= set(cooperation.__all__)
    assert set(cooperation.__all__) <= set(dir(cooperation))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        cooperation.NoSuchThing  # noqa: B018
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("cooperation.NoSuchThing should not exist")


def test_all_is_sorted_without_duplicates() -> None:
    assert list(cooperation.__all__) == sorted(cooperation.__all__)
    assert len(set(cooperation.__all__)) == len(cooperation.__all__)


def test_every_name_is_importable() -> None:
    namespace: dict[str, object] = {}
    exec(f"from cooperation import {', '.join(cooperation.__all__)}", namespace)
    for name in cooperation.__all__:
        assert namespace[name] is getattr(cooperation, name)


def test_star_import_gives_all() -> None:
    namespace: dict[str, object] = {}
    exec("from cooperation import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(cooperation.__all__)


def test_exported_objects_come_from_the_package() -> None:
    for name in cooperation.__all__:
        value = getattr(cooperation, name)
        module = getattr(value, "__module__", None)
        if module is not None and isinstance(value, type | types.FunctionType):
            assert module.startswith("cooperation."), f"{name} comes from {module}"
            assert getattr(importlib.import_module(module), value.__name__) is value


def test_package_has_a_docstring() -> None:
    assert cooperation.__doc__ and cooperation.__doc__.strip()
