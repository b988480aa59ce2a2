"""Whether an event, well formed on its own, fits the initiative it is recorded for.

Checked before anything is written, for events recorded one by one and for whole
imports alike: known conditions and parameters, current participants, roles,
sensible dates, and moves that follow the workflow.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cooperation.definition.compiled import CompiledCondition, CompiledWorkflow
from cooperation.errors import EventError
from cooperation.engine.events import MOVE_KINDS, Event, now
from cooperation.engine.facts import Facts, Participant
from cooperation.wording import did_you_mean

_TRANSITION_KIND = {"stage_regressed": "regress", "escalated": "escalate", "handed_off": "hand_off"}


def admit(
    workflow: CompiledWorkflow, facts: Facts, event: Event, *, then: Facts | None = None, clock: datetime | None = None
) -> Event:
    """Return the event (moves completed with from/to) or raise EventError saying what to fix.

    `facts` are the initiative's facts now; `then`, if given, the facts as of the event's
    date (for an event dated before later facts), against which its content is checked.
    """
    at = event.moment
    if at > (clock or now()):
        raise EventError(f"{event.at} is in the future (UTC); record what has happened, dated when it happened")
    if facts.created is not None and at < facts.created:
        raise EventError(f"{event.at} is before {facts.initiative} was created ({_day(facts.created)})")
    last_move = facts.moves[-1].at if facts.moves else None
    if event.kind in MOVE_KINDS:
        if facts.last_event is not None and at < facts.last_event:
            raise EventError(
                f"a move dated {event.at} would come before facts already recorded (up to {_day(facts.last_event)}); "
                "date it later"
            )
        return _admit_move(workflow, facts, event)
    if last_move is not None and at < last_move:
        raise EventError(
            f"{event.at} is before the last stage move ({_day(last_move)}); facts cannot be backdated past a move"
        )
    facts = then or facts
    data = event.data
    match event.kind:
        case "initiative_created":
            raise EventError(f"{facts.initiative} already exists; choose another id for a new initiative")
        case "participant_joined":
            current = facts.participants.get(data["name"])
            if current is not None and current.active:
                raise EventError(f"{data['name']} already takes part in {facts.initiative}")
        case "participant_left":
            _require_participant(facts, data["name"], "leave")
        case "meeting_held":
            attendees = data["attendees"]
            unknown = [name for name in attendees if not _is_active(facts, name)]
            if unknown:
                raise EventError(
                    f"not participants of {facts.initiative}: {', '.join(unknown)} (record them with `coop join` first)"
                )
            if len(set(attendees)) != len(attendees):
                raise EventError("an attendee is listed twice")
        case "evidence_recorded":
            _require_condition(workflow, data["condition"])
        case "attestation_given":
            _require_condition(workflow, data["condition"])
            if event.by is None:
                raise EventError("an attestation needs the attesting participant (by)")
            participant = _require_participant(facts, event.by, "attest")
            if participant.role == "observer":
                raise EventError(f"{event.by} is an observer; observers cannot attest")
        case "condition_waived":
            condition = _require_condition(workflow, data["condition"])
            if condition.strength == "required":
                raise EventError(f"'{condition.id}' is required and cannot be waived; meet it instead")
            minimum = workflow.waiver_min_rationale(condition.id)
            if len(data["rationale"].strip()) < minimum:
                raise EventError(
                    f"a waiver of '{condition.id}' needs a rationale of at least {minimum} characters "
                    f"(this one has {len(data['rationale'].strip())}): say why it does not apply"
                )
            allowed = workflow.default_roles
            if event.by is None:
                raise EventError(f"a waiver needs who grants it (by), in one of the roles: {', '.join(allowed)}")
            granter = _require_participant(facts, event.by, "waive")
            if granter.role not in allowed:
                raise EventError(f"{event.by} is a {granter.role}; only {', '.join(allowed)} may waive conditions")
        case "score_set":
            scales = workflow.scales
            scale = scales.get(data["parameter"])
            if scale is None:
                hint = did_you_mean(data["parameter"], scales) or f"known: {', '.join(scales) or 'none'}"
                raise EventError(f"unknown parameter '{data['parameter']}' in workflow {workflow.id} ({hint})")
            if not scale.min <= data["level"] <= scale.max:
                raise EventError(
                    f"level {data['level']} is outside the scale of '{data['parameter']}' ({scale.min}..{scale.max})"
                )
    return event


def _admit_move(workflow: CompiledWorkflow, facts: Facts, event: Event) -> Event:
    data = dict(event.data)
    source = data.get("from", facts.stage)
    if source != facts.stage:
        raise EventError(f"the move starts from '{source}' but {facts.initiative} is at '{facts.stage}'")
    if event.kind == "stage_advanced":
        following = workflow.next_stage(facts.stage)
        if data.get("to") != following:
            expected = f"'{following}'" if following else "nowhere (no next stage on the ladder)"
            raise EventError(f"from '{facts.stage}' an advance goes to {expected}, not '{data.get('to')}'")
        return event
    kind = _TRANSITION_KIND[event.kind]
    candidates = [
        transition
        for transition in workflow.transitions_from(facts.stage)
        if transition.kind == kind
        and (data.get("transition") in (None, transition.id))
        and (data.get("to") in (None, transition.to))
    ]
    if not candidates:
        raise EventError(f"workflow {workflow.id} has no {kind} transition from '{facts.stage}' matching this event")
    transition = candidates[0]
    if kind == "hand_off" and transition.body_kinds and data["body_kind"] not in transition.body_kinds:
        raise EventError(f"'{transition.id}' hands off only to: {', '.join(transition.body_kinds)}")
    data.update({"from": facts.stage, "to": transition.to, "transition": transition.id})
    return replace(event, data=data)


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
        raise EventError(f"{name} is not a current participant of {facts.initiative}, so cannot {action}")
    return participant


def _day(moment: datetime) -> str:
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat()
