"""The shape of each kind of event, as pydantic models: format v1's schema and its checks.

Loaded only when events are written, imported or described: folding a stored log never
needs it.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal, Union, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    create_model,
)

from cooperation.engine.canonical import canonical_at
from cooperation.engine.events import FORMAT_VERSION, Event, parse_at
from cooperation.engine.payloads import EVENT_KINDS, ClosedState, EventKind
from cooperation.errors import EventError
from cooperation.vocabulary import DEFAULT_TLP, ROLES, BodyKind, Community, TlpLabel

InitiativeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
# A name: one line, with something visible in it. Text: free text, no control characters but tab and newline.
_NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
_TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x08\x0b-\x1f\x7f]*$"
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NAME_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=100_000, pattern=_TEXT_PATTERN)]
ConditionId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# A role: one of the four built in or one the initiative's workflow declares. Only its shape is
# checked here; whether the workflow has it is checked at admission (`cooperation.engine.roles`).
RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]


# --- validation models, one per kind --------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


WorkflowHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]  # sha256 of the stored text


class InitiativeCreated(_Data):
    name: Name
    workflow: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    workflow_hash: WorkflowHash | None = None  # the stored version it is pinned to


class ParticipantJoined(_Data):
    name: Name
    community: Community
    organisation: Name | None = None
    role: RoleName = "member"


class ParticipantLeft(_Data):
    name: Name


class MeetingHeld(_Data):
    attendees: list[Name] = Field(min_length=1)
    venue: Name | None = None
    neutral: bool = False
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


class EvidenceRecorded(_Data):
    condition: ConditionId
    text: Text
    link: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None
    tlp: TlpLabel = DEFAULT_TLP


class AttestationGiven(_Data):
    condition: ConditionId


class ConditionWaived(_Data):
    condition: ConditionId
    rationale: Text
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


class ScoreSet(_Data):
    parameter: ConditionId
    level: int


class OutputPublished(_Data):
    title: Text
    link: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


class _Move(_Data):
    model_config = ConfigDict(populate_by_name=True)

    from_: Annotated[str, Field(alias="from", min_length=1)]
    to: Annotated[str, Field(min_length=1)]


class StageAdvanced(_Move):
    pass


class StageRegressed(_Move):
    reason: Text
    transition: str | None = None


class Escalated(_Move):
    reason: Text
    transition: str


class StageLapsed(_Move):
    """Recorded by the engine (no actor): the transition taken when `condition` stopped holding."""

    transition: Annotated[str, Field(min_length=1)]
    condition: ConditionId
    reason: Text


class TrustBreached(_Data):
    description: Text
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


class HandedOff(_Data):
    model_config = ConfigDict(populate_by_name=True)

    body: Name
    body_kind: BodyKind
    from_: Annotated[str | None, Field(alias="from")] = None
    to: str | None = None
    transition: str | None = None
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


# --- corrections (issue 15) -----------------------------------------------------------------


class FactWithdrawn(_Data):
    seq: Annotated[int, Field(ge=1)]
    reason: Text
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


class RoleChanged(_Data):
    name: Name
    role: RoleName


class InitiativeRenamed(_Data):
    name: Name | None = None
    alias: InitiativeId | None = None


class InitiativeClosed(_Data):
    state: ClosedState
    reason: Text
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


class WorkflowChanged(_Data):
    workflow: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length=64)]
    workflow_hash: WorkflowHash
    from_workflow: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    from_hash: WorkflowHash | None = None


class OutreachDone(_Data):
    community: Community
    venue: Name | None = None
    result: Text | None = None
    tlp: TlpLabel | None = None  # the label of its free text; TLP:AMBER when not given


class AccountBound(_Data):  # permissions-14: bound identities
    account: Name
    participant: Name


DATA_MODELS: dict[EventKind, type[_Data]] = {
    "initiative_created": InitiativeCreated,
    "participant_joined": ParticipantJoined,
    "participant_left": ParticipantLeft,
    "meeting_held": MeetingHeld,
    "evidence_recorded": EvidenceRecorded,
    "attestation_given": AttestationGiven,
    "condition_waived": ConditionWaived,
    "score_set": ScoreSet,
    "output_published": OutputPublished,
    "stage_advanced": StageAdvanced,
    "stage_regressed": StageRegressed,
    "escalated": Escalated,
    "trust_breached": TrustBreached,
    "handed_off": HandedOff,
    "fact_withdrawn": FactWithdrawn,
    "role_changed": RoleChanged,
    "initiative_renamed": InitiativeRenamed,
    "initiative_closed": InitiativeClosed,
    "workflow_changed": WorkflowChanged,
    "outreach_done": OutreachDone,
    "account_bound": AccountBound,
    "stage_lapsed": StageLapsed,
}


def _check_at(value: object) -> str:
    canonical = canonical_at(value)  # most moments are written canonically already
    if canonical is not None:
        return canonical
    if not isinstance(value, str | date):
        raise ValueError("'at' must be an ISO 8601 date or datetime, as text")
    return parse_at(value)


def _envelope(event_kind: str, data_model: type[_Data]) -> type[BaseModel]:
    """The model of a whole event line of one kind."""
    return create_model(
        "".join(part.title() for part in event_kind.split("_")) + "Event",
        __config__=ConfigDict(extra="forbid", title=f"Event {event_kind}"),
        initiative=(InitiativeId, ...),
        kind=(Literal[event_kind], ...),  # type: ignore[arg-type]  # a Literal made at run time
        at=(Annotated[str, PlainValidator(_check_at), Field(description=_AT_DESCRIPTION)], ...),
        by=(Name | None, None),
        data=(data_model, ...),
    )


_AT_DESCRIPTION = "ISO 8601 date (2019-02-01) or datetime (2019-02-01T09:30:00Z)."


@lru_cache(maxsize=1)
def _event_line() -> TypeAdapter[Any]:
    """The validator of a whole event line, built on first use (commands that only read never pay)."""
    envelopes = tuple(_envelope(kind, model) for kind, model in DATA_MODELS.items())
    union: Any = Union[envelopes]  # noqa: UP007  # one member per kind, made at run time
    return TypeAdapter(Annotated[union, Field(discriminator="kind")])


def event_line_validator() -> Any:
    """pydantic-core's validator of a whole event line (for `engine.quick_lines`)."""
    return _event_line().validator


def events_json_schema() -> dict[str, Any]:
    schema = _event_line().json_schema(by_alias=True)
    schema["title"] = f"Cooperation event (format v{FORMAT_VERSION})"
    return schema


def validate_event(raw: object, *, where: str = "event") -> Event:
    """Check one event's shape (not yet its fit to its initiative); raise EventError naming every problem."""
    try:
        model = _event_line().validator.validate_python(raw)  # the core validator: no per-call wrapper
    except ValidationError as error:
        raise EventError(_describe_errors(error, where)) from None
    return stored_event(model, raw)


def validate_event_line(line: str | bytes, *, where: str = "event") -> Event:
    """The same for one line of JSON; a key given twice is refused, not silently overwritten."""
    try:
        raw = _decode(line if isinstance(line, str) else line.decode("utf-8"))
    except json.JSONDecodeError as error:
        raise EventError(f"{where}: line: not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise EventError(f"{where}: line: nested too deeply to be an event") from None
    except _DuplicateKey as duplicate:
        raise EventError(f"{where}: duplicate key '{duplicate.key}' (keep one of them)") from None
    return validate_event(raw, where=where)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        raise _DuplicateKey(next(key for key, _ in pairs if key in seen or seen.add(key)))  # type: ignore[func-returns-value]
    return result


def stored_event(model: Any, raw: Any) -> Event:
    """The event as stored: its data with defaults filled in and nulls left out.

    Validation is strict (nothing is coerced), so the data is taken from the input as
    given, which costs a fraction of dumping the model again; only `at` is made canonical.
    """
    kind = model.kind
    data: Any = {**_DEFAULTS[kind], **raw["data"]}  # the data of its kind: the model has just checked it
    if None in data.values():
        data = {key: value for key, value in data.items() if value is not None}
    for key in _LISTS[kind]:  # a copy: the caller's list may change after the event is recorded
        if key in data:
            data[key] = list(data[key])
    return Event(model.initiative, kind, model.at, data, model.by)


def _defaults(model: type[_Data]) -> dict[str, Any]:
    return {
        field.alias or name: field.default
        for name, field in model.model_fields.items()
        if not field.is_required() and field.default is not None
    }


def _lists(model: type[_Data]) -> tuple[str, ...]:
    return tuple(
        field.alias or name for name, field in model.model_fields.items() if get_origin(field.annotation) is list
    )


_LISTS = {kind: _lists(model) for kind, model in DATA_MODELS.items()}
_DEFAULTS = {kind: _defaults(model) for kind, model in DATA_MODELS.items()}


def _describe_errors(error: ValidationError, where: str) -> str:
    lines = []
    for detail in error.errors(include_url=False):
        loc = [str(part) for part in detail["loc"]]
        if len(loc) > 1 and loc[0] in EVENT_KINDS:
            loc = loc[1:]  # the discriminator tag pydantic puts first
        path = ".".join(loc) or "event"
        message = detail["msg"]
        if detail["type"] == "json_invalid":
            message = f"not valid JSON ({detail['ctx']['error']})"
            path = "line"
        elif detail["type"] == "union_tag_invalid":
            message = f"unknown event kind '{detail['ctx']['tag']}' (use one of: {', '.join(EVENT_KINDS)})"
            path = "kind"
        elif detail["type"] == "union_tag_not_found":
            message = f"missing 'kind' (use one of: {', '.join(EVENT_KINDS)})"
            path = "kind"
        elif detail["type"] == "literal_error":
            message = f"{detail['input']!r} is not allowed; use one of: {detail['ctx']['expected']}"
        elif detail["type"] == "string_pattern_mismatch" and path == "initiative":
            message = f"{detail['input']!r} is not a valid initiative id: use letters, digits, '.', '_' and '-'"
        elif detail["type"] == "string_pattern_mismatch" and path == "data.role":
            message = (
                f"{detail['input']!r} is not a role: a role is one of {', '.join(ROLES)} or one the workflow "
                "declares, in lower-case letters, digits and single hyphens"
            )
        elif detail["type"] == "string_pattern_mismatch":
            message = "needs a visible character, and no control characters"
        elif detail["type"] == "extra_forbidden":
            message = "unknown field"
        elif detail["type"] == "value_error":
            message = str(detail["ctx"]["error"])
        lines.append(f"{where}: {path}: {message}")
    return "\n".join(lines)


assert tuple(DATA_MODELS) == EVENT_KINDS, "every event kind has its model"


_DECODER = json.JSONDecoder(object_pairs_hook=_without_duplicate_keys)  # built once: it is per line otherwise
_scan = _DECODER.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__, not in the stubs


def _decode(line: str) -> Any:
    """`_DECODER.decode`, with its two whitespace regexes skipped for a line that is one JSON value."""
    text = line.strip(" \t\n\r")  # JSON's own whitespace, no other
    try:
        value, end = _scan(text, 0)
    except (StopIteration, json.JSONDecodeError):
        end = -1
    if end != len(text):
        return _DECODER.decode(line)  # raises, with the message and column of the problem
    return value
