"""Which store a path or URL opens: one table of backends, clear errors for what it cannot open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cooperation.errors import StoreError
from cooperation.stores import locate
from cooperation.stores.locate import BACKENDS, Backend, open_store
from cooperation.stores.sqlite import SqliteStore


def test_a_path_and_a_sqlite_url_open_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("plain.db") as plain, open_store("sqlite:///plain.db") as url:
        assert isinstance(plain, SqliteStore) and isinstance(url, SqliteStore)
        assert plain.url == url.url
    assert (tmp_path / "plain.db").is_file()


def test_an_unknown_scheme_names_the_known_ones_and_hides_credentials() -> None:
    with pytest.raises(StoreError) as refused:
        open_store("mysql://ada:secret@db.example.org/coop")
    message = str(refused.value)
    assert "secret" not in message and "mysql://***@db.example.org/coop" in message
    assert all(f"{scheme}://" in message for scheme in BACKENDS)


def test_a_sqlite_url_with_a_host_is_refused_with_the_right_form() -> None:
    with pytest.raises(StoreError, match=re.escape("sqlite:///relative/path.db")):
        open_store("sqlite://host/coop.db")


def test_a_missing_library_says_which_extra_installs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    absent = "coop_test_library_that_is_not_installed"
    monkeypatch.setitem(BACKENDS, "other", Backend(absent, "Store", "Other", absent, "other"))
    with pytest.raises(StoreError) as refused:
        open_store("other://ada:secret@host/db")
    message = str(refused.value)
    assert f"need {absent}" in message and 'pip install "cooperation-maturity[other]"' in message
    assert "secret" not in message


def test_every_backend_names_a_store_class() -> None:
    for backend in {backend.module: backend for backend in BACKENDS.values()}.values():
        try:
            store = locate._store_class(backend)
        except StoreError:  # its library is an optional extra
            continue
        assert callable(store) and store.__name__ == backend.store
