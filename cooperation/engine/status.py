"""Where an initiative stands: the status the API returns and `coop status --json` prints.

A plain frozen dataclass: reading a status never imports pydantic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.evaluation import ConditionResult, Evaluator, can_lapse
from cooperation.engine.events import MOMENTS_KEPT
from cooperation.engine.facts import Facts, InvalidMove
from cooperation.engine.moves import moves_for
from cooperation.engine.who import Who


@dataclass(frozen=True, slots=True)
class InitiativeStatus:
    """Where an initiative stands at `as_of`, what it lacks to move on, and why."""

    initiative: str
    name: str
    workflow: str
    stage: str
    stage_title: str
    stage_since: str | None
    next: str | None
    can_advance: bool
    at_risk: bool
    at_risk_conditions: list[str]
    unmet: list[ConditionResult]  # unsatisfied prerequisites of `next`, in the order to work on them
    conditions: list[ConditionResult]  # every condition; at a stage with no next one, those its moves need
    transitions: list[str]
    terminal: bool
    handed_off: dict[str, Any] | None
    version: int
    as_of: str
    lapses_on: str | None = None  # the earliest `lapses_on` of its conditions
    last_event: str | None = None  # when its latest event happened
    # By condition, for those that count people: who has (attested, taken part) and who could
    # still. Only for an initiative shown on its own (`Registry.status`); None in a portfolio,
    # where results are shared and naming people would undo it (`cooperation.engine.who`).
    who: dict[str, Who] | None = None
    aliases: list[str] | None = None  # other ids it was given (`coop rename --alias`), if any
    closed: dict[str, str] | None = None  # {"state": "withdrawn" or "archived", "at": ...} once closed
    invalid_moves: list[InvalidMove] = field(default_factory=list)  # moves in its log not honoured (forged, ...)
    # The move its workflow takes by itself when a condition lapses, if one is coming and nothing
    # more is recorded (`on_lapse`): {on, at, transition, to, condition}.
    lapse: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """The status as plain JSON values (what `coop status --json` prints), read back from
        the fast hand-written text (`to_json_text`): several times quicker than `dataclasses.asdict`."""
        return json.loads(self.to_json_text())  # type: ignore[no-any-return]

    def to_json_text(self, *, indent: int | None = None) -> str:
        """The status as JSON text: one line, or indented by `indent` spaces (`views.status_json`)."""
        from cooperation.views.status_json import status_json  # it names this class only in annotations

        return status_json(self, indent=indent)


@dataclass(frozen=True, slots=True)
class UnreadableInitiative:
    """An initiative whose status cannot be worked out (its workflow no longer loads, say):
    listed with its error, so that one broken initiative never hides the others."""

    initiative: str
    error: str

    def to_json(self) -> dict[str, Any]:
        return {"initiative": self.initiative, "error": self.error}


def certified_needs(workflow: CompiledWorkflow, facts: Facts) -> tuple[str, ...]:
    """The conditions the move into the current stage was guarded by."""
    if not facts.moves:
        return ()
    move = facts.moves[-1]
    if move.kind == "stage_advanced":
        return workflow.needs(facts.stage)
    if move.transition is not None and move.transition in workflow.transition_needs:
        return workflow.transition_needs[move.transition]
    return ()


@lru_cache(maxsize=MOMENTS_KEPT)  # initiatives share dates
def _text(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


@lru_cache(maxsize=1024)
def _stage_outline(workflow: CompiledWorkflow, stage: str) -> tuple[str, bool, str | None, tuple[str, ...]]:
    """What a status says of a stage whatever the facts: title, terminal, next stage, moves out."""
    definition = workflow.compiled_stages[stage]
    table = moves_for(workflow)
    moves = tuple(move.transition for move in table.transitions(stage) if move.transition is not None)
    return definition.title, definition.terminal, table.next_stage(stage), moves


@lru_cache(maxsize=1024)
def _applicable(workflow: CompiledWorkflow, stage: str) -> tuple[int, ...] | None:
    """At a stage with no next one (terminal, or off the ladder after a hand-off), the places in
    the working order of the conditions that the moves still possible from it need, through
    their parts and prerequisites; None at a stage with a next one, where every condition may apply.
    """
    table = moves_for(workflow)
    if table.next_stage(stage) is not None:
        return None
    wanted: set[str] = set()
    pending = [need for move in table.transitions(stage) for need in (*move.needs, *filter(None, [move.on_lapse]))]
    while pending:
        condition = workflow.compiled_conditions[pending.pop()]
        if condition.id not in wanted:
            wanted.add(condition.id)
            pending += [*condition.requires, *condition.parts]
    return tuple(place for place, condition in enumerate(workflow.condition_order) if condition in wanted)


def build_status(workflow: CompiledWorkflow, facts: Facts, evaluator: Evaluator, as_of: datetime) -> InitiativeStatus:
    """Assemble the status from facts and their evaluation (no I/O)."""
    conditions = evaluator.all_results()  # first: it takes the cheap path where nothing is recorded
    lapsing = can_lapse(workflow)
    earliest = _date_lapses(conditions, lapsing, evaluator, facts) if lapsing else None
    stage = facts.stage
    title, terminal, following, moves = _stage_outline(workflow, stage)
    applicable = _applicable(workflow, stage)
    if applicable is not None:  # terminal or off the ladder: only what the moves from here need
        conditions = [conditions[place] for place in applicable]
        earliest = min(filter(None, (result.lapses_on for result in conditions)), default=None)
    pending = evaluator.to_work_on(workflow.needs(following)) if following else []
    # A stage whose prerequisites, checked when the initiative moved there, no longer
    # hold is at risk, not silently green. The first stage was never checked.
    at_risk = [result.condition for result in evaluator.blocking(certified_needs(workflow, facts))]
    lapse = None
    if moves_for(workflow).lapsing.get(stage):  # a workflow with no `on_lapse` pays one lookup
        from cooperation.engine.lapses import pending_lapse

        lapse = pending_lapse(moves_for(workflow), facts, evaluator)
        if lapse is not None and (earliest is None or lapse["on"] < earliest):
            earliest = lapse["on"]
    handed_off = dict(facts.handed_off_to) if facts.handed_off_to else None
    if handed_off:
        handed_off["at"] = _text(handed_off["at"])
    return InitiativeStatus(
        initiative=facts.initiative,
        name=facts.name,
        workflow=workflow.id,
        stage=stage,
        stage_title=title,
        stage_since=_text(facts.stage_since),
        next=following,
        can_advance=following is not None and not any(result.blocking for result in pending),
        at_risk=bool(at_risk),
        at_risk_conditions=at_risk,
        unmet=pending,
        conditions=conditions,
        transitions=list(moves),
        terminal=terminal,
        handed_off=handed_off,
        version=facts.version,
        as_of=_text(as_of) or "",
        lapses_on=earliest,
        last_event=_text(facts.moments[-1]) if facts.moments else None,
        aliases=list(facts.aliases) if facts.aliases else None,
        closed={"state": facts.closed.state, "at": _text(facts.closed.at) or ""} if facts.closed else None,
        invalid_moves=list(facts.invalid_moves),
        lapse=lapse,
    )


def _date_lapses(
    conditions: list[ConditionResult], lapsing: tuple[tuple[int, str], ...], evaluator: Evaluator, facts: Facts
) -> str | None:
    """Give each met condition that can lapse, in this status's own list of results, a copy
    carrying the date it does; return the earliest such date.

    A copy, not the shared result: the date differs per initiative (see `ConditionResult`).
    A waived condition stays satisfied whatever happens to its facts, so it does not lapse.
    """
    earliest = None
    for place, condition in lapsing:
        result = conditions[place]
        if result.met and condition not in facts.waivers:
            moment = evaluator.lapses_on(condition)
            if moment is not None:
                date = moment.date().isoformat()
                conditions[place] = replace(result, lapses_on=date)
                earliest = date if earliest is None else min(earliest, date)
    return earliest
