"""A portfolio one line per initiative, and the questions a coordinator asks of it.

`coop status --all --due 30` (what lapses within 30 days), `--stale 90` (no event for 90
days), `--short` (one aligned line each) and `--format jsonl|csv`. Plain string work on
statuses already built: nothing here imports more than the standard library.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cooperation.engine.status import InitiativeStatus


def _day(moment: str) -> date:
    """The calendar day of a status's ISO moment or date ("2026-03-01T12:00:00Z" or "2026-03-01")."""
    return date.fromisoformat(moment[:10])


def lapses_within(status: InitiativeStatus, days: int) -> bool:
    """Whether something met now stops holding within `days` of the status's moment."""
    return status.lapses_on is not None and _day(status.lapses_on) <= _day(status.as_of) + timedelta(days=days)


def quiet_for(status: InitiativeStatus, days: int) -> bool:
    """Whether nothing has been recorded for at least `days` before the status's moment."""
    if status.last_event is None:
        return True
    last = datetime.fromisoformat(status.last_event.replace("Z", "+00:00"))
    moment = datetime.fromisoformat(status.as_of.replace("Z", "+00:00"))
    return moment - last >= timedelta(days=days)


# --- one line per initiative ------------------------------------------------------------------

SHORT_HEADER = ("ID", "STAGE", "NEXT", "BLOCKERS", "AT RISK", "LAPSES")
CSV_HEADER = (
    "initiative",
    "name",
    "workflow",
    "stage",
    "next",
    "can_advance",
    "blockers",
    "at_risk",
    "at_risk_conditions",
    "lapses_on",
    "last_event",
    "as_of",
)


def blockers(status: InitiativeStatus) -> int:
    """How many unsatisfied conditions stop the move to the next stage."""
    return sum(1 for item in status.unmet if item.blocking)


def short_row(status: InitiativeStatus) -> tuple[str, ...]:
    """The columns of `--short`: id, stage, next, blockers, at risk, earliest lapse ("-" for none)."""
    return (
        status.initiative,
        status.stage,
        status.next or "-",
        str(blockers(status)),
        ", ".join(status.at_risk_conditions) or "-",
        status.lapses_on or "-",
    )


def aligned(rows: list[tuple[str, ...]], header: tuple[str, ...] = SHORT_HEADER) -> str:
    """Rows sorted by their first column, under a header, each column padded to its widest cell."""
    table = [header, *sorted(rows)]
    widths = [max(len(row[column]) for row in table) for column in range(len(header))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n" for row in table
    )


def csv_row(status: InitiativeStatus) -> tuple[str, ...]:
    """A status's row under `CSV_HEADER`."""
    return (
        status.initiative,
        status.name,
        status.workflow,
        status.stage,
        status.next or "",
        "true" if status.can_advance else "false",
        str(blockers(status)),
        "true" if status.at_risk else "false",
        " ".join(status.at_risk_conditions),
        status.lapses_on or "",
        status.last_event or "",
        status.as_of,
    )


def csv_line(cells: tuple[str, ...] | list[str]) -> str:
    """One record of RFC 4180 CSV: fields quoted when they hold a comma, a quote or a line break; CRLF ends it."""
    if len(cells) == 1 and not cells[0]:
        return '""\r\n'  # an empty line would read as no record at all
    return ",".join(_csv_field(cell) for cell in cells) + "\r\n"


def _csv_field(cell: str) -> str:
    if any(mark in cell for mark in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell
