"""Workflows pinned in the registry: each version stored once, addressed by the hash of its text.

The first time an initiative uses a workflow (a built-in or a file a person names), its
text is stored in the registry and the initiative records the workflow's id and the
text's hash (`workflow`, `workflow_hash` in `initiative_created` or `workflow_changed`).
From then on the initiative is judged by that text alone: editing, moving or deleting
the file, or upgrading coop with a changed built-in, changes nothing until someone
records a `workflow_changed` (`coop workflows upgrade ... --apply`).

A reference read from data is never opened as a path. A reference without a hash, left
by a registry made before workflows were pinned, resolves only when it names a built-in
id (to the built-in this coop ships: such an initiative is unpinned until upgraded); one
that names a file path is refused with the command that pins it.

Reading a status imports nothing heavy from here: a stored text is compiled through the
same cache as any workflow (`catalog.compile_text`), once per hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple, Protocol

from cooperation.definition.catalog import (
    builtin_directory,
    builtin_workflow_ids,
    compile_text,
    is_builtin_id,
    workflow_path,
)
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.digest import sha256_hex
from cooperation.errors import UnknownWorkflowError, WorkflowReferenceError

HASH_LENGTH = 64  # sha256, as lower-case hex


class StoredWorkflow(NamedTuple):
    """One workflow version kept in a registry."""

    hash: str
    id: str
    text: str


class WorkflowShelf(Protocol):
    """What a store offers for keeping workflow texts (`stores.protocol.EventStore` has it)."""

    def store_workflow(self, workflow_id: str, text: str) -> str: ...
    def workflow_text(self, digest: str) -> str | None: ...


class Pin(NamedTuple):
    """A workflow version ready to pin an initiative to: its text, hash and compilation."""

    id: str
    hash: str
    text: str
    workflow: CompiledWorkflow

    def reference(self) -> dict[str, str]:
        """The keys an event records to name this version."""
        return {"workflow": self.id, "workflow_hash": self.hash}


def content_hash(text: str) -> str:
    """The address of a workflow text: sha256 of its UTF-8 bytes, in hex."""
    return sha256_hex(text.encode("utf-8"))


def stored_label(workflow_id: str, digest: str) -> str:
    """How messages name a stored version: its id and the start of its hash."""
    return f"{workflow_id}@{digest[:12]}"


def read_named(name: str) -> Pin:
    """A workflow a person names (a built-in id or a file): read, checked and compiled, not yet stored."""
    return _read(workflow_path(name), name)


def read_builtin(name: str) -> Pin:
    """The built-in workflow `name` (an id checked by `is_builtin_id`), from the package alone: never a
    file of that name in the working directory, for `name` may come from data."""
    return _read(builtin_directory() / f"{name}.yaml", name)


def _read(path: Path, name: str) -> Pin:
    try:
        source = path.read_bytes()
    except OSError as error:
        raise UnknownWorkflowError(name, builtin_workflow_ids(), reason=error.strerror or "cannot be read") from None
    workflow = compile_text(source, label=str(path))  # refuses an invalid file, quoting nothing of a non-workflow
    text = source.decode("utf-8-sig")  # valid UTF-8: it compiled
    return Pin(workflow.id, content_hash(text), text, workflow)


_NOT_THAT_VERSION = "the text stored under it is not that version (written around coop: see `coop audit`)"


class PinnedWorkflows:
    """The workflows of one registry's initiatives, each version compiled once and kept by hash."""

    def __init__(self, shelf: WorkflowShelf) -> None:
        self.shelf = shelf
        self._by_hash: dict[str, CompiledWorkflow] = {}
        self._unpinned: dict[str, CompiledWorkflow] = {}
        self.offered: dict[str, StoredWorkflow] = {}  # texts met in an import, stored when it writes

    def resolve(self, reference: Mapping[str, object]) -> CompiledWorkflow:
        """The workflow an event's `workflow` (and `workflow_hash`) name; never a file opened from data."""
        name = str(reference.get("workflow", ""))
        digest = reference.get("workflow_hash")
        if isinstance(digest, str):
            pinned = self._by_hash.get(digest) or self._stored(name, digest)
            if pinned.id != name:
                raise WorkflowReferenceError(name, digest=digest, problem=f"that version is workflow {pinned.id}")
            return pinned
        workflow = self._unpinned.get(name)
        if workflow is None:
            if not is_builtin_id(name):
                raise WorkflowReferenceError(name)
            workflow = self._unpinned[name] = read_builtin(name).workflow
        return workflow

    def _stored(self, name: str, digest: str) -> CompiledWorkflow:
        offered = self.offered.get(digest)
        text = offered.text if offered is not None else self.shelf.workflow_text(digest)
        if text is None:
            text = self._builtin_text(name, digest)
        elif content_hash(text) != digest:  # a text stored around coop under another's address
            raise WorkflowReferenceError(name, digest=digest, problem=_NOT_THAT_VERSION)
        workflow = compile_text(text.encode("utf-8"), label=stored_label(name, digest))
        if offered is None:  # an import's text is kept only once the import has stored it
            self._by_hash[digest] = workflow
        return workflow

    def _builtin_text(self, name: str, digest: str) -> str:
        """The text of the built-in `name` when it is the version `digest` (then stored): a log written
        by hand, or exported without its texts, may name the built-in this coop ships."""
        if is_builtin_id(name):
            builtin = read_builtin(name)
            if builtin.hash == digest:
                self.keep(builtin)
                return builtin.text
        raise WorkflowReferenceError(name, digest=digest)

    def keep(self, pin: Pin) -> None:
        """Store a version's text (once) and keep its compilation: initiatives are about to be pinned to it."""
        if pin.hash not in self._by_hash:
            stored = self.shelf.workflow_text(pin.hash)
            if stored is None:
                self.shelf.store_workflow(pin.id, pin.text)  # a write only the first time: writers queue for it
            elif stored != pin.text:  # written around coop under this version's address
                raise WorkflowReferenceError(pin.id, digest=pin.hash, problem=_NOT_THAT_VERSION)
        self._by_hash.setdefault(pin.hash, pin.workflow)

    def offer(self, stored: StoredWorkflow) -> None:
        """A text carried by an import: checked against its hash and id, held until the import writes."""
        if len(stored.hash) != HASH_LENGTH or content_hash(stored.text) != stored.hash:
            raise WorkflowReferenceError(stored.id, digest=stored.hash, problem="its text does not match its hash")
        workflow = compile_text(stored.text.encode("utf-8"), label=stored_label(stored.id, stored.hash))
        if workflow.id != stored.id:
            raise WorkflowReferenceError(stored.id, digest=stored.hash, problem=f"its text is workflow {workflow.id}")
        self.offered[stored.hash] = stored

    def store_offered(self) -> None:
        """Store the texts an import carried (before its events, which name them)."""
        for stored in self.offered.values():
            self.shelf.store_workflow(stored.id, stored.text)
        self.offered.clear()
