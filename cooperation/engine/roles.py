"""Whether the role an event gives a participant is one of the roles of the initiative's workflow.

The event schema checks only that a role is shaped as an identifier: which roles exist is the
workflow's business (the four built in, and those its `roles:` declares), and the workflow is
known only when the event is admitted to an initiative, pinned to its workflow version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cooperation.engine.payloads import payload
from cooperation.errors import EventError
from cooperation.wording import did_you_mean

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledWorkflow
    from cooperation.engine.events import Event

GIVES_A_ROLE = frozenset({"participant_joined", "role_changed"})


def given_role(event: Event) -> str | None:
    """The role a `participant_joined` or `role_changed` gives (member when a join names none); None otherwise."""
    if event.kind == "participant_joined":
        return payload(event, "participant_joined").get("role", "member")
    if event.kind == "role_changed":
        return payload(event, "role_changed")["role"]
    return None


def check_role(workflow: CompiledWorkflow, event: Event) -> None:
    """Raise EventError when the event gives a role that `workflow` has not: one it neither builds in nor declares."""
    if event.kind not in GIVES_A_ROLE:
        return
    role = given_role(event)
    known = workflow.role_names
    if role is None or role in known:
        return
    hint = did_you_mean(role, known)
    declared = ", ".join(workflow.declared_roles)
    raise EventError(
        f"unknown role '{role}' in workflow {workflow.id}"
        + (f" ({hint})" if hint else "")
        + f": its roles are {', '.join(known)}"
        + (f" (declared by the workflow: {declared})" if declared else " (it declares none of its own)")
        + "; use one of them, or declare the role under 'roles:' in a new version of the workflow"
    )
