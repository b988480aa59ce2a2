"""Small pieces of wording shared by messages and reports."""

from __future__ import annotations

import re
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "did you mean 'neutrality'?" for a close choice (case aside: 'isoc' finds 'ISOC'), or "" when none is close."""
    import difflib  # only when a word is not found: reading statuses does not pay for it

    listed = [choice for choice in choices if choice != word]
    by_folded = {choice.casefold(): choice for choice in listed}
    close = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f"did you mean '{by_folded[close[0]]}'?" if close else ""


NO_MOVES = "No move leads on from this stage, so no condition applies."  # a report's conditions at an end


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 meeting', '3 meetings'; `words` when the plural is not `word` + 's' ('1 community', '2 communities')."""
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def one_of(words: Iterable[str]) -> str:
    """'owner', 'owner or secretariat', 'owner, secretariat or member'."""
    listed = list(words)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"


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


def counted(have: int, need: int, word: str, words: str | None = None) -> str:
    """A count against what is needed: '1 of 3 meetings' while short of it, '2 communities (1 needed)'
    once there (never the odd '2 of 1 communities'). `words` is the plural when not `word` + 's'."""
    many = words or f"{word}s"
    if have < need:
        return f"{have} of {need} {many}"
    return f"{have} {word if have == 1 else many} ({need} needed)"
