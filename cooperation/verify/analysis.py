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

This module holds the report and the verifier that orders the work; the parts live in
`verify_moves` (the stage graph), `verify_planner` (layouts of facts, and why none can
exist), `verify_witness` (replaying a layout), `verify_guide` (the next event towards a
move) and `verify_walks` (the random walks). The names `cooperation.testing` and the
tests use are re-exported here.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cooperation.definition.catalog import get_workflow
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.events import Event
from cooperation.verify.guide import Guide, take_step
from cooperation.verify.moves import Move, apply_move, moves_from, moves_from_all
from cooperation.verify.planner import NAMES, Infeasible, Planner
from cooperation.verify.walks import Clock, guarded_breacher, random_step
from cooperation.verify.walks import WalkLog as _WalkLog  # private here: tests drive single walks
from cooperation.verify.walks import walk as _walk
from cooperation.verify.witness import ANCHOR, Replay, memory_registry, replay, workflow_reference

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

FindingKind = Literal["unreachable-stage", "impossible-condition", "transition-never-fires", "dead-end"]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "impossible-condition",
    "unreachable-stage",
    "transition-never-fires",
    "dead-end",
)


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One flaw, explained in words, with the event log that shows it."""

    kind: FindingKind
    subject: str  # the stage, condition or transition concerned
    message: str
    hint: str
    witness: tuple[Event, ...]  # the log that reaches the nearest point
    outcome: str  # what replaying the witness shows

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "hint": self.hint,
            "outcome": self.outcome,
            "witness": [event.to_json() for event in self.witness],
        }


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What verifying one workflow found, and how much was explored to find it."""

    workflow: str
    version: str
    source: str
    findings: tuple[Finding, ...]
    reachable: tuple[str, ...]  # stages, in workflow order
    moves_tried: int  # witnesses replayed for moves
    walks: int
    steps: int  # events and moves the random walks attempted
    seed: int
    notes: tuple[str, ...] = ()  # where the random walks corrected the analysis
    stage_witnesses: dict[str, tuple[Event, ...]] = field(default_factory=dict)  # reachable stage -> a log reaching it

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "version": self.version,
            "file": self.source,
            "clean": self.clean,
            "seed": self.seed,
            "explored": {
                "reachable_stages": list(self.reachable),
                "moves_tried": self.moves_tried,
                "random_walks": self.walks,
                "random_steps": self.steps,
            },
            "notes": list(self.notes),
            "findings": [finding.to_json() for finding in self.findings],
        }


# --- the verification -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Condition:
    meetable: Infeasible | None  # None when it can be met
    satisfiable: bool  # met, or waived


class _Verifier:
    def __init__(self, workflow: CompiledWorkflow, seed: int, walks: int, steps: int) -> None:
        self.workflow = workflow
        self.seed, self.walks, self.steps = seed, walks, steps
        self.conditions: dict[str, _Condition] = {}
        self.paths: dict[str, list[Move]] = {}  # reachable stage -> the moves that reach it
        self.witness: dict[str, list[Event]] = {}  # reachable stage -> a log that reaches it
        self.fired: dict[Move, list[Event]] = {}
        self.blocked: dict[Move, str] = {}  # move -> why it can never be made
        self.moves_tried = 0
        self.notes: list[str] = []
        self.walk_log = _WalkLog()

    # --- analysis --------------------------------------------------------------------------------

    def analyse_conditions(self) -> None:
        granters = bool(self.workflow.definition.advance_roles)
        for condition_id in self.workflow.condition_order:
            planner = Planner(self.workflow, strict=True)
            failure = planner.why_unmeetable(condition_id)
            strength = self.workflow.conditions[condition_id].strength
            self.conditions[condition_id] = _Condition(
                failure, failure is None or (strength != "required" and granters)
            )

    def why_blocked(self, move: Move) -> str | None:
        """Why a move can never be made, from the analysis; None if it can."""
        if not move.roles and not move.automatic:
            roles = "advance_roles" if move.transition is None else "roles"
            return f"no role may make it (its {roles} list is empty)"
        reasons = []
        for need in move.needs:
            condition = self.workflow.conditions[need]
            state = self.conditions[need]
            if condition.strength == "advisory" or state.satisfiable:
                continue
            assert state.meetable is not None
            reasons.append(self._impossible(need, state.meetable))
        return "; ".join(reasons) if reasons else None

    def _impossible(self, condition_id: str, failure: Infeasible) -> str:
        if failure.culprit == condition_id:
            return f"it needs '{condition_id}', which can never be met: {failure.reason}"
        return f"it needs '{condition_id}', which can never be met because of '{failure.culprit}': {failure.reason}"

    def explore(self) -> None:
        """Breadth first over the stage graph: every move from every reachable stage, proven by replay."""
        start = self.workflow.start
        self.paths[start] = []
        queue = deque([start])
        while queue:
            stage = queue.popleft()
            for move in moves_from(self.workflow, stage):
                reason = self.why_blocked(move)
                if reason is not None:
                    self.blocked[move] = reason
                    continue
                result = self._witness(self.paths[stage] + [move])
                self.moves_tried += 1
                if result.failed is not None or result.stage != move.target:
                    self.blocked[move] = (
                        f"the search found no events that let it happen ({result.failed or result.stage})"
                    )
                    continue
                self.fired[move] = result.events
                if move.target not in self.paths:
                    self.paths[move.target] = self.paths[stage] + [move]
                    self.witness[move.target] = result.events
                    queue.append(move.target)
        if start not in self.witness:
            self.witness[start] = self._witness([]).events

    def _witness(self, path: Sequence[Move], attempt: Move | None = None, *, lenient: Sequence[str] = ()) -> Replay:
        plan = Planner(self.workflow, strict=False)
        for move in path:
            plan.needs(move.needs)
        if attempt is not None:
            plan.needs(attempt.needs)
        for condition_id in lenient:
            plan.meet(condition_id, 0, 0, None)
        return replay(self.workflow, plan, path, attempt)

    def random_walks(self) -> None:
        rng = random.Random(self.seed)
        for _ in range(self.walks):
            if self._all_seen():
                break
            _walk(self.workflow, random.Random(rng.getrandbits(64)), self.steps, self.walk_log)
        for stage, events in self.walk_log.reached.items():
            if stage not in self.witness:
                self.notes.append(f"a random walk reached '{stage}', which the analysis had found unreachable")
                self.witness[stage] = events
        for (source, transition, target), events in self.walk_log.fired.items():
            move = next(
                (m for m in moves_from(self.workflow, source) if m.transition == transition and m.target == target),
                None,
            )
            if move is not None and move not in self.fired:
                self.notes.append(f"a random walk made {move.label}, which the analysis had found impossible")
                self.fired[move] = events
                self.blocked.pop(move, None)

    def _all_seen(self) -> bool:
        stages = {stage.id for stage in self.workflow.definition.stages}
        every_move = [move for stage in stages for move in moves_from(self.workflow, stage)]
        return set(self.witness) == stages and all(move in self.fired for move in every_move)

    # --- findings --------------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        found: list[Finding] = []
        found += self._impossible_conditions()
        found += self._unreachable_stages()
        found += self._silent_transitions()
        found += self._dead_ends()
        return found

    def _impossible_conditions(self) -> Iterable[Finding]:
        for condition_id in self.workflow.condition_order:
            failure = self.conditions[condition_id].meetable
            if failure is None or condition_id in self.walk_log.met:
                continue
            result = self._witness([], lenient=[condition_id])
            shown = next(c for c in result.status.conditions if c.condition == condition_id)
            if shown.met:
                self.notes.append(f"the closest layout met '{condition_id}', which the analysis had found impossible")
                continue
            condition = self.workflow.conditions[condition_id]
            if failure.culprit == condition_id:
                message = f"'{condition_id}' ({condition.kind}) can never be met: {failure.reason}"
            else:
                message = (
                    f"'{condition_id}' ({condition.kind}) can never be met, because '{failure.culprit}' "
                    f"can never be met: {failure.reason}"
                )
            if not failure.proven:
                message += " (no layout of events within the search bounds meets it)"
            if condition.strength == "waivable":
                message += "; it can only ever be waived"
            yield Finding(
                "impossible-condition",
                condition_id,
                message,
                _condition_hint(self.workflow, failure.culprit),
                tuple(result.events),
                f"after the witness, '{condition_id}' is unmet: {shown.detail}",
            )

    def _unreachable_stages(self) -> Iterable[Finding]:
        for stage in self.workflow.definition.stages:
            if stage.id in self.witness:
                continue
            route = self._route(stage.id)
            blocker_index = next(i for i, move in enumerate(route) if move not in self.fired)
            blocker = route[blocker_index]
            source_path = self.paths.get(blocker.source)
            reason = self.blocked.get(blocker, "the search found no events that let it happen")
            shown = " -> ".join([route[0].source, *(move.target for move in route)])
            if blocker.target == stage.id:
                message = f"no sequence of events reaches '{stage.id}': {blocker.label} can never be made: {reason}"
            else:
                message = (
                    f"no sequence of events reaches '{stage.id}': the shortest route ({shown}) is blocked at "
                    f"{blocker.label}, which can never be made: {reason}"
                )
            events, outcome = self._attempt(source_path, blocker)
            yield Finding(
                "unreachable-stage",
                stage.id,
                message,
                "lower the thresholds it needs, or add a transition that reaches it",
                events,
                outcome,
            )

    def _silent_transitions(self) -> Iterable[Finding]:
        for transition in self.workflow.definition.transitions:
            moves = [m for m in moves_from_all(self.workflow) if m.transition == transition.id]
            if any(move in self.fired for move in moves):
                continue
            reachable = [move for move in moves if move.source in self.paths]
            if not reachable:
                sources = ", ".join(f"'{name}'" for name in transition.from_)
                message = (
                    f"'{transition.id}' can never fire: none of the stages it starts from ({sources}) can be reached"
                )
                first = transition.from_[0]
                events = tuple(self._nearest(first))
                yield Finding(
                    "transition-never-fires",
                    transition.id,
                    message,
                    "make one of its 'from' stages reachable, or remove the transition",
                    events,
                    f"the witness gets as close to '{first}' as events allow",
                )
                continue
            move = reachable[0]
            reason = self.blocked.get(move, "the search found no events that let it happen")
            events, outcome = self._attempt(self.paths[move.source], move)
            yield Finding(
                "transition-never-fires",
                transition.id,
                f"'{transition.id}' can never fire: {reason}",
                "give it roles that may take it, or requirements that can be met",
                events,
                outcome,
            )
        for stage in self.workflow.ladder[:-1]:
            advance = moves_from(self.workflow, stage)[0]
            if stage in self.paths and advance not in self.fired and advance.target in self.witness:
                reason = self.blocked.get(advance, "the search found no events that let it happen")
                events, outcome = self._attempt(self.paths[stage], advance)
                yield Finding(
                    "transition-never-fires",
                    advance.label,
                    f"{advance.label} can never be made (the stage is reached another way): {reason}",
                    "lower what the stage requires, or let a role advance into it",
                    events,
                    outcome,
                )

    def _dead_ends(self) -> Iterable[Finding]:
        for stage in self.workflow.definition.stages:
            if stage.terminal or stage.id not in self.witness:
                continue
            moves = moves_from(self.workflow, stage.id)
            if any(move in self.fired for move in moves):
                continue
            if moves:
                why = "; ".join(
                    f"{move.label} can never be made: {self.blocked.get(move, 'no events found')}" for move in moves
                )
            elif stage.ladder:
                why = "it is the last stage of the ladder and no transition starts from it"
            else:
                why = "no transition starts from it"
            message = f"'{stage.id}' can be reached, but nothing can ever leave it, and it is not terminal: {why}"
            yield Finding(
                "dead-end",
                stage.id,
                message,
                "add a transition from it, or mark it 'terminal: true' if ending there is intended",
                tuple(self.witness[stage.id]),
                f"the witness reaches '{stage.id}'",
            )

    # --- helpers for findings ----------------------------------------------------------------------

    def _route(self, target: str) -> list[Move]:
        """The shortest route from the first stage to `target` in the graph of every move, guards aside."""
        previous: dict[str, Move | None] = {self.workflow.start: None}
        queue = deque([self.workflow.start])
        while queue:
            stage = queue.popleft()
            for move in moves_from(self.workflow, stage):
                if move.target not in previous:
                    previous[move.target] = move
                    queue.append(move.target)
        route: list[Move] = []
        step = previous[target]
        while step is not None:
            route.append(step)
            step = previous[step.source]
        return list(reversed(route))

    def _attempt(self, path: Sequence[Move] | None, move: Move) -> tuple[tuple[Event, ...], str]:
        """A witness reaching `move`'s source with as much of what it needs as can be laid out, then trying it."""
        if path is None and move.source in self.witness:
            return tuple(self.witness[move.source]), f"a random walk reaches '{move.source}'"
        if path is None:
            return tuple(self._nearest(move.source)), f"'{move.source}' itself cannot be reached"
        lenient = [need for need in move.needs if self.workflow.conditions[need].strength != "advisory"]
        result = self._witness(path, move if (move.roles or move.automatic) else None, lenient=lenient)
        if result.failed is not None:
            return tuple(result.events), f"the witness stops short: {result.failed}"
        if result.refused is not None:
            return tuple(
                result.events
            ), f"the witness reaches '{move.source}', then the engine refuses: {result.refused}"
        if not move.roles and not move.automatic:
            return tuple(result.events), f"the witness reaches '{move.source}'; nobody may make {move.label}"
        return tuple(result.events), f"the witness ends at '{result.stage}'"

    def _nearest(self, stage: str) -> list[Event]:
        if stage in self.witness:
            return self.witness[stage]
        route = self._route(stage)
        blocker = next(move for move in route if move not in self.fired)
        return list(self._attempt(self.paths.get(blocker.source), blocker)[0]) if blocker.source in self.paths else []


def _condition_hint(workflow: CompiledWorkflow, culprit: str) -> str:
    condition = workflow.compiled_conditions[culprit]
    return KINDS[condition.kind].unmeetable_hint(condition)


def verify_workflow(
    workflow: CompiledWorkflow | str, *, seed: int = 0, walks: int = 8, steps: int = 150
) -> VerificationReport:
    """Explore what a workflow allows and report its flaws, each with a witness log.

    `workflow` is a compiled workflow loaded from a file, a built-in id or a path.
    `walks` random walks of at most `steps` steps each, seeded by `seed`, cross-check
    the analysis (0 turns them off).
    """
    compiled = get_workflow(workflow) if isinstance(workflow, str) else workflow
    verifier = _Verifier(compiled, seed, walks, steps)
    verifier.analyse_conditions()
    verifier.explore()
    verifier.random_walks()
    findings = verifier.findings()
    order = {stage.id: index for index, stage in enumerate(compiled.definition.stages)}
    return VerificationReport(
        workflow=compiled.id,
        version=compiled.definition.version,
        source=compiled.source,
        findings=tuple(findings),
        reachable=tuple(sorted(verifier.witness, key=order.__getitem__)),
        moves_tried=verifier.moves_tried,
        walks=verifier.walks if verifier.walk_log.steps else 0,
        steps=verifier.walk_log.steps,
        seed=seed,
        notes=tuple(verifier.notes),
        stage_witnesses={stage: tuple(events) for stage, events in verifier.witness.items()},
    )
