"""`coop init`, `coop new` and the commands that record what happened in an initiative:
`join`, `leave`, `meet`, `evidence`, `attest`, `waive`, `score`, `publish`, `breach`, `record`."""

import json
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from cooperation.cli.exits import EXIT_USAGE, fail
from cooperation.cli.options import (
    AtOption,
    ByOption,
    ByRequired,
    DbOption,
    IdArgument,
    TlpOption,
    new_registry_if_needed,
    open_registry,
)
from cooperation.vocabulary import Community
from cooperation.wording import plural

if TYPE_CHECKING:
    from cooperation.engine.payloads import RecordableKind


def init(db: DbOption = None) -> None:
    """Create the registry (or bring an existing one up to the current schema)."""
    with open_registry(db, create=True) as registry:
        typer.echo(f"registry ready: {registry.store.url} ({plural(len(registry.initiatives()), 'initiative')})")


def new(
    name: Annotated[str, typer.Argument(help="The initiative's name, e.g. 'No default passwords'.")],
    workflow: Annotated[
        str, typer.Option("--workflow", "-w", help="Built-in workflow id or YAML file.")
    ] = "cooperation-maturity",
    initiative: Annotated[str | None, typer.Option("--id", help="Its id [default: made from the name].")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who creates it: they become its first owner (required).", show_default=False),
    ] = None,
    community: Annotated[
        Community | None,
        typer.Option(
            "--community",
            "-c",
            help="The creator's stakeholder community: they join as its first owner at once "
            "[default: not yet joined; their own join as owner must come first].",
            show_default=False,
        ),
    ] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", "-o", help="The creator's organisation.")
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Start an initiative at the first stage of its workflow, its creator as first owner; prints its id.

    Example: `coop new "No default passwords" --by Ada --community technical --at 2024-01-10`.
    """
    with new_registry_if_needed(db) as registry:
        created = registry.create(
            name, workflow=workflow, initiative=initiative, by=by, community=community, organisation=organisation, at=at
        )
        typer.echo(created)


def _record(db: str | None, initiative: str, kind: str, data: dict[str, Any], by: str | None, at: str | None) -> None:
    """Record one event, leaving out the options not given, and say so."""
    given: Any = {k: v for k, v in data.items() if v is not None}
    recordable = cast("RecordableKind", kind)  # typed at the command line: the registry checks it with the data
    with open_registry(db) as registry:
        event = registry.record(initiative, recordable, given, by=by, at=at)
        typer.echo(f"{initiative}: recorded {kind} ({event.at})")


def join(
    initiative: IdArgument,
    name: Annotated[str, typer.Argument(help="The participant's name.")],
    community: Annotated[Community, typer.Option("--community", "-c", help="Their stakeholder community.")],
    organisation: Annotated[str | None, typer.Option("--organisation", "-o", help="Their organisation.")] = None,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            "-r",
            help="Their role in the initiative: owner, secretariat, member, observer, or one the workflow declares.",
        ),
    ] = "member",
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record that a participant joined."""
    _record(
        db,
        initiative,
        "participant_joined",
        {"name": name, "community": community, "organisation": organisation, "role": role},
        by,
        at,
    )


def leave(
    initiative: IdArgument,
    name: Annotated[str, typer.Argument(help="The participant's name.")],
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record that a participant left; the workflow may move the initiative by itself (e.g. when its owner leaves)."""
    _record(db, initiative, "participant_left", {"name": name}, by, at)


def meet(
    initiative: IdArgument,
    attendees: Annotated[list[str], typer.Argument(help="Names of the participants who attended.")],
    venue: Annotated[str | None, typer.Option("--venue", help="Where it was held.")] = None,
    neutral: Annotated[bool, typer.Option("--neutral", help="The venue or host was neutral.")] = False,
    tlp: TlpOption = None,
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record a meeting and who attended."""
    data = {"attendees": attendees, "venue": venue, "neutral": neutral, "tlp": tlp}
    _record(db, initiative, "meeting_held", data, by, at)


def evidence(
    initiative: IdArgument,
    condition: Annotated[str, typer.Argument(help="The condition this is evidence for.")],
    text: Annotated[str, typer.Argument(help="What was done or decided.")],
    link: Annotated[str | None, typer.Option("--link", help="Where to read more.")] = None,
    tlp: TlpOption = "TLP:AMBER",
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record evidence for a condition, with its TLP label."""
    _record(
        db, initiative, "evidence_recorded", {"condition": condition, "text": text, "link": link, "tlp": tlp}, by, at
    )


def attest(
    initiative: IdArgument,
    condition: Annotated[str, typer.Argument(help="The condition attested to.")],
    by: ByRequired,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Record a participant's attestation that a condition holds."""
    _record(db, initiative, "attestation_given", {"condition": condition}, by, at)


def waive(
    initiative: IdArgument,
    condition: Annotated[str, typer.Argument(help="A waivable or advisory condition.")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why it does not apply (recorded for audit).")],
    by: ByRequired,
    tlp: TlpOption = None,
    at: AtOption = None,
    db: DbOption = None,
) -> None:
    """Waive a waivable or advisory condition, with a recorded rationale."""
    _record(db, initiative, "condition_waived", {"condition": condition, "rationale": rationale, "tlp": tlp}, by, at)


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


def publish(
    initiative: IdArgument,
    title: Annotated[str, typer.Argument(help="The output's title.")],
    link: Annotated[str | None, typer.Option("--link", help="Where it is published.")] = None,
    tlp: TlpOption = None,
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record an output published by the initiative."""
    _record(db, initiative, "output_published", {"title": title, "link": link, "tlp": tlp}, by, at)


def breach(
    initiative: IdArgument,
    description: Annotated[str, typer.Argument(help="What happened.")],
    tlp: TlpOption = None,
    at: AtOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record a breach of trust; the workflow may regress the initiative automatically."""
    _record(db, initiative, "trust_breached", {"description": description, "tlp": tlp}, by, at)


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
        fail(f"--data is not valid JSON: {error.msg} at column {error.colno}", EXIT_USAGE)
    except RecursionError:
        fail("--data is nested too deeply to be an event's data (give a flat JSON object)", EXIT_USAGE)
    if not isinstance(parsed, dict):
        fail('--data must be a JSON object, e.g. \'{"name": "Ada"}\'', EXIT_USAGE)
    _record(db, initiative, kind, parsed, by, at)


def register(app: typer.Typer) -> None:
    """Add these commands to the application, in the order `coop --help` lists them."""
    for command in (init, new, join, leave, meet, evidence, attest, waive, score, publish, breach, record):
        app.command(command.__name__)(command)
