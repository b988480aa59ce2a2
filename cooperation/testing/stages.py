"""Hypothesis strategies for the stages an initiative passes through, and when it entered each.

For properties of the kinds that read the stage and its moves (`time_in_stage`,
`since_stage`): `stage_walks` makes a creation and a walk of moves through a workflow's
stage graph at random gaps; `entered` is the plain reading of such a log that those kinds
must agree with. The moves' requirements are not laid out, so fold these events
(`cooperation.engine.facts.fold`) rather than import them, unless the moves need nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from hypothesis import strategies as st

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.events import MOVE_KINDS, Event, parse_at
from cooperation.engine.moves import Move, moves_for
from cooperation.engine.payloads import EventData, move_payload
from cooperation.testing.strategies import OWNER, START, as_compiled

MAX_GAP = 120 * 86_400  # seconds between two moves, at most: long enough to pass most times in a stage


def _data(move: Move) -> EventData:
    if move.kind == "advance":
        return {"from": move.source, "to": move.target}
    if move.kind == "hand_off":
        kind = move.body_kinds[0] if move.body_kinds else "standardisation"
        return {
            "from": move.source,
            "to": move.target,
            "body": "Receiving body",
            "body_kind": kind,
            "transition": str(move.transition),
        }
    return {"from": move.source, "to": move.target, "reason": "A test move.", "transition": str(move.transition)}


@st.composite
def stage_walks(
    draw: st.DrawFn,
    workflow: CompiledWorkflow | str,
    initiative: str = "example",
    *,
    start: datetime = START,
    max_moves: int = 6,
) -> list[Event]:
    """The creation of an initiative and up to `max_moves` moves from stage to stage (advances and
    transitions, as the workflow defines them), each some whole seconds (up to `MAX_GAP`) after the last."""
    compiled = as_compiled(workflow)
    table = moves_for(compiled)
    events = [Event(initiative, "initiative_created", parse_at(start), {"name": "Example", "workflow": compiled.id})]
    stage, at = compiled.start, start
    for gap, pick in draw(st.lists(st.tuples(st.integers(1, MAX_GAP), st.integers(0, 99)), max_size=max_moves)):
        leaving = table.leaving(stage)
        if not leaving:
            break
        move = leaving[pick % len(leaving)]
        at += timedelta(seconds=gap)
        events.append(Event(initiative, move.event_kind, parse_at(at), _data(move), OWNER))
        stage = move.target
    return events


def entered(workflow: CompiledWorkflow | str, events: Sequence[Event], stage: str, now: datetime) -> datetime | None:
    """When the initiative of a log (in time order) last entered `stage` by `now`: the last move into it
    from another stage, or its creation if it is the first stage and no move has brought it back."""
    compiled = as_compiled(workflow)
    last: datetime | None = None
    for event in events:
        if event.moment > now:
            break
        created = event.kind == "initiative_created" and stage == compiled.start
        moved_in = False
        if event.kind in MOVE_KINDS:
            move = move_payload(event)
            moved_in = move["to"] == stage and move["from"] != stage
        if created or moved_in:
            last = event.moment
    return last
