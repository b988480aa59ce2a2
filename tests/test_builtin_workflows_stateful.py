"""Every built-in workflow, driven by the rule-based machine of `cooperation.testing`.

Runs more examples when CI is set. To reproduce a failure, run again with the seed it
prints: `pytest tests/test_builtin_workflows_stateful.py --hypothesis-seed=N`, or set
COOP_STATEFUL_EXAMPLES to change the number of examples.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from cooperation.definition.catalog import builtin_workflow_ids, get_workflow
from cooperation.engine.moves import moves_for
from cooperation.testing import Clock, workflow_state_machine
from cooperation.verify.analysis import memory_registry, verify_workflow

CI = bool(os.environ.get("CI"))
# About a minute for all the built-ins on CI's two cores; a few seconds each locally.
EXAMPLES = int(os.environ.get("COOP_STATEFUL_EXAMPLES") or (120 if CI else 10))

settings.register_profile(
    "coop-stateful",
    max_examples=EXAMPLES,
    stateful_step_count=30,
    deadline=None,
    print_blob=True,  # a failure prints the @reproduce_failure line that replays it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("workflow_id", builtin_workflow_ids())
def test_builtin_workflow_keeps_every_invariant(workflow_id: str) -> None:
    machine = workflow_state_machine(workflow_id)
    run_state_machine_as_test(machine, settings=settings.get_profile("coop-stateful"))


def test_a_breach_recorded_by_nobody_replays() -> None:
    """`coop breach` takes no --by; the regress it causes must survive export and import."""
    workflow = get_workflow("cooperation-maturity")
    stage = next(s for s in workflow.ladder if any(move.automatic for move in moves_for(workflow).leaving(s)))
    witness = verify_workflow(workflow, walks=0).stage_witnesses[stage]  # a log that reaches that stage
    clock = Clock(max(event.moment for event in witness) + timedelta(minutes=1))
    with memory_registry(clock) as original:
        original.import_lines(event.to_line() for event in witness)
        original.record("witness", "trust_breached", {"description": "A leak."}, by="Ada")  # by nobody
        regressed = original.status("witness")
        assert regressed.stage != stage
        lines = [event.to_line() for event in original.export_events("witness")]
    with memory_registry(clock) as copy:
        copy.import_lines(lines)
        assert copy.status("witness").to_json() == regressed.to_json()
