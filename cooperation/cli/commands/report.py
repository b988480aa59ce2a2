"""`coop report`: the portfolio and its initiatives as Markdown, JSON or a self-contained HTML page."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from cooperation.cli.exits import EXIT_USAGE, fail
from cooperation.cli.options import DbOption
from cooperation.reports.formats import ReportFormat
from cooperation.wording import plural


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[str], None] | None]:
    """A progress bar on standard error when it is a terminal; nothing otherwise (pipes, files, CI logs)."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=total, label="gathering initiatives", file=sys.stderr) as bar:
        yield lambda _initiative: bar.update(1)


def report(
    initiatives: Annotated[
        list[str] | None, typer.Argument(help="Initiative ids [default: all].", show_default=False)
    ] = None,
    report_format: Annotated[ReportFormat, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file [default: standard output].")
    ] = None,
    audience: Annotated[
        str,
        typer.Option(
            "--audience", help="Who may read it, as a TLP 2.0 label: only evidence that label allows is shown."
        ),
    ] = "TLP:CLEAR",
    anonymise: Annotated[
        bool, typer.Option("--anonymise", help="Replace participant and organisation names with stable pseudonyms.")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As at the end of this date (or at this datetime).")
    ] = None,
    include_archived: Annotated[
        bool, typer.Option("--include-archived", help="Also withdrawn and archived initiatives [default: left out].")
    ] = False,
    db: DbOption = None,
) -> None:
    """Write a report: the portfolio at a glance, each initiative's path, conditions, evidence and history.

    Shows only what --audience may see (TLP:CLEAR by default); --anonymise hides who took part.

    Examples: `coop report -f html -o report.html`, `coop report pilot --audience amber`.
    """
    from cooperation.engine.events import cutoff
    from cooperation.registry import Registry
    from cooperation.reports.build import build_report
    from cooperation.reports.confidentiality import parse_audience
    from cooperation.reports.formats import render

    label = parse_audience(audience)
    if as_of is not None:
        cutoff(as_of)  # a bad date fails before the registry is opened
    target = Path(output) if output is not None else None
    if target is not None and target.parent and not target.parent.is_dir():
        fail(f"--output: the folder {target.parent} does not exist; create it or choose another file", EXIT_USAGE)
    with Registry.open(db, create=False) as registry:
        total = len(initiatives) if initiatives else len(registry.initiatives())
        with progress_bar(total) as progress:
            gathered = build_report(  # withdrawn and archived initiatives only when asked for
                registry,
                initiatives,
                audience=label,
                as_of=as_of,
                anonymise=anonymise,
                progress=progress,
                include_archived=include_archived,
            )
    what = f"{report_format}, {gathered.audience}{', anonymised' if anonymise else ''}"
    _write(render(gathered, report_format), target, what, len(gathered.initiatives))
    if gathered.unreadable:
        shown = ", ".join(entry.initiative for entry in gathered.unreadable)
        fail(f"cannot show {shown} (listed in the report with the reason); the others are shown", EXIT_USAGE)


def _write(text: str, target: Path | None, what: str, count: int) -> None:
    """The report on standard output, or to `target` (saying so on standard error)."""
    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target.write_text(text, encoding="utf-8")
    typer.echo(f"report written: {target} ({plural(count, 'initiative')}, {what})", err=True)


def register(app: typer.Typer) -> None:
    """Add `coop report` to the application."""
    app.command("report")(report)
