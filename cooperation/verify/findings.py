"""The findings of a verification, from what the exploration proved: each flaw explained, with its witness.

Stages no sequence of events reaches, conditions that can never be met, transitions that
can never fire, and dead ends that are not terminal stages. Each finding carries the log
that gets nearest to the point, and what replaying it shows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.stage_bound import misplaced
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.events import Event
from cooperation.verify.exploration import Exploration
from cooperation.verify.moves import Move, moves_from, moves_from_all
from cooperation.verify.report import Finding


def findings(explored: Exploration) -> list[Finding]:
    """Every flaw the exploration shows, each with its witness: conditions, stages, transitions, dead ends."""
    found: list[Finding] = []
    found += _impossible_conditions(explored)
    found += _misplaced_conditions(explored)
    found += _unreachable_stages(explored)
    found += _silent_transitions(explored)
    found += _dead_ends(explored)
    return found


def _impossible_conditions(explored: Exploration) -> Iterable[Finding]:
    """Conditions no layout meets, confirmed by replaying the closest layout (a walk that met one clears it)."""
    for condition_id in explored.workflow.condition_order:
        failure = explored.conditions[condition_id].meetable
        if failure is None or condition_id in explored.walk_log.met:
            continue
        result = explored.replay_path([], lenient=[condition_id])
        shown = next(c for c in result.status.conditions if c.condition == condition_id)
        if shown.met:
            explored.notes.append(f"the closest layout met '{condition_id}', which the analysis had found impossible")
            continue
        condition = explored.workflow.conditions[condition_id]
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
            _condition_hint(explored.workflow, failure.culprit),
            tuple(result.events),
            f"after the witness, '{condition_id}' is unmet: {shown.detail}",
            failure.culprit if failure.culprit != condition_id else None,
        )


def _misplaced_conditions(explored: Exploration) -> Iterable[Finding]:
    """Conditions bound to a stage and asked where they can never hold (`stage_bound`), once each."""
    reported: set[str] = set()
    for move in moves_from_all(explored.workflow):
        for found in misplaced(explored.workflow, move):
            if found.condition in reported:
                continue
            reported.add(found.condition)
            kind = explored.workflow.compiled_conditions[found.condition].kind
            yield Finding(
                "impossible-condition",
                found.condition,
                f"'{found.condition}' ({kind}) can never be met where it is asked: {move.label} needs it; {found.why}",
                found.hint,
                tuple(_nearest(explored, move.source)),
                f"the witness gets as close to '{move.source}' as events allow",
            )


def _unreachable_stages(explored: Exploration) -> Iterable[Finding]:
    """Stages nothing reaches, each blamed on the first move of its shortest route that was never made."""
    for stage in explored.workflow.definition.stages:
        if stage.id in explored.witness:
            continue
        route = _route(explored, stage.id)
        blocker_index = next(i for i, move in enumerate(route) if move not in explored.fired)
        blocker = route[blocker_index]
        source_path = explored.paths.get(blocker.source)
        reason = explored.blocked.get(blocker, "the search found no events that let it happen")
        shown = " -> ".join([route[0].source, *(move.target for move in route)])
        if blocker.target == stage.id:
            message = (
                f"no sequence of events reaches '{stage.id}': {blocker.label} {_never(explored, blocker)}: {reason}"
            )
        else:
            message = (
                f"no sequence of events reaches '{stage.id}': the shortest route ({shown}) is blocked at "
                f"{blocker.label}, which {_never(explored, blocker)}: {reason}"
            )
        events, outcome = _attempt(explored, source_path, blocker)
        yield Finding(
            "unreachable-stage",
            stage.id,
            message,
            "lower the thresholds it needs, or add a transition that reaches it",
            events,
            outcome,
            _blamed(explored, blocker) or blocker.transition,  # the transition's own finding, if it has one
        )


def _silent_transitions(explored: Exploration) -> Iterable[Finding]:
    """Transitions that never fire, and advances never made into stages reached another way."""
    for transition in explored.workflow.definition.transitions:
        moves = [m for m in moves_from_all(explored.workflow) if m.transition == transition.id]
        if any(move in explored.fired for move in moves):
            continue
        reachable = [move for move in moves if move.source in explored.paths]
        if not reachable:
            sources = ", ".join(f"'{name}'" for name in transition.from_)
            message = f"'{transition.id}' can never fire: none of the stages it starts from ({sources}) can be reached"
            first = transition.from_[0]
            events = tuple(_nearest(explored, first))
            yield Finding(
                "transition-never-fires",
                transition.id,
                message,
                "make one of its 'from' stages reachable, or remove the transition",
                events,
                f"the witness gets as close to '{first}' as events allow",
                first,
            )
            continue
        move = reachable[0]
        reason = explored.blocked.get(move, "the search found no events that let it happen")
        events, outcome = _attempt(explored, explored.paths[move.source], move)
        never = "was never made to fire" if move in explored.unproven else "can never fire"
        yield Finding(
            "transition-never-fires",
            transition.id,
            f"'{transition.id}' {never}: {reason}",
            "give it roles that may take it, or requirements that can be met",
            events,
            outcome,
            _blamed(explored, move),
        )
    for stage in explored.workflow.ladder[:-1]:
        advance = moves_from(explored.workflow, stage)[0]
        if stage in explored.paths and advance not in explored.fired and advance.target in explored.witness:
            reason = explored.blocked.get(advance, "the search found no events that let it happen")
            events, outcome = _attempt(explored, explored.paths[stage], advance)
            yield Finding(
                "transition-never-fires",
                advance.label,
                f"{advance.label} {_never(explored, advance)} (the stage is reached another way): {reason}",
                "lower what the stage requires, or let a role advance into it",
                events,
                outcome,
                _blamed(explored, advance),
            )


def _dead_ends(explored: Exploration) -> Iterable[Finding]:
    """Reachable stages that are not terminal and that no move ever leaves."""
    for stage in explored.workflow.definition.stages:
        if stage.terminal or stage.id not in explored.witness:
            continue
        moves = moves_from(explored.workflow, stage.id)
        if any(move in explored.fired for move in moves):
            continue
        if moves:
            why = "; ".join(
                f"{move.label} {_never(explored, move)}: {explored.blocked.get(move, 'no events found')}"
                for move in moves
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
            tuple(explored.witness[stage.id]),
            f"the witness reaches '{stage.id}'",
            next(filter(None, (_blamed(explored, move) for move in moves)), None),
        )


# --- helpers: causes, routes, and witnesses that get as close as events allow ---------------------


def _never(explored: Exploration, move: Move) -> str:
    """How sure the finding is that a move cannot be made: proven, or only not shown by the layouts tried."""
    if move in explored.unproven:
        return "could not be made by any layout of events the verifier tried (not proven impossible)"
    return "can never be made"


def _blamed(explored: Exploration, move: Move) -> str | None:
    """The condition that can never be met at the root of why `move` cannot be made, if that is why."""
    for need in move.needs:
        failure = explored.conditions[need].meetable
        if failure is not None and need not in explored.walk_log.met:
            return failure.culprit
    return next((found.condition for found in misplaced(explored.workflow, move)), None)


def _route(explored: Exploration, target: str) -> list[Move]:
    """The shortest route from the first stage to `target` in the graph of every move, guards aside."""
    previous: dict[str, Move | None] = {explored.workflow.start: None}
    queue = deque([explored.workflow.start])
    while queue:
        stage = queue.popleft()
        for move in moves_from(explored.workflow, stage):
            if move.target not in previous:
                previous[move.target] = move
                queue.append(move.target)
    route: list[Move] = []
    step = previous[target]
    while step is not None:
        route.append(step)
        step = previous[step.source]
    return list(reversed(route))


def _attempt(explored: Exploration, path: Sequence[Move] | None, move: Move) -> tuple[tuple[Event, ...], str]:
    """A witness reaching `move`'s source with as much of what it needs as can be laid out, then trying it."""
    if path is None and move.source in explored.witness:
        return tuple(explored.witness[move.source]), f"a random walk reaches '{move.source}'"
    if path is None:
        return tuple(_nearest(explored, move.source)), f"'{move.source}' itself cannot be reached"
    lenient = [need for need in move.needs if explored.workflow.conditions[need].strength != "advisory"]
    result = explored.replay_path(path, move if (move.roles or move.automatic) else None, lenient=lenient)
    if result.failed is not None:
        return tuple(result.events), f"the witness stops short: {result.failed}"
    if result.refused is not None:
        return tuple(result.events), f"the witness reaches '{move.source}', then the engine refuses: {result.refused}"
    if not move.roles and not move.automatic:
        return tuple(result.events), f"the witness reaches '{move.source}'; nobody may make {move.label}"
    return tuple(result.events), f"the witness ends at '{result.stage}'"


def _nearest(explored: Exploration, stage: str) -> list[Event]:
    """A log that reaches `stage`, or gets as close to it as the first blocked move of its route allows."""
    if stage in explored.witness:
        return explored.witness[stage]
    route = _route(explored, stage)
    blocker = next(move for move in route if move not in explored.fired)
    return (
        list(_attempt(explored, explored.paths.get(blocker.source), blocker)[0])
        if blocker.source in explored.paths
        else []
    )


def _condition_hint(workflow: CompiledWorkflow, culprit: str) -> str:
    condition = workflow.compiled_conditions[culprit]
    return KINDS[condition.kind].unmeetable_hint(condition)
