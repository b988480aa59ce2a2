"""The real story, year by year, and the proposal's two-year target judged on the recorded facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cooperation.engine.events import Event
from cooperation.engine.payloads import MoveData, move_payload, payload
from cooperation.engine.status import InitiativeStatus
from cooperation.registry import Registry


@dataclass(frozen=True, slots=True)
class SeedTarget:
    """The promise the 2017 proposal attached to its example pilot."""

    promise: str
    proposed: date
    due: date


SEED_TARGET = SeedTarget(
    promise="within two years, every Internet-connected device leaves the factory with a random, unique password",
    proposed=date(2017, 11, 10),
    due=date(2019, 11, 10),
)


@dataclass(frozen=True, slots=True)
class Happening:
    """Something that happened in an initiative, in a line a reader can follow."""

    at: str
    initiative: str
    text: str


@dataclass(frozen=True, slots=True)
class HandOff:
    at: str
    initiative: str
    body: str
    body_kind: str


@dataclass(frozen=True, slots=True)
class Year:
    """Where the initiatives stood at the end of a year (or today), and what happened in it."""

    year: int
    as_of: date
    statuses: tuple[InitiativeStatus, ...]
    happenings: tuple[Happening, ...]


def yearly_story(registry: Registry, initiatives: Sequence[str], *, today: date) -> list[Year]:
    """One entry per year from the first event to `today`, each with the status at its end."""
    histories = {initiative: registry.history(initiative) for initiative in initiatives}
    happenings = sorted(
        (happening for initiative, events in histories.items() for happening in describe_events(initiative, events)),
        key=lambda happening: happening.at,
    )
    if not happenings:
        return []
    years = []
    for year in range(int(happenings[0].at[:4]), today.year + 1):
        as_of = min(date(year, 12, 31), today)
        statuses = statuses_on(registry, initiatives, as_of)
        this_year = tuple(happening for happening in happenings if happening.at.startswith(str(year)))
        years.append(Year(year, as_of, statuses, this_year))
    return years


def statuses_on(registry: Registry, initiatives: Sequence[str], day: date) -> tuple[InitiativeStatus, ...]:
    """The status at the end of `day` of those initiatives that existed by then."""
    return tuple(
        registry.status(initiative, as_of=day)
        for initiative in initiatives
        if registry.history(initiative)[0].at[:10] <= day.isoformat()
    )


def describe_events(initiative: str, events: Sequence[Event]) -> list[Happening]:
    """Readable lines for the events a story needs; attestations on one day are grouped."""
    lines: list[Happening] = []
    attested: dict[tuple[str, str], list[str]] = {}
    for event in events:
        by = event.by or "the workflow itself"
        text: str | None = None
        match event.kind:
            case "initiative_created":
                created = payload(event, "initiative_created")
                text = f"starts as '{created['name']}' (workflow {created['workflow']})"
            case "participant_joined":
                joined = payload(event, "participant_joined")
                text = f"{joined['name']} joins ({joined['community']}, {joined.get('role', 'member')})"
            case "participant_left":
                text = f"{payload(event, 'participant_left')['name']} leaves"
            case "meeting_held":
                meeting = payload(event, "meeting_held")
                text = f"meeting: {meeting.get('venue') or 'no venue given'} ({len(meeting['attendees'])} attending)"
            case "evidence_recorded":
                evidence = payload(event, "evidence_recorded")
                text = f"{evidence['condition']}: {evidence['text']}"
            case "attestation_given":
                attested.setdefault((event.at, payload(event, "attestation_given")["condition"]), []).append(by)
            case "condition_waived":
                waiver = payload(event, "condition_waived")
                text = f"{by} waives {waiver['condition']}: {waiver['rationale']}"
            case "score_set":
                score = payload(event, "score_set")
                text = f"{score['parameter']} scored {score['level']}"
            case "output_published":
                text = f"output published: {payload(event, 'output_published')['title']}"
            case "trust_breached":
                text = f"TRUST BREACHED: {payload(event, 'trust_breached')['description']}"
            case "stage_advanced" | "stage_regressed" | "escalated":
                text = _move_text(event.kind, move_payload(event), by)
            case "handed_off":
                hand_off = payload(event, "handed_off")
                text = f"HANDED OFF to {hand_off['body']} ({hand_off['body_kind']}, by {by})"
            case "outreach_done":
                outreach = payload(event, "outreach_done")
                text = f"{by} reaches out to {outreach['community']}: {outreach.get('venue') or 'no venue given'}"
        if text is not None:
            lines.append(Happening(event.at, initiative, text))
    for (at, condition), people in attested.items():
        lines.append(Happening(at, initiative, f"{condition} attested by {', '.join(people)}"))
    return lines


def _move_text(kind: str, move: MoveData, by: str) -> str:
    if kind == "stage_advanced":
        return f"advances {move['from']} -> {move['to']} (by {by})"
    if kind == "stage_regressed":
        return f"moves back {move['from']} -> {move['to']} ({move.get('transition', 'regress')}, by {by})"
    return f"escalates {move['from']} -> {move['to']} ({move['transition']}, by {by})"


def hand_offs(registry: Registry, initiatives: Sequence[str]) -> list[HandOff]:
    """Every hand-off of these initiatives, in date order."""
    found = [
        HandOff(event.at, initiative, payload(event, "handed_off")["body"], payload(event, "handed_off")["body_kind"])
        for initiative in initiatives
        for event in registry.history(initiative)
        if event.kind == "handed_off"
    ]
    return sorted(found, key=lambda hand_off: hand_off.at)


# --- the two-year target ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetVerdict:
    """Whether the proposal's target was met, judged on the recorded hand-offs.

    Only a rule that binds every manufacturer makes every device leave the factory with
    its own password. A standard alone does not do that. So the target counts as met
    when the requirement had been handed to a legislator by the due date.
    """

    target: SeedTarget
    met: bool
    statuses_when_due: tuple[InitiativeStatus, ...]
    first_hand_off: HandOff | None
    first_legislative: HandOff | None

    def days_late(self, hand_off: HandOff) -> int:
        return (date.fromisoformat(hand_off.at[:10]) - self.target.due).days


def judge_target(registry: Registry, initiatives: Sequence[str], target: SeedTarget = SEED_TARGET) -> TargetVerdict:
    """The target against the facts in the log: met only by a legislative hand-off on or before the due date."""
    moved = hand_offs(registry, initiatives)
    legislative = [hand_off for hand_off in moved if hand_off.body_kind == "legislation"]
    return TargetVerdict(
        target=target,
        met=bool(legislative) and legislative[0].at[:10] <= target.due.isoformat(),
        statuses_when_due=statuses_on(registry, initiatives, target.due),
        first_hand_off=moved[0] if moved else None,
        first_legislative=legislative[0] if legislative else None,
    )
