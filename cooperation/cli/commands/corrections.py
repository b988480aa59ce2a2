"""`coop withdraw`, `role`, `rename` and `archive`: corrections, recorded as events of their own.

Nothing recorded is ever changed or deleted: a correction names what it corrects (a fact by
its place in `coop history`), says why, and who makes it (`--by`, whom the correction's rule
allows: `cooperation.engine.corrections.CORRECTION_RULES`).
"""

from typing import Annotated

import typer

from cooperation.cli.options import AtOption, ByRequired, DbOption, IdArgument, open_registry
from cooperation.engine.payloads import ClosedState

ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the history).")]


def withdraw(
    initiative: IdArgument,
    seq: Annotated[int, typer.Argument(min=1, help="The place of the evidence, attestation or waiver in its history.")],
    reason: ReasonOption,
    by: ByRequired,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Withdraw a piece of evidence, an attestation or a waiver: from then on it counts as never recorded.

    `--as-of` a date before the withdrawal still sees it, and the history keeps both.
    Example: `coop withdraw pilot 7 --reason "recorded against the wrong condition" --by Ada`.
    """
    with open_registry(db) as registry:
        event = registry.withdraw(initiative, seq, reason=reason, by=by, at=at)
        typer.echo(f"{event.initiative}: withdrew event #{seq} ({event.at})")


def role(
    initiative: IdArgument,
    name: Annotated[str, typer.Argument(help="A current participant.")],
    new_role: Annotated[
        str, typer.Argument(metavar="ROLE", help="Their new role: a built-in one, or one the workflow declares.")
    ],
    by: ByRequired,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Change a participant's role. Example: `coop role pilot NIST owner --by Ada`."""
    with open_registry(db) as registry:
        event = registry.change_role(initiative, name, new_role, by=by, at=at)
        typer.echo(f"{event.initiative}: {name} is now {new_role} ({event.at})")


def rename(
    initiative: IdArgument,
    by: ByRequired,
    name: Annotated[str | None, typer.Option("--name", help="Its new name.")] = None,
    alias: Annotated[
        str | None, typer.Option("--alias", help="A new id it is also found by (its stored id stays).")
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Rename an initiative, or give it a new id (an alias), or both.

    Example: `coop rename no-defualt-pass --alias no-default-passwords --by Ada`; then
    `coop status no-default-passwords` finds it.
    """
    with open_registry(db) as registry:
        event = registry.rename(initiative, name=name, alias=alias, by=by, at=at)
        given = " and ".join(part for part in (name and f"named {name!r}", alias and f"found as {alias}") if part)
        typer.echo(f"{event.initiative}: now {given} ({event.at})")


def archive(
    initiative: IdArgument,
    reason: ReasonOption,
    by: ByRequired,
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="It should never have been (a mistake), rather than over.")
    ] = False,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Archive an initiative (it is over), or with --withdrawn withdraw it (a mistake).

    It is kept, with its history, but left out of `coop status --all` and reports unless
    `--include-archived` is given, and it takes no new events.
    Example: `coop archive no-defualt-pass --withdrawn --reason "mistyped id" --by Ada`.
    """
    with open_registry(db) as registry:
        state: ClosedState = "withdrawn" if withdrawn else "archived"
        event = registry.archive(initiative, reason=reason, by=by, state=state, at=at)
        typer.echo(f"{event.initiative}: {state} ({event.at})")


def register(app: typer.Typer) -> None:
    """Add these commands to the application, in the order `coop --help` lists them."""
    for command in (withdraw, role, rename, archive):
        app.command(command.__name__)(command)
