"""The frame every HTML page of ours shares: a policy that fetches nothing, the inline style, the title.

The report is one such page; a static site (`coop site`) is several, linked by relative
addresses. The Content-Security-Policy `default-src 'none'` tells the browser to fetch
nothing at all (styles are inline, pictures inline SVG or data: addresses), so a page
reads the same offline, and following a link is the only way to reach another.
"""

from __future__ import annotations

from html import escape

from cooperation.reports.html_style import STYLE
from cooperation.reports.svg import printable

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def h(text: str | None) -> str:
    """Escape text for HTML content and attributes."""
    return escape(printable(text or ""), quote=True)


def html_document(title: str, body: str, *, generator: str) -> str:
    """A whole HTML document around `body` (already HTML), with `title` and our policy and style."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{h(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f'<meta name="generator" content="{h(generator)}">'
        f"<title>{h(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>{body}</body></html>\n"
    )
