"""The registry's hash chain: every event's hash covers its content and the previous event's hash.

One chain runs through the whole registry, in the order events were appended (their
`position`, 1, 2, 3, ...), so that `HASH@POSITION` names the registry as it stood when that
event was written: every event before it, in every initiative. The hash of an event is
SHA-256 over its canonical text, the previous event's hash (64 zeros before the first
event) followed by each field as `LENGTH:TEXT` (`-` for a field that is empty, a NULL),
in this order: initiative, seq, kind, at, by, data (as stored, compact JSON), recorded_at,
recorded_by. Lengths count characters, so that SQL (PostgreSQL's `char_length`) computes
the same text; a length prefix keeps any two different events apart whatever they hold.

`audit` walks the stored rows in position order and names the first one that does not
verify, or the first gap, so that an event altered, removed, inserted or reordered
around coop is found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from cooperation.definition.digest import Hash
from cooperation.errors import EventError, TamperedRecordError

GENESIS = "0" * 64
"""The hash the first event of a registry chains to."""

_HEAD_FORM = re.compile(r"^([0-9a-f]{64})@([1-9][0-9]*)$")


class Head(NamedTuple):
    """The last event of the chain: its position and hash (position 0 and GENESIS when empty)."""

    position: int
    hash: str

    def __str__(self) -> str:
        return f"{self.hash}@{self.position}"


class ChainRow(NamedTuple):
    """One stored event as the chain covers it; `data` is the JSON text exactly as stored."""

    position: int | None
    initiative: str
    seq: int
    kind: str
    at: str
    by: str | None
    data: str
    recorded_at: str | None
    recorded_by: str | None
    hash: str | None


def link(
    previous: str,
    initiative: str,
    seq: int,
    kind: str,
    at: str,
    by: str | None,
    data: str,
    recorded_at: str | None,
    recorded_by: str | None,
) -> str:
    """The hash of one event, chained to the hash of the event before it."""
    # `previous`, then each field as LENGTH:TEXT or `-`, written as one f-string: an import hashes
    # every event, and building no intermediate string per field makes hashing a fifth faster.
    number = str(seq)
    text = (
        f"{previous}{len(initiative)}:{initiative}{len(number)}:{number}{len(kind)}:{kind}{len(at)}:{at}"
        f"{'-' if by is None else f'{len(by)}:{by}'}{len(data)}:{data}"
        f"{'-' if recorded_at is None else f'{len(recorded_at)}:{recorded_at}'}"
        f"{'-' if recorded_by is None else f'{len(recorded_by)}:{recorded_by}'}"
    )
    return (_openssl_sha256 or _bind_openssl_sha256())(text.encode()).hexdigest()


_openssl_sha256: Callable[[bytes], Hash] | None = None


def _bind_openssl_sha256() -> Callable[[bytes], Hash]:
    # hashlib (OpenSSL) is several times faster per event than `definition.digest`'s SHA-256, and
    # costs 3.6 MB of memory: bound when the first event is hashed, not when a status is read.
    global _openssl_sha256
    from hashlib import sha256

    _openssl_sha256 = sha256
    return sha256


def row_hash(previous: str, row: ChainRow) -> str:
    """The hash `row` should carry after `previous`."""
    return link(previous, row.initiative, row.seq, row.kind, row.at, row.by, row.data, row.recorded_at, row.recorded_by)


def parse_head(text: str) -> Head:
    """A head written as HASH@POSITION (as `coop audit` prints it); EventError if it is not one."""
    found = _HEAD_FORM.match(text.strip().lower())
    if found is None:
        raise EventError(
            f"'{text}' is not a head: give it as `coop audit` prints it, 64 hex digits, @ and a position "
            "(e.g. 3f5c...9a@1234)"
        )
    return Head(int(found.group(2)), found.group(1))


def _describe(row: ChainRow) -> str:
    return f"position {row.position} ({row.initiative} event {row.seq}, {row.kind} at {row.at})"


def audit(rows: Iterable[ChainRow], *, kept: Head | None = None, expect: Head | None = None) -> Head:
    """Recompute the chain over `rows` (in position order); return its head.

    `kept` is the head the store keeps beside the events (updated with every append), which
    the chain must end in: it shows the last events removed, or events added after them.
    Raises TamperedRecordError naming the first event that does not verify: a position
    missing (removed), a hash that does not match (altered, or an event before it
    removed, inserted or reordered), an initiative whose events are out of order; or,
    with `expect`, a head published earlier that the chain does not hold.
    """
    previous, position = GENESIS, 0
    next_seq: dict[str, int] = {}
    for row in rows:
        if row.position is None or row.hash is None:
            raise TamperedRecordError(
                f"{row.initiative} event {row.seq} ({row.kind} at {row.at}) has no place in the chain: "
                "it was inserted around coop"
            )
        if row.position != position + 1:
            what = "removed" if row.position > position + 1 else "inserted twice"
            raise TamperedRecordError(
                f"the event at position {position + 1} is missing (next found: {_describe(row)}): it was {what}"
            )
        expected_seq = next_seq.get(row.initiative, 0) + 1
        if row.seq != expected_seq:
            raise TamperedRecordError(
                f"{_describe(row)} should be event {expected_seq} of {row.initiative}: "
                "an event was removed, inserted or reordered"
            )
        computed = row_hash(previous, row)
        if computed != row.hash:
            raise TamperedRecordError(
                f"{_describe(row)} does not match its hash: it was altered, or an event before it was "
                "removed, inserted or reordered"
            )
        if expect is not None and row.position == expect.position and computed != expect.hash:
            raise TamperedRecordError(
                f"the record differs from the head published earlier ({expect}): the chain at position "
                f"{row.position} ends in {computed}; events up to there were rewritten"
            )
        previous, position = computed, row.position
        next_seq[row.initiative] = row.seq
    if kept is not None and kept != (position, previous):
        raise TamperedRecordError(
            f"the chain ends at position {position} but the registry's head is {kept}: "
            + ("events at its end were removed" if kept.position > position else "events were added around coop")
        )
    if expect is not None and expect.position > position:
        raise TamperedRecordError(
            f"the head published earlier ({expect}) is past the end of the record (position {position}): "
            "events were removed"
        )
    return Head(position, previous)
