"""Status, history and export as one audience sees them: the report's own filter, applied to the other outputs.

`coop status`, `coop history` and `coop export` show what an owner sees unless given
`--audience` or `--anonymise`; with either, each initiative is gathered exactly as a report
gathers it (`cooperation.reports.initiative.InitiativeGatherer`: the TLP filter, then the
pseudonyms), and the output is made from what the report would show. There is no second
filter to keep in step with the first.

A filtered export is not a backup: withheld text is missing and names may be pseudonyms.
Its first line says so (`cooperation.engine.events.FILTERED_EXPORT_KEY`), and `coop import`
refuses such a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from cooperation.engine.events import FILTERED_EXPORT_KEY, Event
from cooperation.engine.status import InitiativeStatus
from cooperation.registry import Registry
from cooperation.reports.initiative import InitiativeGatherer
from cooperation.reports.model import HistoryLine, InitiativeReport
from cooperation.reports.pseudonyms import Pseudonyms
from cooperation.vocabulary import TlpLabel

WITHHELD = "*withheld*"
"""What text output shows in place of a value the audience may not see."""


class AudienceView:
    """One audience's view of a registry: statuses, histories and export lines, filtered as reports are."""

    def __init__(self, registry: Registry, audience: TlpLabel | None = None, *, anonymise: bool = False) -> None:
        self.registry = registry
        self.audience: TlpLabel = audience or "TLP:RED"  # --anonymise alone: everything, under pseudonyms
        self.anonymise = anonymise
        self.pseudonyms = (
            Pseudonyms.from_logs(registry.history(item) for item in registry.initiatives()) if anonymise else None
        )

    def gathered(self, status: InitiativeStatus, log: list[Event], moment: datetime) -> InitiativeReport:
        """The initiative as a report for this audience would show it."""
        workflow = self.registry.workflow_of(log, as_of=moment)
        return InitiativeGatherer(workflow, status, log, moment, self.audience, self.pseudonyms).report()

    def status(self, status: InitiativeStatus) -> InitiativeStatus:
        """`status` with the names, details, hand-off and people that this audience may not see replaced."""
        moment = _moment_of(status)
        shown = self.gathered(status, self.registry.history(status.initiative), moment)
        details = {line.condition: line.detail for line in shown.conditions}
        handed_off = status.handed_off
        if handed_off is not None and shown.handed_off is not None:
            handed_off = {**handed_off, "body": shown.handed_off.body or WITHHELD}
        return replace(
            status,
            initiative=shown.initiative,
            name=shown.name,
            unmet=[replace(item, detail=details.get(item.condition, item.detail)) for item in status.unmet],
            conditions=[replace(item, detail=details.get(item.condition, item.detail)) for item in status.conditions],
            handed_off=handed_off,
            who=None if status.who is None else {line.condition: line.who for line in shown.conditions if line.who},
        )

    def history(self, initiative: str) -> tuple[str, list[HistoryLine]]:
        """The initiative's id as shown, and its events as this audience may see them, in recorded order."""
        log = self.registry.history(initiative)
        moment = max(event.moment for event in log)
        shown = self.gathered(self.registry.status(initiative, as_of=moment), log, moment)
        return shown.initiative, shown.history

    def export_lines(self, initiative: str | None = None) -> Iterator[str]:
        """The header line that marks the export as filtered, then one line per event, fields withheld left out."""
        header = {
            FILTERED_EXPORT_KEY: 1,
            "audience": self.audience,
            "anonymised": self.anonymise,
            "note": "not a backup: text this audience may not see is left out"
            + (" and names are pseudonyms" if self.anonymise else "")
            + "; coop import refuses this file",
        }
        yield _line(header)
        for item in [initiative] if initiative is not None else self.registry.initiatives():
            shown_id, lines = self.history(item)
            for line in lines:
                yield _line(event_json(shown_id, line))


def event_json(initiative: str, line: HistoryLine) -> dict[str, Any]:
    """An event as the audience sees it, in the shape of an export line, with `withheld` naming what is left out."""
    event: dict[str, Any] = {"initiative": initiative, "kind": line.kind, "at": line.at}
    if line.by is not None:
        event["by"] = line.by
    event["data"] = line.data
    if line.withheld:
        event["withheld"] = line.withheld
    return event


def history_text(line: HistoryLine) -> str:
    """One event of a filtered history as a line of text, withheld fields named."""
    by = f" by {line.by}" if line.by else ""
    fields = [f"{key}={value}" for key, value in line.data.items()]
    fields += [f"{key}={WITHHELD}" for key in line.withheld]
    return f"{line.seq:>4}  {line.at:<20}  {line.kind}{by}: {', '.join(fields)}"


def _moment_of(status: InitiativeStatus) -> datetime:
    return datetime.fromisoformat(status.as_of.replace("Z", "+00:00"))


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
