"""Checks of `on_lapse`: a transition taken by itself the moment a condition stops holding.

A condition stops holding with no new event only when a fact leaves an `expiring` window it
depends on (a `held` span breaks because what it holds depends on one), so an `on_lapse`
naming a condition with no such window could never be taken: that is a mistake in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cooperation.definition.compiled import compile_condition
from cooperation.definition.models import WorkflowDefinition
from cooperation.engine.conditions.table import KINDS
from cooperation.errors import Problem

Report = Callable[[tuple[str | int, ...], str, str], Problem]
"""Places a problem at a path of the file, with its message and the fix."""
Unknown = Callable[[tuple[str | int, ...], str, str, set[str]], Iterable[Problem]]
"""Reports a reference to an undeclared id, with a did-you-mean."""


def check_lapses(definition: WorkflowDefinition, at: Report, unknown: Unknown) -> Iterable[Problem]:
    """Each `on_lapse` names a declared condition that can lapse, on a transition not also taken on an event."""
    conditions = {condition.id: condition for condition in definition.conditions}
    for index, transition in enumerate(definition.transitions):
        condition = transition.on_lapse
        if condition is None:
            continue
        path: tuple[str | int, ...] = ("transitions", index, "on_lapse")
        if transition.on_event is not None:
            yield at(
                path,
                f"transition '{transition.id}' is taken both on an event ({transition.on_event}) and on a lapse",
                "keep one of on_event and on_lapse, and declare a second transition for the other",
            )
        if condition not in conditions:
            yield from unknown(path, condition, "condition", set(conditions))
        elif not can_ever_lapse(definition, condition):
            yield at(
                path,
                f"condition '{condition}' can never lapse: nothing under it keeps facts for a limited time",
                "name a condition that is (or depends on) an 'expiring' window, or a 'held' span over one",
            )


def can_ever_lapse(definition: WorkflowDefinition, condition_id: str) -> bool:
    """Whether the condition depends, through its parts and prerequisites, on an `expiring` window."""
    declared = {condition.id: condition for condition in definition.conditions}
    pending, seen = [condition_id], set()
    while pending:
        current = pending.pop()
        if current in seen or current not in declared:
            continue
        seen.add(current)
        compiled = compile_condition(declared[current])
        if KINDS[compiled.kind].window_span(compiled) is not None:
            return True
        pending += [*compiled.requires, *compiled.parts]
    return False
