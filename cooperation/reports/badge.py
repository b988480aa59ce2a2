"""A stage as a badge: an SVG drawn by our code, and the same facts in the shields.io endpoint format.

The badge is 20 pixels high, the height at which badges are shown beside a project's
name, with 11-pixel text (readable at that size). Its colour says how far up its ladder an
initiative stands: grey at the first stage, through blue, to green at the last; a stage off
the ladder (handed off, escalated) is purple, and an initiative at risk is amber whatever
its stage, so that the colour alone says where to look.
"""

from __future__ import annotations

from html import escape as escape_attribute
from typing import Any

from cooperation.reports.model import InitiativeReport, WorkflowPicture
from cooperation.reports.svg import escape, printable

LABEL = "maturity"
HEIGHT = 20
_CHARACTER_WIDTH = 7  # Verdana at 11 px averages about 6.5 px a character; the text is fitted to its box
_PADDING = 6
_LADDER_COLOURS = ("9f9f9f", "607d8b", "1e88e5", "00838f", "43a047", "2e7d32")  # first stage ... last stage
_OFF_LADDER = "7b1fa2"
_AT_RISK = "dfb317"


def badge_colour(initiative: InitiativeReport, picture: WorkflowPicture) -> str:
    """The badge's colour as six hex digits (see the module's docstring)."""
    if initiative.at_risk:
        return _AT_RISK
    if initiative.stage not in picture.ladder:
        return _OFF_LADDER
    place = picture.ladder.index(initiative.stage)
    last = max(len(picture.ladder) - 1, 1)
    return _LADDER_COLOURS[round(place * (len(_LADDER_COLOURS) - 1) / last)]


def badge_message(initiative: InitiativeReport) -> str:
    """What the badge says: the stage, and that it is at risk when it is."""
    return f"{initiative.stage_title} · at risk" if initiative.at_risk else initiative.stage_title


def shields_endpoint(initiative: InitiativeReport, picture: WorkflowPicture) -> dict[str, Any]:
    """The badge in shields.io's endpoint format, for a badge served by shields.io instead of ours."""
    return {
        "schemaVersion": 1,
        "label": LABEL,
        "message": badge_message(initiative),
        "color": badge_colour(initiative, picture),
    }


def badge_svg(initiative: InitiativeReport, picture: WorkflowPicture) -> str:
    """The badge as a standalone SVG document."""
    message = badge_message(initiative)
    colour = badge_colour(initiative, picture)
    left = _width(LABEL)
    right = _width(message)
    total = left + right
    title = f"{LABEL}: {message}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'viewBox="0 0 {total} {HEIGHT}" role="img" aria-label="{escape_attribute(printable(title))}">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{left}" height="{HEIGHT}" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="#{colour}"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,Geneva,sans-serif" font-size="11" text-anchor="middle">'
        f"{_text(LABEL, 0, left)}{_text(message, left, right)}</g></svg>\n"
    )


def _width(text: str) -> int:
    return len(text) * _CHARACTER_WIDTH + 2 * _PADDING


def _text(text: str, x: int, width: int) -> str:
    """Text centred in its box, squeezed or stretched to the box's inner width so that it never spills."""
    inner = width - 2 * _PADDING
    return (
        f'<text x="{x + width / 2:g}" y="14" textLength="{inner}" lengthAdjust="spacingAndGlyphs">{escape(text)}</text>'
    )
