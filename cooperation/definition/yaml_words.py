"""YAML syntax errors in plain words: what is wrong, and how to fix it.

PyYAML explains in the parser's terms ("while parsing a block collection ... expected
<block end>, but found '?'"); a person editing a workflow file needs to hear that a line
is not lined up with the ones above it. Each known pattern of its messages gets a
sentence and a fix; anything else is shown as PyYAML says it, with a general fix.
"""

from __future__ import annotations

import re

GENERAL_HINT = "check the indentation (spaces only) and the quotes around this place"

# (a pattern of PyYAML's problem, then of its context ("" matches any), what it means, the fix)
_PATTERNS: tuple[tuple[str, str, str, str], ...] = (
    (
        r"found character '\\t'",
        "",
        "a tab character is used for indentation",
        "indent with spaces only; YAML does not allow tabs",
    ),
    (
        r"mapping values are not allowed here",
        "",
        "a ':' appears where a plain value was expected",
        "put the value in quotes when it contains ': ', or check that the line above it is complete",
    ),
    (
        r"expected <block end>, but found",
        r"block (collection|mapping)",
        "this line is not lined up with the lines of the {what} it belongs to{started}",
        "indent it by the same number of spaces as the lines above it at the same level",
    ),
    (
        r"could not find expected ':'",
        r"simple key",
        "a line inside a mapping has no 'key: value' form",
        "write it as 'key: value', or indent it further to continue the value above it",
    ),
    (
        r"found unexpected end of stream",
        r"quoted scalar",
        "a quote is opened but never closed{started}",
        "close the quote, or remove it",
    ),
    (
        r"expected ',' or '[\]}]'",
        r"flow (sequence|mapping)",
        "a list in [ ] or a mapping in {{ }} is not closed properly{started}",
        "check its commas and its closing bracket",
    ),
    (
        r"found duplicate anchor|found undefined alias",
        "",
        "an anchor (&name) or alias (*name) is not right",
        "define each &name once, before any *name that uses it",
    ),
)


def plain_words(problem: str, context: str, started: tuple[int, int] | None) -> tuple[str, str]:
    """What a YAML syntax error means and how to fix it, from PyYAML's problem and context."""
    where = f" (it started at line {started[0]}, column {started[1]})" if started else ""
    for problem_pattern, context_pattern, meaning, fix in _PATTERNS:
        if re.search(problem_pattern, problem) and (not context_pattern or re.search(context_pattern, context)):
            what = "mapping" if "mapping" in context else "list"
            return f"YAML syntax: {meaning.format(what=what, started=where)}", fix
    said = f"{context}{where}: {problem}" if context else problem
    return f"YAML syntax: {said or 'invalid YAML'}", GENERAL_HINT
