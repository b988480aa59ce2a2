"""The guided tour behind `coop demo`.

It imports the shipped examples into a registry. The first is the 2017 proposal's own
pilot topic ("no default passwords"), replayed from dated public facts. The others are
small fictional logs. The tour then tells the real story year by year, judges the
proposal's two-year target on the recorded facts, and shows the moments in the
fictional logs where the rules bite: a refused move, a regression after a breach of
trust, and a waiver.

Everything here reads the registry through its public API. The one move the tour
attempts is expected to be refused, and the tour attempts it only when the status
already says it will be, so a demo run writes nothing except the imported examples.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cooperation.definition.catalog import get_workflow
from cooperation.errors import BlockedTransitionError, CooperationError, EventError, TransitionError
from cooperation.engine.event_schema import validate_event
from cooperation.engine.events import Event, now
from cooperation.engine.moves import moves_for
from cooperation.registry import Registry
from cooperation.engine.status import InitiativeStatus

_PACKAGE = Path(__file__).resolve().parent
# Installed wheels carry the examples inside the package; a source checkout has them beside it.
_CANDIDATE_DIRS = (_PACKAGE / "examples", _PACKAGE.parent / "examples")
REAL_EXAMPLE = "no-default-passwords.jsonl"
FICTIONAL_PREFIX = "fictional-"


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


# --- finding and loading the examples ---------------------------------------------------------


def examples_directory() -> Path:
    """Where the example event logs are: inside the installed package, or beside a checkout."""
    for directory in _CANDIDATE_DIRS:
        if (directory / REAL_EXAMPLE).is_file():
            return directory
    raise CooperationError(
        "the example event logs are missing from this installation "
        f"(looked in {', '.join(str(directory) for directory in _CANDIDATE_DIRS)}); reinstall the package "
        "from a build whose wheel includes examples/ as cooperation/examples"
    )


def example_files() -> list[Path]:
    """The real example first, then the fictional ones in name order."""
    directory = examples_directory()
    return [directory / REAL_EXAMPLE, *sorted(directory.glob(f"{FICTIONAL_PREFIX}*.jsonl"))]


@dataclass(frozen=True, slots=True)
class LoadedExample:
    """One example file in the registry: its initiatives, and whether this run imported it."""

    file: str
    initiatives: tuple[str, ...]
    events: int
    imported: bool

    @property
    def fictional(self) -> bool:
        return self.file.startswith(FICTIONAL_PREFIX)


def load_examples(registry: Registry, files: Sequence[Path] | None = None) -> list[LoadedExample]:
    """Import each example, or reuse it when the registry already holds exactly that log.

    A registry that holds one of the example's initiative ids with other events is
    refused before anything is written, so that a user's own data is never mixed in.
    """
    chosen = list(files) if files is not None else example_files()
    planned: list[tuple[Path, list[str], dict[str, list[Event]]]] = []
    for path in chosen:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        by_initiative = _events_by_initiative(lines, path.name)
        present = [initiative for initiative in by_initiative if registry.store.version(initiative)]
        reusable = len(present) == len(by_initiative) and all(
            _same_log(registry.history(initiative), by_initiative[initiative]) for initiative in present
        )
        if present and not reusable:
            raise EventError(
                f"{registry.store.url} already holds {', '.join(present)} with other events than {path.name}; "
                "run `coop demo` without --db (a temporary registry) or give a new file"
            )
        planned.append((path, lines, by_initiative))
    loaded = []
    for path, lines, by_initiative in planned:
        fresh = not registry.store.version(next(iter(by_initiative)))
        if fresh:
            registry.import_lines(lines, source=path.name)
        count = sum(len(events) for events in by_initiative.values())
        loaded.append(LoadedExample(path.name, tuple(by_initiative), count, fresh))
    return loaded


def _events_by_initiative(lines: Iterable[str], source: str) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise EventError(f"{source}:{number}: not valid JSON ({error.msg}); reinstall the package") from None
        event = validate_event(raw, where=f"{source}:{number}")
        found.setdefault(event.initiative, []).append(event)
    return found


def _same_log(stored: Sequence[Event], wanted: Sequence[Event]) -> bool:
    """Stored moves carry fields the importer fills in, so compare what the file says."""
    return len(stored) == len(wanted) and all(
        (have.kind, have.at, have.by) == (want.kind, want.at, want.by)
        and all(have.data.get(key) == value for key, value in want.data.items())
        for have, want in zip(stored, wanted, strict=True)
    )


# --- the real story, year by year -----------------------------------------------------------------


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
        data, by = event.data, event.by or "the workflow itself"
        text: str | None = None
        match event.kind:
            case "initiative_created":
                text = f"starts as '{data['name']}' (workflow {data['workflow']})"
            case "participant_joined":
                text = f"{data['name']} joins ({data['community']}, {data.get('role', 'member')})"
            case "participant_left":
                text = f"{data['name']} leaves"
            case "meeting_held":
                text = f"meeting: {data.get('venue') or 'no venue given'} ({len(data['attendees'])} attending)"
            case "evidence_recorded":
                text = f"{data['condition']}: {data['text']}"
            case "attestation_given":
                attested.setdefault((event.at, data["condition"]), []).append(by)
            case "condition_waived":
                text = f"{by} waives {data['condition']}: {data['rationale']}"
            case "score_set":
                text = f"{data['parameter']} scored {data['level']}"
            case "output_published":
                text = f"output published: {data['title']}"
            case "trust_breached":
                text = f"TRUST BREACHED: {data['description']}"
            case "stage_advanced":
                text = f"advances {data['from']} -> {data['to']} (by {by})"
            case "stage_regressed":
                text = f"moves back {data['from']} -> {data['to']} ({data.get('transition', 'regress')}, by {by})"
            case "escalated":
                text = f"escalates {data['from']} -> {data['to']} ({data['transition']}, by {by})"
            case "handed_off":
                text = f"HANDED OFF to {data['body']} ({data['body_kind']}, by {by})"
        if text is not None:
            lines.append(Happening(event.at, initiative, text))
    for (at, condition), people in attested.items():
        lines.append(Happening(at, initiative, f"{condition} attested by {', '.join(people)}"))
    return lines


def hand_offs(registry: Registry, initiatives: Sequence[str]) -> list[HandOff]:
    """Every hand-off of these initiatives, in date order."""
    found = [
        HandOff(event.at, initiative, event.data["body"], event.data["body_kind"])
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


# --- the fictional moments ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleMoment:
    """A point in a fictional log where a rule shows: a move refused, a regression, a waiver."""

    kind: str  # "blocked", "regressed" or "waived"
    initiative: str
    name: str
    at: str
    lines: tuple[str, ...]


def rule_moments(registry: Registry, initiatives: Sequence[str]) -> list[RuleMoment]:
    """The regressions, waivers and refused next moves in these initiatives, in that order per initiative."""
    moments: list[RuleMoment] = []
    for initiative in initiatives:
        events = registry.history(initiative)
        name = events[0].data["name"]
        moments += _regressions(registry, initiative, name, events)
        moments += _waivers(registry, initiative, name, events)
        refused = _refused_advance(registry, initiative, name, events)
        if refused is not None:
            moments.append(refused)
    return moments


def _regressions(registry: Registry, initiative: str, name: str, events: Sequence[Event]) -> list[RuleMoment]:
    moments = []
    for index, event in enumerate(events):
        if event.kind != "stage_regressed":
            continue
        cause = next((e for e in reversed(events[:index]) if e.kind == "trust_breached" and e.at == event.at), None)
        before = registry.status(initiative, as_of=event.moment - timedelta(seconds=1))
        after = registry.status(initiative, as_of=event.moment)
        lines = []
        if cause is not None:
            lines.append(f"breach of trust: {cause.data['description']}")
        lines.append(
            f"the workflow moved it back: {event.data['from']} -> {event.data['to']} "
            f"(transition {event.data.get('transition') or 'regress'})"
        )
        lines.append(f"before: at '{before.stage}', {_next_line(before)}")
        lines.append(f"after:  at '{after.stage}', {_next_line(after)}")
        if cause is not None:
            lines.append("attestations given before the breach no longer count: trust has to be earned again")
        moments.append(RuleMoment("regressed", initiative, name, event.at, tuple(lines)))
    return moments


def _waivers(registry: Registry, initiative: str, name: str, events: Sequence[Event]) -> list[RuleMoment]:
    moments = []
    for index, event in enumerate(events):
        if event.kind != "condition_waived":
            continue
        condition = event.data["condition"]
        status = registry.status(initiative, as_of=event.moment)
        result = next(item for item in status.conditions if item.condition == condition)
        lines = [
            f"{event.by} waived '{condition}' ({result.strength}): {event.data['rationale']}",
            f"it now counts as {'waived' if result.waived else 'NOT waived'}, so it no longer blocks a move",
        ]
        later = next((e for e in events[index + 1 :] if e.kind == "stage_advanced"), None)
        if later is not None:
            lines.append(f"on {later.at} the initiative advanced {later.data['from']} -> {later.data['to']} without it")
        moments.append(RuleMoment("waived", initiative, name, event.at, tuple(lines)))
    return moments


def _refused_advance(registry: Registry, initiative: str, name: str, events: Sequence[Event]) -> RuleMoment | None:
    """Ask for the next move as of the log's last event; shown only when the status says it is blocked."""
    latest = max(events, key=lambda event: event.moment)
    last = latest.moment
    status = registry.status(initiative, as_of=last)
    if status.next is None or status.can_advance:
        return None
    advance = moves_for(get_workflow(status.workflow)).advance(status.stage)
    actor = _participant_in_role(events, advance.roles) if advance is not None else None
    if actor is None:
        return None
    lines = [f"{actor} asks to advance '{status.stage}' -> '{status.next}'"]
    try:
        registry.advance(initiative, by=actor, at=last)
    except BlockedTransitionError as refused:
        lines.append(f"refused: {len(refused.unmet)} prerequisite(s) unmet, in the order to work on them:")
        lines += [f"- {result.condition}: {result.detail}" for result in refused.unmet]
    except TransitionError as refused:
        lines.append(f"refused: {refused}")
    else:  # the status said it was blocked; if the move went through, say so plainly
        lines.append("unexpectedly, the move was accepted")
    return RuleMoment("blocked", initiative, name, latest.at, tuple(lines))


def _participant_in_role(events: Sequence[Event], roles: Sequence[str]) -> str | None:
    current: dict[str, str] = {}
    for event in events:
        if event.kind == "participant_joined":
            current[event.data["name"]] = event.data.get("role", "member")
        elif event.kind == "participant_left":
            current.pop(event.data["name"], None)
    return next((person for person, role in current.items() if role in roles), None)


def _next_line(status: InitiativeStatus) -> str:
    if status.next is None:
        moves = f" (moves from here: {', '.join(status.transitions)})" if status.transitions else ""
        return ("terminal" if status.terminal else "no next stage") + moves
    if status.can_advance:
        return f"ready to advance to '{status.next}'"
    blocking = [item.condition for item in status.unmet if item.blocking]
    return f"'{status.next}' blocked by {', '.join(blocking)}"


# --- the whole tour -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Demo:
    """Everything `coop demo` shows, as data."""

    registry: str
    examples: tuple[LoadedExample, ...]
    years: tuple[Year, ...]
    hand_offs: tuple[HandOff, ...]
    target: TargetVerdict
    moments: tuple[RuleMoment, ...]


def run_demo(registry: Registry, *, today: date | None = None) -> Demo:
    """Load the examples into `registry` and gather the story, the target verdict and the rule moments."""
    examples = load_examples(registry)
    real = [initiative for example in examples if not example.fictional for initiative in example.initiatives]
    fictional = [initiative for example in examples if example.fictional for initiative in example.initiatives]
    day = today or now().date()
    return Demo(
        registry=registry.store.url,
        examples=tuple(examples),
        years=tuple(yearly_story(registry, real, today=day)),
        hand_offs=tuple(hand_offs(registry, real)),
        target=judge_target(registry, real),
        moments=tuple(rule_moments(registry, fictional)),
    )


# --- as text ------------------------------------------------------------------------------------

_WIDTH = 100


def demo_text(demo: Demo) -> str:
    """The tour as text for a terminal."""
    out: list[str] = ["coop demo: the 2017 pilot topic 'no default passwords', replayed from public facts", ""]
    out.append(f"registry: {demo.registry}")
    for example in demo.examples:
        verb = "imported" if example.imported else "already present"
        out.append(f"  {verb}: {example.file} ({example.events} events: {', '.join(example.initiatives)})")
    out += ["", "== The real initiative, year by year (status at the end of each year) ==", ""]
    out.append(_wrap("Dates and facts come from public sources (each piece of evidence carries its link; see "
                     "`coop history`). Who did what inside the pilot is reconstructed where the sources are silent, "
                     "and the evidence says so.", "  "))
    for year in demo.years:
        out += ["", f"{year.year}" + (f" (to {year.as_of})" if year.as_of.month != 12 or year.as_of.day != 31 else "")]
        for status in year.statuses:
            out.append(_wrap(f"[{status.initiative}] {_stage_line(status)}", "      ", first="  "))
        for happening in year.happenings:
            out.append(_wrap(f"{happening.at[:10]}  {happening.initiative}: {happening.text}", " " * 16, first="    "))
    out += ["", "== Hand-offs ==", ""]
    for hand_off in demo.hand_offs:
        out.append(_wrap(f"{hand_off.at[:10]}  {hand_off.initiative} -> {hand_off.body} ({hand_off.body_kind})",
                         " " * 14, first="  "))
    out += ["", "== The proposal's target ==", ""]
    out += _target_lines(demo.target)
    out += ["", "== Fictional examples: where the rules bite ==", ""]
    out.append(_wrap("These logs are made up (every name in them is fictional) to show a refused move, a "
                     "regression after a breach of trust, and a waiver.", "  "))
    for moment in demo.moments:
        out += ["", _wrap(f"{moment.kind.upper()}: {moment.initiative} ({moment.name}), {moment.at[:10]}", "    ",
                          first="  ")]
        out += [_wrap(line, "      ", first="    ") for line in moment.lines]
    out += ["", "To explore on your own: coop demo --db demo.db, then for example",
            "  coop status --db demo.db --as-of 2019-11-10",
            "  coop history --db demo.db no-default-passwords"]
    return "\n".join(out) + "\n"


def _stage_line(status: InitiativeStatus) -> str:
    since = f" since {status.stage_since[:10]}" if status.stage_since else ""
    line = f"stage '{status.stage}'{since}; {_next_line(status)}"
    if status.handed_off:
        line += f"; last handed off to {status.handed_off['body']} ({status.handed_off['body_kind']})"
    return line


def _target_lines(verdict: TargetVerdict) -> list[str]:
    target = verdict.target
    lines = [
        _wrap(f"Target (proposed {target.proposed}): {target.promise}. Due {target.due}: "
              f"{'MET' if verdict.met else 'MISSED'}.", "    ", first="  "),
        _wrap("It counts as met only if the requirement had reached a legislator by then: a standard alone does "
              "not make every device leave the factory with its own password.", "    ", first="  "),
    ]
    for status in verdict.statuses_when_due:
        lines.append(_wrap(f"on {target.due}: [{status.initiative}] {_stage_line(status)}", "    ", first="  "))
    firsts = (("first hand-off", verdict.first_hand_off), ("first to a legislator", verdict.first_legislative))
    for label, hand_off in firsts:
        if hand_off is None:
            lines.append(f"  {label}: none recorded")
            continue
        late = verdict.days_late(hand_off)
        timing = f"{late} days after the due date" if late > 0 else f"{-late} days before the due date"
        lines.append(_wrap(f"{label}: {hand_off.at[:10]}, {hand_off.body} ({hand_off.body_kind}), {timing}", "    ",
                           first="  "))
    return lines


def _wrap(text: str, indent: str, *, first: str | None = None) -> str:
    return textwrap.fill(
        text, width=_WIDTH, initial_indent=first if first is not None else indent, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    )
