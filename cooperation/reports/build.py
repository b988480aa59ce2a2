"""Gathering a report from the registry: statuses, logs and workflows, filtered for one audience.

Reads only through the `Registry` API (`status`, `history`, `initiatives`) and the
compiled workflows. Every text that reaches the report passes two gates, in
`cooperation.reports.initiative`: the audience's TLP filter and, when asked, the
pseudonyms. Renderers never see what was withheld. Each workflow is drawn by
`cooperation.reports.workflow_picture`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.events import Event, cutoff, now, parse_at
from cooperation.errors import CooperationError, UnknownInitiativeError
from cooperation.registry import Registry
from cooperation.reports.confidentiality import (
    DEFAULT_AUDIENCE,
)
from cooperation.reports.initiative import InitiativeGatherer, moment_text
from cooperation.reports.model import (
    BlockerCount,
    InitiativeReport,
    Report,
    UnreadableEntry,
)
from cooperation.reports.pseudonyms import Pseudonyms
from cooperation.reports.workflow_picture import workflow_picture
from cooperation.vocabulary import COMMUNITIES, TlpLabel

Moment = str | date | datetime
Progress = Callable[[str], None]


def build_report(
    registry: Registry,
    initiatives: Sequence[str] | None = None,
    *,
    audience: TlpLabel = DEFAULT_AUDIENCE,
    as_of: Moment | None = None,
    anonymise: bool = False,
    progress: Progress | None = None,
    include_archived: bool = False,
) -> Report:
    """A report on `initiatives` (default: all that exist at `as_of`, withdrawn and archived ones
    only with `include_archived`), for `audience`.

    `as_of` is a date (its end) or a datetime (default: now). `progress` is called with
    each initiative's id once it is gathered.
    """
    moment = cutoff(as_of) if as_of is not None else now()
    chosen = list(dict.fromkeys(initiatives)) if initiatives else registry.initiatives()
    logs = {initiative: registry.history(initiative) for initiative in chosen}
    if not initiatives:  # every initiative that existed at that moment
        logs = {initiative: log for initiative, log in logs.items() if _created(log) <= moment}
    pseudonyms = _pseudonyms_for(registry, logs) if anonymise else None
    gathered: list[InitiativeReport] = []
    unreadable: list[UnreadableEntry] = []
    workflows: dict[str, CompiledWorkflow] = {}
    for initiative, log in logs.items():
        try:
            status = registry.status(initiative, as_of=moment)
            workflow = registry.workflow_of(log, as_of=moment)
        except UnknownInitiativeError:  # asked for by name, and not there (yet): the report cannot be made
            raise
        except (CooperationError, ArithmeticError) as error:  # shown as such; the others still are
            unreadable.append(UnreadableEntry(initiative=initiative, error=_first_line(error, initiative)))
            continue
        if status.closed and not (initiatives or include_archived):  # out of the default portfolio
            continue
        workflows.setdefault(workflow.id, workflow)
        gatherer = InitiativeGatherer(workflow, status, log, moment, audience, pseudonyms)
        gathered.append(gatherer.report())
        if progress is not None:
            progress(initiative)
    return Report(
        title=_title(gathered),
        audience=audience,
        anonymised=anonymise,
        as_of=parse_at(as_of) if as_of is not None else moment_text(moment),
        communities=list(COMMUNITIES),
        workflows=[workflow_picture(workflow) for workflow in workflows.values()],
        initiatives=gathered,
        top_blockers=_top_blockers(gathered),
        unreadable=unreadable,
        head=str(registry.head()),  # read last: it covers every event the report was made from
    )


def _first_line(error: Exception, initiative: str) -> str:
    """What went wrong, in one line, without repeating the initiative's id."""
    lines = str(error).removeprefix(f"{initiative}: ").splitlines()
    more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
    return (lines[0] if lines else type(error).__name__) + more


def _created(log: Sequence[Event]) -> datetime:
    return log[0].moment


def _pseudonyms_for(registry: Registry, logs: dict[str, list[Event]]) -> Pseudonyms:
    """Pseudonyms numbered over the whole registry, so that they do not depend on what a report covers."""
    every = (
        logs[initiative] if initiative in logs else registry.history(initiative)
        for initiative in registry.initiatives()
    )
    return Pseudonyms.from_logs(every)


def _title(gathered: Sequence[InitiativeReport]) -> str:
    if len(gathered) == 1:
        return f"Cooperation report: {gathered[0].name}"
    return "Cooperation portfolio report"


def _top_blockers(gathered: Sequence[InitiativeReport]) -> list[BlockerCount]:
    """Prerequisites that block the next move of the most initiatives, most first."""
    found: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for initiative in gathered:
        for item in initiative.blockers:
            key = (initiative.workflow, item.condition)
            found.setdefault(key, (item.title, []))[1].append(initiative.initiative)
    ranked = sorted(found.items(), key=lambda entry: (-len(entry[1][1]), entry[0]))
    return [
        BlockerCount(workflow=workflow, condition=condition, title=title, initiatives=initiatives)
        for (workflow, condition), (title, initiatives) in ranked
    ]
