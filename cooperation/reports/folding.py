"""Text folded for matching names: the words of a text, normalised, each with its place in the original.

De-identification compares names and text in one folded form, so that spelling variants of
a name meet: compatibility decomposition (NFKD, which also makes NFC and NFD alike and
turns full-width letters and ligatures into plain ones), case folding ("Straße" and
"STRASSE" both become "strasse"), marks dropped ("José" and "Jose" meet; so do the
vowel signs of Arabic or Devanagari), and invisible characters (bidi marks, zero-width
joiners, soft hyphens, control characters) skipped. Before folding, percent-encoded UTF-8
(as in links) and HTML character references are decoded, so that "Ada%20Lovelace" and
"L&#111;velace" are read as written for a human.

The folded text is cut into tokens, each carrying the span of the original text it came
from, so that a replacement lands on the original characters:

- a word of a script written with spaces (Latin, Greek, Cyrillic, Arabic, ...) is one token:
  a maximal run of letters and digits, so that names match whole words only;
- a character of a script written without spaces (Chinese, Japanese, Korean, Thai, Lao,
  Khmer, Myanmar, Tibetan, Yi) is a token by itself, so that a name in those scripts is
  found inside a longer run of text (李雷 in 李雷说);
- spaces, dashes, apostrophes (straight or curly), underscores, dots and '+' only separate
  tokens ("Mary Jane", "Mary-Jane", "mary_jane" and "O'Brien", "O’Brien" meet);
- any other punctuation becomes one `BREAK` token, so that "Ada (Jr.)" is matched as written
  and never across a comma or a slash.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import NamedTuple

BREAK = "\x01"  # the token for a run of punctuation: a control character, which folding never keeps

_WORD, _SPACELESS, _JOIN, _BREAK = 0, 1, 2, 3
_APOSTROPHES = frozenset("'`´‘’‚‛′‵ʹʻʼʽˈ＇")
# Scripts written without spaces between words: (first, last) code points.
_SPACELESS_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul jamo (what Hangul syllables decompose into)
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x31FF),  # Hiragana, Katakana, Bopomofo, Hangul compatibility jamo
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA000, 0xA4CF),  # Yi
    (0xA960, 0xA97F),  # Hangul jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
# Text that is plain ASCII without escapes or control characters takes a fast path with the same result.
_NOT_PLAIN = re.compile(r"[^\t\n\r\x20-\x7e]|[%&]")
# A word, or a run of punctuation (with any joining characters inside it) that makes one BREAK token.
_PLAIN_TOKEN = re.compile(r"([a-z0-9]+)|[^a-z0-9 \t\n\r'`_.+-]+(?:[ \t\n\r'`_.+-]*[^a-z0-9 \t\n\r'`_.+-]+)*")
_ESCAPE = re.compile(r"(?:%[0-9A-Fa-f]{2})+|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


class Tokens(NamedTuple):
    """The folded words of a text, with the span [start, end) of the original each came from."""

    words: list[str]
    starts: list[int]
    ends: list[int]


def fold(text: str) -> str:
    """The folded form of `text`: its tokens joined by spaces (what the matcher compares)."""
    return " ".join(tokenise(text).words)


def has_escapes(text: str) -> bool:
    """Whether `text` holds percent-encoding or HTML references, which read differently decoded and not."""
    return _ESCAPE.search(text) is not None


def tokenise(text: str, *, decode: bool = True) -> Tokens:
    """The tokens of `text` (see the module's docstring for what a token is); with `decode` false, escapes
    are read as written."""
    if _NOT_PLAIN.search(text) is None:
        return _plain_tokens(text)
    tokens = Tokens([], [], [])
    word: list[str] = []
    word_start = word_end = 0
    units = _decoded(text) if decode else [(character, index, index + 1) for index, character in enumerate(text)]
    for character, start, end in units:
        for folded, kind in _folded(character):
            if kind == _WORD:
                if not word:
                    word_start = start
                word.append(folded)
                word_end = end
                continue
            if word:
                _append(tokens, "".join(word), word_start, word_end)
                word = []
            if kind == _SPACELESS:
                _append(tokens, folded, start, end)
            elif kind == _BREAK:
                if tokens.words and tokens.words[-1] == BREAK:
                    tokens.ends[-1] = end  # one token for a run of punctuation
                else:
                    _append(tokens, BREAK, start, end)
    if word:
        _append(tokens, "".join(word), word_start, word_end)
    return tokens


def _append(tokens: Tokens, word: str, start: int, end: int) -> None:
    tokens.words.append(word)
    tokens.starts.append(start)
    tokens.ends.append(end)


def _plain_tokens(text: str) -> Tokens:
    """The tokens of printable ASCII text without escapes: the same as the general path, faster."""
    matches = list(_PLAIN_TOKEN.finditer(text.lower()))
    return Tokens(
        [match.group(1) or BREAK for match in matches],
        [match.start() for match in matches],
        [match.end() for match in matches],
    )


def _decoded(text: str) -> list[tuple[str, int, int]]:
    """Each character of `text` as a reader would see it, percent-encoding and HTML references decoded,
    with the span of the original that produced it."""
    units: list[tuple[str, int, int]] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        units.extend(
            (character, index, index + 1) for index, character in enumerate(text[position : match.start()], position)
        )
        units.extend(_escape_units(match.group(), match.start()))
        position = match.end()
    units.extend((character, index, index + 1) for index, character in enumerate(text[position:], position))
    return units


def _escape_units(escape: str, start: int) -> list[tuple[str, int, int]]:
    if escape.startswith("%"):
        try:
            decoded = bytes.fromhex(escape.replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:  # not UTF-8: read as written
            return [(character, index, index + 1) for index, character in enumerate(escape, start)]
        units = []
        for character in decoded:
            width = 3 * len(character.encode("utf-8"))  # each byte is written as %XX
            units.append((character, start, start + width))
            start += width
        return units
    decoded = _numeric_reference(escape) or html.unescape(escape)
    if decoded == escape:
        return [(character, index, index + 1) for index, character in enumerate(escape, start)]
    return [(character, start, start + len(escape)) for character in decoded]


def _numeric_reference(escape: str) -> str | None:
    """The character a numeric reference names by its code point, or None for a named reference.

    html.unescape reads &#128; to &#159; as Windows-1252 (&#153; is "™", which folds to the letters
    "tm" and would glue to the name after it); the code point itself is a control character,
    which folding skips, as it skips the same character written plainly in a name.
    """
    if not escape.startswith("&#"):
        return None
    digits = escape[2:-1]
    point = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
    if 0x80 <= point <= 0x9F:
        return chr(point)
    return None


_FOLDED: dict[str, tuple[tuple[str, int], ...]] = {}


def _folded(character: str) -> tuple[tuple[str, int], ...]:
    """What one character folds to, each folded character with its kind (cached: texts repeat characters)."""
    found = _FOLDED.get(character)
    if found is None:
        decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", character).casefold())
        found = tuple((folded, kind) for folded in decomposed if (kind := _kind(folded)) is not None)
        _FOLDED[character] = found
    return found


def _kind(character: str) -> int | None:
    """The kind of a folded character, or None for one that folding drops (marks, invisible characters)."""
    category = unicodedata.category(character)
    if character in _APOSTROPHES or character.isspace() or category in ("Pd", "Zs", "Zl", "Zp") or character in "_.+":
        return _JOIN
    if category[0] == "M" or category in ("Cf", "Cc", "Cs", "Co", "Cn"):
        return None
    if character.isalnum():
        return _SPACELESS if is_spaceless(character) else _WORD
    return _BREAK


def is_spaceless(character: str) -> bool:
    """Whether `character` belongs to a script written without spaces between words."""
    point = ord(character)
    return point >= _SPACELESS_RANGES[0][0] and any(first <= point <= last for first, last in _SPACELESS_RANGES)
