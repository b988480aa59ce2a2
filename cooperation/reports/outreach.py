"""Outreach in a report: the absent communities, and each approach to them, as one audience may see it.

The community approached is a word of the vocabulary and always shown; where it happened
and what came of it are free text, shown only to an audience the event's TLP label allows
(and under pseudonyms when asked), like every other text of a report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from cooperation.engine.payloads import payload
from cooperation.reports.confidentiality import UNLABELLED_TEXT_LABEL
from cooperation.reports.model import InitiativeReport, OutreachLine

if TYPE_CHECKING:
    from cooperation.reports.initiative import InitiativeGatherer


def gather_outreach(gatherer: InitiativeGatherer, moment_text: Callable[[datetime], str]) -> list[OutreachLine]:
    """Every outreach event of the initiative (up to the report's moment), through the gatherer's two gates."""
    lines = []
    for event in gatherer.events:
        if event.kind != "outreach_done":
            continue
        data = payload(event, "outreach_done")
        label = data.get("tlp") or UNLABELLED_TEXT_LABEL
        venue, result = gatherer.visible(data.get("venue"), label), gatherer.visible(data.get("result"), label)
        given = (("venue", data.get("venue"), venue), ("result", data.get("result"), result))
        lines.append(
            OutreachLine(
                at=moment_text(event.moment),
                community=data["community"],
                by=gatherer.person(event.by),
                venue=venue,
                result=result,
                withheld=[name for name, text, shown in given if text and shown is None],
            )
        )
    return lines


OUTREACH_LEGEND = "✓ taking part · ◐ observing only · a number: approaches to an absent community · – absent, none yet"
"""How the portfolio's outreach table reads."""


def outreach_rows(item: InitiativeReport) -> list[tuple[str, OutreachLine | None]]:
    """Each absent community with each approach to it, one row per approach (None: no outreach yet)."""
    rows: list[tuple[str, OutreachLine | None]] = []
    for community, approaches in item.absent_outreach():
        rows += [(community, line) for line in approaches] or [(community, None)]
    return rows


def outreach_mark(item: InitiativeReport, community: str) -> str:
    """A portfolio cell: taking part, observing, or how many approaches an absent community has had."""
    state = item.communities.state(community)
    if state != "absent":
        return "✓" if state == "present" else "◐"
    count = sum(1 for line in item.outreach if line.community == community)
    return str(count) if count else "–"
