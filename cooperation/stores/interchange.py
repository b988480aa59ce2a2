"""Export format v2: JSON Lines under a header, each event with its place in the registry's chain.

The first line is a header, `{"coop_export": 2, "chain": "whole" | "part", "head":
"HASH@POSITION"}` (no time of export: the same registry always exports to the same bytes).
Each following line is one event in the registry's order
(position): the v1 fields (initiative, kind, at, by, data) and `seq`, `position`,
`recorded_at`, `recorded_by` and `hash`. A whole export (every initiative) is the chain
itself, from the first event to the head; an export of one initiative ("part") skips the
other initiatives' events, so each of its lines also carries `prev`, the hash of the event
before it in the registry. `ChainCheck` verifies a file line by line as it is imported.
Other issues add fields to the header or the lines additively; unknown ones are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cooperation.engine.events import encode_data
from cooperation.errors import EventError
from cooperation.stores.chain import GENESIS, ChainRow, Head, link, parse_head
from cooperation.stores.protocol import EventStore

FORMAT = 2
HEADER_KEY = "coop_export"
CHAIN_FIELDS = ("seq", "position", "recorded_at", "recorded_by", "hash", "prev")
"""What a v2 line adds to a v1 event; taken off before the event itself is checked."""


def export_lines(
    store: EventStore, initiative: str | None = None, *, before: Callable[[ChainRow], Iterable[str]] | None = None
) -> Iterator[str]:
    """The registry (or one initiative) as format v2 lines, the header first, each ending in a newline;
    `before` gives lines to write before an event's own (the workflow texts it is pinned to)."""
    head = store.head()  # what was there when the export began; events appended meanwhile are left out
    header = {
        HEADER_KEY: FORMAT,
        "chain": "whole" if initiative is None else "part",
        "head": str(head),
    }
    yield json.dumps(header) + "\n"
    previous = GENESIS
    # One initiative's lines name the hash before each in the registry: the whole chain is walked.
    for row in store.chain_rows():
        if row.position is None or row.position > head.position:
            break
        if initiative is None or row.initiative == initiative:
            if before is not None:
                yield from before(row)
            yield chain_line(row, previous if initiative is not None else None) + "\n"
        previous = row.hash or GENESIS


def chain_line(row: ChainRow, previous: str | None = None) -> str:
    """One event as a line of format v2 (without its newline): the event, then its place and chain fields."""
    fields: dict[str, Any] = {"initiative": row.initiative, "kind": row.kind, "at": row.at}
    if row.by is not None:
        fields["by"] = row.by
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))[:-1]
    tail: dict[str, Any] = {
        "seq": row.seq,
        "position": row.position,
        "recorded_at": row.recorded_at,
        "recorded_by": row.recorded_by,
        "hash": row.hash,
    }
    if previous is not None:
        tail["prev"] = previous
    rest = json.dumps(tail, ensure_ascii=False, separators=(",", ":"))[1:]
    return f'{head},"data":{row.data},{rest}'


def is_header(line: str) -> bool:
    """Whether the first line of a file is a v2 header (a cheap look before parsing it)."""
    return line.lstrip().startswith("{") and f'"{HEADER_KEY}"' in line and "initiative" not in line


class ChainCheck:
    """Verifies the lines of a v2 file against the chain they carry, one line at a time."""

    def __init__(self, header_line: str, source: str) -> None:
        self.source = source
        try:
            header = json.loads(header_line)
            readable = header.get(HEADER_KEY) == FORMAT
            self.whole = header.get("chain") == "whole"
            self.head = parse_head(str(header["head"])) if header.get("head") != str(Head(0, GENESIS)) else None
        except (ValueError, KeyError, TypeError, AttributeError, EventError):
            readable = False
        if not readable:
            raise EventError(
                f"{source}:1: not a coop export header this version reads (format {FORMAT}: "
                '{"coop_export": 2, "chain": ..., "head": ...}); export again with this version of coop'
            )
        self.previous, self.position = GENESIS, 0

    def take(self, raw: dict[str, Any], number: int) -> None:
        """Check one event line (parsed) against the chain; EventError naming the line if it does not fit."""
        try:
            position, claimed = int(raw["position"]), str(raw["hash"])
            previous = self.previous if self.whole else str(raw["prev"])
            computed = link(
                previous,
                raw["initiative"],
                int(raw["seq"]),
                raw["kind"],
                raw["at"],
                raw.get("by"),
                encode_data(raw["data"]),
                raw.get("recorded_at"),
                raw.get("recorded_by"),
            )
        except (KeyError, TypeError, ValueError):
            raise self._broken(number, "it lacks the chain's fields (seq, position, recorded_at, hash)") from None
        if position <= self.position or (self.whole and position != self.position + 1):
            raise self._broken(number, f"its position {position} does not follow {self.position}")
        if computed != claimed:
            raise self._broken(number, "it does not match its hash")
        self.previous, self.position = claimed, position

    def finish(self) -> None:
        """The end of the file: a whole export must end at the head its header names."""
        if self.whole and self.head is not None and (self.position, self.previous) != self.head:
            raise EventError(
                f"{self.source}: the file ends at position {self.position}, not at the head its header names "
                f"({self.head}): lines were removed; nothing was imported. Export again, or import a v1 file"
            )

    def _broken(self, number: int, why: str) -> EventError:
        return EventError(
            f"{self.source}:{number}: the export's hash chain does not verify here ({why}): the line was altered, "
            "or a line before it removed, inserted or reordered; nothing was imported. Export again from the "
            "registry, or import the events without their chain as format v1 (`coop export --format v1`)"
        )
