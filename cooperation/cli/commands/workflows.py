"""`coop workflows list|show|check|graph|upgrade`: the workflow definitions, built-in, from files or
stored in the registry, and moving an initiative to another one."""

from typing import Annotated, Literal

import typer

from cooperation.cli.exits import EXIT_USAGE
from cooperation.cli.options import (
    ByRequired,
    DbOption,
    IdArgument,
    JsonFlag,
    WorkflowArgument,
    open_registry,
    print_json,
)
from cooperation.errors import CooperationError, WorkflowDefinitionError
from cooperation.wording import for_terminal

workflows_app = typer.Typer(
    help="List, show, check and draw workflow definitions; upgrade an initiative's.", no_args_is_help=True
)


@workflows_app.command("list")
def workflows_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
    in_registry: Annotated[
        bool,
        typer.Option("--registry", help="List the versions stored in the registry and the initiatives using each."),
    ] = False,
    db: DbOption = None,
) -> None:
    """List the built-in workflows, or (--registry) the versions a registry keeps and who uses each."""
    if in_registry:
        _registry_list(db, as_json)
        return
    from cooperation.definition.catalog import builtin_workflow_ids, get_workflow

    workflows = [get_workflow(name) for name in builtin_workflow_ids()]
    if as_json:
        print_json([{"id": w.id, "version": w.definition.version, "title": w.definition.title} for w in workflows])
        return
    width = max((len(w.id) for w in workflows), default=0)
    for workflow in workflows:
        typer.echo(for_terminal(f"{workflow.id:<{width}}  v{workflow.definition.version}  {workflow.definition.title}"))


def _registry_list(db: str | None, as_json: bool) -> None:
    from cooperation.views.workflow_versions import registry_versions

    with open_registry(db) as registry:
        versions = registry_versions(registry)
    if as_json:
        print_json(versions.to_json())
        return
    for line in versions.lines():
        typer.echo(for_terminal(line, one_line=True))


@workflows_app.command("upgrade")
def workflows_upgrade(
    initiative: IdArgument,
    to: Annotated[
        str, typer.Option("--to", help="The workflow to judge it by: a built-in id or a YAML file.", show_default=False)
    ],
    by: ByRequired,
    apply: Annotated[bool, typer.Option("--apply", help="Record the change (without it, only show it).")] = False,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Show what judging an initiative by another workflow (or version) changes; --apply records it.

    The initiative is pinned to the text as it is now; editing the file later changes nothing.
    Example: `coop workflows upgrade pilot --to cooperation-maturity --by Ada --apply`.
    """
    from cooperation.views.workflow_versions import upgrade_lines

    with open_registry(db) as registry:
        upgrade = registry.upgrade_workflow(initiative, to, by=by, apply=apply)
    if as_json:
        print_json(upgrade.to_json())
        return
    for line in upgrade_lines(upgrade):
        typer.echo(for_terminal(line, one_line=True))


@workflows_app.command("show")
def workflows_show(workflow: WorkflowArgument) -> None:
    """Show a workflow: its stages, what each needs in working order, its conditions and moves."""
    from cooperation.definition.catalog import get_workflow
    from cooperation.views.describe import describe_workflow

    typer.echo(describe_workflow(get_workflow(workflow)), nl=False)


@workflows_app.command("check")
def workflows_check(
    files: Annotated[list[str], typer.Argument(help="Workflow files (or built-in ids) to validate.")],
) -> None:
    """Validate workflow files: every problem with file, line, column and fix. Exit 0 valid, 2 invalid."""
    from cooperation.definition.catalog import workflow_path
    from cooperation.definition.loading import load_workflow_file

    invalid = 0
    for name in files:
        try:
            workflow = load_workflow_file(workflow_path(name))
        except WorkflowDefinitionError as error:
            invalid += 1
            typer.echo(for_terminal(str(error)), err=True)
            continue
        except CooperationError as error:
            invalid += 1
            typer.echo(for_terminal(f"error: {error}"), err=True)
            continue
        for warning in workflow.warnings:
            typer.echo(for_terminal(str(warning)), err=True)
        definition = workflow.definition
        typer.echo(
            for_terminal(
                f"{name}: ok ({definition.id} v{definition.version}: {len(definition.stages)} stages, "
                f"{len(definition.conditions)} conditions, {len(definition.transitions)} transitions)"
            )
        )
    if invalid:
        raise typer.Exit(EXIT_USAGE)


@workflows_app.command("graph")
def workflows_graph(
    workflow: WorkflowArgument,
    diagram_format: Annotated[
        Literal["mermaid", "dot", "json"], typer.Option("--format", "-f", help="Diagram language.")
    ] = "mermaid",
) -> None:
    """Print the prerequisite graph as Mermaid, Graphviz DOT or JSON."""
    from cooperation.definition.catalog import get_workflow
    from cooperation.views.diagrams import render

    typer.echo(render(get_workflow(workflow), diagram_format), nl=False)


def register(app: typer.Typer) -> None:
    """Add `coop workflows` and its commands to the application."""
    app.add_typer(workflows_app, name="workflows")
