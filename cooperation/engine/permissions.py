"""Who may record each kind of event: one table, keyed by event kind, and the checks that read it.

Every event names who records it (`by`), a current participant in a role the table allows
for its kind. The table holds the defaults; a workflow's `permissions:` section may narrow
the roles of a kind, never widen them (`cooperation.definition.checks` refuses a widening).
Moves are the workflow's own business: the roles of each are set per stage (`advance_roles`)
and per transition (`roles`) and checked when the move is made; here a move only needs a
current participant as its actor.

Two rules stand beside the roles: anyone may record their own leaving, and an initiative's
first participant is its creator, joining as owner (recorded by themselves). An attestation
is always the attester's own: `by` is who attests, so no one can attest for another.

Where accounts are bound (`cooperation.accounts`), the actor must also be bound to the
account the store writes as.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cooperation.engine.payloads import EventKind, payload
from cooperation.errors import ActorError
from cooperation.vocabulary import Role
from cooperation.wording import did_you_mean, one_of

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledWorkflow
    from cooperation.engine.events import Event
    from cooperation.engine.facts import Facts


@dataclass(frozen=True, slots=True)
class Permission:
    """Who may record one kind of event."""

    doing: str  # what recording it does, for messages: "record evidence"
    roles: tuple[Role, ...]  # the roles of current participants who may record it
    own_leaving: bool = False  # anyone may record their own leaving
    move: bool = False  # a move: the workflow's roles for that move decide, when it is made


STEERING: tuple[Role, ...] = ("owner", "secretariat")
WORKING: tuple[Role, ...] = ("owner", "secretariat", "member")
_MOVE = ()

PERMISSIONS: Mapping[EventKind, Permission] = {
    # Anyone may start an initiative, naming themselves; they become its first owner.
    "initiative_created": Permission("create an initiative", ()),
    "participant_joined": Permission("add participants or change their roles", STEERING),
    "participant_left": Permission("remove participants", STEERING, own_leaving=True),
    "meeting_held": Permission("record meetings", WORKING),
    "evidence_recorded": Permission("record evidence", WORKING),
    "attestation_given": Permission("attest", WORKING),  # for themselves only: `by` is who attests
    "condition_waived": Permission("waive conditions", STEERING),
    "score_set": Permission("set scores", STEERING),  # the group's judgement, recorded by who steers it
    "output_published": Permission("record outputs", WORKING),
    "trust_breached": Permission("record breaches of trust", WORKING),
    "stage_advanced": Permission("advance", _MOVE, move=True),
    "stage_regressed": Permission("regress", _MOVE, move=True),
    "escalated": Permission("escalate", _MOVE, move=True),
    "handed_off": Permission("hand off", _MOVE, move=True),
    # Recorded only by the engine (no actor) when a condition lapses; nobody records it by hand.
    "stage_lapsed": Permission("record lapses (the engine records them)", _MOVE, move=True),
    "account_bound": Permission("bind accounts", STEERING),
    # Corrections: the finer rule of each (a fact withdrawn by its author, or a steward) is
    # `engine.corrections.CORRECTION_RULES`, checked after this one.
    "fact_withdrawn": Permission("withdraw facts", WORKING),
    "role_changed": Permission("change roles", STEERING),
    "initiative_renamed": Permission("rename initiatives", STEERING),
    "initiative_closed": Permission("withdraw or archive initiatives", STEERING),
    "workflow_changed": Permission("change the workflow", STEERING),
    "outreach_done": Permission("record outreach", WORKING),
}


def allowed_roles(workflow: CompiledWorkflow, kind: EventKind) -> tuple[str, ...]:
    """The roles that may record `kind` in `workflow`: the built-in ones by default, narrowed by the
    workflow's `permissions:`; then the roles it declares whose `may:` lists the kind."""
    default = PERMISSIONS[kind].roles
    narrowed = workflow.permissions.get(kind)
    built_in = default if narrowed is None else tuple(role for role in default if role in narrowed)
    declared = workflow.declared_roles
    if not declared:
        return built_in
    return (*built_in, *(role.id for role in declared.values() if kind in role.may))


def check_actor(workflow: CompiledWorkflow, facts: Facts, event: Event) -> None:
    """Raise ActorError unless `event.by` may record `event` in the initiative whose `facts` are given."""
    kind = event.kind
    permission = PERMISSIONS[kind]
    by = event.by
    if kind == "initiative_created":
        if not by:
            raise ActorError(
                f"creating {event.initiative} needs who creates it, its first owner: name them with --by NAME "
                "(by= in the API)",
                initiative=event.initiative,
                kind=kind,
                actor=by,
            )
        return
    if kind == "participant_joined" and not facts.participants:
        _first_participant(facts, event)
        return
    roles = () if permission.move else allowed_roles(workflow, kind)
    if not by:
        raise _error(facts, event, f"recording {event.kind} in {facts.initiative} needs an actor", roles)
    participant = facts.participants.get(by)
    if participant is None or not participant.active:
        hint = did_you_mean(by, [name for name, someone in facts.participants.items() if someone.active])
        reason = f"{by} is not a current participant of {facts.initiative}" + (f" ({hint})" if hint else "")
        raise _error(facts, event, reason, roles)
    if permission.move:
        return  # its roles are the move's, checked when it is made
    if permission.own_leaving and payload(event, "participant_left")["name"] == by:
        return
    if participant.role not in roles:
        role = participant.role
        reason = (
            f"{by} is {_article(role)} {role} of {facts.initiative}; {role}s cannot {permission.doing}"
            f" (allowed: {one_of(roles) if roles else 'no role, in workflow ' + workflow.id})"
        )
        raise _error(facts, event, reason, roles)


def check_account(facts: Facts, event: Event, account: str) -> None:
    """Where accounts are bound: raise ActorError unless `event.by` is bound to `account`, the writer's."""
    by = event.by
    if by is None or event.kind == "initiative_created":
        return  # no actor is refused by `check_actor`; a creator is bound in the same write
    if not facts.accounts and by == facts.creator and _creator_binding_themselves(facts, event, account):
        return  # creating in a bound registry: the creator joins, then is bound to their account
    bound = facts.accounts.get(by)
    if bound is None:
        raise ActorError(
            f"{by} is not bound to an account in {facts.initiative}, and this registry accepts events only from "
            f"bound participants: an owner or secretariat binds them with "
            f"`coop accounts bind ACCOUNT '{by}' --initiative {facts.initiative} --by NAME`",
            initiative=facts.initiative,
            kind=event.kind,
            actor=by,
        )
    if bound != account:
        raise ActorError(
            f"{by} is bound to the account '{bound}', but this is written as '{account}': "
            f"record as yourself (with --by naming the participant bound to '{account}')",
            initiative=facts.initiative,
            kind=event.kind,
            actor=by,
        )


def _creator_binding_themselves(facts: Facts, event: Event, account: str) -> bool:
    """The creator's own first join, or then (the third event of the log) their binding to the account
    they write as: the write that creates an initiative in a bound registry. Later, only a bound owner
    or secretariat binds, so that no one can claim an unbound creator's name."""
    if event.kind == "participant_joined":
        return not facts.participants
    if event.kind == "account_bound":
        binding = payload(event, "account_bound")
        first_two = facts.version <= 2 and list(facts.participants) == [event.by]
        return first_two and binding["participant"] == event.by and binding["account"] == account
    return False


def _first_participant(facts: Facts, event: Event) -> None:
    """The first participant is the creator, joining as owner and recorded by themselves."""
    joined = payload(event, "participant_joined")
    creator = facts.creator or joined["name"]  # a log from before creators were recorded: whoever joins first
    if joined["name"] != creator or event.by != creator or joined.get("role", "member") != "owner":
        raise ActorError(
            f"the first participant of {facts.initiative} is its creator, {creator}, joining as owner and recorded "
            f"by themselves (--by '{creator}' --role owner); others join after, added by an owner or secretariat",
            initiative=facts.initiative,
            kind=event.kind,
            actor=event.by,
            allowed=("owner",),
        )


def _error(facts: Facts, event: Event, reason: str, roles: Sequence[str]) -> ActorError:
    """An ActorError saying what is wrong and how to name an actor who may record it."""
    current = [(name, someone.role) for name, someone in facts.participants.items() if someone.active]
    eligible = [name for name, role in current if not roles or role in roles]
    who = (
        f"a current {one_of(roles)} of {facts.initiative}" if roles else f"a current participant of {facts.initiative}"
    )
    listing = ", ".join(eligible[:6]) + (", ..." if len(eligible) > 6 else "") if eligible else "none at present"
    return ActorError(
        f"{reason}: name who records it with --by NAME (by= in the API), {who} ({listing})",
        initiative=facts.initiative,
        kind=event.kind,
        actor=event.by,
        allowed=roles,
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def who_may_record(
    workflow: CompiledWorkflow, facts: Facts, kind: EventKind, preferred: str | None = None
) -> str | None:
    """A current participant who may record `kind` now: `preferred` if they may, else the creator if they
    may, else the first allowed by name; None when no one may (tools that generate events use it)."""
    roles = allowed_roles(workflow, kind)
    allowed = sorted(name for name, someone in facts.participants.items() if someone.active and someone.role in roles)
    for candidate in (preferred, facts.creator):
        if candidate is not None and candidate in allowed:
            return candidate
    return allowed[0] if allowed else None
