"""`coop lapse`: record the lapses reading derives (`on_lapse`), as the engine's own events."""

from typing import Annotated

import typer

from cooperation.cli.exits import EXIT_USAGE
from cooperation.cli.options import DbOption, JsonFlag, open_registry, print_json
from cooperation.wording import for_terminal


def lapse(
    initiative: Annotated[str | None, typer.Argument(metavar="[ID]", help="The initiative (or --all).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every initiative in the registry.")] = False,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Record the lapses due by now: each transition a workflow takes by itself when a condition
    stops holding (`on_lapse`), as a `stage_lapsed` event dated when it lapsed.

    Reading a status already applies them; recording keeps them in the log (and its hash chain,
    exports and feed). The next event recorded for an initiative records them first anyway.
    Recording again writes nothing more. Exit 0, printing what was recorded.
    Examples: `coop lapse pilot`, `coop lapse --all`.
    """
    if (initiative is None) == (not every):
        typer.echo("give an initiative's ID or --all (not both)", err=True)
        raise typer.Exit(EXIT_USAGE)
    with open_registry(db) as registry:
        written = registry.record_lapses(initiative)
    if as_json:
        print_json([{"seq": event.seq, **event.to_json()} for event in written])
        return
    for event in written:
        data = event.data
        typer.echo(
            for_terminal(
                f"{event.initiative}: recorded stage_lapsed at {event.at}: '{data.get('transition')}' to "
                f"'{data.get('to')}' ({data.get('reason')})",
                one_line=True,
            )
        )
    if not written:
        typer.echo("no lapse to record")


def register(app: typer.Typer) -> None:
    """Add `coop lapse` to the application."""
    app.command("lapse")(lapse)
