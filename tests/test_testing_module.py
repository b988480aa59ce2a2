"""`cooperation.testing`: its strategies make events the engine accepts, and its machine catches broken engines.

Three tests at the end pin down engine bugs the machine's properties expose; they are
strict xfails, so they start failing (and must lose their marker) once the bug is fixed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from cooperation.definition.catalog import get_workflow
from cooperation.definition.loading import load_workflow_text
from cooperation.definition.pinned import read_named
from cooperation.engine.event_schema import validate_event
from cooperation.engine.events import Event
from cooperation.errors import CooperationError
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.testing import (
    START,
    Clock,
    WorkflowMachine,
    attestations,
    breaches,
    event_logs,
    evidence,
    groups,
    meetings,
    moments,
    participants,
    publications,
    scores,
    waivers,
    workflow_state_machine,
)
from cooperation.verify.analysis import memory_registry
from cooperation.verify.witness import CONVENOR
from cooperation.vocabulary import COMMUNITIES

REPO = Path(__file__).resolve().parent.parent
LADDER = str(REPO / "tests" / "workflows" / "engine" / "ladder.yaml")
EXAMPLE = "example"
QUICK = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _log(events: list[Event], workflow: str) -> list[str]:
    created = Event(
        EXAMPLE,
        "initiative_created",
        events[0].at if events else "2020-01-01",
        {"name": "X", "workflow": workflow},
        "Ada",  # who `groups` has join first, as owner
    )
    return [created.to_line(), *(event.to_line() for event in sorted(events, key=lambda event: event.moment))]


def test_the_package_does_not_import_the_testing_module_or_hypothesis() -> None:
    code = (
        "import sys, cooperation, cooperation.registry, cooperation.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'hypothesis' or m == 'cooperation.testing'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- strategies ------------------------------------------------------------------------------------


@QUICK
@given(event=participants(at=moments()))
def test_participants_are_valid_joins(event: Event) -> None:
    checked = validate_event(event.to_json())
    assert checked.kind == "participant_joined" and checked.data["community"] in COMMUNITIES
    assert START <= checked.moment <= START + timedelta(days=365)


@QUICK
@given(group=groups(min_size=2, max_size=9, min_communities=3))
def test_groups_have_distinct_names_enough_communities_and_an_owner(group: list[Event]) -> None:
    names = [event.data["name"] for event in group]
    assert len(set(names)) == len(names) >= 3
    assert len({event.data["community"] for event in group}) >= 3
    assert group[0].data["role"] == "owner"


@QUICK
@given(series=meetings(attendees=("Ada", "Ben", "Cleo"), min_meetings=2, max_span_days=300))
def test_meetings_are_spread_over_a_span_of_up_to_the_maximum(series: list[Event]) -> None:
    at = [event.moment for event in series]
    assert at == sorted(at) and at[0] == START
    assert (at[-1] - at[0]) <= timedelta(days=300)
    assert all(set(event.data["attendees"]) <= {"Ada", "Ben", "Cleo"} for event in series)


@QUICK
@given(data=st.data())
def test_generated_facts_are_accepted_by_the_engine(data: st.DataObject) -> None:
    """Joins, meetings, evidence, attestations, waivers, scores, outputs and breaches, all recorded at once."""
    workflow = "cooperation-maturity"
    group = data.draw(groups(EXAMPLE, at=START, min_size=3, max_size=8, min_communities=2), label="group")
    counted = [event.data["name"] for event in group if event.data["role"] != "observer"]
    series = data.draw(
        meetings(EXAMPLE, [event.data["name"] for event in group], start=START + timedelta(hours=1)), label="meetings"
    )
    later = moments(START + timedelta(days=400), START + timedelta(days=500))
    facts = [
        *data.draw(st.lists(evidence(workflow, EXAMPLE, at=later), max_size=5), label="evidence"),
        *data.draw(
            st.lists(attestations(workflow, EXAMPLE, attesters=counted, at=later), max_size=5), label="attestations"
        ),
        *data.draw(st.lists(waivers(workflow, EXAMPLE, granters=["Ada"], at=later), max_size=2), label="waivers"),
        *data.draw(st.lists(scores(workflow, EXAMPLE, at=later), max_size=3), label="scores"),
        *data.draw(st.lists(publications(EXAMPLE, at=later), max_size=2), label="outputs"),
    ]
    facts += data.draw(
        st.lists(breaches(EXAMPLE, at=moments(START + timedelta(days=501), START + timedelta(days=502))), max_size=1)
    )
    events = [*group, *series, *facts]
    clock = Clock(START + timedelta(days=600))
    with memory_registry(clock) as registry:
        report = registry.import_lines(_log(events, workflow))
        assert report.events == len(events) + 1
        status = registry.status(EXAMPLE)
    assert status.stage == "challenge"
    met = {condition.condition for condition in status.conditions if condition.met}
    assert ("first-meeting" in met) == bool(series)


@QUICK
@given(log=event_logs(LADDER, max_steps=30))
def test_event_logs_import_as_they_are(log: list[Event]) -> None:
    lines = [event.to_line() for event in log]
    with memory_registry(Clock(START + timedelta(days=3650))) as registry:
        registry.workflows.keep(read_named(LADDER))  # a log names its workflow's version: the registry holds it
        registry.import_lines(lines)
        assert [event.to_line() for event in registry.export_events(EXAMPLE)] == lines
        stage = registry.status(EXAMPLE).stage
    moves = [event for event in log if event.kind in ("stage_advanced", "stage_regressed", "escalated", "handed_off")]
    assert stage == (moves[-1].data["to"] if moves else "idea")


def test_event_logs_reach_later_stages() -> None:
    found = find(  # the first log found, not shrunk
        event_logs(LADDER, max_steps=40),
        lambda log: any(event.kind == "stage_advanced" and event.data["to"] == "trusted" for event in log),
        settings=settings(
            max_examples=300,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert found[0].kind == "initiative_created"


def test_the_strategies_say_nothing_where_a_workflow_has_nothing_to_offer() -> None:
    minimal = str(REPO / "tests" / "workflows" / "valid" / "minimal.yaml")
    assert scores(minimal).is_empty and waivers(minimal).is_empty
    assert not evidence(minimal).is_empty


# --- the machine --------------------------------------------------------------------------------------


def test_the_machine_keeps_its_invariants_on_the_engine_ladder() -> None:
    machine = workflow_state_machine(LADDER, breaches_by="guarded")
    assert issubclass(machine, WorkflowMachine) and machine.__name__ == "EngineLadderMachine"
    run_state_machine_as_test(machine, settings=settings(QUICK, max_examples=15, stateful_step_count=25))


def test_the_machine_refuses_a_workflow_it_cannot_record() -> None:
    text = (REPO / "tests" / "workflows" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    with pytest.raises(CooperationError, match="need a built-in id or a workflow file"):
        workflow_state_machine(load_workflow_text(text))


class _LyingRegistry(Registry):
    def can_advance(self, initiative: str) -> bool:
        return not super().can_advance(initiative)


class _ForgetfulRegistry(Registry):
    def export_events(self, initiative: str | None = None) -> Any:
        return list(super().export_events(initiative))[:-1]


@pytest.mark.parametrize("broken", [_LyingRegistry, _ForgetfulRegistry], ids=["lying-can-advance", "forgetful-export"])
def test_the_machine_catches_a_broken_engine(broken: type[Registry]) -> None:
    """The properties can fail: a registry that lies about can_advance, or loses an event on export, is caught."""
    base = workflow_state_machine(LADDER, breaches_by="guarded")

    class Broken(base):  # type: ignore[misc, valid-type]
        def make_registry(self) -> Registry:
            return broken(open_store(":memory:"), clock=self.clock)

    with pytest.raises((AssertionError, CooperationError)):
        run_state_machine_as_test(
            Broken,
            settings=settings(
                QUICK, max_examples=60, stateful_step_count=20, database=None, report_multiple_bugs=False
            ),
        )


# --- engine bugs the properties expose (strict xfails: remove the marker once fixed) -----------------------


AUTOMATIC_WITH_REQUIREMENT = """
id: automatic-with-requirement
version: "1"
title: An automatic transition with a requirement
description: Falling back on a breach needs a gate.
stages:
  - id: a
    title: A
  - id: b
    title: B
  - id: c
    title: C
    ladder: false
    terminal: true
conditions:
  - id: gate
    kind: evidence
    title: Gate
    description: Must be recorded before the fall.
transitions:
  - id: fall
    kind: escalate
    title: Fall
    from: [b]
    to: c
    requires: [gate]
    on_event: trust_breached
"""

HELD_OVER_EXPIRING = """
id: held-over-expiring
version: "1"
title: A hold over an expiring condition
description: A note kept fresh for 90 days.
stages:
  - id: a
    title: A
  - id: b
    title: B
    requires: [kept-fresh]
conditions:
  - id: note
    kind: evidence
    title: Note
    description: A note.
  - id: fresh
    kind: expiring
    title: Fresh
    description: A note from the last 30 days.
    condition: note
    days: 30
  - id: kept-fresh
    kind: held
    title: Kept fresh
    description: Fresh without a break for 90 days.
    condition: fresh
    days: 90
"""


def test_an_automatic_move_respects_its_requirements(tmp_path: Path) -> None:
    path = tmp_path / "automatic.yaml"
    path.write_text(AUTOMATIC_WITH_REQUIREMENT, encoding="utf-8")
    machine = workflow_state_machine(str(path))()
    try:
        machine.registry.record(  # added by the machine's creator, its first owner
            EXAMPLE, "participant_joined", {"name": "Ada", "community": "technical", "role": "owner"}, by=CONVENOR
        )
        machine.clock.advance(minutes=1)
        machine.registry.advance(EXAMPLE, by="Ada")
        machine.clock.advance(minutes=1)
        machine.registry.record(EXAMPLE, "trust_breached", {"description": "A leak."}, by="Ada")  # 'gate' is unmet
        machine.no_stage_was_entered_with_its_blocking_prerequisites_unmet()
    finally:
        machine.registry.close()


def test_held_over_an_expiring_condition_needs_it_without_a_break(tmp_path: Path) -> None:
    path = tmp_path / "held.yaml"
    path.write_text(HELD_OVER_EXPIRING, encoding="utf-8")
    get_workflow(str(path))
    clock = Clock(START + timedelta(days=200))
    with Registry(open_store(tmp_path / "held.db"), clock=clock) as registry:
        registry.create("Held", workflow=str(path), initiative=EXAMPLE, at=START, by="Ada", community="technical")
        registry.record(
            EXAMPLE,
            "evidence_recorded",
            {"condition": "note", "text": "First."},
            at=clock.now - timedelta(days=90),
            by="Ada",
        )
        registry.record(EXAMPLE, "evidence_recorded", {"condition": "note", "text": "Second."}, at=clock.now, by="Ada")
        # 'fresh' lapsed 30 days after the first note and came back 60 days later.
        kept = next(c for c in registry.status(EXAMPLE).conditions if c.condition == "kept-fresh")
    assert not kept.met, kept.detail
