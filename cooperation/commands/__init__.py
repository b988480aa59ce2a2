"""Command groups of the `coop` CLI kept in their own modules.

Each module defines `register(app: typer.Typer) -> None`, which adds its commands;
`cli.py` finds and registers every module here. Commands hold no domain logic: they
parse arguments, call the library, and print.
"""
