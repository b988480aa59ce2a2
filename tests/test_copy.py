"""`coop copy` and copy_registry: a registry moved between stores, all or nothing, then checked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.engine.events import Event
from cooperation.errors import StoreError
from cooperation.registry import Registry
from cooperation.stores.chain import ChainRow
from cooperation.stores.copy import CopyReport, copy_registry
from cooperation.stores.locate import open_store
from cooperation.stores.protocol import EventStore
from cooperation.stores.sqlite import MEMORY, SqliteStore

LADDER = str(Path(__file__).resolve().parent / "workflows" / "engine" / "ladder.yaml")
START = datetime(2020, 1, 1, 9, tzinfo=UTC)
AS_OF = "2021-06-30"
RUNNER = CliRunner()


def portfolio(location: str) -> None:
    """Three initiatives with history: moves, a breach, unicode, events with and without an actor."""
    with Registry(open_store(location)) as registry:
        for name in ("Botnet mitigation", "Zürich abuse desk", "No default passwords"):
            registry.create(name, workflow=LADDER, at=START, by="Ada")
        for initiative in ("botnet-mitigation", "z-rich-abuse-desk"):
            for person, community, role in (("Ada", "technical", "owner"), ("Zoë Ångström", "civil-society", "member")):
                registry.record(
                    initiative,
                    "participant_joined",
                    {"name": person, "community": community, "role": role},
                    at="2020-01-02",
                    by="Ada",
                )
            registry.record(
                initiative,
                "evidence_recorded",
                {"condition": "problem", "text": 'Bots — 東京 "quoted"\nnewline', "tlp": "TLP:CLEAR"},
                by="Ada",
                at="2020-01-03",
            )
            registry.advance(initiative, by="Ada", at="2020-01-04")
        registry.record(
            "botnet-mitigation",
            "meeting_held",
            {"attendees": ["Ada", "Zoë Ångström"], "neutral": True},
            at="2020-01-05",
            by="Ada",
        )
        registry.record(
            "botnet-mitigation", "score_set", {"parameter": "trust-level", "level": 3}, at="2020-01-06", by="Ada"
        )


def logs(location: str) -> list[tuple[str, list[Event]]]:
    with closing(open_store(location, create=False)) as store:
        return list(store.read_all())


def statuses(location: str) -> list[dict[str, Any]]:
    with Registry.open(location, create=False) as registry:
        return [status.to_json() for status in registry.statuses(as_of=AS_OF)]


def coop(*args: str) -> Any:
    result = RUNNER.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --- between stores ---------------------------------------------------------------------------


def test_a_registry_goes_from_sqlite_to_postgresql_and_back_unchanged(tmp_path: Path, postgres_url: str) -> None:
    first, back = str(tmp_path / "first.db"), str(tmp_path / "back.db")
    portfolio(first)
    original = logs(first)

    with closing(open_store(first, create=False)) as source, closing(open_store(postgres_url)) as target:
        there = copy_registry(source, target)
    with closing(open_store(postgres_url, create=False)) as source, closing(open_store(back)) as target:
        again = copy_registry(source, target)

    events = sum(len(log) for _, log in original)
    assert (there.initiatives, there.events) == (again.initiatives, again.events) == (3, events)
    assert (there.changed, again.changed) == ((), ())
    assert "***" in there.target and postgres_url.split("@", maxsplit=1)[0] not in there.target
    assert logs(postgres_url) == logs(back) == original
    assert statuses(postgres_url) == statuses(back) == statuses(first)
    accounts = [[(e.recorded_at, e.recorded_by) for e in log] for _, log in original]
    assert [[(e.recorded_at, e.recorded_by) for e in log] for _, log in logs(back)] == accounts
    heads = []
    for location in (first, postgres_url, back):  # the same chain in each: the same head, and it verifies
        with closing(open_store(location, create=False)) as store:
            heads.append(store.audit())
    assert heads[0] == heads[1] == heads[2] and heads[0].position == events


def test_the_command_copies_checks_and_names_both_registries_without_a_password(
    tmp_path: Path, postgres_url: str
) -> None:
    source = str(tmp_path / "coop.db")
    portfolio(source)
    password = postgres_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]

    copied = coop("copy", "--from", source, "--to", postgres_url)

    assert copied.exit_code == 0, copied.output
    events = sum(len(log) for _, log in logs(source))
    assert copied.output.startswith(f"copied 3 initiatives ({events} events) from {source} to postgresql://")
    assert "matches its source event by event" in copied.output
    assert password not in copied.output
    assert logs(postgres_url) == logs(source)

    again = coop("copy", "--from", source, "--to", postgres_url)
    assert again.exit_code == 2
    same = "botnet-mitigation, no-default-passwords, z-rich-abuse-desk"
    assert f"both hold 3 of the same initiatives ({same})" in again.output
    assert "nothing was copied" in again.output and password not in again.output
    assert logs(postgres_url) == logs(source)


# --- refusals ------------------------------------------------------------------------------------


def test_a_target_holding_one_of_the_initiatives_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    source, target = str(tmp_path / "source.db"), str(tmp_path / "target.db")
    portfolio(source)
    with Registry(open_store(target)) as registry:
        registry.create("No default passwords", workflow=LADDER, at=START, by="Ada")
        registry.create("Unrelated", workflow=LADDER, at=START, by="Ada")
    before = logs(target)

    with (
        closing(open_store(source, create=False)) as read_from,
        closing(open_store(target)) as write_to,
        pytest.raises(StoreError) as raised,
    ):
        copy_registry(read_from, write_to)

    message = str(raised.value)
    assert "both hold 1 of the same initiatives (no-default-passwords)" in message
    assert "nothing was copied" in message and source in message and target in message
    assert logs(target) == before


def test_a_target_with_other_initiatives_only_takes_the_copy_beside_them(tmp_path: Path) -> None:
    source, target = str(tmp_path / "source.db"), str(tmp_path / "target.db")
    portfolio(source)
    with Registry(open_store(target)) as registry:
        registry.create("Unrelated", workflow=LADDER, at=START, by="Ada")
    before = logs(target)

    assert coop("copy", "--from", source, "--to", target).exit_code == 0

    assert logs(target) == sorted(before + logs(source))


def test_a_registry_is_not_copied_onto_itself(tmp_path: Path) -> None:
    path = str(tmp_path / "coop.db")
    portfolio(path)
    before = logs(path)

    refused = coop("copy", "--from", path, "--to", path)

    assert refused.exit_code == 2
    assert "onto itself" in refused.output
    assert logs(path) == before


def test_a_missing_source_is_an_error_and_nothing_is_made(tmp_path: Path) -> None:
    missing, target = tmp_path / "missing.db", tmp_path / "target.db"

    refused = coop("copy", "--from", str(missing), "--to", str(target))

    assert refused.exit_code == 2
    assert f"no registry at {missing}" in refused.output
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_an_empty_source_copies_nothing(tmp_path: Path) -> None:
    source, target = tmp_path / "empty.db", tmp_path / "target.db"
    SqliteStore(source).close()

    copied = coop("copy", "--from", str(source), "--to", str(target))

    assert copied.exit_code == 0
    assert copied.output.startswith("copied 0 initiatives (0 events)")
    assert logs(str(target)) == []


class _WrittenToWhileRead(SqliteStore):
    """A real store whose logs another writer extends, and adds to, just after the copy has read them."""

    def chain_rows(self, initiative: str | None = None) -> Iterator[ChainRow]:
        yield from super().chain_rows(initiative)
        if not getattr(self, "_extended", False):
            self._extended = True
            self.append("a", [Event("a", "meeting_held", "2020-02-01", {"late": True})], expected_version=1)
            self.append("b", [Event("b", "meeting_held", "2020-02-01", {})], expected_version=0)


def test_logs_that_change_while_copying_are_named_and_the_copy_holds_them_as_read(tmp_path: Path) -> None:
    source = _WrittenToWhileRead(tmp_path / "source.db")
    source.append("a", [Event("a", "meeting_held", "2020-01-01", {})], expected_version=0)
    target = SqliteStore(tmp_path / "target.db")
    try:
        report = copy_registry(source, target)

        assert report == CopyReport(source.url, target.url, 1, 1, ("a", "b"))
        assert target.read("a") == source.read("a")[:1]
        assert target.initiatives() == ["a"]
    finally:
        source.close()
        target.close()


class _Garbling(SqliteStore):
    """A real store with a fault: it writes the last event of each log with other data."""

    def append_batches(self, batches: Mapping[str, tuple[int, Sequence[Event]]], **options: Any) -> None:
        super().append_batches(
            {
                name: (version, [*events[:-1], replace(events[-1], data={"garbled": True})])
                for name, (version, events) in batches.items()
            },
            **options,
        )


def test_a_copy_that_does_not_match_its_source_is_reported(tmp_path: Path) -> None:
    source, target = SqliteStore(tmp_path / "source.db"), _Garbling(tmp_path / "target.db")
    source.append("a", [Event("a", "meeting_held", "2020-01-01", {"n": n}) for n in range(3)], expected_version=0)
    try:
        with pytest.raises(StoreError) as raised:
            copy_registry(source, target)

        message = str(raised.value)
        assert "does not match its source (a event 3: data differ)" in message
        assert "do not use that copy" in message
    finally:
        source.close()
        target.close()


# --- property: a copy is the source, event by event -----------------------------------------------

data = st.dictionaries(
    st.sampled_from(["n", "é", "text"]), st.integers(-3, 3) | st.text(max_size=4) | st.none(), max_size=2
)
registries = st.dictionaries(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,6}", fullmatch=True),
    st.lists(st.tuples(data, st.none() | st.sampled_from(["Ada", "Zoë"])), min_size=1, max_size=4),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(registry=registries)
def test_a_copy_holds_exactly_the_source_logs(registry: dict[str, list[tuple[dict[str, Any], str | None]]]) -> None:
    source: EventStore = SqliteStore(MEMORY)
    target: EventStore = SqliteStore(MEMORY)
    try:
        source.append_batches(
            {
                name: (0, [Event(name, "meeting_held", "2020-01-01", fields, by) for fields, by in log])
                for name, log in registry.items()
            }
        )

        report = copy_registry(source, target)

        assert (report.initiatives, report.events) == (len(registry), sum(len(log) for log in registry.values()))
        assert list(target.read_all()) == list(source.read_all())
        assert [(e.data, e.by) for name in registry for e in target.read(name)] == [
            (fields, by) for log in registry.values() for fields, by in log
        ]
    finally:
        source.close()
        target.close()


def test_the_commands_help_names_every_kind_of_registry() -> None:
    shown = " ".join(coop("copy", "--help").output.split())
    for kind in ("a file path", "sqlite:///PATH", "postgresql://USER@HOST/DATABASE"):
        assert shown.count(kind) == 2
