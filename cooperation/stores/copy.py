"""Copying a registry from one store to another (SQLite to PostgreSQL and back): every log,
verbatim, in one all-or-nothing write, then checked against the source event by event; then
the workshop proposals, with their merges.

Events are copied in the source's registry-wide order with when and by whom each was
recorded (where the target lets this account restore them: SQLite, or PostgreSQL's admin
role), so that a copy into an empty registry carries the same hash chain, to the same head.
The copy refuses a target that already holds any of the source's initiatives, so that it
never mixes two histories. The workflow texts the initiatives are pinned to come along
(before the logs). Logs are copied as they are, without checking them against
their workflows again: they were checked when they were recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from cooperation.engine.events import Event
from cooperation.errors import StoreError
from cooperation.stores.proposals import copy_proposals
from cooperation.stores.protocol import EventStore

_NAMED = 5  # initiatives named in a message before "and N more"
_FIELDS = ("initiative", "kind", "at", "by", "data", "seq")


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What a copy wrote and what checking it found.

    `changed` names the source's initiatives that gained events, or appeared, while the
    copy ran: the target holds the registry as it was when the copy read it.
    """

    source: str
    target: str
    initiatives: int
    events: int
    changed: tuple[str, ...] = ()


def copy_registry(source: EventStore, target: EventStore) -> CopyReport:
    """Copy every log of `source` into `target` in one write, then compare both, event by event.

    Raises StoreError, writing nothing, when the target already holds one of the source's
    initiatives (or is the source); ConflictError, writing nothing, when another writer
    creates one of them in the target meanwhile; StoreError when the written copy does
    not match the source.
    """
    batches, order = _in_chain_order(source)
    present = sorted(set(batches).intersection(target.initiatives()))
    if present and source.url == target.url:
        raise StoreError(f"cannot copy the registry {source.url} onto itself: give another registry as the target")
    if present:
        raise StoreError(
            f"cannot copy {source.url} into {target.url}: both hold {len(present)} of the same initiatives "
            f"({_some(present)}); nothing was copied. Copy into a new, empty registry "
            "(or one that holds none of the source's initiatives)"
        )
    for stored in source.stored_workflows():  # first: the logs are pinned to them
        target.store_workflow(stored.id, stored.text)
    target.append_batches(batches, order=order, keep_provenance=True)
    del order
    copy_proposals(source, target)  # workshop proposals, beside the initiatives
    copied = {initiative: len(events) for initiative, (_, events) in batches.items()}
    del batches  # the logs are read again, from both stores, to compare them
    changed = _compare(source, target, copied)
    return CopyReport(source.url, target.url, len(copied), sum(copied.values()), tuple(changed))


def _in_chain_order(source: EventStore) -> tuple[dict[str, tuple[int, list[Event]]], list[str]]:
    """Every log of `source`, and the initiative of each event in the registry's order: the copy
    appends them in that order, keeping when and by whom each was recorded where the target lets
    this account restore them, so that a copy into an empty registry has the source's chain."""
    batches: dict[str, tuple[int, list[Event]]] = {}
    order: list[str] = []
    for row in source.chain_rows():
        event = Event(row.initiative, row.kind, row.at, json.loads(row.data), row.by, row.seq)  # type: ignore[arg-type]
        event.recorded_at, event.recorded_by = row.recorded_at, row.recorded_by
        batches.setdefault(row.initiative, (0, []))[1].append(event)
        order.append(row.initiative)
    return batches, order


def _compare(source: EventStore, target: EventStore, copied: dict[str, int]) -> list[str]:
    """Check each copied log in the target against the source; return the source's logs that moved on.

    Both stores give their logs ordered by id, so the two are walked side by side; a log
    the walk does not meet in the target (an order that differs) is read on its own.
    """
    changed: list[str] = []
    found = _Walk(target.read_all())
    for initiative, events in source.read_all():
        count = copied.get(initiative)
        if count is None:
            changed.append(initiative)  # created in the source after the copy read it
            continue
        written = found.log(initiative)
        if written is None:
            written = target.read(initiative)
        if len(events) > count:
            changed.append(initiative)
        # Only the copied events are compared: either store may have gained more since.
        _same(source, target, initiative, events[:count], written[:count])
    return changed


class _Walk:
    """Steps through one store's logs, in id order, to the log asked for."""

    def __init__(self, logs: Iterator[tuple[str, list[Event]]]) -> None:
        self._logs = logs
        self._current: tuple[str, list[Event]] | None = next(logs, None)

    def log(self, initiative: str) -> list[Event] | None:
        while self._current is not None and self._current[0] < initiative:
            self._current = next(self._logs, None)
        if self._current is not None and self._current[0] == initiative:
            return self._current[1]
        return None


def _same(source: EventStore, target: EventStore, initiative: str, expected: list[Event], written: list[Event]) -> None:
    """StoreError naming the first difference between a source log and its copy."""
    for original, copy in zip(expected, written, strict=False):
        if original != copy:
            fields = [field for field in _FIELDS if getattr(original, field) != getattr(copy, field)]
            raise _mismatch(source, target, f"{initiative} event {original.seq}: {', '.join(fields)} differ")
    if len(expected) != len(written):
        counts = f"{len(expected)} events in the source, {len(written)} in the copy"
        raise _mismatch(source, target, f"{initiative} has {counts}")


def _mismatch(source: EventStore, target: EventStore, detail: str) -> StoreError:
    return StoreError(
        f"the copy of {source.url} in {target.url} does not match its source ({detail}); "
        "do not use that copy: copy again into a new, empty registry, and report this as a bug"
    )


def _some(initiatives: list[str]) -> str:
    shown = ", ".join(initiatives[:_NAMED])
    more = f" and {len(initiatives) - _NAMED} more" if len(initiatives) > _NAMED else ""
    return f"{shown}{more}"
