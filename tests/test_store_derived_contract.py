"""The contract of the rows derived from the logs (`stores.derived`), run against each kind of store:
snapshots land with their append or not at all, rows read back as written, and a registry on each
store lists the same statuses from its stored rows as computed from its logs, whether or not its
account may write them (PostgreSQL's reader role may not)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import test_store_contract as contract

from cooperation.engine.events import Event
from cooperation.engine.snapshot import Snapshot
from cooperation.errors import ConflictError
from cooperation.registry import Registry
from cooperation.stores import derived, postgres_derived
from cooperation.stores.derived import StatusRow
from cooperation.stores.protocol import EventStore
from cooperation.testing import Clock

Opener = contract.Opener
open_store = contract.open_store  # the contract's fixtures: every kind of store, closed after the test
store = contract.store


def _created(initiative: str) -> Event:
    return Event(initiative, "initiative_created", "2020-01-01", {"name": initiative, "workflow": "w"}, "ada")


def _row(initiative: str, seq: int, body: str = "{}") -> StatusRow:
    return StatusRow(initiative, seq, "key", '{"workflow":"w"}', None, False, True, "2020-01-02T00:00:00Z", body)


def test_a_snapshot_lands_with_its_append_and_not_without_it(store: EventStore) -> None:
    first = Snapshot(1, "key", '{"format":1}')
    store.append("a", [_created("a")], expected_version=0, snapshots=[("a", first)])
    assert store.snapshot("a") == first
    with pytest.raises(ConflictError):
        store.append("a", [_created("a")], expected_version=0, snapshots=[("a", first._replace(seq=2))])
    assert store.snapshot("a") == first  # the refused append kept nothing
    store.append_batches({"a": (1, [_created("a")])}, snapshots=[("a", first._replace(seq=2, body="{}"))])
    assert store.snapshot("a") == Snapshot(2, "key", "{}")
    assert store.snapshot("nobody") is None


def test_rows_read_back_as_written_page_after_page(store: EventStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(derived, "_PAGE", 2)
    monkeypatch.setattr(postgres_derived, "_PAGE", 2)
    store.append_batches({name: (0, [_created(name)]) for name in "abcde"})
    store.append("c", [_created("c")], expected_version=1)
    store.put_derived([("b", Snapshot(1, "k", "{}"))], [_row("a", 1, '{"x":"é"}'), _row("c", 1)])
    listed = list(store.listed())
    assert [(item.initiative, item.version) for item in listed] == [("a", 1), ("b", 1), ("c", 2), ("d", 1), ("e", 1)]
    assert [item.row for item in listed] == [_row("a", 1, '{"x":"é"}'), None, _row("c", 1), None, None]
    assert [store.listed_one(item.initiative) for item in listed] == listed  # one at a time, the same
    assert store.listed_one("nobody") is None
    store.put_derived(statuses=[_row("c", 2)._replace(valid_until="2020-02-01T00:00:00Z", closed=True)])
    assert next(item.row for item in store.listed() if item.initiative == "c") == _row("c", 2)._replace(
        valid_until="2020-02-01T00:00:00Z", closed=True
    )
    logs = list(store.logs_with_snapshots(["e", "nobody", "b"]))
    assert [(initiative, len(events), kept) for initiative, events, kept in logs] == [
        ("e", 1, None),
        ("b", 1, Snapshot(1, "k", "{}")),
    ]
    store.drop_derived()
    assert all(item.row is None for item in store.listed()) and store.snapshot("b") is None


def _portfolio(registry: Registry) -> list[dict[str, Any]]:
    return [status.to_json() for status in registry.statuses()]


def test_stored_statuses_are_the_computed_ones_on_every_store(open_store: Opener) -> None:
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    with Registry(open_store(), clock=clock) as registry:
        registry.create("Pilot", workflow="cooperation-maturity", initiative="pilot", by="Ada", community="technical")
        registry.join("pilot", "Bo", community="business", by="Ada")
        computed = [status.to_json() for status in registry.statuses(known_at="2999-01-01")]
        assert _portfolio(registry) == computed  # worked out, and kept
        portfolio = registry.stored_portfolio()
        assert [status.to_json() for status in portfolio.statuses()] == computed
        assert portfolio.counts == {"stored": 1, "computed": 0}


def test_a_long_logs_status_is_read_from_its_row_on_every_store(
    open_store: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`coop status ID` of a long log (here: of two events) keeps its row and snapshot, then reads them."""
    from cooperation.engine import snapshot as snapshots
    from cooperation.reading import materialised
    from cooperation.reading.single import stored_status

    monkeypatch.setattr(materialised, "LONG_LOG", 2)
    monkeypatch.setattr(snapshots, "MIN_EVENTS", 2)
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    with Registry(open_store(), clock=clock) as registry:
        registry.create("Pilot", workflow="cooperation-maturity", initiative="pilot", by="Ada", community="technical")
        registry.join("pilot", "Bo", community="business", by="Ada")
        assert stored_status(registry.store, registry.workflows, "pilot", clock.now) is None
        worked_out = registry.status("pilot")
        assert stored_status(registry.store, registry.workflows, "pilot", clock.now) == worked_out
        assert registry.status("pilot") == worked_out == registry.status("pilot", known_at="2999-01-01")


def test_a_reader_role_gets_the_statuses_it_may_not_keep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from postgres_server import role_urls

    from cooperation.reading import materialised
    from cooperation.stores.postgres import PostgresStore

    monkeypatch.setattr(materialised, "LONG_LOG", 1)  # `coop status ID` would keep a row too, if it could

    urls = role_urls(tmp_path)
    clock = Clock(datetime(2020, 3, 2, tzinfo=UTC))
    with Registry(PostgresStore(urls["writer"]), clock=clock) as registry:
        registry.create("Pilot", workflow="cooperation-maturity", initiative="pilot", by="Ada", community="technical")
        expected = _portfolio(registry)
        single = registry.status("pilot")
        registry.store.drop_derived()  # the writer keeps and drops derived rows
    with Registry(PostgresStore(urls["reader"]), clock=clock) as registry:
        portfolio = registry.stored_portfolio()
        assert [status.to_json() for status in portfolio.statuses()] == expected
        assert not portfolio.writable
        assert registry.status("pilot") == single  # worked out, and not kept
        assert [item.row for item in registry.store.listed()] == [None]
