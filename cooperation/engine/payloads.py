"""The kinds of event and the data each carries, as types mypy checks (format v1).

`EventKind` names every kind; each kind's `data` has a `TypedDict` here, with its keys as
stored (`from` is a keyword in Python, so the moves use the functional syntax). A key with
a default in the schema is `NotRequired`: the schema fills it in when an event is written,
but the data given to `Registry.record` may leave it out; a null given there is left out
when the event is stored (moves are made by the registry, which gives no nulls). The
pydantic models of `cooperation.engine.event_schema` check the same keys at run time, and
a test keeps the two from drifting apart. Nothing here costs anything at run time:
reading a status imports this module, so it imports no pydantic.

Code that has matched an event's kind reads its data through `payload(event, kind)`, so
that a misspelt key is a type error, not a `KeyError` in production.

No `from __future__ import annotations` here: on Python 3.11 it would hide `NotRequired`
from the TypedDicts' run-time `__required_keys__`, which tools and the tests read.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict, get_args, overload

from cooperation.vocabulary import BodyKind, Community, TlpLabel

if TYPE_CHECKING:
    from cooperation.engine.events import Event

EventKind = Literal[
    "initiative_created",
    "participant_joined",
    "participant_left",
    "meeting_held",
    "evidence_recorded",
    "attestation_given",
    "condition_waived",
    "score_set",
    "output_published",
    "stage_advanced",
    "stage_regressed",
    "escalated",
    "trust_breached",
    "handed_off",
    # corrections (issue 15): an event that corrects earlier ones; the log stays append-only
    "fact_withdrawn",
    "role_changed",
    "initiative_renamed",
    "initiative_closed",
    # workflows pinned in the registry (issue 15)
    "workflow_changed",
    "outreach_done",
    # permissions-14: bound identities
    "account_bound",
    # issue 17: a transition the workflow took by itself when a condition lapsed (recorded by the engine)
    "stage_lapsed",
]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)

# The events that move an initiative (one per kind of move: `engine.moves.EVENT_KIND_OF_MOVE`).
MoveEventKind = Literal["stage_advanced", "stage_regressed", "escalated", "handed_off", "stage_lapsed"]

# The facts anyone records with `Registry.record`; creation and moves have their own methods.
RecordableKind = Literal[
    "participant_joined",
    "participant_left",
    "meeting_held",
    "evidence_recorded",
    "attestation_given",
    "condition_waived",
    "score_set",
    "output_published",
    "trust_breached",
    "fact_withdrawn",
    "role_changed",
    "initiative_renamed",
    "initiative_closed",
    "outreach_done",
    # permissions-14: bound identities
    "account_bound",
]
RECORDABLE_KINDS: tuple[RecordableKind, ...] = get_args(RecordableKind)


# --- the data of each kind --------------------------------------------------------------------


class InitiativeCreatedData(TypedDict):
    name: str
    workflow: str  # the workflow's id (before workflows were pinned: a built-in id, or a file's path)
    workflow_hash: NotRequired[str]  # the stored version it is pinned to (`definition.pinned`)


class ParticipantJoinedData(TypedDict):
    name: str
    community: Community
    organisation: NotRequired[str | None]
    role: NotRequired[str]  # "member" when not given; a built-in role or one the workflow declares


class ParticipantLeftData(TypedDict):
    name: str


class MeetingHeldData(TypedDict):
    attendees: list[str]
    venue: NotRequired[str | None]
    neutral: NotRequired[bool]  # False when not given
    tlp: NotRequired[TlpLabel]  # the label of its free text; TLP:AMBER when not given


class EvidenceRecordedData(TypedDict):
    condition: str
    text: str
    link: NotRequired[str | None]
    tlp: NotRequired[TlpLabel]  # TLP:AMBER when not given


class AttestationGivenData(TypedDict):
    condition: str


class ConditionWaivedData(TypedDict):
    condition: str
    rationale: str
    tlp: NotRequired[TlpLabel]  # the label of its free text; TLP:AMBER when not given


class ScoreSetData(TypedDict):
    parameter: str
    level: int


class OutputPublishedData(TypedDict):
    title: str
    link: NotRequired[str | None]
    tlp: NotRequired[TlpLabel]  # the label of its free text; TLP:AMBER when not given


StageAdvancedData = TypedDict("StageAdvancedData", {"from": str, "to": str})
StageRegressedData = TypedDict(
    "StageRegressedData", {"from": str, "to": str, "reason": str, "transition": NotRequired[str]}
)
EscalatedData = TypedDict("EscalatedData", {"from": str, "to": str, "reason": str, "transition": str})
# A lapse: the transition taken, the condition that stopped holding, and why (its detail then).
StageLapsedData = TypedDict(
    "StageLapsedData", {"from": str, "to": str, "transition": str, "condition": str, "reason": str}
)


class TrustBreachedData(TypedDict):
    description: str
    tlp: NotRequired[TlpLabel]  # the label of its free text; TLP:AMBER when not given


HandedOffData = TypedDict(
    "HandedOffData",
    {
        "body": str,
        "body_kind": BodyKind,
        "from": NotRequired[str],  # filled in when the move is admitted
        "to": NotRequired[str],
        "transition": NotRequired[str],
        "tlp": NotRequired[TlpLabel],  # the label of the body's name; TLP:AMBER when not given
    },
)

# --- corrections (issue 15) -------------------------------------------------------------------

# The kinds of fact a `fact_withdrawn` may name (by its seq): what a person asserted, and may take back.
WithdrawableKind = Literal["evidence_recorded", "attestation_given", "condition_waived"]
WITHDRAWABLE_KINDS: tuple[WithdrawableKind, ...] = get_args(WithdrawableKind)
CorrectionKind = Literal["fact_withdrawn", "role_changed", "initiative_renamed", "initiative_closed"]
CORRECTION_KINDS: tuple[CorrectionKind, ...] = get_args(CorrectionKind)
ClosedState = Literal["withdrawn", "archived"]  # withdrawn: it should never have been; archived: it is over


class FactWithdrawnData(TypedDict):
    seq: int  # the place in the log of the evidence, attestation or waiver withdrawn
    reason: str
    tlp: NotRequired[TlpLabel]  # the label of its free text; TLP:AMBER when not given


class RoleChangedData(TypedDict):
    name: str
    role: str  # a built-in role or one the workflow declares


class InitiativeRenamedData(TypedDict):
    name: NotRequired[str]  # the new name, if it changes
    alias: NotRequired[str]  # a new id it is found by (the stored id stays)


class InitiativeClosedData(TypedDict):
    state: ClosedState
    reason: str
    tlp: NotRequired[TlpLabel]  # the label of its free text; TLP:AMBER when not given


class WorkflowChangedData(TypedDict):
    workflow: str  # the id of the workflow it is judged by from now on
    workflow_hash: str  # the stored version of it
    from_workflow: str  # the workflow it was judged by until then
    from_hash: NotRequired[str]  # and its version (none for one never pinned)


class OutreachDoneData(TypedDict):
    community: Community  # the community approached
    venue: NotRequired[str | None]  # where: a meeting, a conference, a mailing list
    result: NotRequired[str | None]  # what came of it
    tlp: NotRequired[TlpLabel]  # the label of its free text; TLP:AMBER when not given


# permissions-14: bound identities


class AccountBoundData(TypedDict):
    account: str  # the store account (database login, or operating-system user) the participant writes from
    participant: str


EventData = (
    InitiativeCreatedData
    | ParticipantJoinedData
    | ParticipantLeftData
    | MeetingHeldData
    | EvidenceRecordedData
    | AttestationGivenData
    | ConditionWaivedData
    | ScoreSetData
    | OutputPublishedData
    | StageAdvancedData
    | StageRegressedData
    | EscalatedData
    | TrustBreachedData
    | HandedOffData
    | FactWithdrawnData
    | RoleChangedData
    | InitiativeRenamedData
    | InitiativeClosedData
    | WorkflowChangedData
    | OutreachDoneData
    | AccountBoundData
    | StageLapsedData
)

# What a reader may find in the data of any move, as stored: `from` and `to` (a hand-off given
# without them has them filled in when it is admitted), and the keys of some kinds of move.
MoveData = TypedDict(
    "MoveData",
    {
        "from": str,
        "to": str,
        "transition": NotRequired[str],  # every move but an advance, as stored
        "reason": NotRequired[str],  # a regression or an escalation
        "body": NotRequired[str],  # a hand-off
        "body_kind": NotRequired[BodyKind],
        "tlp": NotRequired[TlpLabel],  # a hand-off's own label
        "condition": NotRequired[str],  # a lapse: the condition that stopped holding
    },
)

# Each kind's TypedDict, in the order of EVENT_KINDS (for tests and tools that describe the format).
PAYLOAD_TYPES: Mapping[EventKind, type[Mapping[str, object]]] = dict(zip(EVENT_KINDS, get_args(EventData), strict=True))


# --- reading: the data of an event whose kind is known -----------------------------------------


@overload
def payload(event: "Event", kind: Literal["initiative_created"]) -> InitiativeCreatedData: ...
@overload
def payload(event: "Event", kind: Literal["participant_joined"]) -> ParticipantJoinedData: ...
@overload
def payload(event: "Event", kind: Literal["participant_left"]) -> ParticipantLeftData: ...
@overload
def payload(event: "Event", kind: Literal["meeting_held"]) -> MeetingHeldData: ...
@overload
def payload(event: "Event", kind: Literal["evidence_recorded"]) -> EvidenceRecordedData: ...
@overload
def payload(event: "Event", kind: Literal["attestation_given"]) -> AttestationGivenData: ...
@overload
def payload(event: "Event", kind: Literal["condition_waived"]) -> ConditionWaivedData: ...
@overload
def payload(event: "Event", kind: Literal["score_set"]) -> ScoreSetData: ...
@overload
def payload(event: "Event", kind: Literal["output_published"]) -> OutputPublishedData: ...
@overload
def payload(event: "Event", kind: Literal["stage_advanced"]) -> StageAdvancedData: ...
@overload
def payload(event: "Event", kind: Literal["stage_regressed"]) -> StageRegressedData: ...
@overload
def payload(event: "Event", kind: Literal["escalated"]) -> EscalatedData: ...
@overload
def payload(event: "Event", kind: Literal["trust_breached"]) -> TrustBreachedData: ...
@overload
def payload(event: "Event", kind: Literal["handed_off"]) -> HandedOffData: ...
@overload
def payload(event: "Event", kind: Literal["fact_withdrawn"]) -> FactWithdrawnData: ...
@overload
def payload(event: "Event", kind: Literal["role_changed"]) -> RoleChangedData: ...
@overload
def payload(event: "Event", kind: Literal["initiative_renamed"]) -> InitiativeRenamedData: ...
@overload
def payload(event: "Event", kind: Literal["initiative_closed"]) -> InitiativeClosedData: ...
@overload
def payload(event: "Event", kind: Literal["workflow_changed"]) -> WorkflowChangedData: ...
@overload
def payload(event: "Event", kind: Literal["outreach_done"]) -> OutreachDoneData: ...
@overload
def payload(event: "Event", kind: Literal["account_bound"]) -> AccountBoundData: ...
@overload
def payload(event: "Event", kind: Literal["stage_lapsed"]) -> StageLapsedData: ...
def payload(event: "Event", kind: EventKind) -> EventData:
    """The data of `event`, typed as that of `kind`: the caller has matched the event's kind.

    A view for the type checker only: it neither checks nor copies, so it may be used on
    any path. A kind that is not `event.kind` is a mistake of the caller's.
    """
    return event.data


def move_payload(event: "Event") -> MoveData:
    """The data of a move event (its kind is in `events.MOVE_KINDS`), whatever kind of move it is.

    Like `payload`, a view for the type checker only.
    """
    return event.data  # type: ignore[return-value]  # the caller has matched the kind
