"""The workflow texts an export carries, one line each, before the first event that names them.

An export is JSON Lines of events; a line `{"coop_workflow": {"hash": ..., "id": ..., "text": ...}}`
carries the text of a workflow version that events after it are pinned to, so that the file
evaluates the same in any registry, on any machine, whatever files are there. An import takes
such a line wherever it stands, as long as it comes before the events that use it; a registry
that holds the version already needs no line for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from cooperation.definition.pinned import StoredWorkflow
from cooperation.engine.events import Event
from cooperation.errors import EventError, WorkflowReferenceError

if TYPE_CHECKING:
    from cooperation.definition.pinned import WorkflowShelf

WORKFLOW_LINE_KEY = "coop_workflow"
PINNING_KINDS = ("initiative_created", "workflow_changed")


def workflow_line(stored: StoredWorkflow) -> str:
    """The export line that carries one workflow version."""
    carried = {"hash": stored.hash, "id": stored.id, "text": stored.text}
    return json.dumps({WORKFLOW_LINE_KEY: carried}, ensure_ascii=False, separators=(",", ":"))


def read_workflow_line(line: str) -> StoredWorkflow | None:
    """The workflow version a line carries; None for a line that is not a workflow line (an event, say)."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or WORKFLOW_LINE_KEY not in value:
        return None
    carried = value[WORKFLOW_LINE_KEY]
    keys = ("hash", "id", "text")
    if (
        len(value) != 1
        or not isinstance(carried, dict)
        or sorted(carried) != list(keys)
        or not all(isinstance(carried[key], str) for key in keys)
    ):
        raise EventError(f'a {WORKFLOW_LINE_KEY} line holds one object with "hash", "id" and "text", all text')
    return StoredWorkflow(carried["hash"], carried["id"], carried["text"])


def with_workflows(events: Iterable[Event], shelf: WorkflowShelf) -> Iterator[Event | StoredWorkflow]:
    """The events, each workflow version they are pinned to coming once, just before the first that names it."""
    carried: set[str] = set()
    for event in events:
        if event.kind in PINNING_KINDS:
            digest = event.data.get("workflow_hash")
            if isinstance(digest, str) and digest not in carried:
                name = str(event.data.get("workflow", ""))
                text = shelf.workflow_text(digest)
                if text is None:
                    raise WorkflowReferenceError(name, digest=digest)
                carried.add(digest)
                yield StoredWorkflow(digest, name, text)
        yield event


def export_lines(
    events: Iterable[Event], shelf: WorkflowShelf, *, line_of: Callable[[Event], str] = Event.to_line
) -> Iterator[str]:
    """An export's lines (without newlines): each event as `line_of` writes it, after the workflow texts it
    is the first to name. What `coop export` writes; `Registry.import_lines` takes it back."""
    for item in with_workflows(events, shelf):
        yield workflow_line(item) if isinstance(item, StoredWorkflow) else line_of(item)
