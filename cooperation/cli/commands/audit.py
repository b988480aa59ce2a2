"""`coop audit`: recompute the registry's hash chain and say whether the record is whole."""

from typing import Annotated

import typer

from cooperation.cli.options import DbOption, JsonFlag, open_registry, print_json


def audit(
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            metavar="HASH@POSITION",
            help="A head published earlier (a report prints the one it was made from): check that the record "
            "still holds it.",
        ),
    ] = None,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Check that no event was altered, removed, inserted or reordered since it was recorded.

    Every event's hash covers its content and the hash of the event before it in the
    registry. Exit 0 printing the head (HASH@POSITION) when the whole chain verifies; exit 1
    naming the first event that does not (or, with --expect, when the record no longer holds
    that head); exit 2 when the registry cannot be read or the head is not one.
    Examples: `coop audit`, `coop audit --expect 3f5c...9a@1234`.
    """
    with open_registry(db) as registry:
        head = registry.audit(expect=expect)
    if as_json:
        print_json({"sound": True, "head": str(head), "position": head.position, "hash": head.hash})
        return
    checked = f"; it holds {expect}" if expect else ""
    typer.echo(f"sound: {head.position} events chained, head {head}{checked}")


def register(app: typer.Typer) -> None:
    """Add `coop audit` to the application."""
    app.command("audit")(audit)
