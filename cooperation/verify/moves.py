"""The stage graph of a workflow for verification: its moves, and how to make one.

A *move* is one edge of the graph: the advance from a ladder stage to the next, or one
of the workflow's transitions. Witnesses, guides and random walks all make moves the
same way, through the registry's API, so the engine judges them as it would a user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from cooperation.definition.catalog import get_workflow
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.registry import Registry
from cooperation.vocabulary import Role


@dataclass(frozen=True, slots=True)
class Move:
    """One edge of the stage graph: an advance, or a workflow transition from one of its stages."""

    kind: Literal["advance", "regress", "escalate", "hand_off"]
    source: str
    target: str
    transition: str | None
    roles: tuple[Role, ...]
    needs: tuple[str, ...]
    automatic: bool = False  # taken by the engine itself on an event (a breach of trust)

    @property
    def label(self) -> str:
        if self.transition is None:
            return f"advance {self.source} -> {self.target}"
        return f"'{self.transition}' ({self.source} -> {self.target})"


def moves_from(workflow: CompiledWorkflow, stage: str) -> list[Move]:
    """Every move the workflow defines from `stage`: the advance first, then its transitions."""
    found: list[Move] = []
    following = workflow.next_stage(stage)
    if following is not None:
        found.append(
            Move("advance", stage, following, None, workflow.advance_roles(following), workflow.needs(following))
        )
    for transition in workflow.transitions_from(stage):
        found.append(
            Move(
                transition.kind,
                stage,
                transition.to,
                transition.id,
                workflow.transition_roles(transition.id),
                workflow.transition_needs[transition.id],
                automatic=transition.on_event is not None,
            )
        )
    return found


def moves_from_all(workflow: CompiledWorkflow) -> list[Move]:
    """Every move the workflow defines, from every stage in workflow order."""
    return [move for stage in workflow.definition.stages for move in moves_from(workflow, stage.id)]


def apply_move(registry: Registry, initiative: str, move: Move, *, by: str, at: str | None = None) -> None:
    """Make `move` through the registry's API (raises the engine's refusal)."""
    reason = "Recorded by an automated check of the workflow."
    if move.kind == "advance":
        registry.advance(initiative, by=by, at=at)
    elif move.kind == "regress":
        registry.regress(initiative, by=by, reason=reason, transition=move.transition, at=at)
    elif move.kind == "escalate":
        registry.escalate(initiative, by=by, reason=reason, transition=move.transition, at=at)
    else:
        assert move.transition is not None
        kinds = _body_kinds(registry, initiative, move.transition)
        registry.hand_off(
            initiative, by=by, body="Receiving body", body_kind=kinds[0], transition=move.transition, at=at
        )


def _body_kinds(registry: Registry, initiative: str, transition: str) -> list[Any]:
    """The kinds of body a hand-off may go to (all of them when the workflow does not say)."""
    created = registry.history(initiative)[0]
    definition = get_workflow(created.data["workflow"]).transitions[transition]
    return list(definition.body_kinds) or ["standardisation", "legislation", "self-regulation"]
