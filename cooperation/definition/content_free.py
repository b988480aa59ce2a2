"""Errors about a file that does not declare itself a workflow say nothing of what it holds.

A workflow file starts with a top-level `id:` line naming its id. The detailed problems
of a file that declares itself a workflow quote its keys and values, to point at the fix;
a file without that line may be anything (a password file named by mistake, or on
purpose by someone who hopes coop runs with more rights than they have), so its
problems are replaced by one that gives only the place: no key, value or line of it.
"""

from __future__ import annotations

import re

from cooperation.errors import Problem, WorkflowDefinitionError

_DECLARED = re.compile(rb"""^id:[ \t]*(["']?)[a-z][a-z0-9]*(?:-[a-z0-9]+)*\1[ \t]*(?:#.*)?\r?$""", re.MULTILINE)

# Problems whose text is fixed by coop, whatever the file holds: kept as they are.
_FIXED_TEXTS = (
    "the file is empty",
    "a workflow must be a mapping of keys",
    "refused:",
    "not valid UTF-8 at byte",
    "file is ",
    "nesting deeper than",
)

NOT_A_WORKFLOW = "not a workflow definition: it has no top-level 'id:' line, so nothing of its content is shown"
HINT = "a workflow file starts with 'id: my-workflow', then version, title, stages (see `coop workflows show`)"


def declares_workflow(text: str | bytes) -> bool:
    """Whether the text has a top-level `id:` line with a workflow id: the mark of a workflow file."""
    raw = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return _DECLARED.search(raw.removeprefix(b"\xef\xbb\xbf")) is not None


def without_contents(error: WorkflowDefinitionError, text: str | bytes) -> WorkflowDefinitionError:
    """`error` itself for a file that declares itself a workflow; else one that quotes nothing of it."""
    if declares_workflow(text):
        return error
    fixed = [problem for problem in error.problems if problem.message.startswith(_FIXED_TEXTS)]
    if len(fixed) == len(error.problems):
        return error
    first = next(problem for problem in error.problems if problem not in fixed)
    placed = Problem(NOT_A_WORKFLOW, file=first.file, line=first.line, column=first.column, hint=HINT)
    return WorkflowDefinitionError([*fixed, placed] if fixed else [placed])
