"""A report as one self-contained HTML page: no scripts, no fonts, no requests.

Styles are inline, pictures are inline SVG, and a Content-Security-Policy of
`default-src 'none'` tells the browser to fetch nothing, so the page reads the same
offline, on a phone (wide tables and graphs scroll inside their own box) and on paper
(each initiative starts a new page).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

from cooperation.reports.html_page import h, html_document, link_html, tlp_html
from cooperation.reports.model import InitiativeReport, Report, WorkflowPicture
from cooperation.reports.outreach import OUTREACH_LEGEND, outreach_mark, outreach_rows
from cooperation.reports.svg import (
    condition_state,
    progress_svg,
    workflow_svg,
)
from cooperation.wording import NO_MOVES, days, plural

_COVERAGE_CELLS = {
    "present": '<span class="cover present" title="taking part">✓</span>',
    "observing": '<span class="cover observing" title="observing only">◐</span>',
    "absent": '<span class="cover absent" title="missing">–</span>',
}
_STATE_WORDS = {"met": "met", "waived": "waived", "blocking": "blocking", "advisory": "advisory"}
_WITHHELD = '<span class="withheld">withheld</span>'


InitiativeLink = Callable[[int, InitiativeReport], str]
"""Where a mention of an initiative links to, given its place in the report (1-based) and itself."""


def _in_page(number: int, item: InitiativeReport) -> str:
    return f"#initiative-{number}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], *, css: str = "") -> str:
    head = "".join(f'<th scope="col">{cell}</th>' for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _state(met: bool, waived: bool, blocking: bool) -> str:
    state = condition_state(met, waived, blocking)
    return f'<span class="state {state}">{_STATE_WORDS[state]}</span>'


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    names = "names pseudonymised" if report.anonymised else "real names"
    nav = ['<li><a href="#portfolio">Portfolio</a></li>']
    nav += [f'<li><a href="#workflow-{n}">Workflow: {h(p.title)}</a></li>' for n, p in enumerate(report.workflows, 1)]
    nav += [f'<li><a href="#initiative-{n}">{h(i.name)}</a></li>' for n, i in enumerate(report.initiatives, 1)]
    body = [
        "<header>",
        f"<h1>{h(report.title)}</h1>",
        f'<p class="meta">As of <strong>{h(report.as_of)}</strong> · audience {tlp_html(report.audience)} · {names} · '
        f"{plural(len(report.initiatives), 'initiative')}</p>",
        f'<p class="meta">Made from the record up to its head <code>{h(report.head)}</code>: '
        f"<code>coop audit --expect {h(report.head)}</code> checks that nothing recorded before it has changed.</p>",
        f'<p class="notice">This report shows only what {tlp_html(report.audience)} may see. Text without a label of '
        "its own (waiver rationales, breach descriptions, reasons for moves, venues, outputs) counts as "
        f"{tlp_html('TLP:AMBER')}.</p>",
        f'<nav aria-label="Contents"><ul>{"".join(nav)}</ul></nav>',
        "</header>",
        "<main>",
        portfolio_section(report),
        unreadable_section(report),
        *(workflow_section(picture, number) for number, picture in enumerate(report.workflows, 1)),
        *(initiative_section(item, number, report) for number, item in enumerate(report.initiatives, 1)),
        "</main>",
    ]
    return html_document(
        report.title, "".join(body), generator=f"coop report ({report.format} v{report.format_version})"
    )


def unreadable_section(report: Report) -> str:
    """The initiatives that cannot be shown, with why (nothing when all can)."""
    if not report.unreadable:
        return ""
    items = "".join(f"<li><code>{h(entry.initiative)}</code>: {h(entry.error)}</li>" for entry in report.unreadable)
    return f'<section id="unreadable"><h2>Initiatives that cannot be shown</h2><ul>{items}</ul></section>'


def portfolio_section(report: Report, link: InitiativeLink = _in_page) -> str:
    """The portfolio at a glance: each initiative's stage, next move and blockers, and the communities."""
    parts = ['<section id="portfolio" class="portfolio"><h2>Portfolio</h2>']
    if not report.initiatives:
        return "".join(parts) + "<p>No initiatives.</p></section>"
    rows = []
    for number, item in enumerate(report.initiatives, 1):
        blockers = ", ".join(f"<code>{h(line.condition)}</code>" for line in item.blockers)
        if item.next is None:
            following = "none (terminal)" if item.terminal else "none"
        elif item.can_advance:
            following = f'{h(item.next_title)} <span class="ready">ready</span>'
        else:
            following = f'{h(item.next_title)} <span class="blocked">blocked</span>'
        risk = (
            '<span class="risk">⚠ ' + ", ".join(h(name) for name in item.at_risk_conditions) + "</span>"
            if item.at_risk
            else ""
        )
        rows.append(
            [
                f'<a href="{h(link(number, item))}">{h(item.name)}</a><br><code>{h(item.initiative)}</code>',
                h(item.stage_title),
                days(item.days_in_stage),
                following,
                blockers,
                risk,
            ]
        )
    parts.append(_table(["Initiative", "Stage", "In stage", "Next", "Blockers", "At risk"], rows, css="overview"))
    parts.append('<h3>Stakeholder communities</h3><p class="meta">✓ taking part · ◐ observing only · – missing</p>')
    coverage = []
    for item in report.initiatives:
        cells = [f"<code>{h(item.initiative)}</code>"]
        cells += [_COVERAGE_CELLS[item.communities.state(community)] for community in report.communities]
        coverage.append(cells)
    parts.append(_table(["Initiative", *(h(name) for name in report.communities)], coverage, css="coverage"))
    parts.append(f'<h3>Outreach to absent communities</h3><p class="meta">{h(OUTREACH_LEGEND)}</p>')
    reached = (
        [f"<code>{h(i.initiative)}</code>", *(outreach_mark(i, c) for c in report.communities)]
        for i in report.initiatives
    )
    parts.append(_table(["Initiative", *(h(name) for name in report.communities)], reached, css="coverage"))
    parts.append("<h3>Prerequisites that block the most initiatives</h3>")
    if not report.top_blockers:
        parts.append("<p>Nothing blocks any initiative's next move.</p>")
    else:
        items = "".join(
            f"<li><strong>{h(blocker.title)}</strong> (<code>{h(blocker.condition)}</code>, {h(blocker.workflow)}): "
            f"blocks {plural(len(blocker.initiatives), 'initiative')}: "
            + ", ".join(f"<code>{h(name)}</code>" for name in blocker.initiatives)
            + "</li>"
            for blocker in report.top_blockers
        )
        parts.append(f'<ol class="top-blockers">{items}</ol>')
    return "".join(parts) + "</section>"


def workflow_section(picture: WorkflowPicture, number: int) -> str:
    """A workflow's ladder and its prerequisite graph, drawn, with the graph as Mermaid and DOT text."""
    titles = {stage.id: stage.title for stage in picture.stages}
    ladder = " → ".join(h(titles[stage]) for stage in picture.ladder)
    return (
        f'<section id="workflow-{number}" class="workflow"><h2>Workflow: {h(picture.title)}</h2>'
        f'<p class="meta"><code>{h(picture.id)}</code> version {h(picture.version)} · ladder: {ladder}</p>'
        f'<figure><div class="scroll">{workflow_svg(picture)}</div>'
        "<figcaption>The prerequisite graph: each arrow runs from a prerequisite to what needs it; stages "
        "further right need everything to their left that leads to them.</figcaption></figure>"
        f"<details><summary>Mermaid text</summary><pre>{h(picture.mermaid)}</pre></details>"
        f"<details><summary>Graphviz DOT text</summary><pre>{h(picture.dot)}</pre></details>"
        "</section>"
    )


def initiative_section(item: InitiativeReport, number: int, report: Report) -> str:
    """One initiative's section: its facts and progress, what it lacks, its path, conditions, people and history."""
    parts = [
        f'<section id="initiative-{number}" class="initiative">',
        f"<h2>{h(item.name)} <code>{h(item.initiative)}</code></h2>",
        '<dl class="facts">' + "".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in _facts(item)) + "</dl>",
        f"<figure>{progress_svg(item, report.workflow(item.workflow))}</figure>",
    ]
    if item.unmet:
        entries = "".join(
            f'<li class="{"blocking" if unmet.blocking else "advisory"}-item"><strong>{h(unmet.title)}</strong> '
            f"(<code>{h(unmet.condition)}</code>, {'blocking' if unmet.blocking else h(unmet.strength)}): "
            f"{h(unmet.described)}</li>"
            for unmet in item.unmet
        )
        parts.append(f'<h3>What the next stage still needs, in working order</h3><ol class="blockers">{entries}</ol>')
    parts += _path_and_conditions(item)
    parts.append(_evidence(item, report))
    parts += _people_and_meetings(item)
    parts += _outreach(item)
    parts += _outputs_and_breaches(item)
    parts.append("<h3>History</h3>")
    parts.append(
        _table(
            ["#", "Date", "Event", "By", "Details", "Recorded"],
            (
                [
                    str(line.seq),
                    h(line.at),
                    h(line.kind),
                    h(line.by),
                    _details(line.data, line.withheld),
                    h(line.recorded()),
                ]
                for line in item.history
            ),
            css="history",
        )
    )
    parts.append("</section>")
    return "".join(parts)


def _facts(item: InitiativeReport) -> list[tuple[str, str]]:
    """The initiative at a glance, as (term, HTML) pairs: stage, next move, workflow, risks, hand-off, communities."""
    since = f" since {h(item.stage_since)} ({days(item.days_in_stage)})" if item.stage_since else ""
    if item.next is None:
        following = "none" + (" (terminal stage)" if item.terminal else "")
    elif item.can_advance:
        following = f'{h(item.next_title)}: <span class="ready">ready to advance</span>'
    else:
        following = (
            f'{h(item.next_title)}: <span class="blocked">blocked by '
            f"{plural(len(item.blockers), 'prerequisite')}</span>"
        )
    facts = [
        ("Stage", f"<strong>{h(item.stage_title)}</strong>{since}"),
        ("Next", following),
        ("Workflow", f"<code>{h(item.workflow)}</code>"),
    ]
    if item.at_risk:
        facts.append(
            (
                "At risk",
                '<span class="risk">⚠ no longer met for this stage: '
                + ", ".join(f"<code>{h(name)}</code>" for name in item.at_risk_conditions)
                + "</span>",
            )
        )
    if item.handed_off:
        body = h(item.handed_off.body) if item.handed_off.body is not None else _WITHHELD
        facts.append(("Handed off", f"to {body} ({h(item.handed_off.body_kind)}) on {h(item.handed_off.at)}"))
    facts.append(
        (
            "Communities",
            "taking part: "
            + (h(", ".join(item.communities.present)) or "none")
            + "; missing: "
            + (h(", ".join(item.communities.missing)) or "none"),
        )
    )
    return facts


def _path_and_conditions(item: InitiativeReport) -> list[str]:
    """The path through the stages, and every condition of the workflow with its state."""
    path_rows = (
        [
            h(step.at),
            h(step.move),
            h(step.stage_title),
            h(step.by) or ("" if step.move == "created" else "automatic"),
            _WITHHELD if step.withheld else h(step.note),
        ]
        for step in item.path
    )
    condition_rows = (
        [
            f"{h(line.title)}<br><code>{h(line.condition)}</code>" + (" ★" if line.for_next_stage else ""),
            h(line.strength),
            _state(line.met, line.waived, line.blocking),
            f"{round(line.progress * 100)}%",
            h(line.described),
        ]
        for line in item.conditions
    )
    return [
        "<h3>Path through the stages</h3>",
        _table(["Date", "Move", "Stage", "By", "Note"], path_rows),
        "<h3>Conditions</h3>",
        *(
            [
                _table(["Condition", "Strength", "State", "Progress", "Detail"], condition_rows),
                '<p class="meta">★ a prerequisite of the next stage.</p>',
            ]
            if item.conditions
            else [f"<p>{h(NO_MOVES)}</p>"]  # a stage with no move out: nothing can be worked towards
        ),
    ]


def _people_and_meetings(item: InitiativeReport) -> list[str]:
    """The participants and the meetings, each as a table when there are any."""
    parts: list[str] = []
    if item.participants:
        parts.append("<h3>Participants</h3>")
        parts.append(
            _table(
                ["Name", "Community", "Role", "Organisation", "Joined", "Active"],
                (
                    [
                        h(p.name),
                        h(p.community),
                        h(p.role),
                        h(p.organisation),
                        h(p.joined),
                        "yes" if p.active else "left",
                    ]
                    for p in item.participants
                ),
            )
        )
    if item.meetings:
        parts.append("<h3>Meetings</h3>")
        parts.append(
            _table(
                ["Date", "Attendees", "Neutral", "Venue"],
                (
                    [
                        h(m.at),
                        h(", ".join(m.attendees)),
                        "yes" if m.neutral else "no",
                        _WITHHELD if m.withheld else h(m.venue),
                    ]
                    for m in item.meetings
                ),
            )
        )
    return parts


def _outreach(item: InitiativeReport) -> list[str]:
    """The communities that take no part, and each approach to them."""
    rows = [
        [h(community), "none yet", "", "", ""]
        if line is None
        else [h(community), h(line.at), h(line.by)]
        + [_WITHHELD if name in line.withheld else h(getattr(line, name)) for name in ("venue", "result")]
        for community, line in outreach_rows(item)
    ]
    return (
        ["<h3>Outreach to absent communities</h3>", _table(["Community", "Date", "By", "Where", "Result"], rows)]
        if rows
        else []
    )


def _outputs_and_breaches(item: InitiativeReport) -> list[str]:
    """What the initiative published and the breaches of trust, each as a list when there are any."""
    parts: list[str] = []
    if item.outputs:
        entries = "".join(
            f"<li>{h(o.at)}: {_WITHHELD if 'title' in o.withheld else h(o.title)} {link_html(o.link)}</li>"
            for o in item.outputs
        )
        parts.append(f"<h3>Outputs</h3><ul>{entries}</ul>")
    if item.breaches:
        entries = "".join(f"<li>{h(b.at)}: {_WITHHELD if b.withheld else h(b.description)}</li>" for b in item.breaches)
        parts.append(f"<h3>Breaches of trust</h3><ul>{entries}</ul>")
    return parts


def _evidence(item: InitiativeReport, report: Report) -> str:
    if not item.evidence and not item.withheld_evidence:
        return "<h3>Evidence</h3><p>None recorded.</p>"
    entries = [
        f"<li>{h(e.at)} · <code>{h(e.condition)}</code> · {tlp_html(e.tlp)}"
        + (f" ({h(e.by)})" if e.by else "")
        + f": {h(e.text)} {link_html(e.link)}</li>"
        for e in item.evidence
    ]
    entries += [
        f"<li><code>{h(w.condition)}</code>: {_WITHHELD}: {plural(w.count, 'item')} labelled {tlp_html(w.tlp)} "
        f"(not for {h(report.audience)})</li>"
        for w in item.withheld_evidence
    ]
    return f'<h3>Evidence</h3><ul class="evidence">{"".join(entries)}</ul>'


def _details(data: dict[str, object], withheld: Sequence[str]) -> str:
    parts = [
        f"{h(key)}: {h(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))}"
        for key, value in data.items()
    ]
    parts += [f"{h(key)}: {_WITHHELD}" for key in withheld]
    return "; ".join(parts)
