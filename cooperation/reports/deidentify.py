"""Finding names in text: one trie over every name, its parts and its variants, matched in linear time.

Names and text are folded alike (`cooperation.reports.folding`) and compared token by token.
Every name is a key, and so are its variants, each mapped to the name's replacement:

- the name as written, and without its leading or trailing punctuation ("O'Neil (Jr.)");
- its words glued together ("AdaLovelace"; "ada_lovelace" needs no key, folding finds it);
- for an organisation of three words or more, its initials ("European Network Agency": "ENA");
- each part: every word of three characters or more ("Lovelace" of "Ada Lovelace"), or of two
  characters or more in a script without spaces (山田 of 山田 太郎), except numbers and the
  generic words of `GENERIC_WORDS` ("University", "of", "von").

Which replacement a part gets is the caller's choice (`cooperation.reports.pseudonyms` maps a
part shared by several names to one that names no one).
The text is scanned once, left to right; at each token the trie is walked as far as the
text allows and the longest key found wins, so the cost is linear in the length of the text
(times the length of the longest name that starts there), whatever the number of names.
Building the trie is linear in the total length of the names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from cooperation.reports.folding import BREAK, Tokens, has_escapes, is_spaceless, tokenise

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
_REMEMBERED = 100_000  # replaced texts kept, at most
_END = ""  # the key under which a trie node keeps its replacement: no token is empty
Trie = dict[str, Any]


class NameMatcher:
    """Replaces every known name, name part and variant in a text by its replacement, in one pass."""

    def __init__(self) -> None:
        self._root: Trie = {}
        self._priority: dict[tuple[str, ...], int] = {}
        self._replaced: dict[str, str] = {}  # texts repeat (condition details, ids): each is matched once

    def add(self, key: tuple[str, ...], replacement: str, priority: int) -> None:
        """Adds one folded key (see `name_keys`); a key already taken with the same or a higher priority stays."""
        if all(word == BREAK for word in key) or self._priority.get(key, priority - 1) >= priority:
            return
        self._priority[key] = priority
        node = self._root
        for word in key:
            node = node.setdefault(word, {})
        node[_END] = replacement
        self._replaced.clear()

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
        found = self._replaced.get(text)
        if found is None:
            if len(self._replaced) >= _REMEMBERED:
                self._replaced.clear()
            found = self._replaced[text] = self._replace(text)
        return found

    def _replace(self, text: str) -> str:
        spans = self.spans(tokenise(text)) if self._root else []
        if self._root and has_escapes(text):  # a name may show decoded ("L&#111;velace") or as written
            spans = _union(spans, self.spans(tokenise(text, decode=False)))
        if not spans:
            return text
        pieces, position = [], 0
        for start, end, replacement in spans:
            pieces.append(text[position:start])
            pieces.append(replacement)
            position = end
        pieces.append(text[position:])
        return "".join(pieces)


def _union(first: list[tuple[int, int, str]], second: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans covering both lists: overlapping spans become one, with the replacement of the longer."""
    merged: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted([*first, *second]):
        if merged and start < merged[-1][1]:
            last_start, last_end, last = merged[-1]
            longer = replacement if end - start > last_end - last_start else last
            merged[-1] = (last_start, max(end, last_end), longer)
        else:
            merged.append((start, end, replacement))
    return merged


class NameKeys(NamedTuple):
    """The keys of one name: the whole name and its variants, and its parts."""

    whole: list[tuple[str, ...]]
    parts: list[tuple[str, ...]]


def name_keys(name: str, *, organisation: bool) -> NameKeys:
    """The keys of `name` (see the module's docstring), folding it once; a name with escapes in it
    ("&quot;") has the keys of both its readings, decoded and as written."""
    whole: list[tuple[str, ...]] = []
    parts: list[tuple[str, ...]] = []
    for decode in (True, False) if has_escapes(name) else (True,):
        words = tokenise(name, decode=decode).words
        whole += _whole_keys(words, organisation=organisation)
        # An ASCII name has no script without spaces, so its parts are its words.
        parts += [(w,) for w in words if _is_part(w)] if name.isascii() else _cut_parts(name, decode=decode)
    return NameKeys(list(dict.fromkeys(whole)), list(dict.fromkeys(parts)))


def _whole_keys(words: list[str], *, organisation: bool) -> Iterable[tuple[str, ...]]:
    """The keys of a whole name: as written, without punctuation at its ends, glued, and initials."""
    yield tuple(words)
    trimmed = _trimmed(words)
    yield trimmed
    plain = [word for word in trimmed if word != BREAK]
    if len(plain) > 1 and not any(is_spaceless(word[0]) for word in plain):
        yield ("".join(plain),)
    if organisation and len(plain) >= 3:
        yield ("".join(word[0] for word in plain),)


def _cut_parts(name: str, *, decode: bool) -> Iterable[tuple[str, ...]]:
    """The parts of a name that may hold scripts without spaces. The name is cut where it has separators
    first, since folding drops them (山田 太郎 has the parts 山田 and 太郎)."""
    for chunk in _SEPARATORS.split(name):
        run: list[str] = []
        for word in [*tokenise(chunk, decode=decode).words, BREAK]:
            if is_spaceless(word[0]):
                run.append(word)
                continue
            if len(run) >= 2:
                yield tuple(run)
            run = []
            if _is_part(word):
                yield (word,)


def _is_part(word: str) -> bool:
    return word != BREAK and len(word) >= MIN_PART_LENGTH and not word.isdigit() and word not in GENERIC_WORDS


def _trimmed(words: list[str]) -> tuple[str, ...]:
    start, end = 0, len(words)
    while start < end and words[start] == BREAK:
        start += 1
    while end > start and words[end - 1] == BREAK:
        end -= 1
    return tuple(words[start:end])
