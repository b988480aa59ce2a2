"""Every string of a JSON value (an event's free data), found or changed: what the audience filter and the
pseudonyms reach into."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def strings_in(value: Any) -> Iterable[str]:
    """Every string in a JSON value, its keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """A JSON value with `change` applied to every string in it, its keys included."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {change(key): map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [map_strings(item, change) for item in value]
    return value
