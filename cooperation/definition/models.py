"""The workflow file format, as pydantic models: what a valid definition may say.

These models check shape and types only. The models of conditions are generated from the
kinds' settings (`cooperation.engine.conditions`), one per kind. Cross-references (unknown ids, cycles,
unreachable stages) are checked by `cooperation.definition.loading` and `cooperation.definition.graph`,
which see the whole definition at once and can name every offender.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator
from pydantic_core import PydanticUndefined

from cooperation.definition.periods import period_fields_of, schema_rules
from cooperation.engine.conditions.base import (
    MAX_LEVEL,
    AtLeast,
    AtMost,
    ConditionKind,
    Description,
    Keyed,
    MinItems,
    Reference,
)
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.payloads import RecordableKind
from cooperation.vocabulary import BodyKind

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
Level = Annotated[int, Field(ge=-MAX_LEVEL, le=MAX_LEVEL)]
RoleId = Identifier  # a built-in role (owner, secretariat, member, observer) or one the workflow declares
RationaleLength = Annotated[int, Field(ge=1, le=10_000)]  # a rationale is Text: at most 10,000 characters
Strength = Literal["required", "waivable", "advisory"]
TransitionKind = Literal["regress", "hand_off", "escalate"]

DEFAULT_ADVANCE_ROLES: list[RoleId] = ["owner", "secretariat"]
# The kinds of fact a workflow's `permissions:` may narrow (moves have their own roles; creation is anyone's).
NarrowableKind = Literal[
    "participant_joined",
    "participant_left",
    "meeting_held",
    "evidence_recorded",
    "attestation_given",
    "condition_waived",
    "score_set",
    "output_published",
    "trust_breached",
    "account_bound",
]
# The kinds of event on which a transition may be taken by itself (`on_event`); `on_roles` applies to
# the three about a participant (`cooperation.engine.triggers`).
TriggerKind = Literal["trust_breached", "participant_joined", "participant_left", "role_changed"]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        populate_by_name=True,
        defer_build=True,  # built on first validation
    )


class Scale(_Strict):
    """The range a scored parameter takes, e.g. 0 to 4, with optional labels for levels."""

    min: Level = 0
    max: Level
    labels: dict[Level, Text] = Field(default_factory=dict)

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


class ConditionBase(_Strict):
    """What every condition says, whatever its kind; each kind adds its own fields (see `condition_model`)."""

    id: Identifier
    title: Text
    description: Text = Field(description="Why this matters, in the domain's words.")
    strength: Strength = Field(
        default="required",
        description="required blocks; waivable blocks unless waived with a rationale; advisory never blocks.",
    )
    requires: list[Identifier] = Field(default_factory=list, description="Conditions that must be met first.")
    waiver_min_rationale: RationaleLength | None = Field(
        default=None, description="Minimum rationale length for a waiver; defaults to the workflow's."
    )
    if TYPE_CHECKING:  # each kind's model declares it as the literal of its name
        kind: str


def condition_model(kind: ConditionKind[Any, Any]) -> type[ConditionBase]:
    """The model of a kind's conditions in a workflow file: the common fields, `kind`, then its settings.

    The settings' fields are compiled as tuples but written as lists, and their markers
    (`cooperation.engine.conditions.base`) become pydantic's constraints.
    """
    hints = get_type_hints(kind.settings, include_extras=True)
    defaults = kind.settings._field_defaults
    fields: dict[str, Any] = {"kind": (Literal.__getitem__(kind.name), ...)}
    periods = period_fields_of(kind.settings)
    for name in kind.settings._fields:
        if name in periods:  # a span of time: two fields, days or an ISO 8601 duration
            fields.update(periods[name].fields)
        else:
            fields[name] = _field(hints[name], defaults.get(name, PydanticUndefined))
    base: type[ConditionBase] = ConditionBase
    if periods:  # say in the JSON Schema how many of each period's two fields to give

        class WithPeriods(ConditionBase):
            model_config = ConfigDict(json_schema_extra=schema_rules(periods))

        base = WithPeriods
    model: type[ConditionBase] = create_model(
        kind.model_name,
        __base__=base,
        __module__=__name__,
        __doc__=type(kind).__doc__,
        __validators__={f"_{name}_period": period.validator for name, period in periods.items()},
        **fields,
    )
    return model


def _field(annotation: Any, default: Any) -> tuple[Any, Any]:
    written, options = _written(annotation)
    if options.pop("keyed", False):  # pairs, written as a mapping
        key, value = get_args(get_args(written)[0])
        value_type, value_options = _written(value)
        return dict[key, Annotated[value_type, Field(**value_options)]], Field(default_factory=dict, **options)  # type: ignore[valid-type]
    if get_origin(written) is tuple:  # a list in the file
        written = list[_written(get_args(written)[0])[0]]  # type: ignore[misc]
        if default == ():
            return written, Field(default_factory=list, **options)
    return written, Field(default, **options)


def _written(annotation: Any) -> tuple[Any, dict[str, Any]]:
    """The type a setting is written as, and the constraints its markers put on it."""
    if get_origin(annotation) is not Annotated:
        return annotation, {}
    written, *marks = get_args(annotation)
    options: dict[str, Any] = {}
    for mark in marks:
        if isinstance(mark, Reference):
            written = Identifier
        elif isinstance(mark, AtLeast):
            options["ge"] = mark.minimum
        elif isinstance(mark, AtMost):
            options["le"] = mark.maximum
        elif isinstance(mark, MinItems):
            options["min_length"] = mark.count
        elif isinstance(mark, Keyed):
            options["keyed"] = True
        elif isinstance(mark, Description):
            options["description"] = mark.text
    return written, options


# One model per kind, in the table's order, each also a name of this module so that pickle finds it.
CONDITION_MODELS: dict[str, type[ConditionBase]] = {name: condition_model(kind) for name, kind in KINDS.items()}
globals().update({model.__name__: model for model in CONDITION_MODELS.values()})
CONDITION_KINDS = tuple(KINDS)

if TYPE_CHECKING:
    ConditionDefinition = ConditionBase
else:
    _ONE_OF_THE_KINDS = Union[tuple(CONDITION_MODELS.values())]  # noqa: UP007 (built at run time from the table)
    ConditionDefinition = Annotated[_ONE_OF_THE_KINDS, Field(discriminator="kind")]


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
    advance_roles: list[RoleId] | None = Field(
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
    roles: list[RoleId] | None = Field(
        default=None, description="Roles that may trigger it; defaults to the workflow's."
    )
    requires: list[Identifier] = Field(default_factory=list)
    on_event: TriggerKind | None = Field(
        default=None, description="Taken automatically when this kind of event is recorded."
    )
    on_roles: list[RoleId] = Field(
        default_factory=list,
        description="With on_event about a participant (joined, left, role changed): only when that participant "
        "held one of these roles (joined with it; held it when leaving or before the change).",
    )
    on_lapse: Identifier | None = Field(
        default=None,
        description="Taken automatically, with no new event, the moment this condition (an expiring window, "
        "a held span) stops holding while the initiative is in one of the 'from' stages.",
    )
    body_kinds: list[BodyKind] = Field(
        default_factory=list, description="For hand_off: the kinds of outside body it may go to."
    )


class RoleDefinition(_Strict):
    """A role of the workflow's own, beside the four built in, and the kinds of fact its holders may record."""

    id: RoleId
    title: Text | None = None
    description: str = ""
    may: list[RecordableKind] = Field(
        default_factory=list, description="The kinds of fact participants in this role may record."
    )


class WorkflowDefinition(_Strict):
    """A whole workflow: stages, the conditions that gate them, and the moves between them."""

    model_config = ConfigDict(title="Cooperation workflow")

    id: Identifier
    version: Text
    title: Text
    description: Text
    advance_roles: list[RoleId] = Field(default_factory=lambda: list(DEFAULT_ADVANCE_ROLES))
    waiver_min_rationale: RationaleLength = 40
    parameters: list[ParameterDefinition] = Field(default_factory=list)
    stages: list[StageDefinition] = Field(min_length=1)
    conditions: list[ConditionDefinition] = Field(default_factory=list)
    transitions: list[TransitionDefinition] = Field(default_factory=list)
    roles: list[RoleDefinition] = Field(
        default_factory=list,
        description="Roles of this workflow's own, added to owner, secretariat, member and observer.",
    )
    permissions: dict[NarrowableKind, list[RoleId]] = Field(
        default_factory=dict,
        description="Who may record each kind of fact, narrowing the defaults (never widening them): "
        "event kind -> roles. Moves take their roles from stages and transitions.",
    )
