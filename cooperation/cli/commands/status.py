"""`coop status`: where initiatives stand, as text or JSON; the command on the start-up path.

It must stay light: reading a status imports no pydantic, YAML, networkx or transitions
(tests/test_light_reading.py), and a portfolio is streamed, never held in memory whole.
"""

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from cooperation.cli.exits import EXIT_BLOCKED, EXIT_USAGE
from cooperation.cli.options import (
    AnonymiseFlag,
    AudienceOption,
    DbOption,
    JsonFlag,
    LineFormat,
    audience_view,
    open_registry,
)
from cooperation.wording import for_terminal

if TYPE_CHECKING:
    from cooperation.engine.status import InitiativeStatus, UnreadableInitiative
    from cooperation.registry import Registry
    from cooperation.reports.audience import AudienceView

    Shown = InitiativeStatus | UnreadableInitiative


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
KnownAtOption = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        help="As the registry knew it then: only what was recorded by this date (or datetime) [default: now].",
    ),
]
IncludeArchivedFlag = Annotated[
    bool, typer.Option("--include-archived", help="With --all: also withdrawn and archived initiatives.")
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
    known_at: KnownAtOption = None,
    include_archived: IncludeArchivedFlag = False,
    ready: Annotated[bool, typer.Option("--ready", help="Exit 1 unless every initiative shown can advance.")] = False,
    audience: AudienceOption = None,
    anonymise: AnonymiseFlag = False,
    due: DueOption = None,
    stale: StaleOption = None,
    short: ShortFlag = False,
    output_format: FormatOption = None,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Where each initiative stands, what it lacks to move on, and what is at risk.

    Exit 0; with --ready, exit 1 when an initiative's next stage is blocked.

    --as-of answers "what had happened by then", --known-at "what the registry knew then"
    (a fact recorded late is known only from when it was recorded).

    Examples: `coop status pilot`, `coop status --all --short`, `coop status --all --due 30`,
    `coop status --all --format csv > portfolio.csv`, `coop status pilot --known-at 2024-03-01`.
    """
    lines = "short" if short else output_format
    as_json = as_json and lines is None
    single = bool(initiatives) and len(initiatives or ()) == 1 and not all_
    unreadable: list[str] = []
    with open_registry(db) as registry:
        view = audience_view(registry, audience, anonymise)
        plain = view is None and due is None and stale is None and not (as_of or known_at)
        if plain and (as_json or lines == "jsonl") and not (initiatives and not all_):
            all_ready, shown = _write_stored(registry, include_archived, unreadable, as_lines=lines == "jsonl")
        else:
            if initiatives and not all_:
                found: Iterable[Shown] = [registry.status(item, as_of=as_of, known_at=known_at) for item in initiatives]
            else:  # streamed: a large portfolio is never all in memory
                found = registry.portfolio(as_of=as_of, known_at=known_at, include_archived=include_archived)
            found = _selected(_as_seen(found, view), due, stale)
            if lines is not None:
                all_ready, shown = _write_lines(found, lines, unreadable)
            else:
                all_ready, shown = _write_statuses(found, unreadable, as_json=as_json, single=single)
        nothing = "" if shown else _nothing_shown(registry, as_of, due is not None or stale is not None)
    if lines in ("jsonl", "csv"):
        pass  # no words among the data: none found is no line
    elif as_json and not single:
        sys.stdout.write("\n]\n" if shown else "]\n")
    elif not shown:
        sys.stdout.write(nothing + "\n")
    sys.stdout.flush()
    if unreadable:
        typer.echo(f"error: cannot show {', '.join(unreadable)}; the others are shown", err=True)
        raise typer.Exit(EXIT_USAGE)
    if ready and not all_ready:
        raise typer.Exit(EXIT_BLOCKED)


def _as_seen(found: Iterable["Shown"], view: "AudienceView | None") -> Iterator["Shown"]:
    """Each status as `--audience` and `--anonymise` show it (as reports do); unreadable ones as they are."""
    from cooperation.engine.status import UnreadableInitiative

    for item in found:
        yield item if view is None or isinstance(item, UnreadableInitiative) else view.status(item)


def _write_statuses(
    found: Iterable["Shown"], unreadable: list[str], *, as_json: bool, single: bool
) -> tuple[bool, int]:
    """Write each status as text or JSON; whether all can advance, and how many were shown."""
    from cooperation.engine.status import UnreadableInitiative
    from cooperation.views.status_json import status_json
    from cooperation.views.status_text import status_text

    write, all_ready, shown = sys.stdout.write, True, 0  # buffered: one flush at the end
    if as_json and not single:
        write("[")
    for item in found:
        if isinstance(item, UnreadableInitiative):  # listed with its error; the others still shown
            unreadable.append(item.initiative)
            write(_unreadable(item, as_json, first=not shown))
        elif single:
            write((status_json(item, indent=2) if as_json else status_text(item)) + "\n")
        elif as_json:
            write(("\n  " if not shown else ",\n  ") + status_json(item))
        else:
            write(("\n" if shown else "") + status_text(item) + "\n")
        all_ready = all_ready and not isinstance(item, UnreadableInitiative) and item.can_advance
        shown += 1
    return all_ready, shown


def _write_stored(
    registry: "Registry", include_archived: bool, unreadable: list[str], *, as_lines: bool
) -> tuple[bool, int]:
    """`--all --json` (or `--format jsonl`) now: each status's JSON as stored where its row still
    holds (`reading.materialised`), else as computed; whether all can advance, and how many were shown."""
    from cooperation.engine.status import UnreadableInitiative
    from cooperation.reading.materialised import UNREADABLE, StatusText
    from cooperation.views.status_json import status_json

    write, all_ready, shown = sys.stdout.write, True, 0
    if not as_lines:
        write("[")
    for item in registry.stored_portfolio(include_archived=include_archived, unreadable=UNREADABLE).texts():
        if isinstance(item, UnreadableInitiative):
            unreadable.append(item.initiative)
            if as_lines:  # no line: its error goes to standard error
                typer.echo(for_terminal(f"{item.initiative}: cannot be shown: {item.error}"), err=True)
                continue
            write(_unreadable(item, True, first=not shown))
            all_ready, shown = False, shown + 1
            continue
        text = item.text if isinstance(item, StatusText) else status_json(item)
        write(text + "\n" if as_lines else ("\n  " if not shown else ",\n  ") + text)
        all_ready, shown = all_ready and item.can_advance, shown + 1
    return all_ready, shown


def _unreadable(item: "UnreadableInitiative", as_json: bool, *, first: bool) -> str:
    """An initiative that cannot be shown, in the listing's form, with its error."""
    if as_json:
        import json

        return ("\n  " if first else ",\n  ") + json.dumps(item.to_json(), ensure_ascii=False)
    error = item.error.removeprefix(f"{item.initiative}: ").replace("\n", "\n    ")
    return ("" if first else "\n") + for_terminal(f"{item.initiative}: cannot be shown: {error}") + "\n"


def _nothing_shown(registry: "Registry", as_of: str | None, filtered: bool) -> str:
    """Why no initiative is shown: none matches, none existed yet at `as_of`, or there are none."""
    if filtered:
        return "no initiative matches"
    if as_of is not None and registry.initiatives():
        when = f"the end of {as_of}" if len(as_of) == 10 else as_of
        return f"no initiative existed yet at {when} (the registry's first was created later)"
    if registry.initiatives():  # all left out: closed, or recorded after --known-at
        return "no initiative to show: the registry's are withdrawn or archived (--include-archived), or unknown then"
    return "no initiatives yet (start one with `coop new`)"


def _selected(found: Iterable["Shown"], due: int | None, stale: int | None) -> Iterable["Shown"]:
    """Those with something lapsing within `due` days, and those quiet for `stale` days (when asked)."""
    from cooperation.engine.status import UnreadableInitiative
    from cooperation.views.status_lines import lapses_within, quiet_for

    if due is not None:
        found = (item for item in found if isinstance(item, UnreadableInitiative) or lapses_within(item, due))
    if stale is not None:
        found = (item for item in found if isinstance(item, UnreadableInitiative) or quiet_for(item, stale))
    return found


def _write_lines(found: Iterable["Shown"], form: str, unreadable: list[str]) -> tuple[bool, int]:
    """Write statuses a line each (`--short`, `--format jsonl|csv`); whether all can advance, and how many."""
    from cooperation.engine.status import UnreadableInitiative
    from cooperation.views.status_json import status_json
    from cooperation.views.status_lines import CSV_HEADER, aligned, csv_line, csv_row, short_row

    write, all_ready, shown = sys.stdout.write, True, 0
    rows: list[tuple[str, ...]] = []
    if form == "csv":
        write(csv_line(CSV_HEADER))
    for item in found:
        if isinstance(item, UnreadableInitiative):  # no row: its error goes to standard error
            unreadable.append(item.initiative)
            typer.echo(for_terminal(f"{item.initiative}: cannot be shown: {item.error}"), err=True)
            continue
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
