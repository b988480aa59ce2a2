"""The move table (`cooperation.engine.moves`): one record per move, and the Machine built from them.

The table must answer what the engine chose before it existed, when the registry,
admission, verification and status each worked the moves out from the compiled
workflow; `_Before` below is that reckoning, written out from the compiled records.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperation.definition.catalog import builtin_workflow_ids, get_workflow
from cooperation.definition.compiled import CompiledTransition, CompiledWorkflow
from cooperation.engine.evaluation import Evaluator
from cooperation.engine.event_schema import DATA_MODELS
from cooperation.engine.events import LAPSE_KIND, MOVE_KINDS, Event
from cooperation.engine.facts import fold
from cooperation.engine.moves import EVENT_KIND_OF_MOVE, MOVE_KIND_OF_EVENT, Move, MoveKind, moves_for
from cooperation.engine.payloads import EVENT_KINDS
from cooperation.errors import TransitionError

ENGINE_LADDER = str(Path(__file__).resolve().parent / "workflows" / "engine" / "ladder.yaml")
WORKFLOWS = [*builtin_workflow_ids(), ENGINE_LADDER]
KINDS: tuple[MoveKind, ...] = ("advance", "regress", "escalate", "hand_off")


def _name(workflow: str) -> str:
    return Path(workflow).stem


class _Before:
    """How the engine chose moves before the table, from the compiled workflow's own records."""

    def __init__(self, workflow: CompiledWorkflow) -> None:
        self.workflow = workflow

    def next_stage(self, stage: str) -> str | None:
        ladder = self.workflow.ladder
        if stage not in ladder:
            return None
        position = ladder.index(stage) + 1
        return ladder[position] if position < len(ladder) else None

    def transitions_from(self, stage: str) -> list[CompiledTransition]:
        return [t for t in self.workflow.compiled_transitions.values() if stage in t.from_]

    def roles(self, *, stage: str | None = None, transition: str | None = None) -> tuple[str, ...]:
        own = (
            self.workflow.compiled_stages[stage].advance_roles
            if stage is not None
            else self.workflow.compiled_transitions[transition or ""].roles
        )
        return own if own is not None else self.workflow.default_roles

    def moves_from(self, stage: str) -> list[tuple[object, ...]]:
        found: list[tuple[object, ...]] = []
        following = self.next_stage(stage)
        if following is not None:
            roles = self.roles(stage=following)
            found.append(("advance", stage, following, None, roles, self.workflow.needs(following)))
        for t in self.transitions_from(stage):
            found.append((t.kind, stage, t.to, t.id, self.roles(transition=t.id), self.workflow.transition_needs[t.id]))
        return found

    def choose(self, initiative: str, stage: str, kind: str, transition: str | None, to: str | None) -> str:
        """What the registry's move methods picked: 'transition-id -> target', or the refusal's text."""
        if kind == "advance":
            following = self.next_stage(stage)
            if following is not None:
                return f"None -> {following}"
            options = ", ".join(f"{t.id} ({t.kind})" for t in self.transitions_from(stage))
            where = "the last stage of the ladder" if stage in self.workflow.ladder else "off the ladder"
            suffix = f"; moves from here: {options}" if options else "; nothing moves on from here"
            return f"{initiative} is at '{stage}', {where}{suffix}"
        here = self.transitions_from(stage)
        candidates = [t for t in here if t.kind == kind and transition in (None, t.id) and to in (None, t.to)]
        if len(candidates) == 1:
            return f"{candidates[0].id} -> {candidates[0].to}"
        if not candidates:
            available = ", ".join(f"{t.id} ({t.kind} to {t.to})" for t in here) or "none"
            return f"{initiative} is at '{stage}': no {kind} move matches; moves from here: {available}"
        choices = ", ".join(f"{t.id} (to {t.to})" for t in candidates)
        return f"{initiative} is at '{stage}': several {kind} moves fit ({choices}); name one"

    def admitted(self, stage: str, kind: str, transition: str | None, to: str | None) -> str | None:
        """The transition admission completed an event with (the first that fits), or None."""
        for t in self.transitions_from(stage):
            if t.kind == kind and transition in (None, t.id) and to in (None, t.to):
                return t.id
        return None

    def automatic(self, stage: str, event_kind: str) -> str | None:
        for t in self.transitions_from(stage):
            if t.on_event == event_kind:
                return t.id
        return None


def _chosen(workflow: CompiledWorkflow, stage: str, kind: MoveKind, transition: str | None, to: str | None) -> str:
    try:
        move = moves_for(workflow).choose("it", stage, kind, transition=transition, target=to)
    except TransitionError as refused:
        return str(refused)
    return f"{move.transition} -> {move.target}"


def _row(move: Move) -> tuple[object, ...]:
    return (move.kind, move.source, move.target, move.transition, move.roles, move.needs)


@pytest.mark.parametrize("name", WORKFLOWS, ids=_name)
def test_the_table_lists_the_moves_the_engine_computed_before(name: str) -> None:
    workflow = get_workflow(name)
    table, before = moves_for(workflow), _Before(workflow)
    for stage in workflow.compiled_stages:
        assert [_row(move) for move in table.leaving(stage)] == before.moves_from(stage), stage
        assert table.next_stage(stage) == before.next_stage(stage)
        assert [m.transition for m in table.transitions(stage)] == [t.id for t in before.transitions_from(stage)]
        for event_kind in EVENT_KINDS:
            automatic = table.automatic(stage, event_kind)
            assert (automatic.transition if automatic else None) == before.automatic(stage, event_kind)
    assert [_row(move) for move in table.rows] == [
        row for stage in workflow.definition.stages for row in before.moves_from(stage.id)
    ]


@pytest.mark.parametrize("name", WORKFLOWS, ids=_name)
def test_the_table_picks_the_move_the_registry_and_admission_picked_before(name: str) -> None:
    workflow = get_workflow(name)
    table, before = moves_for(workflow), _Before(workflow)
    transitions: list[str | None] = [None, *workflow.compiled_transitions, "no-such-transition"]
    targets: list[str | None] = [None, *workflow.compiled_stages]
    for stage in workflow.compiled_stages:
        for kind in KINDS:
            for transition in transitions:
                for to in targets:
                    expected = before.choose("it", stage, kind, transition, to)
                    assert _chosen(workflow, stage, kind, transition, to) == expected
                    if kind != "advance":
                        fits = table.matching(stage, kind, transition=transition, target=to)
                        assert (fits[0].transition if fits else None) == before.admitted(stage, kind, transition, to)


@pytest.mark.parametrize("name", WORKFLOWS, ids=_name)
def test_every_move_is_a_transition_of_the_machine_and_every_transition_a_move(name: str) -> None:
    table = moves_for(get_workflow(name))
    machine = table.machine
    held = machine.moves()
    assert Counter(held) == Counter(table.rows)  # each move once, nothing else
    edges = Counter(
        (trigger, source, transition.dest)
        for trigger, event in machine._machine.events.items()
        for source, transitions in event.transitions.items()
        for transition in transitions
    )
    assert edges == Counter((move.trigger, move.source, move.target) for move in table.rows)
    assert table.machine is machine  # one Machine per workflow


def test_the_table_and_its_machine_are_built_once_per_workflow() -> None:
    workflow = get_workflow(ENGINE_LADDER)
    assert moves_for(workflow) is moves_for(workflow)


@pytest.mark.parametrize("name", WORKFLOWS, ids=_name)
def test_the_map_of_move_kinds_and_event_kinds_is_one_to_one(name: str) -> None:
    # Besides one event kind per kind of move, a lapse records the move the workflow took by itself.
    assert set(MOVE_KIND_OF_EVENT) | {LAPSE_KIND} == set(MOVE_KINDS) <= set(EVENT_KINDS) & set(DATA_MODELS)
    assert all(EVENT_KIND_OF_MOVE[MOVE_KIND_OF_EVENT[event]] == event for event in MOVE_KINDS - {LAPSE_KIND})
    for move in moves_for(get_workflow(name)).rows:
        assert MOVE_KIND_OF_EVENT[move.event_kind] == move.kind
        assert move.trigger == ("advance" if move.transition is None else f"take:{move.transition}")


_LADDER = get_workflow(ENGINE_LADDER)
_CREATED = Event("it", "initiative_created", "2024-01-01", {"name": "It", "workflow": ENGINE_LADDER}, None, 1)
_EVIDENCE = [
    Event("it", "evidence_recorded", "2024-01-02", {"condition": condition, "text": "Noted."}, None, 2 + index)
    for index, condition in enumerate(("problem", "failure", "receiver", "output"))
]


@settings(max_examples=60, deadline=None)
@given(move=st.sampled_from(moves_for(_LADDER).rows), recorded=st.sets(st.integers(0, len(_EVIDENCE) - 1)))
def test_the_machine_arrives_where_the_move_goes_exactly_when_nothing_blocks_it(move: Move, recorded: set[int]) -> None:
    """The stage a move arrives at is its target, when its blocking needs are met, and nothing otherwise."""
    events = [_CREATED, *(_EVIDENCE[index] for index in sorted(recorded))]
    facts = fold("it", events, start=move.source)
    evaluator = Evaluator(_LADDER, facts, datetime(2024, 2, 1, tzinfo=UTC))
    blocked = bool(evaluator.blocking(move.needs))
    assert moves_for(_LADDER).make(move, evaluator) == (None if blocked else move.target)


def test_the_engine_ladder_refuses_and_allows_moves_as_its_file_says() -> None:
    """A pinned example, independent of the old code: what the file tests/workflows/engine/ladder.yaml says."""
    table = moves_for(_LADDER)
    assert [m.label for m in table.leaving("delivered")] == [
        "'breach' (delivered -> formed)",
        "'restart' (delivered -> idea)",
        "'hand-off' (delivered -> handed-off)",
    ]
    assert table.advance("delivered") is None and table.next_stage("trusted") == "delivered"
    assert table.automatic("trusted", "trust_breached") == table.move("trusted", "breach")
    assert table.automatic("idea", "trust_breached") is None
    assert table.move("delivered", "hand-off") == Move(
        "hand_off",
        "delivered",
        "handed-off",
        "hand-off",
        ("owner", "secretariat"),
        ("receiver",),
        None,
        ("standardisation", "self-regulation"),
    )
    with pytest.raises(TransitionError, match="several regress moves fit"):
        table.choose("it", "trusted", "regress")


def test_listing_moves_does_not_import_transitions(tmp_path: Path) -> None:
    """Reading a status lists moves; only making one may load the `transitions` package."""
    probe = f"""
import json, sys
from cooperation.definition.catalog import get_workflow
from cooperation.engine.moves import moves_for
table = moves_for(get_workflow({ENGINE_LADDER!r}))
listed = [move.label for stage in table.stages for move in table.leaving(stage)]
print(json.dumps("transitions" in sys.modules))
"""
    environment = {**os.environ, "COOP_CACHE_DIR": str(tmp_path / "cache")}
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    assert json.loads(found.stdout.splitlines()[-1]) is False
