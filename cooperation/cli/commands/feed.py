"""`coop events --since SEQ|DATE [--follow]`: every event recorded after a point, as JSON Lines, for bots."""

import sys
from typing import Annotated

import typer

from cooperation.cli.exits import EXIT_USAGE, fail
from cooperation.cli.options import DbOption, open_registry

POLL_SECONDS = 1.0  # how long --follow waits between looks (PostgreSQL wakes it at once when told)


def events(
    since: Annotated[
        str,
        typer.Option(
            "--since",
            metavar="SEQ|DATE",
            help="After this registry-wide sequence number (0 for all), or recorded after this date or datetime.",
        ),
    ] = "0",
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep waiting for new events and print each as it is recorded.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Print every event recorded after a point, as JSON Lines, each with its registry-wide `position`.

    A reader that stops can go on with --since its last `position`: nothing is missed or repeated.
    With --follow, waits for new events until interrupted (Ctrl-C).

    Examples: `coop events --since 0`, `coop events --since 2026-01-01 --follow`.
    """
    from cooperation.engine.events import cutoff
    from cooperation.errors import MomentError
    from cooperation.stores.interchange import chain_line
    from cooperation.views.feed import rows_after

    position, recorded_after = int(since) if since.isdigit() else 0, None
    if not since.isdigit():
        try:
            recorded_after = cutoff(since)  # a date means after its end
        except MomentError:
            fail(f"--since {since}: give a sequence number (0 or more) or a date such as 2026-01-01", EXIT_USAGE)
    write = sys.stdout.write
    with open_registry(db) as registry:
        store = registry.store
        try:
            while True:
                for row in rows_after(store, position, recorded_after=recorded_after):
                    write(chain_line(row) + "\n")
                    position = max(position, row.position or 0)
                sys.stdout.flush()
                if not follow:
                    return
                store.wait_for_appends(POLL_SECONDS)
        except KeyboardInterrupt:
            sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add `coop events` to the application."""
    app.command("events")(events)
