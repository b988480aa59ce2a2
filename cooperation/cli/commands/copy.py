"""`coop copy`: move a registry from one store to another, e.g. from a SQLite file to PostgreSQL."""

from contextlib import closing
from typing import Annotated

import typer

from cooperation.cli.exits import EXIT_BLOCKED
from cooperation.wording import plural

_LOCATIONS = "a file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE"


def copy(
    source: Annotated[
        str, typer.Option("--from", help=f"The registry to copy, only read: {_LOCATIONS}.", show_default=False)
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to",
            help="The registry to copy into, made if missing; it must hold none of the same initiatives: "
            f"{_LOCATIONS}.",
            show_default=False,
        ),
    ],
) -> None:
    """Copy every initiative's log from one registry to another, all or nothing, then compare both.

    Exit 0 when the copy matches the source event by event; 1 when the source changed
    while copying (the copy holds it as it was); 2 when the copy is refused (nothing was
    written) or does not match; 3 when another writer created one of the initiatives in
    the target meanwhile (nothing was written).
    """
    from cooperation.stores.copy import copy_registry
    from cooperation.stores.locate import open_store

    with closing(open_store(source, create=False)) as read_from, closing(open_store(target, create=True)) as write_to:
        report = copy_registry(read_from, write_to)
    typer.echo(
        f"copied {plural(report.initiatives, 'initiative')} ({plural(report.events, 'event')}) "
        f"from {report.source} to {report.target}; "
        "checked: every copied log matches its source event by event"
    )
    if report.changed:
        more = len(report.changed) - 5
        shown = ", ".join(report.changed[:5]) + (f" and {more} more" if more > 0 else "")
        typer.echo(
            f"warning: {plural(len(report.changed), 'initiative')} changed in the source while copying ({shown}); "
            "the target holds them as they were when the copy began: stop the writers, then copy again "
            "into a new, empty registry to take the changes along",
            err=True,
        )
        raise typer.Exit(EXIT_BLOCKED)


def register(app: typer.Typer) -> None:
    """Add `coop copy` to the application."""
    app.command("copy")(copy)
