"""Hypothesis strategies for workflows that declare roles of their own, and the rule they keep.

`workflows_with_roles` makes whole workflow files (as mappings; `workflow_text` writes one as
YAML) that declare one to three roles with what each may record, and count some roles in an
`attestation` and a `participation` condition. `role_assignments` gives participants any role
the workflow has. `counted_names` is the rule such a workflow keeps, whatever the log: a
condition that names roles counts exactly the current participants holding one of them (and,
for an attestation, having attested); a participant whose role is not named never counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from cooperation.engine.facts import Facts
from cooperation.engine.payloads import RECORDABLE_KINDS
from cooperation.vocabulary import COMMUNITIES, ROLES, Community

ROLE_IDS = ("sponsor", "reviewer", "funder", "mentor", "auditor", "chair")
"""The ids the strategies give declared roles: none is a built-in role's."""
ATTESTED = "vouched"  # the attestation condition of a generated workflow
PRESENT = "present"  # its participation condition


@st.composite
def declared_roles(draw: st.DrawFn, *, min_size: int = 1, max_size: int = 3) -> list[dict[str, Any]]:
    """The `roles:` section of a workflow: distinct ids, each with some recordable kinds in its `may:`."""
    ids = draw(st.lists(st.sampled_from(ROLE_IDS), min_size=min_size, max_size=max_size, unique=True))
    kinds = st.lists(st.sampled_from(RECORDABLE_KINDS), max_size=4, unique=True)
    return [{"id": role, "title": role.capitalize(), "may": draw(kinds)} for role in ids]


@st.composite
def workflows_with_roles(draw: st.DrawFn) -> dict[str, Any]:
    """A valid workflow that declares roles, with an attestation and a participation condition each
    counting some roles (built in or declared; at times none named, which counts all but observers)."""
    roles = draw(declared_roles())
    known = [*ROLES, *(role["id"] for role in roles)]
    counted = st.lists(st.sampled_from(known), max_size=3, unique=True)
    attesting, present = draw(counted), draw(counted)
    movers = draw(st.lists(st.sampled_from(known), min_size=1, max_size=2, unique=True))
    return {
        "id": "generated-roles",
        "version": "1",
        "title": "Generated workflow with roles",
        "description": "Made by cooperation.testing.roles.",
        "roles": roles,
        "advance_roles": movers,
        "stages": [
            {"id": "open", "title": "Open"},
            {"id": "agreed", "title": "Agreed", "requires": [ATTESTED, PRESENT]},
        ],
        "conditions": [
            {
                "id": ATTESTED,
                "kind": "attestation",
                "title": "Vouched for",
                "description": "Participants in the roles counted vouch for it.",
                "min_participants": draw(st.integers(1, 3)),
                **({"roles": attesting} if attesting else {}),
            },
            {
                "id": PRESENT,
                "kind": "participation",
                "title": "Present",
                "description": "Participants in the roles counted take part.",
                "min_participants": draw(st.integers(1, 3)),
                **({"roles": present} if present else {}),
            },
        ],
    }


def workflow_text(workflow: Mapping[str, Any]) -> str:
    """A generated workflow as the YAML text of a workflow file."""
    return yaml.safe_dump(dict(workflow), sort_keys=False, allow_unicode=True)


def role_names(workflow: Mapping[str, Any]) -> tuple[str, ...]:
    """Every role a participant may hold in `workflow`: the built-in ones, then those it declares."""
    return (*ROLES, *(role["id"] for role in workflow.get("roles", ())))


def role_assignments(
    workflow: Mapping[str, Any], *, min_size: int = 1, max_size: int = 8
) -> SearchStrategy[list[tuple[str, Community, str]]]:
    """Participants to join (name, community, role), each in any role the workflow has."""
    person = st.tuples(st.sampled_from(COMMUNITIES), st.sampled_from(role_names(workflow)))
    return st.lists(person, min_size=min_size, max_size=max_size).map(
        lambda drawn: [(f"Person {index + 1}", community, role) for index, (community, role) in enumerate(drawn)]
    )


def counted_names(facts: Facts, roles: Sequence[str], *, attested: str | None = None) -> list[str]:
    """Whom a condition counting `roles` counts, by the rule (none named: all but observers): the
    current participants holding one of them and, when `attested` names a condition, having attested to it."""
    given = facts.attestations.get(attested, {}) if attested is not None else None
    return sorted(
        name
        for name, someone in facts.participants.items()
        if someone.active
        and (someone.role in roles if roles else someone.role != "observer")
        and (given is None or name in given)
    )
