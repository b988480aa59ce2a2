"""What verifying a workflow found: the findings, each with a witness log, and how much was explored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cooperation.engine.events import Event

FindingKind = Literal["unreachable-stage", "impossible-condition", "transition-never-fires", "dead-end"]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "impossible-condition",
    "unreachable-stage",
    "transition-never-fires",
    "dead-end",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One flaw, explained in words, with the event log that shows it."""

    kind: FindingKind
    subject: str  # the stage, condition or transition concerned
    message: str
    hint: str
    witness: tuple[Event, ...]  # the log that reaches the nearest point
    outcome: str  # what replaying the witness shows
    cause: str | None = None  # the subject of the finding this one follows from (None: it is a root cause)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "hint": self.hint,
            "outcome": self.outcome,
            "cause": self.cause,
            "witness": [event.to_json() for event in self.witness],
        }


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What verifying one workflow found, and how much was explored to find it."""

    workflow: str
    version: str
    source: str
    findings: tuple[Finding, ...]
    reachable: tuple[str, ...]  # stages, in workflow order
    moves_tried: int  # witnesses replayed for moves
    walks: int
    steps: int  # events and moves the random walks attempted
    seed: int
    notes: tuple[str, ...] = ()  # where the random walks corrected the analysis
    stage_witnesses: dict[str, tuple[Event, ...]] = field(default_factory=dict)  # reachable stage -> a log reaching it

    @property
    def clean(self) -> bool:
        return not self.findings

    def by_cause(self) -> list[tuple[Finding, list[Finding]]]:
        """The findings grouped by root cause: each root first (in finding order), with the
        findings that follow from it, directly or through others."""
        by_subject: dict[str, Finding] = {}
        for finding in self.findings:
            by_subject.setdefault(finding.subject, finding)
        groups: dict[int, tuple[Finding, list[Finding]]] = {}
        for finding in self.findings:
            root, seen = finding, {finding.subject}
            while root.cause is not None and root.cause in by_subject and root.cause not in seen:
                seen.add(root.cause)
                root = by_subject[root.cause]
            group = groups.setdefault(id(root), (root, []))
            if finding is not root:
                group[1].append(finding)
        return sorted(groups.values(), key=lambda group: self.findings.index(group[0]))

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "version": self.version,
            "file": self.source,
            "clean": self.clean,
            "seed": self.seed,
            "explored": {
                "reachable_stages": list(self.reachable),
                "moves_tried": self.moves_tried,
                "random_walks": self.walks,
                "random_steps": self.steps,
            },
            "notes": list(self.notes),
            "findings": [finding.to_json() for finding in self.findings],
        }
