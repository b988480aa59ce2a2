"""The `coop` commands, one module per group.

Each module defines `register(app: typer.Typer) -> None`, which adds its commands to the
application; `cooperation.cli` registers the modules it lists, in the order `coop --help`
shows them (a test checks that none is left out). Commands hold no domain logic: they
parse arguments, call the library, and print.
"""
