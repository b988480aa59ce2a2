"""The registry as an auditable record: its hash chain's head, the audit, and exports that carry the chain.

`Registry` takes these methods from `Ledger`, as it takes its typed recording methods from
`Recorder`. The chain itself (what is hashed, and how a break is named) is `stores.chain`;
the export format v2 is `stores.interchange`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Literal

from cooperation.definition.pinned import StoredWorkflow
from cooperation.engine.workflow_lines import PINNING_KINDS, workflow_line
from cooperation.engine.workflow_lines import export_lines as workflow_export_lines
from cooperation.errors import UnknownInitiativeError, WorkflowReferenceError
from cooperation.stores.chain import ChainRow, Head, parse_head
from cooperation.stores.interchange import export_lines
from cooperation.stores.protocol import EventStore


class Ledger:
    """What a registry says about its own record; the class using it provides `store`."""

    store: EventStore

    def head(self) -> Head:
        """The head of the registry's hash chain: the last event's position and hash, as `HASH@POSITION`
        names it. Published (a report prints it), it anchors the record as it stood then."""
        return self.store.head()

    def audit(self, *, expect: str | Head | None = None) -> Head:
        """Recompute the hash chain over every event and return its head.

        Raises TamperedRecordError naming the first event altered, removed, inserted or
        reordered; with `expect` (a head published earlier, `HASH@POSITION`), also when the
        record no longer holds it.
        """
        wanted = parse_head(expect) if isinstance(expect, str) else expect
        return self.store.audit(expect=wanted)

    def export_lines(self, initiative: str | None = None, *, version: Literal[1, 2] = 2) -> Iterator[str]:
        """Every event (or one initiative's) as JSON Lines, each ending in a newline: format v2 (a
        header, then the events in the registry's order with their chain), or v1 (events only)."""
        if initiative is not None and not self.store.version(initiative):
            raise UnknownInitiativeError(initiative, known=self.store.initiatives())
        if version == 2:
            yield from export_lines(self.store, initiative, before=_WorkflowTexts(self.store).before)
            return
        logs = [(initiative, self.store.read(initiative))] if initiative is not None else self.store.read_all()
        for _, events in logs:
            for line in workflow_export_lines(events, self.store):  # each workflow text before its first use
                yield line + "\n"


class _WorkflowTexts:
    """The workflow texts a v2 export carries: each once, just before the first event pinned to it."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.carried: set[str] = set()

    def before(self, row: ChainRow) -> Iterator[str]:
        if row.kind not in PINNING_KINDS:
            return
        data = json.loads(row.data)
        digest = data.get("workflow_hash")
        if not isinstance(digest, str) or digest in self.carried:
            return
        text = self.store.workflow_text(digest)
        if text is None:
            raise WorkflowReferenceError(str(data.get("workflow", "")), digest=digest)
        self.carried.add(digest)
        yield workflow_line(StoredWorkflow(digest, str(data.get("workflow", "")), text)) + "\n"
