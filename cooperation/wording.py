"""Small pieces of wording shared by messages and reports."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "did you mean 'neutrality'?" for a close choice (case aside: 'isoc' finds 'ISOC'), or "" when none is close."""
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


def counted(have: int, need: int, word: str, words: str | None = None) -> str:
    """A count against what is needed: '1 of 3 meetings' while short of it, '2 communities (1 needed)'
    once there (never the odd '2 of 1 communities'). `words` is the plural when not `word` + 's'."""
    many = words or f"{word}s"
    if have < need:
        return f"{have} of {need} {many}"
    return f"{have} {word if have == 1 else many} ({need} needed)"
