"""The tour as text for a terminal."""

from __future__ import annotations

import textwrap

from cooperation.demo.rule_moments import next_line
from cooperation.demo.story import TargetVerdict
from cooperation.demo.tour import Demo
from cooperation.engine.status import InitiativeStatus

_WIDTH = 100


def demo_text(demo: Demo) -> str:
    """The tour as text for a terminal."""
    out: list[str] = ["coop demo: the 2017 pilot topic 'no default passwords', replayed from public facts", ""]
    out.append(f"registry: {demo.registry}")
    for example in demo.examples:
        verb = "imported" if example.imported else "already present"
        out.append(f"  {verb}: {example.file} ({example.events} events: {', '.join(example.initiatives)})")
    out += ["", "== The real initiative, year by year (status at the end of each year) ==", ""]
    out.append(
        _wrap(
            "Dates and facts come from public sources (each piece of evidence carries its link; see "
            "`coop history`). Who did what inside the pilot is reconstructed where the sources are silent, "
            "and the evidence says so.",
            "  ",
        )
    )
    for year in demo.years:
        out += ["", f"{year.year}" + (f" (to {year.as_of})" if year.as_of.month != 12 or year.as_of.day != 31 else "")]
        for status in year.statuses:
            out.append(_wrap(f"[{status.initiative}] {_stage_line(status)}", "      ", first="  "))
        for happening in year.happenings:
            out.append(_wrap(f"{happening.at[:10]}  {happening.initiative}: {happening.text}", " " * 16, first="    "))
    out += ["", "== Hand-offs ==", ""]
    for hand_off in demo.hand_offs:
        out.append(
            _wrap(
                f"{hand_off.at[:10]}  {hand_off.initiative} -> {hand_off.body} ({hand_off.body_kind})",
                " " * 14,
                first="  ",
            )
        )
    out += ["", "== The proposal's target ==", ""]
    out += _target_lines(demo.target)
    out += ["", "== Fictional examples: where the rules bite ==", ""]
    out.append(
        _wrap(
            "These logs are made up (every name in them is fictional) to show a refused move, a "
            "regression after a breach of trust, and a waiver.",
            "  ",
        )
    )
    for moment in demo.moments:
        out += [
            "",
            _wrap(f"{moment.kind.upper()}: {moment.initiative} ({moment.name}), {moment.at[:10]}", "    ", first="  "),
        ]
        out += [_wrap(line, "      ", first="    ") for line in moment.lines]
    out += [
        "",
        "To explore on your own: coop demo --db demo.db, then for example",
        "  coop status --db demo.db --as-of 2019-11-10",
        "  coop history --db demo.db no-default-passwords",
    ]
    return "\n".join(out) + "\n"


def _stage_line(status: InitiativeStatus) -> str:
    since = f" since {status.stage_since[:10]}" if status.stage_since else ""
    line = f"stage '{status.stage}'{since}; {next_line(status)}"
    if status.handed_off:
        line += f"; last handed off to {status.handed_off['body']} ({status.handed_off['body_kind']})"
    return line


def _target_lines(verdict: TargetVerdict) -> list[str]:
    target = verdict.target
    lines = [
        _wrap(
            f"Target (proposed {target.proposed}): {target.promise}. Due {target.due}: "
            f"{'MET' if verdict.met else 'MISSED'}.",
            "    ",
            first="  ",
        ),
        _wrap(
            "It counts as met only if the requirement had reached a legislator by then: a standard alone does "
            "not make every device leave the factory with its own password.",
            "    ",
            first="  ",
        ),
    ]
    lines.extend(
        _wrap(f"on {target.due}: [{status.initiative}] {_stage_line(status)}", "    ", first="  ")
        for status in verdict.statuses_when_due
    )
    firsts = (("first hand-off", verdict.first_hand_off), ("first to a legislator", verdict.first_legislative))
    for label, hand_off in firsts:
        if hand_off is None:
            lines.append(f"  {label}: none recorded")
            continue
        late = verdict.days_late(hand_off)
        timing = f"{late} days after the due date" if late > 0 else f"{-late} days before the due date"
        lines.append(
            _wrap(f"{label}: {hand_off.at[:10]}, {hand_off.body} ({hand_off.body_kind}), {timing}", "    ", first="  ")
        )
    return lines


def _wrap(text: str, indent: str, *, first: str | None = None) -> str:
    return textwrap.fill(
        text,
        width=_WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
