"""Command groups of the `coop` CLI kept in their own modules.

Each module defines `register(app: typer.Typer) -> None`, which adds its commands;
`cli.py` registers every module listed in MODULES (a test checks that none is left out).
Commands hold no domain logic: they parse arguments, call the library, and print.
"""

MODULES = ("copy", "demo", "report", "verify")
