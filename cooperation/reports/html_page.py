"""The frame every HTML page of ours shares: a policy that fetches nothing, the inline style, the title.

The report is one such page; a static site (`coop site`) is several, linked by relative
addresses. The Content-Security-Policy `default-src 'none'` tells the browser to fetch
nothing at all (styles are inline, pictures inline SVG or data: addresses), so a page
reads the same offline, and following a link is the only way to reach another.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

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


_TLP_CLASSES = {
    "TLP:RED": "tlp-red",
    "TLP:AMBER+STRICT": "tlp-amber",
    "TLP:AMBER": "tlp-amber",
    "TLP:GREEN": "tlp-green",
    "TLP:CLEAR": "tlp-clear",
}


def tlp_html(label: str) -> str:
    """A TLP label in the colours TLP 2.0 prescribes: coloured text on black."""
    return f'<span class="tlp {_TLP_CLASSES.get(label, "tlp-clear")}">{h(label)}</span>'


def link_html(url: str | None) -> str:
    """A clickable link for http(s) and mail addresses only; anything else is shown as text."""
    if not url:
        return ""
    scheme = urlsplit(url).scheme.lower() if "://" in url or url.startswith("mailto:") else ""
    if scheme in ("http", "https", "mailto"):
        return f'<a href="{h(url)}" rel="noopener noreferrer nofollow">{h(url)}</a>'
    return f"<code>{h(url)}</code>"
