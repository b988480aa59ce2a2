"""What a report says, gathered once and rendered as Markdown, JSON or HTML.

Everything here has already been filtered for the report's audience (and pseudonymised
when asked): renderers only lay it out. Withheld text is absent, never hidden: a field
that was withheld is `None` and named in `withheld`, or counted in `withheld_evidence`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from cooperation.engine.who import Who, with_names

REPORT_FORMAT = "coop-report"
REPORT_FORMAT_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GraphNode(_Model):
    """A stage, condition or transition of a workflow's prerequisite graph."""

    id: str  # "stage:trust", "condition:time", "transition:hand-off"
    kind: Literal["stage", "condition", "transition"]
    name: str  # the workflow's id for it
    title: str
    strength: str | None = None  # conditions only
    ladder: bool = False  # stages only


class GraphEdge(_Model):
    """`source` is needed by `target` (the graph's "requires", "follows" or "composes", read backwards),
    or, for "leads to", a move with prerequisites of its own takes an initiative to the stage `target`."""

    source: str
    target: str
    relation: str


class StageInfo(_Model):
    id: str
    title: str
    ladder: bool
    terminal: bool


class ConditionInfo(_Model):
    id: str
    title: str
    kind: str
    strength: str


class WorkflowPicture(_Model):
    """A workflow's stages and its prerequisite graph, as data and as Mermaid and DOT text."""

    id: str
    version: str
    title: str
    stages: list[StageInfo]
    ladder: list[str]
    conditions: list[ConditionInfo]
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    mermaid: str
    dot: str


class ConditionLine(_Model):
    """One condition's state, as the audience may see it."""

    condition: str
    title: str
    kind: str
    strength: str
    met: bool
    waived: bool
    blocking: bool
    detail: str
    progress: float
    for_next_stage: bool  # a prerequisite of the next stage
    who: Who | None = None  # for a condition that counts people: who does and who could still, by name

    @property
    def described(self) -> str:
        """The detail, then who it counts (as renderers show it)."""
        return with_names(self.detail, self.who)


class UnmetLine(_Model):
    condition: str
    title: str
    detail: str
    blocking: bool
    strength: str
    who: Who | None = None  # as in `ConditionLine`

    @property
    def described(self) -> str:
        """The detail, then who it counts (as renderers show it)."""
        return with_names(self.detail, self.who)


class PathStep(_Model):
    """A stage the initiative entered: at creation, by advancing, regressing, escalating or handing off."""

    at: str
    move: str  # created, advanced, regressed, escalated, handed off
    stage: str
    stage_title: str
    source: str | None
    by: str | None
    note: str | None  # the reason, or the receiving body; None when withheld or absent
    withheld: list[str]


class EvidenceItem(_Model):
    condition: str
    at: str
    by: str | None
    tlp: str
    text: str
    link: str | None


class WithheldCount(_Model):
    """Evidence the audience may not see: only how many items, for which condition, under which label."""

    condition: str
    tlp: str
    count: int


class ParticipantLine(_Model):
    name: str
    community: str
    role: str
    organisation: str | None
    joined: str
    active: bool


class CommunityCoverage(_Model):
    """Which stakeholder communities take part (active, not only observing) and which are missing."""

    present: list[str]
    observing_only: list[str]
    missing: list[str]

    def state(self, community: str) -> Literal["present", "observing", "absent"]:
        """How one community takes part, as the coverage tables show it."""
        if community in self.present:
            return "present"
        return "observing" if community in self.observing_only else "absent"


class MeetingLine(_Model):
    at: str
    attendees: list[str]
    neutral: bool
    venue: str | None
    withheld: list[str]


class OutputLine(_Model):
    at: str
    title: str | None
    link: str | None
    withheld: list[str]


class BreachLine(_Model):
    at: str
    description: str | None
    withheld: list[str]


class OutreachLine(_Model):
    """One approach to a stakeholder community: when, by whom, where, with what result."""

    at: str
    community: str
    by: str | None
    venue: str | None
    result: str | None
    withheld: list[str]


class HistoryLine(_Model):
    """One event of the log, with the fields the audience may not see left out and named."""

    seq: int
    at: str
    kind: str
    by: str | None
    data: dict[str, Any]
    withheld: list[str]
    recorded_at: str | None = None  # when the registry recorded it (UTC)
    recorded_by: str | None = None  # the account that wrote it; left out of anonymised reports

    def recorded(self) -> str:
        """When, and by which account, the registry recorded the event (empty for an unknown moment)."""
        if self.recorded_at is None:
            return ""
        return self.recorded_at + (f" by {self.recorded_by}" if self.recorded_by else "")


class HandOff(_Model):
    body: str | None
    body_kind: str
    at: str
    withheld: list[str]


class InitiativeReport(_Model):
    """Everything the report says about one initiative."""

    initiative: str
    name: str
    workflow: str
    stage: str
    stage_title: str
    stage_since: str | None
    days_in_stage: int | None
    next: str | None
    next_title: str | None
    can_advance: bool
    terminal: bool
    at_risk: bool
    at_risk_conditions: list[str]
    handed_off: HandOff | None
    unmet: list[UnmetLine]
    conditions: list[ConditionLine]
    stage_entered: dict[str, str]  # ladder stage -> when the initiative last entered it
    path: list[PathStep]
    evidence: list[EvidenceItem]
    withheld_evidence: list[WithheldCount]
    participants: list[ParticipantLine]
    communities: CommunityCoverage
    meetings: list[MeetingLine]
    outputs: list[OutputLine]
    breaches: list[BreachLine]
    history: list[HistoryLine]
    outreach: list[OutreachLine] = []  # every approach to a community, in time order

    @property
    def blockers(self) -> list[UnmetLine]:
        return [item for item in self.unmet if item.blocking]

    def absent_outreach(self) -> list[tuple[str, list[OutreachLine]]]:
        """Each community that takes no part, with the outreach done to it (none: an empty list)."""
        return [
            (community, [line for line in self.outreach if line.community == community])
            for community in self.communities.missing
        ]


class BlockerCount(_Model):
    """A prerequisite and the initiatives whose next move it blocks."""

    workflow: str
    condition: str
    title: str
    initiatives: list[str]


class UnreadableEntry(_Model):
    """An initiative the report could not show (its workflow no longer loads, say), with why."""

    initiative: str
    error: str


class Report(_Model):
    """A portfolio report: one or more initiatives as of one moment, for one audience."""

    format: str = REPORT_FORMAT
    format_version: int = REPORT_FORMAT_VERSION
    title: str
    audience: str
    anonymised: bool
    as_of: str
    communities: list[str]  # every stakeholder community, in the vocabulary's order
    workflows: list[WorkflowPicture]
    initiatives: list[InitiativeReport]
    top_blockers: list[BlockerCount]
    unreadable: list[UnreadableEntry] = []  # shown as such, so that one broken initiative hides no other
    head: str | None = None  # the registry's chain head (HASH@POSITION) the report was made from: `coop audit --expect`

    def workflow(self, workflow_id: str) -> WorkflowPicture:
        return next(picture for picture in self.workflows if picture.id == workflow_id)
