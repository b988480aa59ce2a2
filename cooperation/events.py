"""Events: the append-only facts an initiative is made of (public format v1).

One JSON object per line: `initiative`, `kind`, `at` (ISO 8601 date or datetime), `by`
(optional actor) and `data` (fields per kind). The pydantic models below validate an
event's shape once, when it is written or imported; reading back uses the light
`Event` record, so folding thousands of logs pays no validation cost.
"""

from __future__ import annotations

import json
import json.encoder
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints, TypeAdapter, ValidationError, create_model

from cooperation.errors import EventError
from cooperation.vocabulary import DEFAULT_TLP, BodyKind, Community, Role, TlpLabel

FORMAT_VERSION = 1

InitiativeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
# A name: one line, with something visible in it. Text: free text, no control characters but tab and newline.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=100_000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x08\x0b-\x1f\x7f]*$")]
ConditionId = Annotated[str, StringConstraints(min_length=1, max_length=64)]

MOVE_KINDS = frozenset({"stage_advanced", "stage_regressed", "escalated", "handed_off"})


# --- time ---------------------------------------------------------------------------------


_EXTENDED_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}.*)?$")


class MomentError(EventError, ValueError):
    """A date or datetime that cannot be read (a ValueError too, so pydantic reports it in place)."""


def parse_at(value: str | date | datetime) -> str:
    """Canonical text for a moment: 'YYYY-MM-DD' for a date, UTC 'YYYY-MM-DDTHH:MM:SSZ' for a datetime.

    Naive datetimes are taken as UTC; fractions of a second are dropped, so that the
    canonical forms sort as text in time order.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise MomentError(f"{value!r} is not a date: give an ISO 8601 date or datetime as text")
    text = value.strip()
    try:
        if not _EXTENDED_FORM.match(text):
            raise ValueError(text)  # e.g. the basic form 20190201, which Python reads as a datetime
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return parse_at(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        raise MomentError(
            f"'{value}' is not an ISO 8601 date (2019-02-01) or datetime (2019-02-01T09:30:00Z)"
        ) from None


@lru_cache(maxsize=65_536)  # logs share dates; parsing each once is much of a fold's cost
def moment(at: str) -> datetime:
    """The instant a canonical `at` stands for (a date means its start, in UTC)."""
    if len(at) == 10:
        return datetime.fromisoformat(at).replace(tzinfo=UTC)
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def cutoff(as_of: str | date | datetime) -> datetime:
    """The last instant that 'as of' includes: the end of the day for a date."""
    canonical = parse_at(as_of)
    if len(canonical) == 10:
        return moment(canonical) + timedelta(days=1) - timedelta(microseconds=1)
    return moment(canonical)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- the record every layer passes around ---------------------------------------------------


@dataclass(slots=True)  # not frozen: creating frozen ones costs a quarter of reading a registry
class Event:
    """One stored (or about to be stored) event; `seq` is its 1-based place in its log.

    Read-only by convention: the log it comes from is append-only.
    """

    initiative: str
    kind: str
    at: str
    data: dict[str, Any] = field(default_factory=dict)
    by: str | None = None
    seq: int = 0

    @property
    def moment(self) -> datetime:
        return moment(self.at)

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {"initiative": self.initiative, "kind": self.kind, "at": self.at}
        if self.by is not None:
            line["by"] = self.by
        line["data"] = self.data
        return line

    def to_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


def _unencodable(value: object) -> object:
    raise TypeError(f"event data must be JSON: {type(value).__name__} is not ({value!r})")


def _data_encoder() -> Callable[[Any], str]:
    """Compact, key-sorted JSON text without NaN, as every store writes it.

    JSONEncoder.encode builds a new C encoder on every call; building it once and
    calling it directly makes encoding a million small events about three times faster.
    """
    checked = json.JSONEncoder(
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_unencodable
    ).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return checked
    chunks = make(None, _unencodable, json.encoder.encode_basestring, None, ":", ",", True, False, False)

    def encode(data: Any) -> str:
        return "".join(chunks(data, 0))

    sample = {"b": [1, 2.5, None, True, {"z": "é\n\u2028"}], "a": ""}
    return encode if encode(sample) == checked(sample) else checked


encode_data = _data_encoder()  # event data as every store writes it


# --- validation models, one per kind --------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class InitiativeCreated(_Data):
    name: Name
    workflow: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ParticipantJoined(_Data):
    name: Name
    community: Community
    organisation: Name | None = None
    role: Role = "member"


class ParticipantLeft(_Data):
    name: Name


class MeetingHeld(_Data):
    attendees: list[Name] = Field(min_length=1)
    venue: Name | None = None
    neutral: bool = False


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


class ScoreSet(_Data):
    parameter: ConditionId
    level: int


class OutputPublished(_Data):
    title: Text
    link: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None


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


class TrustBreached(_Data):
    description: Text


class HandedOff(_Data):
    model_config = ConfigDict(populate_by_name=True)

    body: Name
    body_kind: BodyKind
    from_: Annotated[str | None, Field(alias="from")] = None
    to: str | None = None
    transition: str | None = None


DATA_MODELS: dict[str, type[_Data]] = {
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
}
EVENT_KINDS = tuple(DATA_MODELS)


def _check_at(value: object) -> str:
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


def events_json_schema() -> dict[str, Any]:
    schema = _event_line().json_schema(by_alias=True)
    schema["title"] = f"Cooperation event (format v{FORMAT_VERSION})"
    return schema


def validate_event(raw: object, *, where: str = "event") -> Event:
    """Check one event's shape (not yet its fit to its initiative); raise EventError naming every problem."""
    try:
        model = _event_line().validate_python(raw)
    except ValidationError as error:
        raise EventError(_describe_errors(error, where)) from None
    return _record(model)


def validate_event_line(line: str | bytes, *, where: str = "event") -> Event:
    """The same for one line of JSON, parsed and checked in one step (the import's hot path)."""
    try:
        model = _event_line().validate_json(line)
    except ValidationError as error:
        raise EventError(_describe_errors(error, where)) from None
    return _record(model)


def _record(model: Any) -> Event:
    data = model.data.model_dump(by_alias=True, exclude_none=True)
    if model.kind == "evidence_recorded":
        data.setdefault("tlp", DEFAULT_TLP)
    return Event(initiative=model.initiative, kind=model.kind, at=model.at, by=model.by, data=data)


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
        elif detail["type"] == "string_pattern_mismatch":
            message = "needs a visible character, and no control characters"
        elif detail["type"] == "extra_forbidden":
            message = "unknown field"
        elif detail["type"] == "value_error":
            message = str(detail["ctx"]["error"])
        lines.append(f"{where}: {path}: {message}")
    return "\n".join(lines)
