"""The registry as an auditable record: its hash chain's head, the audit, and exports that carry the chain.

`Registry` takes these methods from `Ledger`, as it takes its typed recording methods from
`Recorder`. The chain itself (what is hashed, and how a break is named) is `stores.chain`;
the export format v2 is `stores.interchange`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from cooperation.errors import UnknownInitiativeError
from cooperation.stores.chain import Head, parse_head
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
            yield from export_lines(self.store, initiative)
            return
        logs = [(initiative, self.store.read(initiative))] if initiative is not None else self.store.read_all()
        for _, events in logs:
            for event in events:
                yield event.to_line() + "\n"
