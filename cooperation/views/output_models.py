"""The shapes of coop's JSON outputs, as pydantic models from which their JSON Schemas are made.

The outputs themselves are written by hand for speed (`views/status_json.py`) or from other
records; these models only describe them, for `coop schema status|history` and for tools
that read the outputs. Every object forbids keys it does not list, so that the tests, which
validate real outputs against the shipped schemas, fail when an output gains a field the
schema does not describe.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConditionOutput(_Output):
    """One condition's result."""

    condition: str
    title: str
    kind: str
    strength: str = Field(description="blocking, advisory or informational")
    met: bool
    waived: bool
    blocking: bool = Field(description="Whether, unmet, it stops the next move")
    detail: str
    progress: float = Field(ge=0, le=1)
    lapses_on: str | None = Field(description="When a met condition stops holding, if nothing new is recorded")


class HandOffOutput(_Output):
    """To whom a handed-off initiative went."""

    body: str
    body_kind: str
    at: str


class WhoOutput(_Output):
    """The people a condition counts, by name (a single initiative's status only)."""

    kind: str = Field(description="The kind that counts them: attestation or participation")
    names: list[str] = Field(description="Those it counts, sorted")
    could_still: list[str] = Field(description="Current participants who could count but do not, sorted")


class InvalidMoveOutput(_Output):
    """A move in the log that did not fit when it was made, and is not honoured."""

    seq: int = Field(ge=1)
    kind: str
    at: str
    why: str


class ClosedOutput(_Output):
    """How and when an initiative was closed."""

    state: str = Field(description="withdrawn or archived")
    at: str


class LapseOutput(_Output):
    """The move a workflow takes by itself when a condition lapses (`on_lapse`), if nothing more is recorded."""

    on: str = Field(description="The date it lapses (YYYY-MM-DD)")
    at: str = Field(description="The instant it lapses (UTC)")
    transition: str = Field(description="The transition taken")
    to: str = Field(description="The stage it goes to")
    condition: str = Field(description="The condition that stops holding")


class StatusOutput(_Output):
    """Where an initiative stands (`coop status ID --json`; `--all --json` prints a list of these,
    with `{"initiative", "error"}` for one that cannot be read)."""

    initiative: str
    name: str
    workflow: str
    stage: str
    stage_title: str
    stage_since: str | None
    next: str | None
    can_advance: bool
    at_risk: bool
    at_risk_conditions: list[str]
    unmet: list[ConditionOutput] = Field(description="Unsatisfied prerequisites of the next stage, in working order")
    conditions: list[ConditionOutput]
    transitions: list[str]
    terminal: bool
    handed_off: HandOffOutput | None
    version: int = Field(ge=0, description="Events in the initiative's log")
    as_of: str
    lapses_on: str | None
    last_event: str | None
    aliases: list[str] | None = Field(description="Other ids it was given (`coop rename --alias`), or null")
    closed: ClosedOutput | None = Field(description="Set once withdrawn or archived")
    invalid_moves: list[InvalidMoveOutput] = Field(description="Moves in its log not honoured (forged, ...)")
    who: dict[str, WhoOutput] | None = Field(
        description="By condition, who it counts and who could still; null in a portfolio (`--all`)"
    )
    lapse: LapseOutput | None = Field(
        default=None, description="The move taken by itself when a condition lapses, if one is coming (`on_lapse`)"
    )


class UnreadableOutput(_Output):
    """An initiative whose status cannot be worked out, with why."""

    initiative: str
    error: str


class WithdrawnMark(_Output):
    """The correction that withdrew a fact."""

    by_event: int = Field(ge=1, description="The seq of the `fact_withdrawn` event")
    at: str
    by: str | None
    reason: str


class LateMark(_Output):
    """A fact recorded after a move dated later than the fact."""

    after_move: int = Field(ge=1, description="The seq of that move")
    move_at: str


class HistoryEntryOutput(_Output):
    """One event of `coop history ID --json`, in recorded order."""

    seq: int | None = Field(default=None, ge=1, description="The event's place in its log (left out when filtered)")
    initiative: str
    kind: str
    at: str
    by: str | None = None
    data: dict[str, Any]
    recorded_at: str | None = Field(default=None, description="When the registry recorded it (UTC); not filtered")
    recorded_by: str | None = Field(default=None, description="The account that recorded it; not filtered")
    withheld: list[str] | None = Field(default=None, description="Fields the audience may not see (filtered only)")
    withdrawn: WithdrawnMark | None = Field(default=None, description="Present when a correction withdrew it")
    late: LateMark | None = Field(default=None, description="Present when it was recorded after a later move")
    derived: bool | None = Field(
        default=None,
        description="True for a lapse reading applies that the log does not hold yet (`coop lapse` records it)",
    )


def status_json_schema() -> dict[str, Any]:
    """One status, or a list of statuses and unreadable entries (`--all`)."""
    one = StatusOutput.model_json_schema(ref_template="#/$defs/{model}")
    definitions = one.pop("$defs", {})
    definitions["StatusOutput"] = one
    definitions["UnreadableOutput"] = UnreadableOutput.model_json_schema()
    return {
        "title": "coop status --json",
        "$defs": definitions,
        "oneOf": [
            {"$ref": "#/$defs/StatusOutput"},
            {
                "type": "array",
                "items": {"anyOf": [{"$ref": "#/$defs/StatusOutput"}, {"$ref": "#/$defs/UnreadableOutput"}]},
            },
        ],
    }


def history_json_schema() -> dict[str, Any]:
    """`coop history ID --json`: the events in recorded order."""
    return {"title": "coop history --json", "type": "array", "items": HistoryEntryOutput.model_json_schema()}
