"""`coop accounts bind|require`: bound identities, so that a participant's events come only from their account."""

from typing import Annotated

import typer

from cooperation.cli.options import AtOption, ByOption, DbOption, open_registry

accounts_app = typer.Typer(
    help="Bind participants to the accounts they write from (opt-in, for the whole registry).", no_args_is_help=True
)


@accounts_app.command("bind")
def accounts_bind(
    account: Annotated[str, typer.Argument(help="The account: a database login, or an operating-system user.")],
    participant: Annotated[str, typer.Argument(help="The participant whose events must come from it.")],
    initiative: Annotated[str, typer.Option("--initiative", "-i", help="The initiative they take part in.")],
    by: ByOption = None,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Bind a participant to an account (by an owner or secretariat), recorded in the initiative's log.

    Example: `coop accounts bind ada ada-lovelace --initiative pilot --by 'Ada Lovelace'`.
    """
    with open_registry(db) as registry:
        event = registry.bind_account(initiative, account, participant, by=by or "", at=at)
        note = "" if registry.accounts_bound() else " (binding is not yet required here: `coop accounts require`)"
        typer.echo(f"{initiative}: {participant} bound to the account '{account}' ({event.at}){note}")


@accounts_app.command("require")
def accounts_require(db: DbOption = None) -> None:
    """Turn binding on for this registry, for good: from now on an event is accepted only from the
    account bound to its actor, and unbound participants are refused."""
    with open_registry(db) as registry:
        registry.bind_accounts()
        typer.echo(
            f"{registry.store.url}: accounts are bound from now on; you write as '{registry.store.account}' "
            "(bind every participant who records anything: `coop accounts bind ACCOUNT PARTICIPANT -i ID --by NAME`)"
        )


def register(app: typer.Typer) -> None:
    """Add `coop accounts` and its commands to the application."""
    app.add_typer(accounts_app, name="accounts")
