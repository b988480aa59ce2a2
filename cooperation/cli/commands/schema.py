"""`coop schema`: the JSON Schemas shipped with the package, for editors and other tools."""

from typing import Annotated, Literal

import typer

from cooperation.cli.options import print_json


def schema(
    name: Annotated[
        Literal["workflow", "events"], typer.Argument(help="Which format: workflow or events.")
    ] = "workflow",
) -> None:
    """Print the JSON Schema of the workflow file format or of an event line."""
    from cooperation.definition.schema import shipped_schema

    print_json(shipped_schema(name))


def register(app: typer.Typer) -> None:
    """Add `coop schema` to the application."""
    app.command("schema")(schema)
