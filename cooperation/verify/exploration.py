"""Exploring a workflow: which conditions can be met, which moves made, proven by replaying witnesses.

Conditions are analysed one by one by the planner; the stage graph is explored breadth
first, every move from every reachable stage tried by replaying a witness through a real
`Registry` in memory; seeded random walks then cross-check the analysis, and whatever a
walk reaches counts as reachable. `findings` turns what was explored into findings.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.stage_bound import misplaced
from cooperation.engine.events import Event
from cooperation.verify.moves import Move, moves_from
from cooperation.verify.planner import Infeasible, Planner
from cooperation.verify.walks import WalkLog, walk
from cooperation.verify.witness import Replay, replay


@dataclass(slots=True)
class ConditionAnalysis:
    """Whether one condition can be met (and if not, why not), and whether it can be met or waived."""

    meetable: Infeasible | None  # None when it can be met
    satisfiable: bool  # met, or waived


class Exploration:
    """The analysis of one workflow: its conditions, the moves proven by replay, and the random walks' log."""

    def __init__(self, workflow: CompiledWorkflow, seed: int, walks: int, steps: int) -> None:
        self.workflow = workflow
        self.seed, self.walks, self.steps = seed, walks, steps
        self.conditions: dict[str, ConditionAnalysis] = {}
        self.paths: dict[str, list[Move]] = {}  # reachable stage -> the moves that reach it
        self.witness: dict[str, list[Event]] = {}  # reachable stage -> a log that reaches it
        self.fired: dict[Move, list[Event]] = {}
        self.blocked: dict[Move, str] = {}  # move -> why it can never be made
        self.unproven: set[Move] = set()  # moves blocked only where the planner's layouts fall short
        self._unproven_reasons: list[str] = []  # those of the last layout replayed
        self.moves_tried = 0
        self.notes: list[str] = []
        self.walk_log = WalkLog()

    # --- analysis --------------------------------------------------------------------------------

    def analyse_conditions(self) -> None:
        granters = bool(self.workflow.definition.advance_roles)
        for condition_id in self.workflow.condition_order:
            planner = Planner(self.workflow, strict=True)
            failure = planner.why_unmeetable(condition_id)
            strength = self.workflow.conditions[condition_id].strength
            self.conditions[condition_id] = ConditionAnalysis(
                failure, failure is None or (strength != "required" and granters)
            )

    def why_blocked(self, move: Move) -> str | None:
        """Why a move can never be made, from the analysis; None if it can."""
        if not move.roles and not move.automatic:
            roles = "advance_roles" if move.transition is None else "roles"
            return f"no role may make it (its {roles} list is empty)"
        reasons = [
            f"it needs '{found.condition}', which can never be met there: {found.why}"
            for found in misplaced(self.workflow, move)
        ]
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
                result = self.replay_path(self.paths[stage] + [move])
                self.moves_tried += 1
                if result.failed is not None or result.stage != move.target:
                    self.blocked[move] = (
                        f"the search found no events that let it happen ({result.failed or result.stage})"
                    )
                    if self._unproven_reasons:  # the layout fell short where the planner cannot reach
                        self.unproven.add(move)
                        self.blocked[move] += f"; not proven: {'; '.join(dict.fromkeys(self._unproven_reasons))}"
                    continue
                self.fired[move] = result.events
                if move.target not in self.paths:
                    self.paths[move.target] = self.paths[stage] + [move]
                    self.witness[move.target] = result.events
                    queue.append(move.target)
        if start not in self.witness:
            self.witness[start] = self.replay_path([]).events

    def replay_path(self, path: Sequence[Move], attempt: Move | None = None, *, lenient: Sequence[str] = ()) -> Replay:
        """Replay a layout making the moves of `path`, then trying `attempt`; `lenient` conditions get their facts."""
        plan = Planner(self.workflow, strict=False)
        plan.stage = self.workflow.start
        for move in [*path, *([attempt] if attempt is not None else [])]:
            plan.needs(move.needs)  # asked where the move starts, with the stages entered before it
            if move is not attempt:
                plan.stage = move.target
                if move.target != move.source:
                    plan.entered[move.target] = 0
        for condition_id in lenient:
            plan.meet(condition_id, 0, 0, None)
        for move in [*path, *([attempt] if attempt is not None else [])]:
            if move.on_lapse is not None:  # a witness takes it on a lapse: what lapses must hold first
                plan.meet(move.on_lapse, 0, 0, None)
        self._unproven_reasons = plan.unproven
        return replay(self.workflow, plan, path, attempt)

    def random_walks(self) -> None:
        rng = random.Random(self.seed)
        for _ in range(self.walks):
            if self._all_seen():
                break
            walk(self.workflow, random.Random(rng.getrandbits(64)), self.steps, self.walk_log)
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
