"""The checks of a workflow's roles: those it declares (`roles:`) and every place that names a role.

A workflow may declare roles of its own beside the four built in (owner, secretariat, member,
observer). A declared role may not reuse a built-in name, and every role named anywhere (who
advances, who takes a transition, which roles an automatic transition waits for, who a
`permissions:` entry narrows to, which roles a condition counts) must be one of the built-in or
declared roles. Each problem names its place and a fix, with a did-you-mean where one fits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from cooperation.definition.models import WorkflowDefinition
from cooperation.definition.problems import problem_at
from cooperation.definition.yamlsafe import Document, PathKey
from cooperation.errors import Problem
from cooperation.vocabulary import ROLES
from cooperation.wording import did_you_mean

# The kinds of automatic trigger that are about one participant, so that `on_roles` can ask their role.
ABOUT_A_PARTICIPANT = ("participant_joined", "participant_left", "role_changed")


def check_roles(definition: WorkflowDefinition, document: Document | None, file: str) -> Iterable[Problem]:
    """Every problem with the roles a workflow declares or names, in file order of sections."""

    def at(path: PathKey, message: str, hint: str) -> Problem:
        return problem_at(document, path, message, file=file, hint=hint)

    declared = [role.id for role in definition.roles]
    known = (*ROLES, *declared)
    first_index: dict[str, int] = {}
    for index, role in enumerate(declared):
        if role in ROLES:
            yield at(
                ("roles", index, "id"),
                f"'{role}' is a built-in role and cannot be declared again",
                f"give your role another id; the built-in roles are {', '.join(ROLES)}",
            )
        elif role in first_index:
            yield at(
                ("roles", index, "id"),
                f"duplicate role '{role}' (also roles[{first_index[role]}])",
                "give each role its own id",
            )
        else:
            first_index[role] = index
    for path, role in _named_roles(definition):
        if role not in known:
            yield at(path, f"unknown role '{role}'", _hint(role, known))
    for kind, roles in definition.permissions.items():
        for index, role in enumerate(roles):
            if role in first_index:
                yield at(
                    ("permissions", kind, index),
                    f"'{role}' is a role this workflow declares: what it may record is its own 'may:' list",
                    f"add {kind} to the 'may:' of role '{role}' instead",
                )
    for index, transition in enumerate(definition.transitions):
        if transition.on_roles and transition.on_event not in ABOUT_A_PARTICIPANT:
            event = f"on_event {transition.on_event}" if transition.on_event else "no on_event"
            yield at(
                ("transitions", index, "on_roles"),
                f"on_roles applies only to an on_event about a participant, and this transition has {event}",
                f"use on_event: one of {', '.join(ABOUT_A_PARTICIPANT)}, or remove on_roles",
            )


def _named_roles(definition: WorkflowDefinition) -> Iterable[tuple[PathKey, str]]:
    """Every place a role is named outside `roles:` and `permissions:` (a condition's `roles` is a
    reference of its kind, checked with the other references)."""
    for index, role in enumerate(definition.advance_roles):
        yield ("advance_roles", index), role
    for index, stage in enumerate(definition.stages):
        for position, role in enumerate(stage.advance_roles or ()):
            yield ("stages", index, "advance_roles", position), role
    for index, transition in enumerate(definition.transitions):
        for position, role in enumerate(transition.roles or ()):
            yield ("transitions", index, "roles", position), role
        for position, role in enumerate(transition.on_roles):
            yield ("transitions", index, "on_roles", position), role
    for kind, roles in definition.permissions.items():
        for position, role in enumerate(roles):
            yield ("permissions", kind, position), role


def _hint(role: str, known: Collection[str]) -> str:
    return did_you_mean(role, known) or f"declare it under 'roles', or use one of: {', '.join(known)}"
