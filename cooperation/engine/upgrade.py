"""Moving an initiative to another workflow version: what it changes, then (when asked) the change.

An initiative is judged by the workflow version it is pinned to until someone records a
`workflow_changed`. Before that, `preview` shows what the change does to its status as of
now: the stage and the next one, the conditions newly unmet and newly met, and whether it
is at risk. `WorkflowUpgrader.upgrade` records the event only when told to apply it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cooperation.definition.pinned import Pin, PinnedWorkflows, read_named, stored_label
from cooperation.engine.events import Event, parse_at
from cooperation.engine.loaded import LoadedInitiative, judged_by, load_initiative
from cooperation.engine.status import build_status
from cooperation.errors import CooperationError, WorkflowReferenceError

if TYPE_CHECKING:
    from cooperation.stores.protocol import EventStore


@dataclass(frozen=True, slots=True)
class WorkflowUpgrade:
    """What judging an initiative by another workflow version changes in its status, as of `as_of`."""

    initiative: str
    before: str  # the version it is judged by: "id@hash" (or the id alone, never pinned)
    after: str  # the version it would be judged by
    stage: str
    next_before: str | None
    next_after: str | None
    newly_unmet: list[str]
    newly_met: list[str]
    at_risk_before: list[str]
    at_risk_after: list[str]
    can_advance_before: bool
    can_advance_after: bool
    as_of: str
    same: bool = False  # already pinned to that version: nothing to change
    applied: bool = False  # the workflow_changed was recorded
    reference: dict[str, str] = field(default_factory=dict)  # the new version, as the event names it

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__ if name != "reference"}


def version_label(reference: Mapping[str, object]) -> str:
    """How an event's workflow reference is shown: `id@hash12`, or the id alone for one never pinned."""
    digest = reference.get("workflow_hash")
    name = str(reference.get("workflow", ""))
    return stored_label(name, digest) if isinstance(digest, str) else name


def preview(loaded: LoadedInitiative, pin: Pin, moment: datetime) -> WorkflowUpgrade:
    """The initiative's status as of `moment` under its workflow and under `pin`'s, compared."""
    current = judged_by(loaded.events)
    candidate = LoadedInitiative(loaded.workflow, loaded.events, loaded.facts, loaded.version)
    candidate.switch(pin.workflow)  # refuses a workflow without the current stage
    before_evaluator, after_evaluator = loaded.evaluator(moment), candidate.evaluator(moment)
    before = build_status(loaded.workflow, loaded.facts, before_evaluator, moment)
    after = build_status(pin.workflow, loaded.facts, after_evaluator, moment)
    met_before = {result.condition: result.met for result in before_evaluator.all_results()}
    met_after = {result.condition: result.met for result in after_evaluator.all_results()}
    return WorkflowUpgrade(
        initiative=loaded.facts.initiative,
        before=version_label(current),
        after=stored_label(pin.id, pin.hash),
        stage=loaded.facts.stage,
        next_before=before.next,
        next_after=after.next,
        newly_unmet=[name for name, met in met_after.items() if not met and met_before.get(name, True)],
        newly_met=[name for name, met in met_after.items() if met and not met_before.get(name, False)],
        at_risk_before=before.at_risk_conditions,
        at_risk_after=after.at_risk_conditions,
        can_advance_before=before.can_advance,
        can_advance_after=after.can_advance,
        as_of=after.as_of,
        same=current.get("workflow_hash") == pin.hash,
        reference=pin.reference(),
    )


class WorkflowUpgrader:
    """Previews and records workflow changes for one registry's store."""

    def __init__(self, store: EventStore, pins: PinnedWorkflows, clock: Callable[[], datetime]) -> None:
        self.store, self.pins, self.clock = store, pins, clock

    def upgrade(self, initiative: str, events: Sequence[Event], to: str, *, by: str, apply: bool) -> WorkflowUpgrade:
        """Compare the initiative under workflow `to` (a built-in id or a file a person names);
        with `apply`, store that version and record the `workflow_changed` (unless it is the same).

        An initiative whose workflow cannot be read (named by a file path before workflows were
        pinned) is compared with the new workflow alone: this is how it is pinned.
        """
        pin = read_named(to)
        try:
            loaded = load_initiative(initiative, events, self.pins.resolve)
        except CooperationError as error:
            if not isinstance(error.original, WorkflowReferenceError) or error.original.digest is not None:
                raise
            loaded = load_initiative(initiative, events, lambda _: pin.workflow)
        moment = loaded.latest(self.clock())
        upgrade = preview(loaded, pin, moment)
        if not apply or upgrade.same:
            return upgrade
        from cooperation.engine.event_schema import validate_event  # pydantic: only when writing

        current = judged_by(loaded.events)
        data: dict[str, Any] = {**pin.reference(), "from_workflow": str(current.get("workflow", ""))}
        if isinstance(current.get("workflow_hash"), str):
            data["from_hash"] = current["workflow_hash"]
        raw = {"initiative": loaded.facts.initiative, "kind": "workflow_changed", "at": parse_at(moment), "by": by}
        event = validate_event({**raw, "data": data})
        version = loaded.version
        batch = loaded.admit(event, clock=self.clock())
        self.pins.keep(pin)  # first: the event names it
        self.store.append(loaded.facts.initiative, batch, expected_version=version)
        loaded.switch(pin.workflow)
        return replace(upgrade, applied=True)
