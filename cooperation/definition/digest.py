"""SHA-256 of a few texts, without loading OpenSSL for them.

`import hashlib` loads OpenSSL's libcrypto: 3.6 MB of resident memory, about a tenth of a whole
portfolio listing's peak, and 3 ms of start-up. Reading statuses hashes only a few texts (a
workflow's text, its compiled form, the compiler's sources), so these use CPython's own SHA-256
(`_sha2` from Python 3.12, `_sha256` before), which gives the same digest, and fall back on
hashlib where neither is built. Hashing many small texts (the event chain, `stores.chain`) stays
with hashlib, which is several times faster per call.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Protocol


class Hash(Protocol):
    """What a SHA-256 object offers (hashlib's and CPython's own alike)."""

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


def _find_sha256() -> Callable[[bytes], Hash]:
    for name in ("_sha2", "_sha256"):  # CPython's built-in modules: their name changed in 3.12
        try:
            found: Callable[[bytes], Hash] = import_module(name).sha256
            return found
        except (ImportError, AttributeError):
            continue
    from hashlib import sha256

    return sha256


sha256: Callable[[bytes], Hash] = _find_sha256()
"""A new SHA-256 object over `data` (more may be added with `update`)."""


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data`, as 64 lower-case hex digits."""
    return sha256(data).hexdigest()
