"""`coop status`: where initiatives stand, as text or JSON; the command on the start-up path.

It must stay light: reading a status imports no pydantic, YAML, networkx or transitions
(tests/test_light_reading.py), and a portfolio is streamed, never held in memory whole.
"""

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from cooperation.cli.exits import EXIT_BLOCKED
from cooperation.cli.options import DbOption, JsonFlag, LineFormat, open_registry

if TYPE_CHECKING:
    from cooperation.engine.status import InitiativeStatus
    from cooperation.registry import Registry


DueOption = Annotated[
    int | None,
    typer.Option("--due", metavar="DAYS", min=0, help="Only initiatives with a met condition lapsing within DAYS."),
]
StaleOption = Annotated[
    int | None, typer.Option("--stale", metavar="DAYS", min=0, help="Only initiatives with no event for DAYS.")
]
ShortFlag = Annotated[
    bool, typer.Option("--short", help="One aligned line per initiative: id, stage, next, blockers, at risk, lapse.")
]
FormatOption = Annotated[
    LineFormat | None,
    typer.Option("--format", help="jsonl: one JSON status a line; csv: one row a line (RFC 4180, with a header)."),
]


def status(
    initiatives: Annotated[list[str] | None, typer.Argument(help="Initiative ids [default: all].")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every initiative in the registry.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Status at the end of this date (or at this datetime).")
    ] = None,
    ready: Annotated[bool, typer.Option("--ready", help="Exit 1 unless every initiative shown can advance.")] = False,
    due: DueOption = None,
    stale: StaleOption = None,
    short: ShortFlag = False,
    output_format: FormatOption = None,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Where each initiative stands, what it lacks to move on, and what is at risk.

    Exit 0; with --ready, exit 1 when an initiative's next stage is blocked.

    Examples: `coop status pilot`, `coop status --all --short`, `coop status --all --due 30`,
    `coop status --all --format csv > portfolio.csv`.
    """
    from cooperation.views.status_json import status_json
    from cooperation.views.status_text import status_text

    lines = "short" if short else output_format
    as_json = as_json and lines is None
    single = bool(initiatives) and len(initiatives or ()) == 1 and not all_
    all_ready, shown = True, 0
    write = sys.stdout.write  # buffered: one flush at the end, not one per initiative
    with open_registry(db) as registry:
        if initiatives and not all_:
            found: Iterable[InitiativeStatus] = [registry.status(item, as_of=as_of) for item in initiatives]
        else:
            found = registry.statuses(as_of=as_of)  # streamed: a large portfolio is never all in memory
        found = _selected(found, due, stale)
        if lines is not None:
            all_ready, shown = _write_lines(found, lines)
            found = ()
        elif as_json and not single:
            write("[")
        for item in found:
            all_ready = all_ready and item.can_advance
            if single:
                write((status_json(item, indent=2) if as_json else status_text(item)) + "\n")
            elif as_json:
                write(("\n  " if not shown else ",\n  ") + status_json(item))
            else:
                write(("\n" if shown else "") + status_text(item) + "\n")
            shown += 1
        nothing = "" if shown else _nothing_shown(registry, as_of, due is not None or stale is not None)
    if lines in ("jsonl", "csv"):
        pass  # no words among the data: none found is no line
    elif as_json and not single:
        write("\n]\n" if shown else "]\n")
    elif not shown:
        write(nothing + "\n")
    sys.stdout.flush()
    if ready and not all_ready:
        raise typer.Exit(EXIT_BLOCKED)


def _nothing_shown(registry: "Registry", as_of: str | None, filtered: bool) -> str:
    """Why no initiative is shown: none matches, none existed yet at `as_of`, or there are none."""
    if filtered:
        return "no initiative matches"
    if as_of is not None and registry.initiatives():
        when = f"the end of {as_of}" if len(as_of) == 10 else as_of
        return f"no initiative existed yet at {when} (the registry's first was created later)"
    return "no initiatives yet (start one with `coop new`)"


def _selected(found: Iterable["InitiativeStatus"], due: int | None, stale: int | None) -> Iterable["InitiativeStatus"]:
    """Those with something lapsing within `due` days, and those quiet for `stale` days (when asked)."""
    from cooperation.views.status_lines import lapses_within, quiet_for

    if due is not None:
        found = (item for item in found if lapses_within(item, due))
    if stale is not None:
        found = (item for item in found if quiet_for(item, stale))
    return found


def _write_lines(found: Iterable["InitiativeStatus"], form: str) -> tuple[bool, int]:
    """Write statuses a line each (`--short`, `--format jsonl|csv`); whether all can advance, and how many."""
    from cooperation.views.status_json import status_json
    from cooperation.views.status_lines import CSV_HEADER, aligned, csv_line, csv_row, short_row

    write, all_ready, shown = sys.stdout.write, True, 0
    rows: list[tuple[str, ...]] = []
    if form == "csv":
        write(csv_line(CSV_HEADER))
    for item in found:
        all_ready, shown = all_ready and item.can_advance, shown + 1
        if form == "short":
            rows.append(short_row(item))  # aligned: every row is needed before the first is written
        else:
            write(csv_line(csv_row(item)) if form == "csv" else status_json(item) + "\n")
    if form == "short":
        write(aligned(rows) if rows else "")
    return all_ready, shown


def register(app: typer.Typer) -> None:
    """Add `coop status` to the application."""
    app.command("status")(status)
