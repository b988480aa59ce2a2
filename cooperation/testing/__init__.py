"""Property tests for workflow definitions, with hypothesis: strategies and a rule-based machine.

Needs hypothesis (a test dependency, so `cooperation` itself never imports this package):

    from cooperation.testing import workflow_state_machine

    TestMyWorkflow = workflow_state_machine("workflows/my-workflow.yaml").TestCase

The machine drives an initiative of the workflow through a registry held in memory: a
rule per event kind, rules that try every move (with preconditions that mirror the
guards), and invariants that must hold for any workflow. The strategies generate valid
events for a workflow, and whole logs, for tests of your own.

The parts, one per concern of the rule language:

- `strategies`: events and whole logs (`event_logs`), participants, meetings, evidence, ...
- `machine`: the base class, its invariants and checks; among them that the stage is the
  moves and the lapses derived (`on_lapse`), and that recording those lapses changes no status.
- `rules`: the rules for one workflow, and `workflow_state_machine`.
- `roles`: workflows that declare roles of their own (`roles:`), and the rule of whom their
  conditions count (`counted_names`).
- `durations`: calendar spans (`duration: P3Y`) and the invariants they keep (`check_span`).
- `combinations`: k of n (`any` with `at_least`) and per-community minimums (`min_per_community`).
- `stages`: walks through the stages, and when each was entered (`entered`), the plain reading
  that `time_in_stage` and `since_stage` must agree with.
"""

from cooperation.testing.combinations import community_groups, community_minimums, k_of_n
from cooperation.testing.durations import calendar_moments, check_span, durations, spans
from cooperation.testing.machine import WorkflowMachine
from cooperation.testing.roles import (
    counted_names,
    declared_roles,
    role_assignments,
    workflow_text,
    workflows_with_roles,
)
from cooperation.testing.rules import workflow_state_machine
from cooperation.testing.stages import entered, stage_walks
from cooperation.testing.strategies import (
    START,
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
)
from cooperation.verify.walks import Clock

__all__ = [
    "START",
    "Clock",
    "WorkflowMachine",
    "attestations",
    "breaches",
    "calendar_moments",
    "check_span",
    "community_groups",
    "community_minimums",
    "counted_names",
    "declared_roles",
    "durations",
    "entered",
    "event_logs",
    "evidence",
    "groups",
    "k_of_n",
    "meetings",
    "moments",
    "participants",
    "publications",
    "role_assignments",
    "scores",
    "spans",
    "stage_walks",
    "waivers",
    "workflow_state_machine",
    "workflow_text",
    "workflows_with_roles",
]
