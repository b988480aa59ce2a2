"""The first write of an initiative: its creation, the creator joining as its first owner, and,
where accounts are bound, the creator bound to the account they write as: one batch, all checked.

Loaded only when an initiative is created (it validates with pydantic).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.event_schema import validate_event
from cooperation.engine.events import Event
from cooperation.engine.facts import Facts
from cooperation.engine.loaded import new_initiative
from cooperation.engine.permissions import check_actor
from cooperation.errors import EventError
from cooperation.vocabulary import Community


def creation_batch(
    workflow: CompiledWorkflow,
    created: Mapping[str, object],
    *,
    community: Community | None,
    organisation: str | None,
    clock: datetime,
    account: str | None,
) -> list[Event]:
    """The events that create an initiative, from its `initiative_created` event given as a raw dict.

    With `community`, the creator (its `by`) joins as owner in the same write; without, their own
    join as owner must be the first to follow (no one else may record it).
    """
    event = validate_event(created)
    check_actor(workflow, Facts(event.initiative), event)
    loaded = new_initiative(event.initiative, workflow)
    batch = [loaded.add(event)]
    by = event.by
    if community is None:
        if account is not None:
            raise EventError(
                "this registry binds accounts: give the creator's community (--community), so that they join as "
                "owner and are bound to the account they write as, in the same write"
            )
        return batch
    joined: dict[str, object] = {"name": by, "community": community, "role": "owner"}
    if organisation is not None:
        joined["organisation"] = organisation
    following = [("participant_joined", joined)]
    if account is not None:
        following.append(("account_bound", {"account": account, "participant": by}))
    for kind, data in following:
        raw = {"initiative": event.initiative, "kind": kind, "at": event.at, "by": by, "data": data}
        batch += loaded.admit(validate_event(raw, where=kind), clock=clock, account=account)
    return batch
