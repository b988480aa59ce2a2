"""The stage graph of a workflow for verification: its moves, and how to make one.

A *move* is one edge of the graph: the advance from a ladder stage to the next, or one
of the workflow's transitions; the workflow's move table (`cooperation.engine.moves`)
lists them. Witnesses, guides and random walks all make moves the same way, through the
registry's API, so the engine judges them as it would a user's.
"""

from __future__ import annotations

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.moves import Move, moves_for
from cooperation.registry import Registry
from cooperation.vocabulary import BodyKind

__all__ = ["Move", "apply_move", "moves_from", "moves_from_all"]


def moves_from(workflow: CompiledWorkflow, stage: str) -> list[Move]:
    """Every move the workflow defines from `stage`: the advance first, then its transitions."""
    return list(moves_for(workflow).leaving(stage))


def moves_from_all(workflow: CompiledWorkflow) -> list[Move]:
    """Every move the workflow defines, from every stage in workflow order."""
    return list(moves_for(workflow).rows)


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
        body_kind: BodyKind = move.body_kinds[0] if move.body_kinds else "standardisation"  # any, unless it says
        registry.hand_off(
            initiative, by=by, body="Receiving body", body_kind=body_kind, transition=move.transition, at=at
        )
