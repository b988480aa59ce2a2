"""Reliability figures: kill points survived, load held, bad inputs tried, events lost, items leaked,
forged rows detected, actors.

    python bench/reliability.py [--points 25] [--processes 8] [--seconds 8] [--fuzz 300] [--reports 20]
        [--forgeries 140]

Runs the same machinery as the tests (tests/reliability_helpers.py), longer, and prints
the figures the README's Reliability section records.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import ENGINE_LADDER, export_lines, kill_campaign, run_load

from bench.actors import forged_moves, permission_matrix
from cooperation.definition.loading import load_workflow_text
from cooperation.errors import CooperationError, WorkflowDefinitionError
from cooperation.registry import Registry


def fuzz(examples: int, workdir: Path) -> tuple[int, int, list[str]]:
    """Mutated workflows and event logs: (tried, refused, outcomes that were neither success nor ours)."""
    import test_fuzz
    import test_hostile_input

    tried, refused, wrong = 0, 0, []
    template = workdir / "template.db"

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=test_fuzz.workflow_texts())
    def workflows(text: str) -> None:
        nonlocal tried, refused
        tried += 1
        try:
            load_workflow_text(text, file="fuzz.yaml")
        except WorkflowDefinitionError:
            refused += 1
        except Exception as error:
            wrong.append(f"workflow: {type(error).__name__}: {error}")

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(lines=test_fuzz.event_logs())
    def event_logs(lines: list[str]) -> None:
        nonlocal tried, refused
        tried += 1
        db = workdir / "fuzz.db"
        shutil.copyfile(template, db)
        before = export_lines(db)
        try:
            with Registry.open(db, create=False) as registry:
                registry.import_lines(lines, source="fuzz.jsonl")
        except CooperationError:
            refused += 1
            if export_lines(db) != before:
                wrong.append("an event log refused but partly written")
        except Exception as error:
            wrong.append(f"events: {type(error).__name__}: {error}")
        finally:
            for leftover in (db, db.with_name("fuzz.db-wal"), db.with_name("fuzz.db-shm")):
                leftover.unlink(missing_ok=True)

    with Registry.open(template) as registry:  # the registry the fuzzed logs are imported into
        registry.create("Kept", workflow=ENGINE_LADDER, initiative="kept", at="2018-01-01", by="Ada")
        registry.record(
            "kept",
            "participant_joined",
            {"name": "Ada", "community": "technical", "role": "owner"},
            at="2018-01-01",
            by="Ada",
        )
    workflows()
    event_logs()
    named = sum(1 for name in dir(test_hostile_input) if name.startswith("test_"))
    return tried, refused, [*wrong, f"({named} named hostile-input tests in tests/test_hostile_input.py)"]


def alias_bomb() -> tuple[float, float]:
    """Seconds and peak MiB to refuse the billion-laughs workflow."""
    from test_hostile_input import billion_laughs

    started = time.perf_counter()
    with contextlib.suppress(WorkflowDefinitionError):
        load_workflow_text(billion_laughs(), file="bomb.yaml")
    elapsed = time.perf_counter() - started  # measured apart: tracing memory slows Python down
    tracemalloc.start()
    with contextlib.suppress(WorkflowDefinitionError):
        load_workflow_text(billion_laughs(), file="bomb.yaml")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, peak


def leaks(reports: int, workdir: Path) -> tuple[int, int]:
    """(outputs checked, confidential items or real names found where they must not be) over random registries."""
    from test_report_confidentiality import (
        WIDEST_FIRST,
        allowed,
        appears,
        registries,
        render_all,
    )

    checked, leaked = 0, 0

    @settings(max_examples=reports, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        nonlocal checked, leaked
        recorded = data.draw(registries(workdir))
        for audience, anonymise in itertools.product(WIDEST_FIRST, (False, True)):
            for output in render_all(recorded.db, audience=audience, anonymise=anonymise).values():
                checked += 1
                leaked += sum(
                    not allowed(audience, label) and appears(marker, output)
                    for marker, label in recorded.markers.items()
                )
                if anonymise:
                    leaked += sum(appears(name, output) for name in recorded.names)

    check()
    return checked, leaked


def forgeries(count: int, workdir: Path) -> tuple[int, int]:
    """(forged rows `coop audit` detected, forged rows made): one change made around coop in each of
    `count` SQLite registries, the kinds of change taken in turn (each column altered, a row removed,
    inserted, inserted with a correctly chained hash, two rows reordered)."""
    import random

    from test_tamper_evidence import CHANGES, _rows, _sqlite, _tamper

    from cooperation.engine.events import Event
    from cooperation.errors import TamperedRecordError

    chosen, detected = random.Random(1), 0
    for number in range(count):
        store, raw, close = _sqlite(workdir)
        try:
            for _ in range(chosen.randint(2, 12)):
                initiative = chosen.choice(("alpha", "beta", "gamma"))
                event = Event(initiative, "meeting_held", "2019-02-01", {"n": number}, "ada")
                store.append(initiative, [event], expected_version=store.version(initiative))
            _tamper(raw, _rows(store), CHANGES[number % len(CHANGES)], chosen.randrange(1000))
            try:
                store.audit()
            except TamperedRecordError:
                detected += 1
        finally:
            close()
    return detected, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=25, help="kill points")
    parser.add_argument("--processes", type=int, default=8, help="load processes")
    parser.add_argument("--seconds", type=float, default=8.0, help="load duration")
    parser.add_argument("--fuzz", type=int, default=300, help="fuzzed workflows and event logs, each")
    parser.add_argument(
        "--reports", type=int, default=20, help="random registries reported in every audience and format"
    )
    parser.add_argument("--forgeries", type=int, default=140, help="registries with one row forged around coop")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coop-reliability-") as name:
        work = Path(name)
        campaign = kill_campaign(work / "kill", points=options.points, initiatives=200, events_each=100, seed=1)
        phases = campaign.phases()
        print(
            f"kill points: {campaign.survived} of {campaign.tried} survived "
            f"({phases['before write']} before the write, {phases['during write']} during it, "
            f"{phases['after commit']} after the commit; import of {campaign.events_in_file} events "
            f"takes {campaign.import_seconds:.1f} s)"
        )
        load = run_load(work / "load", processes=options.processes, seconds=options.seconds, seed=1)
        print(
            f"load: {load.per_second:.0f} operations/s held by {load.processes} processes for {load.seconds:.1f} s "
            f"({load.operations} operations: {load.counts['reads']} reads, {load.counts['appends']} appends, "
            f"{load.counts['advances']} advances, {load.counts['regresses']} regresses, {load.counts['blocked']} "
            f"refused moves, {load.counts['conflicts']} conflicts retried; integrity {load.integrity})"
        )
        print(
            f"load: unexpected errors {len(load.unexpected)}"
            + (f" (e.g. {load.unexpected[0]})" if load.unexpected else "")
        )
        print(
            f"load: acknowledged writes {load.acknowledged}, missing {len(load.missing)}, "
            f"duplicated {len(load.duplicated)}, advanced twice from one stage {len(load.double_advances)}"
        )
        (work / "fuzz").mkdir()
        tried, refused, notes = fuzz(options.fuzz, work / "fuzz")
        wrong = [note for note in notes if not note.startswith("(")]
        print(
            f"bad inputs: {tried} fuzzed ({refused} refused with our errors, {len(wrong)} other outcomes) {notes[-1]}"
        )
        for note in wrong[:5]:
            print(f"  {note}")
        seconds, mebibytes = alias_bomb()
        print(f"alias bomb refused in {seconds:.3f} s, peak {mebibytes:.1f} MiB")
        lost = len(load.missing) + sum(
            outcome.imported.startswith("partial") or not outcome.earlier_intact for outcome in campaign.outcomes
        )
        print(f"events lost = {lost}")
        (work / "reports").mkdir()
        checked, leaked = leaks(options.reports, work / "reports")
        print(f"confidential items leaked = {leaked} (over {checked} reports of {options.reports} random registries)")
        (work / "actors").mkdir()
        right, cells = permission_matrix(work / "actors", ENGINE_LADDER)
        print(f"permission matrix: {right} of {cells} cells (role by kind of fact) as in the table")
        caught, forged = forged_moves(work / "actors", ENGINE_LADDER)
        print(f"forged moves not honoured and named: {caught} of {forged}")
        (work / "forged").mkdir()
        detected, forged = forgeries(options.forgeries, work / "forged")
        print(f"forged rows detected {detected} of {forged} (coop audit; one change made around coop per registry)")


if __name__ == "__main__":
    main()
