"""`coop snapshots`: fill again, or check, the rows kept to read statuses quickly (snapshots, statuses)."""

from typing import Annotated

import typer

from cooperation.cli.exits import EXIT_BLOCKED
from cooperation.cli.options import DbOption, open_registry
from cooperation.wording import for_terminal


def snapshots(
    check: Annotated[
        bool, typer.Option("--check", help="Recompute each stored row from its log and name those that differ.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Rebuild the snapshots and stored statuses from the logs (or, with --check, check them).

    They only make reading faster: every row is checked against its log's version and its
    workflow before use, and a registry without them (made by an older coop) fills them as it
    is read. Rebuild after restoring a database by hand; --check exits 1 naming each row that
    says other than its log (one written around coop), which a rebuild replaces.
    Examples: `coop snapshots`, `coop snapshots --check`.
    """
    from cooperation.reading.upkeep import differing, rebuild

    with open_registry(db) as registry:
        if not check:
            counts = rebuild(registry)
            typer.echo(f"rebuilt: {counts['computed']} statuses worked out from their logs and kept")
            return
        found = differing(registry)
    if not found:
        typer.echo("sound: every stored snapshot and status agrees with its log")
        return
    for line in found:
        typer.echo(for_terminal(f"differs from its log: {line}"))
    typer.echo("run `coop snapshots` to rebuild them", err=True)
    raise typer.Exit(EXIT_BLOCKED)


def register(app: typer.Typer) -> None:
    """Add `coop snapshots` to the application."""
    app.command("snapshots")(snapshots)
