"""`coop history`, `import` and `export`: an initiative's log of events, read, brought in
and taken out (as JSON Lines, format v2 with the hash chain, or v1)."""

import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from cooperation.cli.exits import EXIT_USAGE, fail
from cooperation.cli.options import (
    AnonymiseFlag,
    AudienceOption,
    ByOption,
    DbOption,
    IdArgument,
    JsonFlag,
    LineFormat,
    audience_view,
    new_registry_if_needed,
    open_registry,
    print_json,
)
from cooperation.wording import for_terminal, plural

if TYPE_CHECKING:
    from cooperation.engine.events import Event
    from cooperation.engine.replay import ImportReport
    from cooperation.registry import Registry
    from cooperation.reports.audience import AudienceView


def history(
    initiative: IdArgument,
    audience: AudienceOption = None,
    anonymise: AnonymiseFlag = False,
    as_json: JsonFlag = False,
    output_format: Annotated[
        LineFormat | None,
        typer.Option(
            "--format",
            help="jsonl: one event a line; csv: seq, at, kind, by, data, recorded_at, recorded_by "
            "(RFC 4180, a header).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every event of an initiative, in the order recorded (with --audience, as a report for them shows it).

    Examples: `coop history pilot`, `coop history pilot --format csv > pilot.csv`.
    """
    with open_registry(db) as registry:
        view = audience_view(registry, audience, anonymise)
        if view is not None:
            _filtered_history(view, initiative, as_json)
            return
        events = registry.history(initiative)
        derived = registry.derived_lapses(initiative) if output_format is None else []
    if output_format is not None:
        _write_events(events, output_format)
        return
    from cooperation.views.history_marks import history_marks, marks_text

    marks = history_marks(events)  # withdrawn facts and facts recorded late, marked as such
    if as_json:
        shown = [{**_with_account(event), **marks.get(event.seq, {})} for event in events]
        print_json(shown + [{**event.to_json(), "derived": True} for event in derived])
        return
    for event in events:
        by = f" by {event.by}" if event.by else ""
        summary = ", ".join(f"{key}={value}" for key, value in event.data.items())
        marked = marks_text(marks.get(event.seq))
        account = f"  [recorded {event.recorded_at or '?'} by account {event.recorded_by or '?'}]"
        # one line per event: recorded text can neither act on the terminal nor forge a line
        typer.echo(
            for_terminal(f"{event.seq:>4}  {event.at:<20}  {event.kind}{by}: {summary}{account}{marked}", one_line=True)
        )
    latest = max((event.at for event in events), default="")  # canonical moments sort as text
    for event in derived:  # a lapse reading applies, not yet in the log
        summary = ", ".join(f"{key}={value}" for key, value in event.data.items())
        # Only a lapse after the last event can be appended; one between two events stays derived.
        how = f"`coop lapse {initiative}` records it" if event.at > latest else "before later events: stays derived"
        note = f"  [derived: not recorded yet; {how}]"
        typer.echo(for_terminal(f"   -  {event.at:<20}  {event.kind}: {summary}{note}", one_line=True))


def _with_account(event: "Event") -> dict[str, object]:
    """An event as JSON with its place and the record's account of it: when, and by which account."""
    return {"seq": event.seq, **event.to_json(), "recorded_at": event.recorded_at, "recorded_by": event.recorded_by}


def _write_events(events: list["Event"], output_format: str) -> None:
    """The events a line each: JSON Lines (as `coop export` writes them, with their place), or CSV."""
    from cooperation.views.status_lines import csv_line

    write = sys.stdout.write
    if output_format == "csv":
        write(csv_line(("seq", "at", "kind", "by", "data", "recorded_at", "recorded_by")))
    for event in events:
        if output_format == "csv":
            data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            account = (event.recorded_at or "", event.recorded_by or "")
            write(csv_line((str(event.seq), event.at, event.kind, event.by or "", data, *account)))
        else:
            write(json.dumps(_with_account(event), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _filtered_history(view: "AudienceView", initiative: str, as_json: bool) -> None:
    from cooperation.reports.audience import event_json, history_text

    shown, lines = view.history(initiative)
    if as_json:
        print_json([event_json(shown, line) for line in lines])
        return
    for line in lines:
        typer.echo(for_terminal(history_text(line), one_line=True))


def import_(
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="FILE",
            help="A JSON Lines file of events (format v2 or v1), or - for standard input.",
            show_default=False,
        ),
    ] = None,
    csv_file: Annotated[
        str | None,
        typer.Option("--csv", metavar="PATH", help="A spreadsheet saved as CSV: participants or meetings (see below)."),
    ] = None,
    initiative: Annotated[
        str | None, typer.Option("--initiative", metavar="ID", help="With --csv: the initiative the rows are for.")
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Import events: the whole file is checked first, then written all or nothing.

    Every bad line is reported (the first 20, then how many more). A v2 file's hash chain must
    verify, or the file is refused naming the first line that does not; its events keep the
    recorded_at and recorded_by it carries when the registry lets this account restore them
    (SQLite; PostgreSQL's admin role), and are recorded as now, by this account, otherwise.
    Example: `coop import pilot.jsonl`.

    A spreadsheet: `coop import --csv roster.csv --initiative pilot --by "Ada Lovelace"`. Its header
    row names the columns: name, community, organisation, role, joined (participants), or date,
    attendees (separated by ;), venue, neutral (meetings).
    """
    if (file is None) == (csv_file is None):
        fail("name one file: a JSON Lines FILE, or a spreadsheet with --csv PATH --initiative ID", EXIT_USAGE)
    if csv_file is None and initiative is not None:
        fail("--initiative goes with --csv (a JSON Lines file names the initiative on each line)", EXIT_USAGE)
    if csv_file is not None and initiative is None:
        fail("--csv needs --initiative ID: the initiative the rows are for", EXIT_USAGE)
    with new_registry_if_needed(db) as registry:
        if csv_file is not None and initiative is not None:
            report = _import_csv(registry, csv_file, initiative, by)
        elif file == "-":
            report = registry.import_lines(sys.stdin, source="<stdin>")
        else:
            report = _import_file(registry, str(file))
    kept = "; recorded_at and recorded_by kept from the file" if report.kept_provenance else ""
    typer.echo(
        f"imported {plural(report.events, 'event')} into {plural(len(report.initiatives), 'initiative')} "
        f"({len(report.created)} new){kept}"
    )


def _import_file(registry: "Registry", file: str) -> "ImportReport":
    with open(file, encoding="utf-8-sig") as lines:  # a byte-order mark is harmless
        try:
            return registry.import_lines(lines, source=file)
        except UnicodeDecodeError as error:
            fail(
                f"{file}: not valid UTF-8 at byte {error.start} (save the file as UTF-8); nothing was imported",
                EXIT_USAGE,
            )


def _import_csv(registry: "Registry", file: str, initiative: str, by: str | None) -> "ImportReport":
    from cooperation.engine.events import now, parse_at
    from cooperation.engine.spreadsheet import csv_event_lines

    with open(file, encoding="utf-8-sig", newline="") as rows:  # spreadsheets often write a byte-order mark
        try:
            lines = csv_event_lines(rows, initiative=initiative, by=by, source=file, now=parse_at(now()))
        except UnicodeDecodeError as error:
            fail(
                f"{file}: not valid UTF-8 at byte {error.start} (save the file as CSV UTF-8); nothing was imported",
                EXIT_USAGE,
            )
    return registry.import_lines(lines, source=file)


def export(
    initiative: Annotated[str | None, typer.Argument(help="One initiative [default: all].")] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file [default: standard output].")
    ] = None,
    audience: AudienceOption = None,
    anonymise: AnonymiseFlag = False,
    export_format: Annotated[
        Literal["v2", "v1"],
        typer.Option(
            "--format",
            help="v2: a header, then every event in the registry's order with its place, accounts and hash; "
            "v1: the events alone, as older versions of coop read them.",
        ),
    ] = "v2",
    db: DbOption = None,
) -> None:
    """Export events as JSON Lines (format v2 with the hash chain, or v1), ready for `coop import`.

    Examples: `coop export -o all.jsonl`, `coop export pilot > pilot.jsonl`.

    With --audience or --anonymise, what a report for them shows, under a first line that says
    it is filtered: not a backup, and `coop import` refuses it.
    """
    with open_registry(db) as registry:
        view = audience_view(registry, audience, anonymise)
        if view is not None:
            lines: Iterator[str] = (line + "\n" for line in view.export_lines(initiative))
        else:
            lines = registry.export_lines(initiative, version=2 if export_format == "v2" else 1)
        if output is None:
            sys.stdout.writelines(lines)
        else:
            with open(output, "w", encoding="utf-8") as target:
                target.writelines(lines)


def _with_workflow_lines(registry: "Registry", initiative: str | None) -> Iterator[str]:
    """The export's lines: each event, and each workflow text they are pinned to just before the first that names it."""
    from cooperation.engine.workflow_lines import export_lines

    for line in export_lines(registry.export_events(initiative), registry.store):
        yield line + "\n"


def register(app: typer.Typer) -> None:
    """Add these commands to the application, in the order `coop --help` lists them."""
    app.command("history")(history)
    app.command("import")(import_)
    app.command("export")(export)
