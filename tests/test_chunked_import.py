"""A large import is written in chunks inside one transaction: the same outcome as one write.

The chunks keep an import's memory flat in its file's size (docs/architecture.md, "Rules that
exist only for speed"); whatever the input, chunked or not, the registry ends the same: the
same logs, the same chain, the same report, or the same error and nothing written.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.engine import replay
from cooperation.errors import CooperationError
from cooperation.registry import Registry
from tests.test_engine_properties import START, WALK, Clock, _lines, _new_registry, play, steps


def _copies(lines: list[str], count: int, order: list[int]) -> list[str]:
    """`count` copies of one initiative's export, their events interleaved in `order` (each copy's in turn)."""
    texts = [line for line in lines if line.startswith('{"coop_workflow":')]
    events = [line for line in lines if not line.startswith('{"coop_workflow":')]
    renamed = [
        [line.replace(f'"initiative":"{WALK}"', f'"initiative":"{WALK}-{copy}"') for line in events]
        for copy in range(count)
    ]
    mixed: list[str] = list(texts)
    for copy in order:
        if renamed[copy % count]:
            mixed.append(renamed[copy % count].pop(0))
    for rest in renamed:
        mixed.extend(rest)
    return mixed


def _outcome(folder: str, name: str, lines: list[str], *, chunk: int, kept: int) -> tuple[Any, ...]:
    """Import `lines` with chunks of `chunk` events, `kept` initiatives kept folded: what the registry holds."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(replay, "CHUNK_EVENTS", chunk)
        patched.setattr(replay, "KEPT_INITIATIVES", kept)
        with _new_registry(folder, name, Clock(START)) as registry:
            try:
                report = registry.import_lines(lines, source="in.jsonl")
            except CooperationError as error:
                assert registry.store.initiatives() == []  # all or nothing
                return ("refused", str(error))
            registry.audit()  # the chain holds across the chunks
            logs = {initiative: registry.history(initiative) for initiative in registry.store.initiatives()}
            return ("imported", report, logs)


def _compare(lines: list[str], chunk: int, kept: int) -> None:
    folder = tempfile.mkdtemp()
    try:
        whole = _outcome(folder, "whole.db", lines, chunk=10**9, kept=10**9)
        chunked = _outcome(folder, "chunked.db", lines, chunk=chunk, kept=kept)
        assert chunked == whole
    finally:
        shutil.rmtree(folder)


def _exported(walk: list[Any], backdate: bool) -> tuple[list[str], list[str]]:
    """One initiative played by `walk`, exported as v1 lines and as a v2 (chained) file."""
    folder = tempfile.mkdtemp()
    try:
        clock = Clock(START)
        with _new_registry(folder, "source.db", clock) as registry:
            play(registry, clock, walk, backdate=backdate)
            return _lines(registry), list(registry.export_lines())
    finally:
        shutil.rmtree(folder)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    walk=steps,
    backdate=st.booleans(),
    count=st.integers(1, 4),
    order=st.lists(st.integers(0, 3), max_size=200),
    chunk=st.integers(1, 9),
    kept=st.integers(0, 2),
    broken=st.none() | st.tuples(st.integers(0, 10_000), st.sampled_from(("{", '{"kind":"meeting_held"}', ""))),
)
def test_a_chunked_import_ends_as_one_write_would(
    walk: list[Any],
    backdate: bool,
    count: int,
    order: list[int],
    chunk: int,
    kept: int,
    broken: tuple[int, str] | None,
) -> None:
    lines, _ = _exported(walk, backdate)
    mixed = _copies(lines, count, order)
    if broken is not None:  # a bad line somewhere: the same error, naming the same line, nothing written
        place, text = broken
        mixed[place % len(mixed)] = text
    _compare(mixed, chunk, kept)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk=steps, backdate=st.booleans(), chunk=st.integers(1, 9), kept=st.integers(0, 2))
def test_a_chunked_import_of_a_chained_export_keeps_its_chain(
    walk: list[Any], backdate: bool, chunk: int, kept: int
) -> None:
    _, chained = _exported(walk, backdate)
    _compare(chained, chunk, kept)


def _three_interleaved() -> list[str]:
    """Three initiatives' lines, interleaved day by day: 30 events."""
    lines = []
    for day in range(1, 9):
        for name in ("one", "two", "three"):
            if day == 1:
                lines.append(
                    f'{{"initiative":"{name}","kind":"initiative_created","at":"2024-01-01","by":"Ada",'
                    f'"data":{{"name":"{name}","workflow":"cooperation-maturity"}}}}'
                )
                lines.append(
                    f'{{"initiative":"{name}","kind":"participant_joined","at":"2024-01-01","by":"Ada",'
                    '"data":{"name":"Ada","community":"technical","role":"owner"}}'
                )
            lines.append(
                f'{{"initiative":"{name}","kind":"evidence_recorded","at":"2024-01-0{day + 1}","by":"Ada",'
                f'"data":{{"condition":"challenge","text":"Note {day}"}}}}'
            )
    return lines


def _import_in_small_chunks(where: str, lines: list[str]) -> None:
    """Import into the registry at `where` two events a chunk, letting go of every initiative after each."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(replay, "CHUNK_EVENTS", 2)
        patched.setattr(replay, "KEPT_INITIATIVES", 0)
        with Registry.open(where) as registry:
            bad = [*lines, '{"initiative":"one","kind":"meeting_held"}']
            with pytest.raises(CooperationError, match=r"in\.jsonl:31: "):
                registry.import_lines(bad, source="in.jsonl")
            assert registry.store.initiatives() == []  # the chunks written before the bad line are gone
            report = registry.import_lines(lines, source="in.jsonl")
            assert report.events == len(lines)
            assert report.initiatives == ("one", "two", "three") == report.created
            assert [len(registry.history(name)) for name in ("one", "two", "three")] == [10, 10, 10]
            registry.audit()


def test_a_chunked_import_reads_back_what_it_let_go_of(tmp_path: Any) -> None:
    """Initiatives let go of after a chunk are read back from the store, chunks included."""
    _import_in_small_chunks(str(tmp_path / "coop.db"), _three_interleaved())


def test_a_chunked_import_into_postgresql_is_all_or_nothing(postgres_url: str) -> None:
    _import_in_small_chunks(postgres_url, _three_interleaved())
