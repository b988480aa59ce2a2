"""`coop outreach`: record active outreach to a stakeholder community that an initiative lacks."""

from typing import Annotated

import typer

from cooperation.cli.options import AtOption, ByOption, DbOption, IdArgument, TlpOption, open_registry
from cooperation.vocabulary import Community
from cooperation.wording import for_terminal


def outreach(
    initiative: IdArgument,
    community: Annotated[Community, typer.Argument(metavar="COMMUNITY", help="The stakeholder community approached.")],
    venue: Annotated[
        str | None, typer.Option("--venue", help="Where: a meeting, conference or channel where it meets.")
    ] = None,
    result: Annotated[str | None, typer.Option("--result", help="What came of it.")] = None,
    tlp: TlpOption = None,
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record outreach to a community: where, by whom, when, with what result.

    Workflows with an `outreach` condition count it per community: `best-practice-forum`
    needs outreach to every absent community before it may claim critical mass.
    Example: `coop outreach bpf academia --venue "Research network meeting" --result "Two labs join" --by Ada`.
    """
    with open_registry(db) as registry:
        event = registry.reach_out(
            initiative,
            community,
            venue=venue,
            result=result,
            tlp=tlp,  # type: ignore[arg-type]  # read as a label by --tlp's parser
            by=by,
            at=at,
        )
    typer.echo(for_terminal(f"{initiative}: recorded outreach_done to {community} ({event.at})"))


def register(app: typer.Typer) -> None:
    """Add `coop outreach` to the application."""
    app.command("outreach")(outreach)
