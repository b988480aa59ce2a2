"""The `coop` command: a thin typer layer over the `cooperation` API.

Exit codes: 0 success or ready; 1 blocked or not ready (a refused move, a failed
check); 2 bad input, usage or an unreadable registry; 3 a conflicting concurrent
write (nothing was written; run the command again).
Errors go to standard error, without a traceback.
"""

import importlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from typer.core import TyperGroup

from cooperation.errors import ConflictError, CooperationError, TransitionError, WorkflowDefinitionError
from cooperation.vocabulary import BodyKind, Community, Role, TlpLabel

if TYPE_CHECKING:
    from cooperation.registry import Registry
    from cooperation.engine.status import InitiativeStatus

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_CONFLICT = 0, 1, 2, 3


class _ReportingGroup(TyperGroup):
    """Turns our errors into a message on stderr and the documented exit code."""

    def invoke(self, ctx: Any) -> Any:  # a click Context; typer does not export its type
        try:
            return super().invoke(ctx)
        except WorkflowDefinitionError as error:
            typer.echo(str(error), err=True)  # each line already says file:line:column
            raise typer.Exit(EXIT_USAGE) from None
        except TransitionError as error:
            _fail(str(error), EXIT_BLOCKED)
        except ConflictError as error:
            _fail(str(error), EXIT_CONFLICT)
        except CooperationError as error:
            _fail(str(error), EXIT_USAGE)
        except BrokenPipeError:
            # The reader went away (`coop status --all | head`): stop quietly, as the docs advise.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(EXIT_BLOCKED) from None
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
    from cooperation.definition.catalog import builtin_workflow_ids, get_workflow

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
    from cooperation.definition.catalog import get_workflow
    from cooperation.views.diagrams import render

    typer.echo(render(get_workflow(workflow), diagram_format), nl=False)


# --- the registry: shared options -----------------------------------------------------------

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="COOP_DB", help="Registry: a file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE [default: ./coop.db]."),
]
IdArgument = Annotated[str, typer.Argument(help="The initiative's id (see `coop status`).", show_default=False)]
ByOption = Annotated[str | None, typer.Option("--by", help="Who records it (a participant's name).")]
ByRequired = Annotated[str, typer.Option("--by", help="The participant who does it (their role must allow it).")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="When it happened: an ISO 8601 date or datetime [default: now].")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for tools.")]


def _registry(db: str | None, *, create: bool = False) -> "Registry":
    from cooperation.registry import Registry

    return Registry.open(db, create=create)


@contextmanager
def _new_registry_if_needed(db: str | None) -> Iterator["Registry"]:
    """Open (creating if needed) a registry; a file this command created is removed if it fails."""
    from cooperation.stores.locate import local_file

    path = local_file(db)
    existed = path is None or path.exists()
    try:
        with _registry(db, create=True) as registry:
            yield registry
    except BaseException:
        if not existed and path is not None:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise


@app.command("init")
def init(db: DbOption = None) -> None:
    """Create the registry (or bring an existing one up to the current schema)."""
    with _registry(db, create=True) as registry:
        typer.echo(f"registry ready: {registry.store.url} ({len(registry.initiatives())} initiatives)")


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="The initiative's name, e.g. 'No default passwords'.")],
    workflow: Annotated[str, typer.Option("--workflow", "-w", help="Built-in workflow id or YAML file.")] = "cooperation-maturity",
    initiative: Annotated[str | None, typer.Option("--id", help="Its id [default: made from the name].")] = None,
    by: ByOption = None,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Start an initiative at the first stage of its workflow; prints its id."""
    with _new_registry_if_needed(db) as registry:
        typer.echo(registry.create(name, workflow=workflow, initiative=initiative, by=by, at=at))


def _record(db: str | None, initiative: str, kind: str, data: dict[str, Any], by: str | None, at: str | None) -> None:
    with _registry(db) as registry:
        event = registry.record(initiative, kind, {k: v for k, v in data.items() if v is not None}, by=by, at=at)
        typer.echo(f"{initiative}: recorded {kind} ({event.at})")


@app.command("join")
def join(
    initiative: IdArgument,
    name: Annotated[str, typer.Argument(help="The participant's name.")],
    community: Annotated[Community, typer.Option("--community", "-c", help="Their stakeholder community.")],
    organisation: Annotated[str | None, typer.Option("--organisation", "-o", help="Their organisation.")] = None,
    role: Annotated[Role, typer.Option("--role", "-r", help="Their role in the initiative.")] = "member",
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record that a participant joined."""
    _record(db, initiative, "participant_joined",
            {"name": name, "community": community, "organisation": organisation, "role": role}, by, at)


@app.command("leave")
def leave(
    initiative: IdArgument,
    name: Annotated[str, typer.Argument(help="The participant's name.")],
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record that a participant left."""
    _record(db, initiative, "participant_left", {"name": name}, by, at)


@app.command("meet")
def meet(
    initiative: IdArgument,
    attendees: Annotated[list[str], typer.Argument(help="Names of the participants who attended.")],
    venue: Annotated[str | None, typer.Option("--venue", help="Where it was held.")] = None,
    neutral: Annotated[bool, typer.Option("--neutral", help="The venue or host was neutral.")] = False,
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record a meeting and who attended."""
    _record(db, initiative, "meeting_held", {"attendees": attendees, "venue": venue, "neutral": neutral}, by, at)


@app.command("evidence")
def evidence(
    initiative: IdArgument,
    condition: Annotated[str, typer.Argument(help="The condition this is evidence for.")],
    text: Annotated[str, typer.Argument(help="What was done or decided.")],
    link: Annotated[str | None, typer.Option("--link", help="Where to read more.")] = None,
    tlp: Annotated[TlpLabel, typer.Option("--tlp", help="Who may see it (TLP 2.0).")] = "TLP:AMBER",
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record evidence for a condition, with its TLP label."""
    _record(db, initiative, "evidence_recorded", {"condition": condition, "text": text, "link": link, "tlp": tlp}, by, at)


@app.command("attest")
def attest(
    initiative: IdArgument,
    condition: Annotated[str, typer.Argument(help="The condition attested to.")],
    by: ByRequired,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Record a participant's attestation that a condition holds."""
    _record(db, initiative, "attestation_given", {"condition": condition}, by, at)


@app.command("waive")
def waive(
    initiative: IdArgument,
    condition: Annotated[str, typer.Argument(help="A waivable or advisory condition.")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why it does not apply (recorded for audit).")],
    by: ByRequired,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Waive a waivable or advisory condition, with a recorded rationale."""
    _record(db, initiative, "condition_waived", {"condition": condition, "rationale": rationale}, by, at)


@app.command("score")
def score(
    initiative: IdArgument,
    parameter: Annotated[str, typer.Argument(help="A scored parameter of the workflow.")],
    level: Annotated[int, typer.Argument(help="The level on the parameter's scale.")],
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Set a scored parameter, such as trust-level, to a level of its scale."""
    _record(db, initiative, "score_set", {"parameter": parameter, "level": level}, by, at)


@app.command("publish")
def publish(
    initiative: IdArgument,
    title: Annotated[str, typer.Argument(help="The output's title.")],
    link: Annotated[str | None, typer.Option("--link", help="Where it is published.")] = None,
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record an output published by the initiative."""
    _record(db, initiative, "output_published", {"title": title, "link": link}, by, at)


@app.command("breach")
def breach(
    initiative: IdArgument,
    description: Annotated[str, typer.Argument(help="What happened.")],
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record a breach of trust; the workflow may regress the initiative automatically."""
    _record(db, initiative, "trust_breached", {"description": description}, by, at)


@app.command("record")
def record(
    initiative: IdArgument,
    kind: Annotated[str, typer.Argument(help="The event kind, e.g. evidence_recorded.")],
    data: Annotated[str, typer.Option("--data", help="The event's data as a JSON object.")] = "{}",
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record any recordable event kind, its data given as JSON."""
    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as error:
        _fail(f"--data is not valid JSON: {error.msg} at column {error.colno}", EXIT_USAGE)
    if not isinstance(parsed, dict):
        _fail("--data must be a JSON object, e.g. '{\"name\": \"Ada\"}'", EXIT_USAGE)
    _record(db, initiative, kind, parsed, by, at)


@app.command("status")
def status(
    initiatives: Annotated[list[str] | None, typer.Argument(help="Initiative ids [default: all].")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every initiative in the registry.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Status at the end of this date (or at this datetime).")] = None,
    ready: Annotated[bool, typer.Option("--ready", help="Exit 1 unless every initiative shown can advance.")] = False,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Where each initiative stands, what it lacks to move on, and what is at risk.

    Exit 0; with --ready, exit 1 when an initiative's next stage is blocked.
    """
    from cooperation.views.status_json import status_json
    from cooperation.views.status_text import status_text

    single = bool(initiatives) and len(initiatives or ()) == 1 and not all_
    all_ready, shown = True, 0
    write = sys.stdout.write  # buffered: one flush at the end, not one per initiative
    with _registry(db) as registry:
        if initiatives and not all_:
            found: Iterable["InitiativeStatus"] = [registry.status(item, as_of=as_of) for item in initiatives]
        else:
            found = registry.statuses(as_of=as_of)  # streamed: a large portfolio is never all in memory
        if as_json and not single:
            write("[")
        for item in found:
            all_ready = all_ready and item.can_advance
            if single:
                write((status_json(item, indent=2) if as_json else status_text(item)) + "\n")
            elif as_json:
                write(("\n  " if not shown else ",\n  ") + status_json(item))
            else:
                write(("\n" if shown else "") + status_text(item) + "\n")
            shown += 1
    if as_json and not single:
        write("\n]\n" if shown else "]\n")
    elif not shown:
        write("no initiatives yet (start one with `coop new`)\n")
    sys.stdout.flush()
    if ready and not all_ready:
        raise typer.Exit(EXIT_BLOCKED)


def _moved(result: "InitiativeStatus", as_json: bool) -> None:
    if as_json:
        _print_json(result.to_json())
    else:
        typer.echo(f"{result.initiative}: now at '{result.stage}'")


@app.command("advance")
def advance(initiative: IdArgument, by: ByRequired, at: AtOption = None, as_json: JsonFlag = False, db: DbOption = None) -> None:
    """Move to the next stage; refused (exit 1) with the unmet prerequisites, in the order to work on them."""
    with _registry(db) as registry:
        _moved(registry.advance(initiative, by=by, at=at), as_json)


ReasonOption = Annotated[str, typer.Option("--reason", help="Why (recorded for audit).")]
ToOption = Annotated[str | None, typer.Option("--to", help="The stage to move to, when several moves fit.")]
TransitionOption = Annotated[str | None, typer.Option("--transition", help="The workflow transition to take, by id.")]


@app.command("regress")
def regress(
    initiative: IdArgument, by: ByRequired, reason: ReasonOption, to: ToOption = None,
    transition: TransitionOption = None, at: AtOption = None, as_json: JsonFlag = False, db: DbOption = None,
) -> None:
    """Move back to an earlier stage through one of the workflow's regress transitions."""
    with _registry(db) as registry:
        _moved(registry.regress(initiative, by=by, reason=reason, to=to, transition=transition, at=at), as_json)


@app.command("escalate")
def escalate(
    initiative: IdArgument, by: ByRequired, reason: ReasonOption, to: ToOption = None,
    transition: TransitionOption = None, at: AtOption = None, as_json: JsonFlag = False, db: DbOption = None,
) -> None:
    """Escalate: stimulation first, regulation only as a last resort."""
    with _registry(db) as registry:
        _moved(registry.escalate(initiative, by=by, reason=reason, to=to, transition=transition, at=at), as_json)


@app.command("handoff")
def handoff(
    initiative: IdArgument,
    by: ByRequired,
    body: Annotated[str, typer.Option("--body", help="The body taking the work on.")],
    body_kind: Annotated[BodyKind, typer.Option("--body-kind", help="What kind of body it is.")],
    transition: TransitionOption = None,
    at: AtOption = None,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Hand the work off to a standardisation, legislative or self-regulatory body."""
    with _registry(db) as registry:
        _moved(registry.hand_off(initiative, by=by, body=body, body_kind=body_kind, transition=transition, at=at), as_json)


@app.command("history")
def history(initiative: IdArgument, as_json: JsonFlag = False, db: DbOption = None) -> None:
    """Every event of an initiative, in the order recorded."""
    with _registry(db) as registry:
        events = registry.history(initiative)
    if as_json:
        _print_json([event.to_json() for event in events])
        return
    for event in events:
        by = f" by {event.by}" if event.by else ""
        summary = ", ".join(f"{key}={value}" for key, value in event.data.items())
        typer.echo(f"{event.seq:>4}  {event.at:<20}  {event.kind}{by}: {summary}")


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="A JSON Lines file of events (format v1), or - for standard input.")],
    db: DbOption = None,
) -> None:
    """Import events: the whole file is checked first, then written all or nothing."""
    with _new_registry_if_needed(db) as registry:
        if file == "-":
            report = registry.import_lines(sys.stdin, source="<stdin>")
        else:
            with open(file, encoding="utf-8-sig") as lines:  # a byte-order mark is harmless
                try:
                    report = registry.import_lines(lines, source=file)
                except UnicodeDecodeError as error:
                    _fail(f"{file}: not valid UTF-8 at byte {error.start} (save the file as UTF-8); nothing was imported",
                          EXIT_USAGE)
    typer.echo(f"imported {report.events} events into {len(report.initiatives)} initiatives ({len(report.created)} new)")


@app.command("export")
def export(
    initiative: Annotated[str | None, typer.Argument(help="One initiative [default: all].")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to this file [default: standard output].")] = None,
    db: DbOption = None,
) -> None:
    """Export events as JSON Lines (format v1), ready for `coop import`."""
    with _registry(db) as registry:
        lines = (event.to_line() + "\n" for event in registry.export_events(initiative))
        if output is None:
            sys.stdout.writelines(lines)
        else:
            with open(output, "w", encoding="utf-8") as target:
                target.writelines(lines)


@app.command("schema")
def schema(
    name: Annotated[Literal["workflow", "events"], typer.Argument(help="Which format: workflow or events.")] = "workflow",
) -> None:
    """Print the JSON Schema of the workflow file format or of an event line."""
    from cooperation.definition.schema import shipped_schema

    _print_json(shipped_schema(name))


def _add_command_modules() -> None:
    """Commands kept in their own modules: each `cooperation.commands.X` has `register(app)`."""
    from cooperation.commands import MODULES

    for module in MODULES:
        importlib.import_module(f"cooperation.commands.{module}").register(app)


_add_command_modules()


def main() -> None:
    """Entry point of the `coop` command."""
    app(prog_name="coop")


if __name__ == "__main__":
    main()
