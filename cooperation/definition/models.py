"""The workflow file format, as pydantic models: what a valid definition may say.

These models check shape and types only. Cross-references (unknown ids, cycles,
unreachable stages) are checked by `cooperation.definition.loading` and `cooperation.definition.graph`,
which see the whole definition at once and can name every offender.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cooperation.vocabulary import BodyKind, Community, Role

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
Strength = Literal["required", "waivable", "advisory"]
TransitionKind = Literal["regress", "hand_off", "escalate"]

DEFAULT_ADVANCE_ROLES: list[Role] = ["owner", "secretariat"]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, defer_build=True  # built on first validation
    )


class Scale(_Strict):
    """The range a scored parameter takes, e.g. 0 to 4, with optional labels for levels."""

    min: int = 0
    max: int
    labels: dict[int, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min ({self.min}) must be below max ({self.max}); swap or correct them")
        outside = sorted(level for level in self.labels if not self.min <= level <= self.max)
        if outside:
            raise ValueError(f"labels for levels outside the scale {self.min}..{self.max}: {outside}")
        return self


class ParameterDefinition(_Strict):
    """A quantity participants score (trust, alignment, ...) on a declared scale."""

    id: Identifier
    title: Text
    description: str = ""
    scale: Scale


class _ConditionBase(_Strict):
    id: Identifier
    title: Text
    description: Text = Field(description="Why this matters, in the domain's words.")
    strength: Strength = Field(
        default="required",
        description="required blocks; waivable blocks unless waived with a rationale; advisory never blocks.",
    )
    requires: list[Identifier] = Field(default_factory=list, description="Conditions that must be met first.")
    waiver_min_rationale: int | None = Field(
        default=None, ge=1, description="Minimum rationale length for a waiver; defaults to the workflow's."
    )


class EvidenceCondition(_ConditionBase):
    """Met when at least `min_items` pieces of evidence are recorded for it."""

    kind: Literal["evidence"]
    min_items: int = Field(default=1, ge=1)


class AttestationCondition(_ConditionBase):
    """Met when enough current participants, from enough communities, attest to it."""

    kind: Literal["attestation"]
    min_participants: int = Field(ge=1)
    min_communities: int = Field(default=1, ge=1)


class MeetingsCondition(_ConditionBase):
    """Met when at least `min_meetings` meetings were held over at least `min_span_days`."""

    kind: Literal["meetings"]
    min_meetings: int = Field(ge=1)
    min_span_days: int = Field(default=0, ge=0)
    neutral_only: bool = Field(default=False, description="Count only meetings held at a neutral venue.")


class ParticipationCondition(_ConditionBase):
    """Met when enough active participants from enough communities take part."""

    kind: Literal["participation"]
    min_participants: int = Field(default=1, ge=1)
    min_communities: int = Field(default=1, ge=1)
    required_communities: list[Community] = Field(default_factory=list)


class ScoreCondition(_ConditionBase):
    """Met when a scored parameter stands at or above a level of its scale."""

    kind: Literal["score"]
    parameter: Identifier
    at_least: int


class HeldCondition(_ConditionBase):
    """Met when another condition has been met without a break for at least `days`."""

    kind: Literal["held"]
    condition: Identifier
    days: int = Field(ge=1)


class ExpiringCondition(_ConditionBase):
    """Met when another condition is met on facts recorded within the last `days` only."""

    kind: Literal["expiring"]
    condition: Identifier
    days: int = Field(ge=1)


class AllCondition(_ConditionBase):
    """Met when every listed condition is met."""

    kind: Literal["all"]
    of: list[Identifier] = Field(min_length=2)


class AnyCondition(_ConditionBase):
    """Met when at least one listed condition is met."""

    kind: Literal["any"]
    of: list[Identifier] = Field(min_length=2)


ConditionDefinition = Annotated[
    Union[
        EvidenceCondition,
        AttestationCondition,
        MeetingsCondition,
        ParticipationCondition,
        ScoreCondition,
        HeldCondition,
        ExpiringCondition,
        AllCondition,
        AnyCondition,
    ],
    Field(discriminator="kind"),
]
CONDITION_KINDS = ("evidence", "attestation", "meetings", "participation", "score", "held", "expiring", "all", "any")


class StageDefinition(_Strict):
    """A stage of maturity. Ladder stages are reached by advancing, in the order listed."""

    id: Identifier
    title: Text
    description: str = ""
    requires: list[Identifier] = Field(default_factory=list)
    ladder: bool = Field(
        default=True,
        description="On the advancing ladder; false for stages reached only by a transition (hand-off, regulation).",
    )
    terminal: bool = Field(default=False, description="An end: nothing leaves it, and that is intended.")
    advance_roles: list[Role] | None = Field(
        default=None, description="Roles that may advance into this stage; defaults to the workflow's."
    )


class TransitionDefinition(_Strict):
    """A move other than advancing: regress, hand off to an outside body, or escalate."""

    id: Identifier
    kind: TransitionKind
    title: Text
    description: str = ""
    from_: list[Identifier] = Field(alias="from", min_length=1)
    to: Identifier
    roles: list[Role] | None = Field(default=None, description="Roles that may trigger it; defaults to the workflow's.")
    requires: list[Identifier] = Field(default_factory=list)
    on_event: Literal["trust_breached"] | None = Field(
        default=None, description="Taken automatically when this kind of event is recorded."
    )
    body_kinds: list[BodyKind] = Field(
        default_factory=list, description="For hand_off: the kinds of outside body it may go to."
    )


class WorkflowDefinition(_Strict):
    """A whole workflow: stages, the conditions that gate them, and the moves between them."""

    model_config = ConfigDict(title="Cooperation workflow")

    id: Identifier
    version: Text
    title: Text
    description: Text
    advance_roles: list[Role] = Field(default_factory=lambda: list(DEFAULT_ADVANCE_ROLES))
    waiver_min_rationale: int = Field(default=40, ge=1)
    parameters: list[ParameterDefinition] = Field(default_factory=list)
    stages: list[StageDefinition] = Field(min_length=1)
    conditions: list[ConditionDefinition] = Field(default_factory=list)
    transitions: list[TransitionDefinition] = Field(default_factory=list)
