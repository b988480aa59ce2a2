"""One initiative's part of a report: its status, path, evidence, people and history, as one audience may see them.

Every text passes two gates here: the audience's TLP filter (`cooperation.reports.confidentiality`)
and, when asked, the pseudonyms (`cooperation.reports.pseudonyms`). Renderers never see what was withheld.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.events import MOVE_KINDS, Event
from cooperation.engine.facts import Facts, fold, time_ordered
from cooperation.engine.payloads import payload
from cooperation.engine.status import InitiativeStatus
from cooperation.engine.who import Who
from cooperation.reports.confidentiality import UNLABELLED_TEXT_LABEL, may_see
from cooperation.reports.model import (
    BreachLine,
    CommunityCoverage,
    ConditionLine,
    EvidenceItem,
    HandOff,
    HistoryLine,
    InitiativeReport,
    MeetingLine,
    OutputLine,
    ParticipantLine,
    PathStep,
    UnmetLine,
    WithheldCount,
)
from cooperation.reports.outreach import gather_outreach
from cooperation.reports.pseudonyms import Pseudonyms
from cooperation.reports.strings import map_strings, strings_in
from cooperation.vocabulary import COMMUNITIES, TlpLabel

# Event fields that hold a participant's name, an organisation, or a word of the
# vocabulary (never confidential); any other text field is free text.
_PERSON_FIELDS = frozenset({"name", "attendees"})
_ORGANISATION_FIELDS = frozenset({"organisation"})
_VOCABULARY_FIELDS = frozenset(
    {"community", "role", "tlp", "condition", "parameter", "level", "from", "to", "transition", "body_kind", "neutral"}
    | {"seq", "state"}  # of corrections: the place of the fact withdrawn; withdrawn or archived
)
_MOVE_WORDS = {
    "stage_advanced": "advanced",
    "stage_regressed": "regressed",
    "escalated": "escalated",
    "handed_off": "handed off",
    "stage_lapsed": "lapsed",  # taken by the workflow itself when a condition stopped holding
}


def moment_text(moment: datetime) -> str:
    """A date when the moment is a day's start (how dated events are stored), else UTC to the second."""
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0):
        return moment.date().isoformat()
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _status_moment(text: str | None) -> str | None:
    return moment_text(datetime.fromisoformat(text.replace("Z", "+00:00"))) if text else None


@dataclass
class InitiativeGatherer:
    """Builds one initiative's part of the report, applying the audience filter and pseudonyms."""

    workflow: CompiledWorkflow
    status: InitiativeStatus
    log: list[Event]
    moment: datetime
    audience: TlpLabel
    pseudonyms: Pseudonyms | None
    withheld_texts: set[str] = field(default_factory=set)
    facts: Facts = field(init=False)
    events: list[Event] = field(init=False)

    def __post_init__(self) -> None:
        self.events = [event for event in time_ordered(self.log) if event.moment <= self.moment]
        self.facts = fold(self.status.initiative, self.events, start=self.workflow.start)

    # --- the two gates -----------------------------------------------------------------------

    def visible(self, text: str | None, label: str = UNLABELLED_TEXT_LABEL) -> str | None:
        """`text` if the audience may see it (anonymised when asked), else None (and remembered as withheld)."""
        if text is None:
            return None
        if not may_see(self.audience, label):
            self.withheld_texts.add(text)
            return None
        return self.text(text)

    def text(self, text: str) -> str:
        return self.pseudonyms.text(text) if self.pseudonyms else text

    def person(self, name: str | None) -> str | None:
        if name is None or self.pseudonyms is None:
            return name
        return self.pseudonyms.person(name)

    def organisation(self, name: str | None) -> str | None:
        if name is None or self.pseudonyms is None:
            return name
        return self.pseudonyms.organisation(name)

    # --- the report ----------------------------------------------------------------------------

    def report(self) -> InitiativeReport:
        status, workflow = self.status, self.workflow
        # Free text first, so that withheld text is known before the details that might quote it.
        path = self._path()
        evidence, withheld_evidence = self._evidence()
        meetings = self._meetings()
        outputs = self._outputs()
        breaches = self._breaches()
        outreach = gather_outreach(self, moment_text)
        handed_off = self._handed_off()
        history = self._history()
        conditions, unmet = self._conditions(), self._unmet()
        entered: dict[str, str] = {}
        for step in path:
            entered[step.stage] = step.at
        since = self.facts.stage_since
        return InitiativeReport(
            initiative=self.text(status.initiative),
            name=self.text(status.name),
            workflow=workflow.id,
            stage=status.stage,
            stage_title=status.stage_title,
            stage_since=_status_moment(status.stage_since),
            days_in_stage=(self.moment - since).days if since else None,
            next=status.next,
            next_title=workflow.stages[status.next].title if status.next else None,
            can_advance=status.can_advance,
            terminal=status.terminal,
            at_risk=status.at_risk,
            at_risk_conditions=list(status.at_risk_conditions),
            handed_off=handed_off,
            unmet=unmet,
            conditions=conditions,
            stage_entered=entered,
            path=path,
            evidence=evidence,
            withheld_evidence=withheld_evidence,
            participants=self._participants(),
            communities=self._communities(),
            meetings=meetings,
            outputs=outputs,
            breaches=breaches,
            history=history,
            outreach=outreach,
        )

    def _conditions(self) -> list[ConditionLine]:
        status = self.status
        following = set(self.workflow.needs(status.next)) if status.next else set()
        return [
            ConditionLine(
                condition=item.condition,
                title=item.title,
                kind=item.kind,
                strength=item.strength,
                met=item.met,
                waived=item.waived,
                blocking=item.blocking,
                detail=self._detail(item.detail, item.met, item.waived),
                progress=item.progress,
                for_next_stage=item.condition in following,
                who=self._who(item.condition),
            )
            for item in status.conditions
        ]

    def _unmet(self) -> list[UnmetLine]:
        results = {item.condition: item for item in self.status.conditions}
        return [
            UnmetLine(
                condition=item.condition,
                title=item.title,
                blocking=item.blocking,
                strength=item.strength,
                detail=self._detail(item.detail, results[item.condition].met, results[item.condition].waived),
                who=self._who(item.condition),
            )
            for item in self.status.unmet
        ]

    def _detail(self, detail: str, met: bool, waived: bool) -> str:
        """A condition's detail, unless it quotes withheld text (a waiver's rationale, say)."""
        if any(secret and secret in detail for secret in self.withheld_texts):
            state = "met" if met else "waived" if waived else "not met"
            return f"{state} (detail withheld: it quotes text labelled {UNLABELLED_TEXT_LABEL} or above)"
        return self.text(detail)

    def _who(self, condition: str) -> Who | None:
        """Whom a condition counts, by name (names are shown to every audience), under pseudonyms when asked."""
        found = (self.status.who or {}).get(condition)
        return found.renamed(self.pseudonyms.person) if found and self.pseudonyms else found

    def _path(self) -> list[PathStep]:
        facts, stages = self.facts, self.workflow.stages
        created = self.events[0]
        steps = [
            PathStep(
                at=moment_text(created.moment),
                move="created",
                stage=self.workflow.start,
                stage_title=stages[self.workflow.start].title,
                source=None,
                by=self.person(created.by),
                note=None,
                withheld=[],
            )
        ]
        labels = [_label(event) for event in self.events if event.kind in MOVE_KINDS]  # one per move, in order
        if len(labels) != len(facts.moves):
            labels = [UNLABELLED_TEXT_LABEL] * len(facts.moves)
        for move, label in zip(facts.moves, labels, strict=True):
            note = self.visible(move.detail or None, label)
            steps.append(
                PathStep(
                    at=moment_text(move.at),
                    move=_MOVE_WORDS.get(move.kind, move.kind),
                    stage=move.target,
                    stage_title=stages[move.target].title if move.target in stages else move.target,
                    source=move.source,
                    by=self.person(move.by),
                    note=note,
                    withheld=["note"] if move.detail and note is None else [],
                )
            )
        return steps

    def _evidence(self) -> tuple[list[EvidenceItem], list[WithheldCount]]:
        shown: list[EvidenceItem] = []
        withheld: dict[tuple[str, str], int] = {}
        for condition in self.workflow.condition_order:
            for item in self.facts.evidence.get(condition, ()):
                text = self.visible(item.text, item.tlp)
                link = self.visible(item.link, item.tlp)
                if text is None:
                    withheld[condition, item.tlp] = withheld.get((condition, item.tlp), 0) + 1
                    continue
                shown.append(
                    EvidenceItem(
                        condition=condition,
                        at=moment_text(item.at),
                        by=self.person(item.by),
                        tlp=item.tlp,
                        text=text,
                        link=link,
                    )
                )
        counts = [WithheldCount(condition=c, tlp=label, count=n) for (c, label), n in withheld.items()]
        return shown, counts

    def _participants(self) -> list[ParticipantLine]:
        return [
            ParticipantLine(
                name=self.person(participant.name) or "",
                community=participant.community,
                role=participant.role,
                organisation=self.organisation(participant.organisation),
                joined=moment_text(participant.joined),
                active=participant.active,
            )
            for participant in self.facts.participants.values()
        ]

    def _communities(self) -> CommunityCoverage:
        active = self.facts.active_participants()
        taking_part = {participant.community for participant in active if participant.role != "observer"}
        observing = {participant.community for participant in active} - taking_part
        return CommunityCoverage(
            present=[name for name in COMMUNITIES if name in taking_part],
            observing_only=[name for name in COMMUNITIES if name in observing],
            missing=[name for name in COMMUNITIES if name not in taking_part],
        )

    def _meetings(self) -> list[MeetingLine]:
        lines = []
        for event in self.events:
            if event.kind != "meeting_held":
                continue
            meeting = payload(event, "meeting_held")
            venue = self.visible(meeting.get("venue"), _label(event))
            lines.append(
                MeetingLine(
                    at=moment_text(event.moment),
                    attendees=[self.person(name) or "" for name in meeting["attendees"]],
                    neutral=bool(meeting.get("neutral", False)),
                    venue=venue,
                    withheld=["venue"] if meeting.get("venue") and venue is None else [],
                )
            )
        return lines

    def _outputs(self) -> list[OutputLine]:
        lines = []
        for output in self.facts.outputs:
            label = output.get("tlp", UNLABELLED_TEXT_LABEL)
            title, link = self.visible(output["title"], label), self.visible(output.get("link"), label)
            withheld = [
                name for name, shown in (("title", title), ("link", link)) if output.get(name) and shown is None
            ]
            lines.append(OutputLine(at=moment_text(output["at"]), title=title, link=link, withheld=withheld))
        return lines

    def _breaches(self) -> list[BreachLine]:
        lines = []
        for event in self.events:  # as `facts.breaches`, with each breach's own label
            if event.kind != "trust_breached":
                continue
            shown = self.visible(payload(event, "trust_breached")["description"], _label(event))
            lines.append(
                BreachLine(at=moment_text(event.moment), description=shown, withheld=[] if shown else ["description"])
            )
        return lines

    def _handed_off(self) -> HandOff | None:
        handed = self.facts.handed_off_to
        if not handed:
            return None
        label = next((_label(event) for event in reversed(self.events) if event.kind == "handed_off"), None)
        body = self.visible(handed["body"], label or UNLABELLED_TEXT_LABEL)
        return HandOff(
            body=body, body_kind=handed["body_kind"], at=moment_text(handed["at"]), withheld=[] if body else ["body"]
        )

    def _history(self) -> list[HistoryLine]:
        return [self._history_line(event) for event in sorted(self.events, key=lambda event: event.seq)]

    def _history_line(self, event: Event) -> HistoryLine:
        label = _label(event)
        data: dict[str, Any] = {}
        withheld: list[str] = []
        fields: Mapping[str, Any] = event.data  # every key of any kind, each sorted out by its name below
        for key, value in fields.items():
            if event.kind in ("initiative_created", "initiative_renamed"):  # its name and ids: not a person's
                data[key] = self.workflow.id if key == "workflow" else self.text(value)
            elif key in _PERSON_FIELDS:
                data[key] = [self.person(name) for name in value] if isinstance(value, list) else self.person(value)
            elif key in _ORGANISATION_FIELDS:
                data[key] = self.organisation(value)
            elif key in _VOCABULARY_FIELDS:
                data[key] = value
            else:
                shown = self._free_value(value, label)
                if shown is None:
                    withheld.append(key)
                else:
                    data[key] = shown
        return HistoryLine(
            seq=event.seq,
            at=moment_text(event.moment),
            kind=event.kind,
            by=self.person(event.by),
            data=data,
            withheld=withheld,
            recorded_at=event.recorded_at,
            recorded_by=event.recorded_by if self.pseudonyms is None else None,
        )

    def _free_value(self, value: Any, label: str) -> Any:
        """A free-text value (or a list or mapping of them) if the audience may see it, else None."""
        if isinstance(value, str):
            return self.visible(value, label)
        if not may_see(self.audience, label):
            self.withheld_texts.update(strings_in(value))
            return None
        return map_strings(value, self.text)


def _label(event: Event) -> str:
    """The TLP label of an event's free text: its own `tlp` when it has one, else TLP:AMBER."""
    data: Mapping[str, Any] = event.data
    return str(data.get("tlp") or UNLABELLED_TEXT_LABEL)
