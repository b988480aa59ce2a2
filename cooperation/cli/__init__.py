"""The `coop` command: a thin typer layer over the `cooperation` API.

Its exit codes are listed in `cooperation.cli.exits`; errors go to standard error, without
a traceback. The commands live in `cooperation.cli.commands`, one module per group, and
are registered from the tuple below rather than discovered, as every `coop` run builds the
whole application before it starts.
"""

from typing import Annotated

import typer

from cooperation import __version__
from cooperation.cli.commands import (
    accounts,
    audit,
    copy,
    corrections,
    demo,
    event_log,
    feed,
    lapse,
    moves,
    outreach,
    proposals,
    recording,
    report,
    schema,
    site,
    snapshots,
    status,
    verify,
    workflows,
)
from cooperation.cli.exits import SUMMARY, ReportingGroup

COMMAND_MODULES = (
    recording,
    corrections,
    outreach,
    status,
    moves,
    lapse,
    event_log,
    feed,
    audit,
    schema,
    copy,
    demo,
    report,
    proposals,
    site,
    verify,
    workflows,
    accounts,
    snapshots,
)
"""Every module of `cooperation.cli.commands`, in the order `coop --help` lists their commands."""


def _print_version(asked: bool) -> None:
    """`coop --version`: the version, from the package itself (reading installed metadata costs start-up time)."""
    if asked:
        typer.echo(f"coop {__version__}")
        raise typer.Exit()


def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """The options that come before a command (the commands do the work)."""


app = typer.Typer(
    cls=ReportingGroup,
    help="Track multistakeholder cooperation initiatives through their maturity workflow.\n\n" + SUMMARY,
    no_args_is_help=True,
    # --install-completion and --show-completion: measured free at start-up (same imports, same
    # cold `coop status ID` time within noise), so the start-up target still holds.
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.callback()(_options)
for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    """Entry point of the `coop` command."""
    app(prog_name="coop")
