"""`coop schema`: the JSON Schemas shipped with the package, for editors and other tools."""

from typing import Annotated

import typer

from cooperation.cli.options import print_json
from cooperation.views.schemas import SchemaName


def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(help="Which format: workflow, events, or the JSON output of status, history or report."),
    ] = "workflow",
) -> None:
    """Print a JSON Schema: of the workflow file format, of an event line, or of an output.

    Examples: `coop schema workflow > workflow.schema.json`, `coop schema status`.
    """
    from cooperation.definition.schema import shipped_schema

    print_json(shipped_schema(name))


def register(app: typer.Typer) -> None:
    """Add `coop schema` to the application."""
    app.command("schema")(schema)
