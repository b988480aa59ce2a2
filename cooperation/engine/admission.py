"""Whether an event, well formed on its own, fits the initiative it is recorded for.

Checked before anything is written, for events recorded one by one and for whole
imports alike: known conditions and parameters, current participants, roles,
sensible dates, and moves that follow the workflow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import cast

from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
from cooperation.engine.corrections import check_correction, closed_error
from cooperation.engine.events import MOVE_KINDS, Event, now
from cooperation.engine.facts import Facts, Participant
from cooperation.engine.moves import MOVE_KIND_OF_EVENT, moves_for
from cooperation.engine.payloads import CORRECTION_KINDS, EventData, EventKind, move_payload, payload
from cooperation.engine.permissions import check_account, check_actor
from cooperation.engine.roles import check_role
from cooperation.errors import EventError
from cooperation.wording import did_you_mean, one_of


def admit(
    workflow: CompiledWorkflow,
    facts: Facts,
    event: Event,
    *,
    then: Facts | None = None,
    clock: datetime | None = None,
    log: Sequence[Event] = (),
    account: str | None = None,
) -> Event:
    """Return the event (moves completed with from/to) or raise EventError saying what to fix.

    `facts` are the initiative's facts now; `then`, if given, the facts as of the event's
    date (for an event dated before later facts), against which its content and actor are
    checked. `account`: where accounts are bound, the account the event is written as.
    `log`: the initiative's events, which a correction names by their place.
    A fact may be dated before a later move (recorded late): the move stands as judged when
    made, and the fact counts from then on.
    """
    at = event.moment
    if at > (clock or now()):
        raise EventError(f"{event.at} is in the future (UTC); record what has happened, dated when it happened")
    if facts.created is not None and at < facts.created:
        raise EventError(f"{event.at} is before {facts.initiative} was created ({_day(facts.created)})")
    if facts.closed is not None:
        raise closed_error(facts)
    check_role(workflow, event)
    check_actor(workflow, then or facts, event)
    if account is not None:  # bindings hold from when they are made: a fact dated before one is still theirs
        check_account(facts, event, account)
    if event.kind in MOVE_KINDS:
        if facts.last_event is not None and at < facts.last_event:
            raise EventError(
                f"a move dated {event.at} would come before facts already recorded (up to {_day(facts.last_event)}); "
                "date it later"
            )
        return _admit_move(workflow, facts, event)
    if event.kind in CORRECTION_KINDS:
        check_correction(workflow, facts, then or facts, event, log)
        return event
    check = _CHECKS.get(event.kind)
    if check is not None:
        check(workflow, then or facts, event)
    return event


# --- facts: one check per kind of event (kinds without one fit any initiative) ---------------------


def _created(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    raise EventError(f"{facts.initiative} already exists; choose another id for a new initiative")


def _joined(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    name = payload(event, "participant_joined")["name"]
    if _is_active(facts, name):
        raise EventError(f"{name} already takes part in {facts.initiative}")


def _left(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    _require_participant(facts, payload(event, "participant_left")["name"], "leave")


def _meeting(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    attendees = payload(event, "meeting_held")["attendees"]
    unknown = [name for name in attendees if not _is_active(facts, name)]
    if unknown:
        raise EventError(
            f"not participants of {facts.initiative}: {', '.join(unknown)} (record them with `coop join` first)"
        )
    if len(set(attendees)) != len(attendees):
        raise EventError("an attendee is listed twice")


def _evidence(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    _require_condition(workflow, payload(event, "evidence_recorded")["condition"])


def _attestation(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    # Who may attest is the permissions' business: `by` is the attester, so only for themselves.
    _require_condition(workflow, payload(event, "attestation_given")["condition"])


def _waiver(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    waiver = payload(event, "condition_waived")
    condition = _require_condition(workflow, waiver["condition"])
    if condition.strength == "required":
        raise EventError(f"'{condition.id}' is required and cannot be waived; meet it instead")
    minimum = workflow.waiver_min_rationale(condition.id)
    rationale = waiver["rationale"].strip()
    if len(rationale) < minimum:
        raise EventError(
            f"a waiver of '{condition.id}' needs a rationale of at least {minimum} characters "
            f"(this one has {len(rationale)}): say why it does not apply"
        )
    allowed = workflow.default_roles  # besides the permissions: a workflow's movers are its waivers
    granter = _require_participant(facts, event.by or "", "waive")
    if granter.role not in allowed and granter.role not in workflow.declared_roles:  # declared: its `may:` said
        raise EventError(
            f"{event.by} is a {granter.role}; only participants in the role of {one_of(allowed)} may waive conditions"
        )


def _score(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    score = payload(event, "score_set")
    parameter, level = score["parameter"], score["level"]
    scales = workflow.scales
    scale = scales.get(parameter)
    if scale is None:
        hint = did_you_mean(parameter, scales) or f"known: {', '.join(scales) or 'none'}"
        raise EventError(f"unknown parameter '{parameter}' in workflow {workflow.id} ({hint})")
    if not scale.min <= level <= scale.max:
        raise EventError(f"level {level} is outside the scale of '{parameter}' ({scale.min}..{scale.max})")


def _bound(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    binding = payload(event, "account_bound")
    _require_participant(facts, binding["participant"], "be bound to an account")
    holder = next((name for name, account in facts.accounts.items() if account == binding["account"]), None)
    if holder is not None and holder != binding["participant"] and _is_active(facts, holder):
        raise EventError(
            f"the account '{binding['account']}' is bound to {holder} in {facts.initiative}: "
            "an account speaks for one participant only"
        )


_CHECKS: dict[EventKind, Callable[[CompiledWorkflow, Facts, Event], None]] = {
    "initiative_created": _created,
    "participant_joined": _joined,
    "participant_left": _left,
    "meeting_held": _meeting,
    "evidence_recorded": _evidence,
    "attestation_given": _attestation,
    "condition_waived": _waiver,
    "score_set": _score,
    "account_bound": _bound,
}


# --- moves: the workflow's move table says where each goes ----------------------------------------


def _admit_move(workflow: CompiledWorkflow, facts: Facts, event: Event) -> Event:
    given = move_payload(event)
    source = given.get("from", facts.stage)
    if source != facts.stage:
        raise EventError(f"the move starts from '{source}' but {facts.initiative} is at '{facts.stage}'")
    table = moves_for(workflow)
    kind = MOVE_KIND_OF_EVENT[event.kind]
    if kind == "advance":
        following = table.next_stage(facts.stage)
        if given.get("to") != following:
            expected = f"'{following}'" if following else "nowhere (no next stage on the ladder)"
            raise EventError(f"from '{facts.stage}' an advance goes to {expected}, not '{given.get('to')}'")
        return event
    candidates = table.matching(facts.stage, kind, transition=given.get("transition"), target=given.get("to"))
    if not candidates:
        raise EventError(f"workflow {workflow.id} has no {kind} transition from '{facts.stage}' matching this event")
    move = candidates[0]  # several fit an event that names no transition: the first in definition order
    if kind == "hand_off" and move.body_kinds and given["body_kind"] not in move.body_kinds:
        raise EventError(f"'{move.transition}' hands off only to: {', '.join(move.body_kinds)}")
    completed = {**given, "from": facts.stage, "to": move.target, "transition": move.transition}
    return replace(event, data=cast("EventData", completed))


def _require_condition(workflow: CompiledWorkflow, condition_id: str) -> CompiledCondition[object]:
    conditions = workflow.compiled_conditions
    condition = conditions.get(condition_id)
    if condition is None:
        hint = did_you_mean(condition_id, conditions) or f"see `coop workflows show {workflow.id}`"
        raise EventError(f"unknown condition '{condition_id}' in workflow {workflow.id} ({hint})")
    return condition


def _is_active(facts: Facts, name: str) -> bool:
    participant = facts.participants.get(name)
    return participant is not None and participant.active


def _require_participant(facts: Facts, name: str, action: str) -> Participant:
    participant = facts.participants.get(name)
    if participant is None or not participant.active:
        current = [other for other, someone in facts.participants.items() if someone.active]
        hint = did_you_mean(name, current)
        raise EventError(
            f"{name} is not a current participant of {facts.initiative}, so cannot {action}"
            + (f" ({hint})" if hint else "")
        )
    return participant


def _day(moment: datetime) -> str:
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat()
