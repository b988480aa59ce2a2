"""Finding names in text: one trie over every name, its parts and its variants, matched in linear time.

Names and text are folded alike (`cooperation.reports.folding`) and compared token by token.
Every name is a key, and so are its variants, each mapped to the name's replacement:

- the name as written, and without its leading or trailing punctuation ("O'Neil (Jr.)");
- its words glued together ("AdaLovelace", "mary_jane" aside, which folding already finds);
- for an organisation of three words or more, its initials ("European Network Agency": "ENA");
- each part: every word of three characters or more ("Lovelace" of "Ada Lovelace"), or of two
  characters or more in a script without spaces (山田 of 山田 太郎), except numbers and the
  generic words of `GENERIC_WORDS` ("University", "of", "von").

A part shared by several names maps to a replacement that names no one (`ambiguous`).
The text is scanned once, left to right; at each token the trie is walked as far as the
text allows and the longest key found wins, so the cost is linear in the length of the text
(times the length of the longest name that starts there), whatever the number of names.
Building the trie is linear in the total length of the names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cooperation.reports.folding import BREAK, Tokens, is_spaceless, tokenise

# Words that are parts of many names and mean nothing alone: matched only within a whole name.
GENERIC_WORDS = frozenset(
    (
        *("the", "and", "for", "les", "der", "die", "das", "van", "von", "den", "del", "della", "dos"),
        *("bin", "ibn", "abu", "inc", "ltd", "llc", "plc", "gmbh", "corp", "corporation", "company"),
        *("limited", "group", "holding", "holdings", "foundation", "association", "institute", "institution"),
        *("university", "college", "school", "academy", "ministry", "department", "agency", "authority"),
        *("office", "council", "committee", "commission", "society", "union", "network", "networks"),
        *("centre", "center", "bank", "services", "service", "international", "national", "global"),
        *("european", "federal", "government", "public", "private"),
    )
)
MIN_PART_LENGTH = 3  # letters of a part in a script with spaces; two in a script without

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.+'`\u2018\u2019\u02bc]+")
_END = ""  # the key under which a trie node keeps its replacement: no token is empty
Trie = dict[str, Any]


class NameMatcher:
    """Replaces every known name, name part and variant in a text by its replacement, in one pass."""

    def __init__(self) -> None:
        self._root: Trie = {}
        self._priority: dict[tuple[str, ...], int] = {}

    def add(self, name: str, replacement: str, *, priority: int = 0, organisation: bool = False) -> None:
        """Adds the whole `name` and its variants (not its parts: see `add_key`); where a key is already
        taken with a higher priority, it stays."""
        for key in whole_keys(tokenise(name).words, organisation=organisation):
            self._insert(key, replacement, priority)

    def add_key(self, key: tuple[str, ...], replacement: str, priority: int) -> None:
        """Adds one folded key, such as a part (which the caller maps, since several names may share it)."""
        self._insert(key, replacement, priority)

    def _insert(self, key: tuple[str, ...], replacement: str, priority: int) -> None:
        if all(word == BREAK for word in key) or self._priority.get(key, priority - 1) >= priority:
            return
        self._priority[key] = priority
        node = self._root
        for word in key:
            node = node.setdefault(word, {})
        node[_END] = replacement

    def spans(self, tokens: Tokens) -> list[tuple[int, int, str]]:
        """The (start, end, replacement) of each name found in the tokens of a text, leftmost-longest first."""
        words, found = tokens.words, []
        index, count = 0, len(words)
        while index < count:
            node: Trie | None = self._root.get(words[index])
            last, replacement = -1, ""
            position = index
            while node is not None:
                if _END in node:
                    last, replacement = position, node[_END]
                position += 1
                node = node.get(words[position]) if position < count else None
            if last < 0:
                index += 1
                continue
            found.append((tokens.starts[index], tokens.ends[last], replacement))
            index = last + 1
        return found

    def replace(self, text: str) -> str:
        """`text` with every name found replaced."""
        spans = self.spans(tokenise(text)) if self._root else []
        if not spans:
            return text
        pieces, position = [], 0
        for start, end, replacement in spans:
            pieces.append(text[position:start])
            pieces.append(replacement)
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

    def has_key(self, key: tuple[str, ...]) -> bool:
        return key in self._priority


def whole_keys(words: list[str], *, organisation: bool) -> Iterable[tuple[str, ...]]:
    """The keys of a whole name: as written, without punctuation at its ends, glued, and initials."""
    yield tuple(words)
    trimmed = _trimmed(words)
    yield trimmed
    plain = [word for word in trimmed if word != BREAK]
    if len(plain) > 1 and not any(is_spaceless(word[0]) for word in plain):
        yield ("".join(plain),)
    if organisation and len(plain) >= 3:
        yield ("".join(word[0] for word in plain),)


def part_keys(name: str) -> Iterable[tuple[str, ...]]:
    """The parts of a name (see the module's docstring for the rule), each as a key. The name is cut
    where it has separators first, since folding drops them (山田 太郎 has the parts 山田 and 太郎)."""
    for chunk in _SEPARATORS.split(name):
        run: list[str] = []
        for word in [*tokenise(chunk).words, BREAK]:
            if is_spaceless(word[0]):
                run.append(word)
                continue
            if len(run) >= 2:
                yield tuple(run)
            run = []
            if word != BREAK and len(word) >= MIN_PART_LENGTH and not word.isdigit() and word not in GENERIC_WORDS:
                yield (word,)


def _trimmed(words: list[str]) -> tuple[str, ...]:
    start, end = 0, len(words)
    while start < end and words[start] == BREAK:
        start += 1
    while end > start and words[end - 1] == BREAK:
        end -= 1
    return tuple(words[start:end])
