"""Verifying a workflow: which stages can be reached, which conditions met, which moves made.

The load-time checks look at a workflow's shape. This module looks at what it allows,
and proves each answer with a concrete event log (a *witness*) replayed through a real
`Registry` held in memory:

- **Conditions** are analysed one by one. A constructive planner lays out the facts that
  meet a condition at a moment (participants from enough communities, meetings spaced
  over the span, evidence, attestations, scores, waivers), respecting the time windows
  that `held` and `expiring` impose; where no layout can exist it says why (more
  communities than there are, a span longer than a window that expires first, a level
  above the scale, ...). Such a finding is confirmed by replaying the closest layout and
  seeing the condition still unmet.
- **Stages and moves** form a small graph, explored exhaustively: from every reachable
  stage every move (advance or transition) is tried by replaying a witness that reaches
  the stage, records what the move needs and makes it.
- **Random walks** (a seeded `random.Random`, so runs repeat) then drive the engine
  with facts chosen towards the next move and with noise, as a bounded cross-check of the
  analysis on larger workflows: anything a walk reaches counts as reachable.

The findings are stages no sequence of events reaches, conditions that can never be
met, transitions that can never fire, and dead ends that are not terminal stages.

This module orders the work; the parts live in `report` (the findings and the report),
`exploration` (conditions analysed, moves proven, walks taken), `findings` (the flaws,
from what was explored), `moves` (the stage graph), `planner` (layouts of facts, and why
none can exist), `witness` (replaying a layout), `guide` (the next event towards a move)
and `walks` (the random walks). The names the tests use are re-exported here.
"""

from __future__ import annotations

from cooperation.definition.catalog import get_workflow
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.verify.exploration import Exploration
from cooperation.verify.findings import findings
from cooperation.verify.guide import Guide, take_step
from cooperation.verify.moves import Move, apply_move, moves_from
from cooperation.verify.planner import NAMES
from cooperation.verify.report import FINDING_KINDS, Finding, FindingKind, VerificationReport
from cooperation.verify.walks import Clock, guarded_breacher, random_step
from cooperation.verify.witness import ANCHOR, memory_registry, workflow_reference

__all__ = [
    "ANCHOR",
    "FINDING_KINDS",
    "NAMES",
    "Clock",
    "Finding",
    "FindingKind",
    "Guide",
    "Move",
    "VerificationReport",
    "apply_move",
    "guarded_breacher",
    "memory_registry",
    "moves_from",
    "random_step",
    "take_step",
    "verify_workflow",
    "workflow_reference",
]


def verify_workflow(
    workflow: CompiledWorkflow | str, *, seed: int = 0, walks: int = 8, steps: int = 150
) -> VerificationReport:
    """Explore what a workflow allows and report its flaws, each with a witness log.

    `workflow` is a compiled workflow loaded from a file, a built-in id or a path.
    `walks` random walks of at most `steps` steps each, seeded by `seed`, cross-check
    the analysis (0 turns them off).
    """
    compiled = get_workflow(workflow) if isinstance(workflow, str) else workflow
    explored = Exploration(compiled, seed, walks, steps)
    explored.analyse_conditions()
    explored.explore()
    explored.random_walks()
    found = findings(explored)
    order = {stage.id: index for index, stage in enumerate(compiled.definition.stages)}
    return VerificationReport(
        workflow=compiled.id,
        version=compiled.definition.version,
        source=compiled.source,
        findings=tuple(found),
        reachable=tuple(sorted(explored.witness, key=order.__getitem__)),
        moves_tried=explored.moves_tried,
        walks=explored.walks if explored.walk_log.steps else 0,
        steps=explored.walk_log.steps,
        seed=seed,
        notes=tuple(explored.notes),
        stage_witnesses={stage: tuple(events) for stage, events in explored.witness.items()},
    )
