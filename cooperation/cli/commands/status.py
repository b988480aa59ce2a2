"""`coop status`: where initiatives stand, as text or JSON; the command on the start-up path.

It must stay light: reading a status imports no pydantic, YAML, networkx or transitions
(tests/test_light_reading.py), and a portfolio is streamed, never held in memory whole.
"""

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from cooperation.cli.exits import EXIT_BLOCKED, EXIT_USAGE
from cooperation.cli.options import AnonymiseFlag, AudienceOption, DbOption, JsonFlag, audience_view, open_registry
from cooperation.wording import for_terminal

if TYPE_CHECKING:
    from cooperation.engine.status import InitiativeStatus, UnreadableInitiative


def status(
    initiatives: Annotated[list[str] | None, typer.Argument(help="Initiative ids [default: all].")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every initiative in the registry.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Status at the end of this date (or at this datetime).")
    ] = None,
    ready: Annotated[bool, typer.Option("--ready", help="Exit 1 unless every initiative shown can advance.")] = False,
    audience: AudienceOption = None,
    anonymise: AnonymiseFlag = False,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Where each initiative stands, what it lacks to move on, and what is at risk.

    Exit 0; with --ready, exit 1 when an initiative's next stage is blocked.
    """
    from cooperation.engine.status import UnreadableInitiative
    from cooperation.views.status_json import status_json
    from cooperation.views.status_text import status_text

    single = bool(initiatives) and len(initiatives or ()) == 1 and not all_
    all_ready, shown, unreadable = True, 0, []
    write = sys.stdout.write  # buffered: one flush at the end, not one per initiative
    with open_registry(db) as registry:
        view = audience_view(registry, audience, anonymise)
        if initiatives and not all_:
            found: Iterable[InitiativeStatus | UnreadableInitiative] = [
                registry.status(item, as_of=as_of) for item in initiatives
            ]
        else:
            found = registry.portfolio(as_of=as_of)  # streamed: a large portfolio is never all in memory
        if as_json and not single:
            write("[")
        for item in found:
            if isinstance(item, UnreadableInitiative):  # listed with its error; the others still shown
                unreadable.append(item.initiative)
                write(_unreadable(item, as_json, first=not shown))
                shown += 1
                continue
            seen = view.status(item) if view is not None else item  # --audience, --anonymise: as reports show
            all_ready = all_ready and seen.can_advance
            if single:
                write((status_json(seen, indent=2) if as_json else status_text(seen)) + "\n")
            elif as_json:
                write(("\n  " if not shown else ",\n  ") + status_json(seen))
            else:
                write(("\n" if shown else "") + status_text(seen) + "\n")
            shown += 1
    if as_json and not single:
        write("\n]\n" if shown else "]\n")
    elif not shown:
        write("no initiatives yet (start one with `coop new`)\n")
    sys.stdout.flush()
    if unreadable:
        typer.echo(f"error: cannot show {', '.join(unreadable)} (see above); the others are shown", err=True)
        raise typer.Exit(EXIT_USAGE)
    if ready and not all_ready:
        raise typer.Exit(EXIT_BLOCKED)


def _unreadable(item: "UnreadableInitiative", as_json: bool, *, first: bool) -> str:
    """An initiative that cannot be shown, in the listing's form, with its error."""
    if as_json:
        import json

        return ("\n  " if first else ",\n  ") + json.dumps(item.to_json(), ensure_ascii=False)
    error = item.error.removeprefix(f"{item.initiative}: ").replace("\n", "\n    ")
    return ("" if first else "\n") + for_terminal(f"{item.initiative}: cannot be shown: {error}") + "\n"


def register(app: typer.Typer) -> None:
    """Add `coop status` to the application."""
    app.command("status")(status)
