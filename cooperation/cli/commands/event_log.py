"""`coop history`, `import` and `export`: an initiative's log of events, read, brought in
and taken out (as JSON Lines, format v1)."""

import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from cooperation.cli.exits import EXIT_USAGE, fail
from cooperation.cli.options import (
    AnonymiseFlag,
    AudienceOption,
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
    from cooperation.registry import Registry
    from cooperation.reports.audience import AudienceView


def history(
    initiative: IdArgument,
    audience: AudienceOption = None,
    anonymise: AnonymiseFlag = False,
    as_json: JsonFlag = False,
    output_format: Annotated[
        LineFormat | None,
        typer.Option("--format", help="jsonl: one event a line; csv: seq, at, kind, by, data (RFC 4180, a header)."),
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
    if output_format is not None:
        _write_events(events, output_format)
        return
    if as_json:
        print_json([event.to_json() for event in events])
        return
    for event in events:
        by = f" by {event.by}" if event.by else ""
        summary = ", ".join(f"{key}={value}" for key, value in event.data.items())
        # one line per event: recorded text can neither act on the terminal nor forge a line
        typer.echo(for_terminal(f"{event.seq:>4}  {event.at:<20}  {event.kind}{by}: {summary}", one_line=True))


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


def _filtered_history(view: "AudienceView", initiative: str, as_json: bool) -> None:
    from cooperation.reports.audience import event_json, history_text

    shown, lines = view.history(initiative)
    if as_json:
        print_json([event_json(shown, line) for line in lines])
        return
    for line in lines:
        typer.echo(for_terminal(history_text(line), one_line=True))


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
    audience: AudienceOption = None,
    anonymise: AnonymiseFlag = False,
    db: DbOption = None,
) -> None:
    """Export events as JSON Lines (format v1), ready for `coop import`.

    Examples: `coop export -o all.jsonl`, `coop export pilot > pilot.jsonl`.

    With --audience or --anonymise, what a report for them shows, under a first line that says
    it is filtered: not a backup, and `coop import` refuses it.
    """
    with open_registry(db) as registry:
        view = audience_view(registry, audience, anonymise)
        if view is not None:
            lines: Iterator[str] = (line + "\n" for line in view.export_lines(initiative))
        else:
            lines = _with_workflow_lines(registry, initiative)
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
