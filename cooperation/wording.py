"""Small pieces of wording shared by messages and reports."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "did you mean 'neutrality'?" for a close choice, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def plural(count: int, word: str) -> str:
    """'1 meeting', '3 meetings'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def days(count: int | None) -> str:
    """'1 day', '12 days', or '' when unknown."""
    return "" if count is None else plural(count, "day")


# Characters a terminal acts on instead of showing: C0 controls (but tab and newline), DEL,
# C1 controls (U+009B is a CSI, as ESC [ is), and the marks that reorder text (bidi
# embeddings, overrides and isolates, and the implicit marks), and the Unicode line and
# paragraph separators.
_ACTING = [
    *range(0x09),
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),
    *(0x061C, 0x200E, 0x200F, 0x2028, 0x2029),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_ESCAPES = {code: f"\\u{code:04x}" for code in _ACTING}
_LINE_ESCAPES = {**_ESCAPES, ord("\n"): "\\n", ord("\t"): "\\t"}
_ACTING_PATTERN = re.compile("[" + "".join(re.escape(chr(code)) for code in _ACTING) + "]")
_LINE_PATTERN = re.compile(_ACTING_PATTERN.pattern[:-1] + "\n\t]")


def for_terminal(text: str, *, one_line: bool = False) -> str:
    """`text` safe to print: every control and bidi character shown escaped (`\\u202e`), so that
    what a user recorded cannot move the cursor, recolour, reorder or rewrite what is on screen.

    `one_line` escapes newlines and tabs too, for a value shown inside a line of its own
    (a history entry), so that it cannot forge the next one. JSON output is left as it is.
    """
    pattern, table = (_LINE_PATTERN, _LINE_ESCAPES) if one_line else (_ACTING_PATTERN, _ESCAPES)
    return text.translate(table) if pattern.search(text) else text
