"""A time in a stage longer than the window that keeps it: found from the workflow alone.

An `expiring` window counts only facts from its last span, and the fact a `time_in_stage`
counts is the move into its stage (or the creation): for the window to keep that fact, the
initiative must have entered the stage within the window's span, and for the time in the
stage to be met, at least the time's span ago. When the time asked is longer than the window
can ever be (its shortest length on the calendar against the window's longest), no moment
has both, so every condition that cannot do without that pairing is never met. It is the
same whether the window is asked directly or is what an `on_lapse` transition watches to
keep the initiative in the stage. `coop verify` proves it from its layouts (an impossible
condition); `coop workflows check` warns of it here, at the window's span.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.problems import problem_at
from cooperation.definition.stage_bound import unavoidable
from cooperation.definition.yamlsafe import Document
from cooperation.engine.conditions.table import KINDS
from cooperation.errors import Problem


class Outlasted(NamedTuple):
    """An `expiring` window (`window`) shorter than a time in a stage (`time`) it cannot do without."""

    window: str
    time: str
    why: str
    hint: str


def outlasted(workflow: CompiledWorkflow) -> Iterator[Outlasted]:
    """Each window that keeps a move into a stage for less than a time in that stage it needs."""
    conditions = workflow.compiled_conditions
    for window_id in workflow.condition_order:
        window = conditions[window_id]
        span = KINDS[window.kind].window_span(window)
        if span is None:
            continue
        for time_id in unavoidable(workflow, window.parts):
            time = conditions[time_id]
            if time.kind != "time_in_stage" or time.settings.days.shortest <= span.longest:
                continue
            stage, asked = time.settings.stage, time.settings.days
            yield Outlasted(
                window_id,
                time_id,
                f"'{time_id}' asks for {asked.text} since entering '{stage}', but '{window_id}' keeps "
                f"only the facts of the last {span.text}, so the move into '{stage}' has left it by then",
                f"make the window of '{window_id}' longer than {asked.text}, or ask '{time_id}' for less",
            )


def warnings(workflow: CompiledWorkflow, document: Document | None, file: str) -> Iterable[Problem]:
    """Each window shorter than a time in a stage it needs, at the window's span as written."""
    places = {condition.id: index for index, condition in enumerate(workflow.definition.conditions)}
    for found in outlasted(workflow):
        written = workflow.definition.conditions[places[found.window]]
        field = "duration" if getattr(written, "duration", None) is not None else "days"
        message = f"'{found.window}' can never be met: {found.why}"
        yield problem_at(document, ("conditions", places[found.window], field), message, file=file, hint=found.hint)
