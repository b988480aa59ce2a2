"""A report as Markdown: the portfolio at a glance, then each initiative, with a Mermaid graph.

Text that came from the registry is escaped, so that a participant's words can neither
break a table nor inject links or HTML into the rendered page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from cooperation.reports.model import InitiativeReport, Report, WorkflowPicture
from cooperation.reports.outreach import OUTREACH_LEGEND, outreach_mark, outreach_rows
from cooperation.reports.svg import condition_state
from cooperation.wording import NO_MOVES, days, plural

_COVERAGE_MARKS = {"present": "✓", "observing": "◐", "absent": "–"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_STATE_MARKS = {"met": "✓ met", "waived": "≈ waived", "blocking": "✗ blocking", "advisory": "○ advisory"}
_WITHHELD = "*withheld*"


def md(text: str | None) -> str:
    """Registry text made inert for Markdown: one line, special characters escaped."""
    if text is None:
        return ""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code(text: str) -> str:
    """An id shown as inline code (ids cannot hold a backtick, but be safe)."""
    return f"`{text.replace('`', '')}`"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """The whole report as one Markdown document."""
    lines = [f"# {md(report.title)}", ""]
    names = "names pseudonymised" if report.anonymised else "real names"
    lines += [
        f"As of **{report.as_of}** · audience **{report.audience}** · {names} · "
        f"{plural(len(report.initiatives), 'initiative')}",
        "",
        f"Made from the record up to its head `{report.head}`: `coop audit --expect {report.head}` checks "
        "that nothing recorded before it has changed since.",
        "",
        f"> Shown: only text that {report.audience} may see. Text without a label of its own "
        "(waiver rationales, breach descriptions, reasons for moves, venues, outputs) counts as TLP:AMBER.",
        "",
    ]
    lines += _portfolio(report)
    if report.unreadable:
        lines += ["### Initiatives that cannot be shown", ""]
        lines += [f"- {code(entry.initiative)}: {md(entry.error)}" for entry in report.unreadable]
        lines.append("")
    for picture in report.workflows:
        lines += _workflow(picture)
    for initiative in report.initiatives:
        lines += _initiative(initiative, report)
    return "\n".join(lines).rstrip("\n") + "\n"


def _portfolio(report: Report) -> list[str]:
    lines = ["## Portfolio", ""]
    if not report.initiatives:
        return [*lines, "No initiatives.", ""]
    rows = []
    for item in report.initiatives:
        blockers = ", ".join(code(line.condition) for line in item.blockers)
        if item.next is None:
            following = "none (terminal)" if item.terminal else "none"
        else:
            following = f"{md(item.next_title)} ({'ready' if item.can_advance else 'blocked'})"
        risk = "⚠ " + ", ".join(code(name) for name in item.at_risk_conditions) if item.at_risk else ""
        rows.append(
            [
                f"{md(item.name)} ({code(item.initiative)})",
                md(item.stage_title),
                days(item.days_in_stage),
                following,
                blockers,
                risk,
            ]
        )
    lines += _table(["Initiative", "Stage", "In stage", "Next", "Blockers", "At risk"], rows)
    lines += ["### Stakeholder communities", "", "✓ taking part · ◐ observing only · – missing", ""]
    coverage = []
    for item in report.initiatives:
        marks = [_COVERAGE_MARKS[item.communities.state(community)] for community in report.communities]
        coverage.append([code(item.initiative), *marks])
    lines += _table(["Initiative", *report.communities], coverage)
    lines += ["### Outreach to absent communities", "", OUTREACH_LEGEND, ""]
    reached = (
        [code(item.initiative), *(outreach_mark(item, c) for c in report.communities)] for item in report.initiatives
    )
    lines += _table(["Initiative", *report.communities], reached)
    lines += ["### Prerequisites that block the most initiatives", ""]
    if not report.top_blockers:
        lines += ["Nothing blocks any initiative's next move.", ""]
    for blocker in report.top_blockers:
        which = ", ".join(code(name) for name in blocker.initiatives)
        lines.append(
            f"- **{md(blocker.title)}** ({code(blocker.condition)}, {blocker.workflow}): "
            f"blocks {plural(len(blocker.initiatives), 'initiative')}: {which}"
        )
    return [*lines, ""]


def _workflow(picture: WorkflowPicture) -> list[str]:
    return [
        f"## Workflow: {md(picture.title)} ({code(picture.id)} v{md(picture.version)})",
        "",
        "Ladder: " + " → ".join(md(next(s.title for s in picture.stages if s.id == stage)) for stage in picture.ladder),
        "",
        "The prerequisite graph (an arrow points from what needs to what it needs):",
        "",
        "```mermaid",
        picture.mermaid.rstrip("\n"),
        "```",
        "",
    ]


def _initiative(item: InitiativeReport, report: Report) -> list[str]:
    """One initiative's section: its facts, what it lacks, its path, conditions, evidence, people and history."""
    lines = [f"## {md(item.name)} ({code(item.initiative)})", "", *_facts(item)]
    if item.unmet:
        lines += ["### What the next stage still needs, in working order", ""]
        for number, unmet in enumerate(item.unmet, start=1):
            kind = "blocking" if unmet.blocking else unmet.strength
            lines.append(f"{number}. **{md(unmet.title)}** ({code(unmet.condition)}, {kind}): {md(unmet.described)}")
        lines.append("")
    lines += _path_and_conditions(item)
    lines += _evidence(item, report)
    lines += _people_and_meetings(item)
    lines += _outreach(item)
    lines += _outputs_and_breaches(item)
    lines += ["### History", ""]
    lines += _table(
        ["#", "Date", "Event", "By", "Details", "Recorded"],
        (
            [str(line.seq), line.at, line.kind, md(line.by), _details(line.data, line.withheld), md(line.recorded())]
            for line in item.history
        ),
    )
    return lines


def _facts(item: InitiativeReport) -> list[str]:
    """The initiative at a glance: stage, next move, risks, hand-off and communities, as a list."""
    since = f" since {item.stage_since} ({days(item.days_in_stage)})" if item.stage_since else ""
    lines = [f"- Stage: **{md(item.stage_title)}**{since}; workflow {code(item.workflow)}"]
    if item.next is None:
        lines.append("- Next: none" + (" (terminal stage)" if item.terminal else ""))
    elif item.can_advance:
        lines.append(f"- Next: **{md(item.next_title)}**: ready to advance")
    else:
        lines.append(f"- Next: **{md(item.next_title)}**: blocked by {plural(len(item.blockers), 'prerequisite')}")
    if item.at_risk:
        lines.append(
            "- ⚠ **At risk**: no longer met for this stage: "
            + ", ".join(code(name) for name in item.at_risk_conditions)
        )
    if item.handed_off:
        body = md(item.handed_off.body) if item.handed_off.body is not None else _WITHHELD
        lines.append(f"- Handed off to {body} ({item.handed_off.body_kind}) on {item.handed_off.at}")
    present = ", ".join(item.communities.present) or "none"
    missing = ", ".join(item.communities.missing) or "none"
    lines += [f"- Communities taking part: {present}; missing: {missing}", ""]
    return lines


def _path_and_conditions(item: InitiativeReport) -> list[str]:
    """The path through the stages, and every condition of the workflow with its state."""
    lines = ["### Path through the stages", ""]
    lines += _table(
        ["Date", "Move", "Stage", "By", "Note"],
        (
            [
                step.at,
                step.move,
                md(step.stage_title),
                md(step.by) or ("" if step.move == "created" else "automatic"),
                _WITHHELD if step.withheld else md(step.note),
            ]
            for step in item.path
        ),
    )
    lines += ["### Conditions", ""]
    if not item.conditions:  # a stage with no move out: nothing can be worked towards
        return [*lines, NO_MOVES, ""]
    lines += _table(
        ["Condition", "Strength", "State", "Progress", "Detail"],
        (
            [
                f"{md(line.title)} ({code(line.condition)})" + (" ★" if line.for_next_stage else ""),
                line.strength,
                _STATE_MARKS[condition_state(line.met, line.waived, line.blocking)],
                f"{round(line.progress * 100)}%",
                md(line.described),
            ]
            for line in item.conditions
        ),
    )
    lines += ["★ a prerequisite of the next stage.", ""]
    return lines


def _people_and_meetings(item: InitiativeReport) -> list[str]:
    """The participants and the meetings, each as a table when there are any."""
    lines: list[str] = []
    if item.participants:
        lines += ["### Participants", ""]
        lines += _table(
            ["Name", "Community", "Role", "Organisation", "Joined", "Active"],
            (
                [md(p.name), p.community, p.role, md(p.organisation), p.joined, "yes" if p.active else "left"]
                for p in item.participants
            ),
        )
    if item.meetings:
        lines += ["### Meetings", ""]
        lines += _table(
            ["Date", "Attendees", "Neutral", "Venue"],
            (
                [
                    m.at,
                    ", ".join(md(name) for name in m.attendees),
                    "yes" if m.neutral else "no",
                    _WITHHELD if m.withheld else md(m.venue),
                ]
                for m in item.meetings
            ),
        )
    return lines


def _outreach(item: InitiativeReport) -> list[str]:
    """The communities that take no part, and each approach to them."""
    rows = outreach_rows(item)
    if not rows:
        return []
    table = _table(
        ["Community", "Date", "By", "Where", "Result"],
        (
            [community, "none yet", "", "", ""]
            if line is None
            else [
                community,
                line.at,
                md(line.by),
                _WITHHELD if "venue" in line.withheld else md(line.venue),
                _WITHHELD if "result" in line.withheld else md(line.result),
            ]
            for community, line in rows
        ),
    )
    return ["### Outreach to absent communities", "", *table]


def _outputs_and_breaches(item: InitiativeReport) -> list[str]:
    """What the initiative published and the breaches of trust, each as a list when there are any."""
    lines: list[str] = []
    if item.outputs:
        lines += ["### Outputs", ""]
        for output in item.outputs:
            title = _WITHHELD if "title" in output.withheld else md(output.title)
            link = f" — {md(output.link)}" if output.link else ""
            lines.append(f"- {output.at}: {title}{link}")
        lines.append("")
    if item.breaches:
        lines += ["### Breaches of trust", ""]
        for breach in item.breaches:
            lines.append(f"- {breach.at}: {_WITHHELD if breach.withheld else md(breach.description)}")
        lines.append("")
    return lines


def _evidence(item: InitiativeReport, report: Report) -> list[str]:
    lines = ["### Evidence", ""]
    if not item.evidence and not item.withheld_evidence:
        return [*lines, "None recorded.", ""]
    for evidence in item.evidence:
        link = f" — {md(evidence.link)}" if evidence.link else ""
        by = f" ({md(evidence.by)})" if evidence.by else ""
        lines.append(f"- {evidence.at} · {code(evidence.condition)} · {evidence.tlp}{by}: {md(evidence.text)}{link}")
    lines.extend(
        f"- {code(withheld.condition)}: {plural(withheld.count, 'item')} withheld "
        f"({withheld.tlp}, not for {report.audience})"
        for withheld in item.withheld_evidence
    )
    return [*lines, ""]


def _details(data: dict[str, object], withheld: Sequence[str]) -> str:
    parts = [
        f"{md(key)}: {md(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)}"
        for key, value in data.items()
    ]
    parts += [f"{md(key)}: {_WITHHELD}" for key in withheld]
    return "; ".join(parts)
