"""The contract every EventStore keeps, run against each kind of store.

Every test here speaks only the EventStore protocol, so that a new store (PostgreSQL)
joins by adding one factory to STORE_FACTORIES. A factory is given pytest's tmp_path
and returns a function that opens the store it stands for, the same one on each call
(so that tests can close it and open it again). Closing a store twice must be harmless.
"""

from __future__ import annotations

import getpass
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.engine.events import Event
from cooperation.errors import ConflictError, StoreError
from cooperation.stores.protocol import EventStore

Opener = Callable[[], EventStore]


def _sqlite(tmp_path: Path) -> Opener:
    from cooperation.stores.sqlite import SqliteStore

    path = tmp_path / "registry.db"
    return lambda: SqliteStore(path)


def _postgresql(tmp_path: Path) -> Opener:
    from postgres_server import registry_url  # a schema of its own in the session's test server

    from cooperation.stores.postgres import PostgresStore

    url = registry_url(tmp_path)
    return lambda: PostgresStore(url)


def _postgresql_writer(tmp_path: Path) -> Opener:
    """A PostgreSQL registry used by a role with exactly the writer's documented rights."""
    from postgres_server import role_urls

    from cooperation.stores.postgres import PostgresStore

    url = role_urls(tmp_path)["writer"]
    return lambda: PostgresStore(url)


STORE_FACTORIES: list[Any] = [
    pytest.param(_sqlite, id="sqlite"),
    pytest.param(_postgresql, id="postgresql"),
    pytest.param(_postgresql_writer, id="postgresql-writer"),
]


@pytest.fixture(params=STORE_FACTORIES)
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    opened: list[EventStore] = []

    def opener() -> EventStore:
        store = request.param(tmp_path)()
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Opener) -> EventStore:
    return open_store()


def event(
    initiative: str, kind: str = "meeting_held", at: str = "2019-02-01", by: str | None = "alice", **data: Any
) -> Event:
    return Event(initiative=initiative, kind=kind, at=at, data=data, by=by)


def shape(events: list[Event]) -> list[tuple[str, str, str, Any, str | None, int]]:
    """What a store must give back of each event."""
    return [(e.initiative, e.kind, e.at, e.data, e.by, e.seq) for e in events]


# --- round trip ---------------------------------------------------------------------------


def test_appended_events_read_back_in_order_with_their_seq(store: EventStore) -> None:
    written = [
        event("pilot", "initiative_created", name="Pilot", workflow="cooperation-maturity"),
        event("pilot", "participant_joined", "2019-02-02T09:30:00Z", by="bob", name="Bob", community="academia"),
        event("pilot", "meeting_held", "2019-02-03", by=None, attendees=["Alice", "Bob"], neutral=True),
    ]

    assert store.append("pilot", written, expected_version=0) == 3

    read = store.read("pilot")
    assert [e.seq for e in read] == [1, 2, 3]
    assert shape(read) == [
        (
            "pilot",
            "initiative_created",
            "2019-02-01",
            {"name": "Pilot", "workflow": "cooperation-maturity"},
            "alice",
            1,
        ),
        ("pilot", "participant_joined", "2019-02-02T09:30:00Z", {"name": "Bob", "community": "academia"}, "bob", 2),
        ("pilot", "meeting_held", "2019-02-03", {"attendees": ["Alice", "Bob"], "neutral": True}, None, 3),
    ]


def test_data_survives_unicode_nesting_and_every_json_type(store: EventStore) -> None:
    data = {
        "text": 'Zürich — 東京 — emoji 🤝, quotes " and \\ and a\nnewline, \u2028 and \x00',
        "nested": {"list": [1, -2, 3.25, None, True, False, [], {}], "deeper": {"a": {"b": ["c"]}}},
        "big": 2**62,
        "small": 1e-9,
        "empty": "",
        "ключ": "значение",
    }
    store.append("unicode-1", [event("unicode-1", by="Zoë Ångström", **data)], expected_version=0)

    (read,) = store.read("unicode-1")
    assert read.data == data
    assert read.by == "Zoë Ångström"
    assert [e.data for _, events in store.read_all() for e in events] == [data]


def test_a_missing_actor_reads_back_as_none(store: EventStore) -> None:
    store.append("anonymous", [event("anonymous", by=None)], expected_version=0)

    assert store.read("anonymous")[0].by is None


def test_the_store_sets_when_and_by_which_account_each_event_was_recorded(store: EventStore) -> None:
    claimed = Event("stamped", "meeting_held", "2019-02-01", {}, "alice", recorded_at="1999-01-01", recorded_by="x")
    before = datetime.now(UTC) - timedelta(seconds=5)
    store.append("stamped", [claimed], expected_version=0)
    store.append("stamped", [event("stamped")], expected_version=1)
    after = datetime.now(UTC) + timedelta(seconds=5)

    read = store.read("stamped")
    via_all = dict(store.read_all())["stamped"]
    for stored in (*read, *via_all):
        assert stored.recorded_at is not None and re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stored.recorded_at
        )
        assert before <= datetime.fromisoformat(stored.recorded_at.replace("Z", "+00:00")) <= after
        assert stored.recorded_by == store.account == writing_account(store)  # not what the writer claimed
    assert read[0].recorded_at <= read[1].recorded_at  # type: ignore[operator]


def writing_account(store: EventStore) -> str:
    """The account a store should record: the OS user for SQLite, the session user for PostgreSQL."""
    if type(store).__name__ == "SqliteStore":
        return getpass.getuser()
    return str(store._query("SELECT session_user", ())[0][0])  # type: ignore[attr-defined]


def test_the_store_numbers_events_whatever_seq_they_came_with(store: EventStore) -> None:
    stray = Event(initiative="numbered", kind="meeting_held", at="2019-02-01", data={}, seq=99)
    store.append("numbered", [stray, stray], expected_version=0)
    store.append("numbered", [stray], expected_version=2)

    assert [e.seq for e in store.read("numbered")] == [1, 2, 3]


def test_events_of_another_initiative_are_refused(store: EventStore) -> None:
    with pytest.raises(ValueError):
        store.append("mine", [event("mine"), event("theirs")], expected_version=0)

    assert store.read("mine") == []
    assert store.read("theirs") == []


# --- versions and conflicts ---------------------------------------------------------------


def test_an_unknown_initiative_is_empty_at_version_zero(store: EventStore) -> None:
    assert store.read("nobody") == []
    assert store.version("nobody") == 0
    assert store.initiatives() == []
    assert list(store.read_all()) == []


def test_version_counts_the_events_appended(store: EventStore) -> None:
    assert store.append("counted", [event("counted")], expected_version=0) == 1
    assert store.append("counted", [event("counted"), event("counted")], expected_version=1) == 3
    assert store.version("counted") == 3
    assert store.version("other") == 0


def test_appending_nothing_keeps_the_version(store: EventStore) -> None:
    store.append("quiet", [event("quiet")], expected_version=0)

    assert store.append("quiet", [], expected_version=1) == 1
    assert store.version("quiet") == 1


@pytest.mark.parametrize("stale", [0, 1, 3, 7])
def test_a_stale_expected_version_conflicts_and_writes_nothing(store: EventStore, stale: int) -> None:
    store.append("contested", [event("contested", n=1), event("contested", n=2)], expected_version=0)
    before = shape(store.read("contested"))

    with pytest.raises(ConflictError) as raised:
        store.append("contested", [event("contested", n=3)], expected_version=stale)

    conflict = raised.value
    assert (conflict.initiative, conflict.expected_version, conflict.actual_version) == ("contested", stale, 2)
    assert shape(store.read("contested")) == before
    assert store.version("contested") == 2


def test_a_new_initiative_must_be_expected_at_version_zero(store: EventStore) -> None:
    with pytest.raises(ConflictError):
        store.append("fresh", [event("fresh")], expected_version=1)

    assert store.version("fresh") == 0
    assert store.initiatives() == []


def test_two_writers_at_the_same_version_cannot_both_append(store: EventStore) -> None:
    store.append("race", [event("race")], expected_version=0)
    seen = store.version("race")

    store.append("race", [event("race", by="first")], expected_version=seen)
    with pytest.raises(ConflictError):
        store.append("race", [event("race", by="second")], expected_version=seen)

    assert [e.by for e in store.read("race")] == ["alice", "first"]


# --- batches --------------------------------------------------------------------------------


def test_append_batches_writes_every_log(store: EventStore) -> None:
    store.append("b", [event("b")], expected_version=0)

    store.append_batches({"a": (0, [event("a"), event("a")]), "b": (1, [event("b", n=2)]), "c": (0, [])})

    assert store.version("a") == 2
    assert [e.seq for e in store.read("b")] == [1, 2]
    assert store.read("b")[1].data == {"n": 2}
    assert store.initiatives() == ["a", "b"]


def test_append_batches_is_all_or_nothing(store: EventStore) -> None:
    store.append("second", [event("second")], expected_version=0)

    with pytest.raises(ConflictError) as raised:
        store.append_batches({"first": (0, [event("first")]), "second": (0, [event("second")])})

    assert raised.value.initiative == "second"
    assert store.read("first") == []
    assert store.version("second") == 1
    assert store.initiatives() == ["second"]


def test_append_batches_refuses_a_stray_event_and_writes_nothing(store: EventStore) -> None:
    with pytest.raises(ValueError):
        store.append_batches({"first": (0, [event("first")]), "second": (0, [event("first")])})

    assert store.initiatives() == []


def test_append_batches_of_many_logs(store: EventStore) -> None:
    batches = {f"bulk-{n:04d}": (0, [event(f"bulk-{n:04d}", n=i) for i in range(n % 5 + 1)]) for n in range(300)}

    store.append_batches(batches)

    assert store.initiatives() == sorted(batches)
    assert sum(len(events) for _, events in store.read_all()) == sum(len(events) for _, events in batches.values())
    with pytest.raises(ConflictError):
        store.append_batches({"bulk-0299": (5, [event("bulk-0299")]), "bulk-0300": (1, [event("bulk-0300")])})
    assert store.version("bulk-0299") == 5


# --- reading everything ---------------------------------------------------------------------


def test_read_all_groups_logs_by_initiative_in_order(store: EventStore) -> None:
    store.append("zeta", [event("zeta", n=1)], expected_version=0)
    store.append("Alpha", [event("Alpha", n=1), event("Alpha", n=2)], expected_version=0)
    store.append("zeta", [event("zeta", n=2)], expected_version=1)
    store.append("alpha", [event("alpha", n=1)], expected_version=0)
    store.append("alpha.2", [event("alpha.2", n=1)], expected_version=0)

    everything = list(store.read_all())

    assert [initiative for initiative, _ in everything] == ["Alpha", "alpha", "alpha.2", "zeta"]
    assert store.initiatives() == ["Alpha", "alpha", "alpha.2", "zeta"]
    for initiative, events in everything:
        assert shape(events) == shape(store.read(initiative))
        assert [e.data["n"] for e in events] == list(range(1, len(events) + 1))


def test_read_all_streams_logs_longer_than_any_chunk(store: EventStore) -> None:
    store.append_batches({f"i{n:04d}": (0, [event(f"i{n:04d}", n=k) for k in range(3)]) for n in range(1000)})
    store.append("long", [event("long", n=k) for k in range(2000)], expected_version=0)

    everything = store.read_all()
    first_initiative, _first_events = next(everything)
    assert first_initiative == "i0000"
    rest = list(everything)

    assert len(rest) == 1000
    assert rest[-1][0] == "long"
    assert [e.seq for e in rest[-1][1]] == list(range(1, 2001))
    assert [e.data["n"] for e in rest[-1][1]] == list(range(2000))


def test_logs_can_be_written_while_read_all_is_under_way(open_store: Opener) -> None:
    store, other = open_store(), open_store()
    names = [f"w{n:04d}" for n in range(1200)]
    store.append_batches({name: (0, [event(name)]) for name in names})

    everything = store.read_all()
    first = next(everything)
    store.append("w0000", [event("w0000", n=2)], expected_version=1)
    other.append("w0600", [event("w0600", n=2)], expected_version=1)
    store.append("w1199", [event("w1199", n=2)], expected_version=1)
    other.append("w1199", [event("w1199", n=3)], expected_version=2)
    rest = dict(everything)

    assert first[0] == "w0000" and len(first[1]) == 1
    assert list(rest) == names[1:]
    assert len(rest["w0600"]) == 2
    assert [e.seq for e in rest["w1199"]] == [1, 2, 3]
    assert store.version("w0000") == 2


# --- persistence ----------------------------------------------------------------------------


def test_a_reopened_store_sees_what_was_written(open_store: Opener) -> None:
    first = open_store()
    first.append("kept", [event("kept", n=1), event("kept", n=2, by=None)], expected_version=0)
    first.close()

    again = open_store()
    assert shape(again.read("kept")) == [
        ("kept", "meeting_held", "2019-02-01", {"n": 1}, "alice", 1),
        ("kept", "meeting_held", "2019-02-01", {"n": 2}, None, 2),
    ]
    assert again.append("kept", [event("kept", n=3)], expected_version=2) == 3


def test_two_stores_on_one_registry_see_each_other(open_store: Opener) -> None:
    one, two = open_store(), open_store()

    one.append("shared", [event("shared")], expected_version=0)
    assert two.version("shared") == 1
    with pytest.raises(ConflictError):
        two.append("shared", [event("shared")], expected_version=0)
    two.append("shared", [event("shared", by="two")], expected_version=1)
    assert [e.by for e in one.read("shared")] == ["alice", "two"]


def test_a_closed_store_says_so_and_closing_again_is_harmless(open_store: Opener) -> None:
    store = open_store()
    store.append("pilot", [event("pilot"), event("pilot")], expected_version=0)
    store.close()
    store.close()

    with pytest.raises(StoreError, match="closed"):
        store.read("pilot")
    with pytest.raises(StoreError, match="closed"):
        store.append("pilot", [event("pilot")], expected_version=2)


def test_the_store_says_where_it_lives(store: EventStore) -> None:
    assert isinstance(store.url, str)
    assert store.url


# --- property: the log is exactly the accepted appends ---------------------------------------

NAMES = ["a", "b", "c"]

Append = tuple[str, int, list[dict[str, Any]]]  # initiative, offset from its true version (0: correct), data

datas = st.dictionaries(st.sampled_from(["k", "n", "é"]), st.integers(-5, 5) | st.text(max_size=5), max_size=2)
appends = st.tuples(st.sampled_from(NAMES), st.integers(min_value=-1, max_value=2), st.lists(datas, max_size=3))
# One operation is a single append, or a batch of appends to distinct initiatives.
operations = st.lists(
    st.one_of(appends.map(lambda a: [a]), st.lists(appends, min_size=1, max_size=3, unique_by=lambda a: a[0])),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=operations)
def test_the_stored_logs_are_exactly_the_accepted_appends(store: EventStore, operations: list[list[Append]]) -> None:
    prefix = f"p{uuid.uuid4().hex[:12]}-"  # each example gets logs of its own in the shared store
    model: dict[str, list[dict[str, Any]]] = {name: [] for name in NAMES}

    for operation in operations:
        batch = {
            prefix + name: (len(model[name]) + offset, [event(prefix + name, **data) for data in written])
            for name, offset, written in operation
        }
        accepted = all(offset == 0 for _, offset, _ in operation)
        if len(operation) == 1:
            ((name, _offset, written),) = operation
            expected, events = batch[prefix + name]
            if accepted:
                assert store.append(prefix + name, events, expected_version=expected) == expected + len(written)
            else:
                with pytest.raises(ConflictError):
                    store.append(prefix + name, events, expected_version=expected)
        elif accepted:
            store.append_batches(batch)
        else:
            with pytest.raises(ConflictError):
                store.append_batches(batch)
        if accepted:
            for name, _, written in operation:
                model[name].extend(written)

    for name in NAMES:
        log = store.read(prefix + name)
        assert [e.data for e in log] == model[name]
        assert [e.seq for e in log] == list(range(1, len(model[name]) + 1))
        assert store.version(prefix + name) == len(model[name])
    mine = {initiative: events for initiative, events in store.read_all() if initiative.startswith(prefix)}
    assert {initiative: [e.data for e in events] for initiative, events in mine.items()} == {
        prefix + name: written for name, written in model.items() if written
    }


# --- workflow texts -----------------------------------------------------------------------------


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")), max_size=4))
def test_workflow_texts_are_kept_by_their_hash_once_and_for_good(open_store: Opener, texts: list[str]) -> None:
    import hashlib

    store = open_store()
    digests = [store.store_workflow(f"w{number}", text) for number, text in enumerate(texts)]
    assert digests == [hashlib.sha256(text.encode()).hexdigest() for text in texts]
    for text in texts:  # a second time changes nothing
        store.store_workflow("again", text)
    store.close()
    reopened = open_store()
    assert all(reopened.workflow_text(digest) == text for digest, text in zip(digests, texts, strict=True))
    assert reopened.workflow_text("0" * 64) is None or "0" * 64 in digests
    kept = {stored.hash: stored.text for stored in reopened.stored_workflows()}
    assert {digest: kept[digest] for digest in digests} == dict(zip(digests, texts, strict=False))
