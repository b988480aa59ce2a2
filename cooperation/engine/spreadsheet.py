"""Rosters and meeting lists kept in spreadsheets, read as events: one CSV row, one event.

Two tables are understood, told apart by their header row (names are matched without
regard to case or surrounding spaces, in any order):

    participants: name, community [, organisation] [, role] [, joined]
    meetings:     date, attendees [, venue] [, neutral]

`attendees` are separated by `;`. `role` defaults to member, `joined` to the moment of the
import, `neutral` to no (yes/no, true/false, y/n or 1/0). Each row becomes an event line
placed at the row's own line number, so that every error of the import, from this module
or from the checks every event passes, names `file:line` as a spreadsheet shows it. Rows
this module cannot read are all reported together (`column: what (fix)`), before anything
is checked further; the import then writes all or nothing, as a JSON Lines import does.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, Literal

from cooperation.engine.events import parse_at
from cooperation.engine.replay import BadLines
from cooperation.errors import EventError, MomentError
from cooperation.vocabulary import COMMUNITIES, ROLES
from cooperation.wording import did_you_mean

Table = Literal["participants", "meetings"]
COLUMNS: dict[Table, dict[str, bool]] = {  # column -> required
    "participants": {"name": True, "community": True, "organisation": False, "role": False, "joined": False},
    "meetings": {"date": True, "attendees": True, "venue": False, "neutral": False},
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


def csv_event_lines(lines: Iterable[str], *, initiative: str, by: str | None, source: str, now: str) -> list[str]:
    """Event lines (JSON) for `coop import`, the event of the row starting on line n at index n - 1;
    `now` dates the rows without a date of their own.

    Raises EventError naming every row that cannot be read, and nothing is imported then.
    """
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise EventError(f"{source}: the file is empty; its first line must name the columns") from None
    except csv.Error as error:
        raise EventError(f"{source}:1: {error} (save the file as CSV with a header row)") from None
    table, columns = _columns(header, source)
    out: list[str] = [""]  # line 1, the header
    bad = BadLines(source)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            bad.add(EventError(f"{source}:{start}: {error} (check the quotes on this row)"))
            break  # the reader cannot find the next row's start after this
        out.extend([""] * (start - 1 - len(out)))
        if not any(cell.strip() for cell in row):
            continue
        try:
            event = _event(table, _cells(row, columns), initiative, by, now)
        except EventError as error:
            bad.add(EventError.met_at(f"{source}:{start}", error))
            continue
        out.append(json.dumps(event, ensure_ascii=False))
    bad.raise_any()
    return out


def _columns(header: list[str], source: str) -> tuple[Table, list[str]]:
    """Which table the header names, and its columns in file order."""
    names = [cell.strip().casefold() for cell in header]
    table: Table = "meetings" if "attendees" in names or "date" in names else "participants"
    known = COLUMNS[table]
    unknown = [name for name in names if name not in known]
    if unknown:
        hint = did_you_mean(unknown[0], known)
        raise EventError(
            f"{source}:1: unknown column '{unknown[0]}'{' (' + hint + ')' if hint else ''}; a {table} table has the "
            f"columns {', '.join(known)} (see `coop import --help`)"
        )
    missing = [name for name, required in known.items() if required and name not in names]
    if missing:
        raise EventError(f"{source}:1: the {table} table needs a column '{missing[0]}' (columns: {', '.join(known)})")
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise EventError(f"{source}:1: the column '{duplicated[0]}' appears twice; keep one")
    return table, names


def _cells(row: list[str], columns: list[str]) -> dict[str, str]:
    if len(row) > len(columns):
        raise EventError(f"{len(row)} cells for {len(columns)} columns (quote a cell that holds a comma)")
    return {column: (row[index].strip() if index < len(row) else "") for index, column in enumerate(columns)}


def _event(table: Table, cells: dict[str, str], initiative: str, by: str | None, now: str) -> dict[str, Any]:
    for column, required in COLUMNS[table].items():
        if required and not cells.get(column):
            raise EventError(f"{column}: empty; every row needs one")
    if table == "participants":
        kind, at, data = "participant_joined", _moment(cells, "joined"), _participant(cells)
    else:
        kind, at, data = "meeting_held", _moment(cells, "date"), _meeting(cells)
    event: dict[str, Any] = {"initiative": initiative, "kind": kind, "at": at or now}
    if by is not None:
        event["by"] = by
    event["data"] = data
    return event


def _moment(cells: dict[str, str], column: str) -> str | None:
    written = cells.get(column, "")
    if not written:
        return None
    try:
        return parse_at(written)
    except MomentError:
        raise EventError(f"{column}: '{written}' is not a date (write it as 2024-03-01)") from None


def _participant(cells: dict[str, str]) -> dict[str, Any]:
    community = _word(cells["community"], COMMUNITIES, "community", "stakeholder community")
    role = _word(cells.get("role") or "member", ROLES, "role", "role")
    data: dict[str, Any] = {"name": cells["name"], "community": community, "role": role}
    if cells.get("organisation"):
        data["organisation"] = cells["organisation"]
    return data


def _meeting(cells: dict[str, str]) -> dict[str, Any]:
    attendees = [name.strip() for name in cells["attendees"].split(";") if name.strip()]
    if not attendees:
        raise EventError("attendees: no names; separate them with ';'")
    neutral = cells.get("neutral", "").casefold()
    if neutral not in _YES | _NO:
        raise EventError(f"neutral: '{cells['neutral']}' is neither yes nor no (write yes or no, or leave it empty)")
    data: dict[str, Any] = {"attendees": attendees, "neutral": neutral in _YES}
    if cells.get("venue"):
        data["venue"] = cells["venue"]
    return data


def _word(written: str, choices: tuple[str, ...], column: str, what: str) -> str:
    folded = written.casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice
    hint = did_you_mean(written, choices)
    raise EventError(
        f"{column}: '{written}' is not a {what}{' (' + hint + ')' if hint else ''}; write one of: {', '.join(choices)}"
    )
