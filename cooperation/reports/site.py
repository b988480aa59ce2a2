"""A static site of the registry: the portfolio and a page, a status, a badge and a shields.io endpoint per initiative.

`gather_site` reads the registry through the same gates as a report (the audience's TLP
filter and, when asked, pseudonyms: `build_report` and `AudienceView`), and `site_files`
lays the result out as files, a pure function of what was gathered:

    index.html  index.json  index.csv
    ID/index.html  ID/status.json  ID/badge.svg  ID/shields.json

Every page is self-contained as the report is (no scripts, no requests, one policy that
fetches nothing) and links to the others by relative addresses, so the folder can be put on
any web server or opened from disk. The same registry and options give the same bytes, so a
site can be kept in git and diffed: nothing depends on the clock but the `as of` moment,
which defaults to the current day (its end), not the current second.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from cooperation.engine.events import cutoff
from cooperation.engine.status import InitiativeStatus
from cooperation.errors import CooperationError
from cooperation.registry import Registry
from cooperation.reports.audience import AudienceView
from cooperation.reports.badge import badge_svg, shields_endpoint
from cooperation.reports.build import Moment, Progress, build_report
from cooperation.reports.html_page import h, html_document
from cooperation.reports.model import InitiativeReport, Report
from cooperation.reports.to_html import initiative_section, portfolio_section, unreadable_section, workflow_section
from cooperation.views.status_lines import CSV_HEADER, csv_line, csv_row
from cooperation.vocabulary import TlpLabel

SITE_FORMAT = "coop-site"
SITE_FORMAT_VERSION = 1
TOP_LEVEL_FILES = ("index.html", "index.json", "index.csv")
INITIATIVE_FILES = ("index.html", "status.json", "badge.svg", "shields.json")


@dataclass(frozen=True)
class Gathered:
    """What a site is made of: the report, and each shown initiative's status as its audience sees it."""

    report: Report
    statuses: Mapping[str, InitiativeStatus]  # by the id shown


def gather_site(
    registry: Registry,
    *,
    audience: TlpLabel,
    anonymise: bool = False,
    as_of: Moment | None = None,
    progress: Progress | None = None,
) -> Gathered:
    """Everything the site shows, as of `as_of` (default: the end of the current day, UTC)."""
    moment = as_of if as_of is not None else datetime.now(UTC).date()
    report = build_report(registry, audience=audience, as_of=moment, anonymise=anonymise, progress=progress)
    view = AudienceView(registry, audience, anonymise=anonymise)
    end = cutoff(moment)
    statuses: dict[str, InitiativeStatus] = {}
    for initiative in registry.initiatives():
        if registry.history(initiative)[0].moment > end:
            continue  # not created yet at that moment, as the report leaves it out
        try:
            shown = view.status(registry.status(initiative, as_of=end))
        except (CooperationError, ArithmeticError):  # the report lists it as unreadable, with why
            continue
        statuses[shown.initiative] = shown
    return Gathered(report, statuses)


def folder_names(initiatives: Iterable[str]) -> dict[str, str]:
    """The folder of each initiative: its id, unless that would clash with a top-level file or, on a file
    system that ignores case, with another id, in which case a short hash of the id is appended."""
    taken = {name.casefold() for name in TOP_LEVEL_FILES}
    folders: dict[str, str] = {}
    for initiative in sorted(initiatives):
        folder = initiative
        if folder.casefold() in taken:
            folder = f"{initiative}-{hashlib.sha256(initiative.encode()).hexdigest()[:8]}"
        taken.add(folder.casefold())
        folders[initiative] = folder
    return folders


def site_files(gathered: Gathered) -> dict[str, str]:
    """Every file of the site, by its path relative to the site's folder (with '/'), and its text."""
    report = gathered.report
    folders = folder_names(item.initiative for item in report.initiatives)
    files = {
        "index.html": _index_page(report, folders),
        "index.json": _json(_index_json(report, folders)),
        "index.csv": _index_csv(report, gathered.statuses, folders),
    }
    for number, item in enumerate(report.initiatives, 1):
        folder = folders[item.initiative]
        picture = report.workflow(item.workflow)
        files[f"{folder}/index.html"] = _initiative_page(item, number, report)
        files[f"{folder}/status.json"] = _json(gathered.statuses[item.initiative].to_json())
        files[f"{folder}/badge.svg"] = badge_svg(item, picture)
        files[f"{folder}/shields.json"] = _json(shields_endpoint(item, picture))
    return files


# --- pages -----------------------------------------------------------------------------------------


def _header(report: Report, heading: str, *, home: str | None) -> str:
    names = "names pseudonymised" if report.anonymised else "real names"
    back = f'<p><a href="{h(home)}">← Portfolio</a></p>' if home else ""
    return (
        f"<header>{back}<h1>{h(heading)}</h1>"
        f'<p class="meta">As of <strong>{h(report.as_of)}</strong> · audience <code>{h(report.audience)}</code> · '
        f"{names}</p>"
        f'<p class="notice">This site shows only what {h(report.audience)} may see.</p></header>'
    )


def _index_page(report: Report, folders: Mapping[str, str]) -> str:
    def link(_number: int, item: InitiativeReport) -> str:
        return f"{quote(folders[item.initiative])}/index.html"

    body = [
        _header(report, "Cooperation portfolio", home=None),
        "<main>",
        portfolio_section(report, link),
        unreadable_section(report),
        *(workflow_section(picture, number) for number, picture in enumerate(report.workflows, 1)),
        "</main>",
    ]
    return html_document("Cooperation portfolio", "".join(body), generator=_generator())


def _initiative_page(item: InitiativeReport, number: int, report: Report) -> str:
    badge = badge_svg(item, report.workflow(item.workflow)).removesuffix("\n")
    body = [
        _header(report, item.name, home="../index.html"),
        f"<main><p>{badge}</p>",
        initiative_section(item, number, report),
        "</main>",
    ]
    return html_document(f"{item.name}: cooperation status", "".join(body), generator=_generator())


def _generator() -> str:
    return f"coop site ({SITE_FORMAT} v{SITE_FORMAT_VERSION})"


# --- data ------------------------------------------------------------------------------------------


def _index_json(report: Report, folders: Mapping[str, str]) -> dict[str, Any]:
    return {
        "format": SITE_FORMAT,
        "format_version": SITE_FORMAT_VERSION,
        "as_of": report.as_of,
        "audience": report.audience,
        "anonymised": report.anonymised,
        "initiatives": [_index_entry(item, folders[item.initiative]) for item in report.initiatives],
        "unreadable": [entry.model_dump() for entry in report.unreadable],
    }


def _index_entry(item: InitiativeReport, folder: str) -> dict[str, Any]:
    where = quote(folder)
    return {
        "initiative": item.initiative,
        "name": item.name,
        "workflow": item.workflow,
        "stage": item.stage,
        "stage_title": item.stage_title,
        "next": item.next,
        "can_advance": item.can_advance,
        "blockers": [line.condition for line in item.blockers],
        "at_risk": item.at_risk,
        "at_risk_conditions": item.at_risk_conditions,
        "page": f"{where}/index.html",
        "status": f"{where}/status.json",
        "badge": f"{where}/badge.svg",
        "shields": f"{where}/shields.json",
    }


def _index_csv(report: Report, statuses: Mapping[str, InitiativeStatus], folders: Mapping[str, str]) -> str:
    """The portfolio as RFC 4180 CSV: the columns of `coop status --all --format csv`, then each page's address."""
    lines = [csv_line([*CSV_HEADER, "page"])]
    for item in report.initiatives:
        row = csv_row(statuses[item.initiative])
        lines.append(csv_line([*row, f"{quote(folders[item.initiative])}/index.html"]))
    return "".join(lines)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
