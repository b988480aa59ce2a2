"""The `coop` command: a thin typer layer over the `cooperation` API.

Exit codes: 0 success or ready; 1 blocked or not ready (a refused move, a failed
check); 2 bad input, usage or an unreadable registry; 3 a conflicting concurrent
write (nothing was written; run the command again).
Errors go to standard error, without a traceback.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal, NoReturn

import typer
from typer.core import TyperGroup

from cooperation.errors import ConflictError, CooperationError, TransitionError, WorkflowDefinitionError

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_CONFLICT = 0, 1, 2, 3


class _ReportingGroup(TyperGroup):
    """Turns our errors into a message on stderr and the documented exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TransitionError as error:
            _fail(str(error), EXIT_BLOCKED)
        except ConflictError as error:
            _fail(str(error), EXIT_CONFLICT)
        except CooperationError as error:
            _fail(str(error), EXIT_USAGE)
        except OSError as error:
            _fail(f"{error.filename or 'file'}: {error.strerror or error}", EXIT_USAGE)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


app = typer.Typer(
    cls=_ReportingGroup,
    help="Track multistakeholder cooperation initiatives through their maturity workflow.\n\n"
    "Exit codes: 0 success or ready, 1 blocked or not ready, 2 bad input or usage, 3 concurrent write (retry).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
workflows_app = typer.Typer(help="List, show, check and draw workflow definitions.", no_args_is_help=True)
app.add_typer(workflows_app, name="workflows")

WorkflowArgument = Annotated[str, typer.Argument(help="A built-in workflow id (see `coop workflows list`) or a YAML file.")]


@workflows_app.command("list")
def workflows_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
) -> None:
    """List the built-in workflows."""
    from cooperation.catalog import builtin_workflow_ids, get_workflow

    workflows = [get_workflow(name) for name in builtin_workflow_ids()]
    if as_json:
        _print_json(
            [{"id": w.id, "version": w.definition.version, "title": w.definition.title} for w in workflows]
        )
        return
    width = max((len(w.id) for w in workflows), default=0)
    for workflow in workflows:
        typer.echo(f"{workflow.id:<{width}}  v{workflow.definition.version}  {workflow.definition.title}")


@workflows_app.command("show")
def workflows_show(workflow: WorkflowArgument) -> None:
    """Show a workflow: its stages, what each needs in working order, its conditions and moves."""
    from cooperation.catalog import get_workflow
    from cooperation.describe import describe_workflow

    typer.echo(describe_workflow(get_workflow(workflow)), nl=False)


@workflows_app.command("check")
def workflows_check(
    files: Annotated[list[str], typer.Argument(help="Workflow files (or built-in ids) to validate.")],
) -> None:
    """Validate workflow files: every problem with file, line, column and fix. Exit 0 valid, 2 invalid."""
    from cooperation.catalog import workflow_path
    from cooperation.loading import load_workflow_file

    invalid = 0
    for name in files:
        try:
            workflow = load_workflow_file(workflow_path(name))
        except WorkflowDefinitionError as error:
            invalid += 1
            typer.echo(str(error), err=True)
            continue
        except CooperationError as error:
            invalid += 1
            typer.echo(f"error: {error}", err=True)
            continue
        for warning in workflow.warnings:
            typer.echo(str(warning), err=True)
        definition = workflow.definition
        typer.echo(
            f"{name}: ok ({definition.id} v{definition.version}: {len(definition.stages)} stages, "
            f"{len(definition.conditions)} conditions, {len(definition.transitions)} transitions)"
        )
    if invalid:
        raise typer.Exit(EXIT_USAGE)


@workflows_app.command("graph")
def workflows_graph(
    workflow: WorkflowArgument,
    diagram_format: Annotated[Literal["mermaid", "dot", "json"], typer.Option("--format", "-f", help="Diagram language.")] = "mermaid",
) -> None:
    """Print the prerequisite graph as Mermaid, Graphviz DOT or JSON."""
    from cooperation.catalog import get_workflow
    from cooperation.diagrams import render

    typer.echo(render(get_workflow(workflow), diagram_format), nl=False)


@app.command("schema")
def schema(
    name: Annotated[Literal["workflow"], typer.Argument(help="Which format: workflow.")] = "workflow",
) -> None:
    """Print a JSON Schema of one of the file formats."""
    from cooperation.schema import shipped_schema

    _print_json(shipped_schema(name))


def main() -> None:
    """Entry point of the `coop` command."""
    app(prog_name="coop")


if __name__ == "__main__":
    sys.exit(main())
