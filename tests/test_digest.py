"""The SHA-256 that reading uses (`definition.digest`) is SHA-256: the same digests as hashlib's."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cooperation.definition.digest import sha256, sha256_hex


@given(st.binary(max_size=5_000), st.lists(st.binary(max_size=300), max_size=4))
def test_digests_equal_hashlibs(first: bytes, more: list[bytes]) -> None:
    ours, theirs = sha256(first), hashlib.sha256(first)
    for part in more:
        ours.update(part)
        theirs.update(part)
    assert ours.hexdigest() == theirs.hexdigest()
    assert ours.digest() == theirs.digest()
    assert sha256_hex(first) == hashlib.sha256(first).hexdigest()


def test_a_known_digest() -> None:
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_without_cpythons_own_sha256_it_is_hashlibs(monkeypatch: pytest.MonkeyPatch) -> None:
    from cooperation.definition import digest

    def missing(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(digest, "import_module", missing)
    assert digest._find_sha256() is hashlib.sha256
