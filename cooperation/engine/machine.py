"""The state machine that moves initiatives: one `transitions.Machine` per workflow.

Attaching every initiative to a Machine would cost memory per initiative and time
quadratic in their number, so each workflow gets one Machine with one reusable
cursor: to move an initiative, the cursor is put at its stage and the trigger is
fired; the guards ask the compiled prerequisite graph through the evaluator.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Literal

from transitions import EventData, Machine

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.evaluation import Evaluator

ADVANCE: Literal["advance"] = "advance"


def trigger_name(transition_id: str) -> str:
    """The Machine trigger of a workflow transition (prefixed: ids may not clash with 'advance')."""
    return f"take:{transition_id}"


class _Cursor:
    state: str


class StageMachine:
    """Moves initiatives of one workflow; guarded by that workflow's prerequisites."""

    def __init__(self, workflow: CompiledWorkflow) -> None:
        self.workflow = workflow
        self._cursor = _Cursor()
        self._lock = threading.Lock()
        moves: list[dict[str, Any]] = [
            {"trigger": ADVANCE, "source": stage, "dest": following, "conditions": [self._advance_allowed]}
            for stage, following in zip(workflow.ladder, workflow.ladder[1:])
        ]
        moves += [
            {
                "trigger": trigger_name(transition.id),
                "source": list(transition.from_),
                "dest": transition.to,
                "conditions": [self._transition_allowed],
            }
            for transition in workflow.compiled_transitions.values()
        ]
        self._machine = Machine(
            model=self._cursor,
            states=list(workflow.compiled_stages),
            transitions=moves,
            initial=workflow.start,
            send_event=True,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )

    def _advance_allowed(self, event: EventData) -> bool:
        evaluator: Evaluator = event.kwargs["evaluator"]
        assert event.transition is not None and event.transition.dest is not None
        return not evaluator.blocking(self.workflow.needs(event.transition.dest))

    def _transition_allowed(self, event: EventData) -> bool:
        evaluator: Evaluator = event.kwargs["evaluator"]
        transition_id = event.event.name.removeprefix("take:")
        return not evaluator.blocking(self.workflow.transition_needs[transition_id])

    def possible(self, stage: str, trigger: str) -> bool:
        """Whether `trigger` leads anywhere from `stage` (guards aside)."""
        return bool(self._machine.get_transitions(trigger=trigger, source=stage))

    def fire(self, stage: str, trigger: str, evaluator: Evaluator) -> str | None:
        """The stage `trigger` moves to from `stage`, or None when a guard refuses."""
        with self._lock:
            self._machine.set_state(stage, model=self._cursor)
            moved = self._cursor.trigger(trigger, evaluator=evaluator)  # type: ignore[attr-defined]
            return self._cursor.state if moved else None


_machines: weakref.WeakKeyDictionary[CompiledWorkflow, StageMachine] = weakref.WeakKeyDictionary()
_machines_lock = threading.Lock()


def machine_for(workflow: CompiledWorkflow) -> StageMachine:
    """The shared machine of a workflow, built on first use."""
    with _machines_lock:
        machine = _machines.get(workflow)
        if machine is None:
            machine = _machines[workflow] = StageMachine(workflow)
        return machine
