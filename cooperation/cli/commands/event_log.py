"""`coop history`, `import` and `export`: an initiative's log of events, read, brought in
and taken out (as JSON Lines, format v1)."""

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cooperation.cli.exits import EXIT_USAGE, fail
from cooperation.cli.options import (
    DbOption,
    IdArgument,
    JsonFlag,
    LineFormat,
    new_registry_if_needed,
    open_registry,
    print_json,
)
from cooperation.wording import plural

if TYPE_CHECKING:
    from cooperation.engine.events import Event


def history(
    initiative: IdArgument,
    as_json: JsonFlag = False,
    output_format: Annotated[
        LineFormat | None,
        typer.Option("--format", help="jsonl: one event a line; csv: seq, at, kind, by, data (RFC 4180, a header)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every event of an initiative, in the order recorded.

    Examples: `coop history pilot`, `coop history pilot --format csv > pilot.csv`.
    """
    with open_registry(db) as registry:
        events = registry.history(initiative)
    if output_format is not None:
        _write_events(events, output_format)
        return
    if as_json:
        print_json([event.to_json() for event in events])
        return
    for event in events:
        by = f" by {event.by}" if event.by else ""
        summary = ", ".join(f"{key}={value}" for key, value in event.data.items())
        typer.echo(f"{event.seq:>4}  {event.at:<20}  {event.kind}{by}: {summary}")


def _write_events(events: list["Event"], output_format: str) -> None:
    """The events a line each: JSON Lines (as `coop export` writes them, with their place), or CSV."""
    from cooperation.views.status_lines import csv_line

    write = sys.stdout.write
    if output_format == "csv":
        write(csv_line(("seq", "at", "kind", "by", "data")))
    for event in events:
        if output_format == "csv":
            data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            write(csv_line((str(event.seq), event.at, event.kind, event.by or "", data)))
        else:
            write(json.dumps({"seq": event.seq, **event.to_json()}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def import_(
    file: Annotated[str, typer.Argument(help="A JSON Lines file of events (format v1), or - for standard input.")],
    db: DbOption = None,
) -> None:
    """Import events: the whole file is checked first, then written all or nothing.

    Every bad line is reported (the first 20, then how many more). Example: `coop import pilot.jsonl`.
    """
    with new_registry_if_needed(db) as registry:
        if file == "-":
            report = registry.import_lines(sys.stdin, source="<stdin>")
        else:
            with open(file, encoding="utf-8-sig") as lines:  # a byte-order mark is harmless
                try:
                    report = registry.import_lines(lines, source=file)
                except UnicodeDecodeError as error:
                    fail(
                        f"{file}: not valid UTF-8 at byte {error.start} (save the file as UTF-8); nothing was imported",
                        EXIT_USAGE,
                    )
    typer.echo(
        f"imported {plural(report.events, 'event')} into {plural(len(report.initiatives), 'initiative')} "
        f"({len(report.created)} new)"
    )


def export(
    initiative: Annotated[str | None, typer.Argument(help="One initiative [default: all].")] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file [default: standard output].")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export events as JSON Lines (format v1), ready for `coop import`.

    Examples: `coop export -o all.jsonl`, `coop export pilot > pilot.jsonl`.
    """
    with open_registry(db) as registry:
        lines = (event.to_line() + "\n" for event in registry.export_events(initiative))
        if output is None:
            sys.stdout.writelines(lines)
        else:
            with open(output, "w", encoding="utf-8") as target:
                target.writelines(lines)


def register(app: typer.Typer) -> None:
    """Add these commands to the application, in the order `coop --help` lists them."""
    app.command("history")(history)
    app.command("import")(import_)
    app.command("export")(export)
