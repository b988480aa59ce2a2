"""`coop advance`, `regress`, `escalate` and `handoff`: moving an initiative between stages.

A refused move raises a `TransitionError`, which ends the command with exit 1 and the
reasons (the unmet prerequisites, in working order) on standard error; with --json, the
refusal is printed as JSON on standard output as well.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, cast

import typer

from cooperation.cli.options import (
    AtOption,
    ByRequired,
    DbOption,
    IdArgument,
    JsonFlag,
    TlpOption,
    open_registry,
    print_json,
)
from cooperation.errors import BlockedTransitionError, NotPermittedError, TransitionError
from cooperation.vocabulary import BodyKind

if TYPE_CHECKING:
    from cooperation.engine.status import InitiativeStatus
    from cooperation.vocabulary import TlpLabel

ReasonOption = Annotated[str, typer.Option("--reason", help="Why (recorded for audit).")]
ToOption = Annotated[str | None, typer.Option("--to", help="The stage to move to, when several moves fit.")]
TransitionOption = Annotated[str | None, typer.Option("--transition", help="The workflow transition to take, by id.")]


def _moved(result: "InitiativeStatus", as_json: bool) -> None:
    """Say where the move left the initiative: its whole status with --json, else its stage."""
    if as_json:
        print_json(result.to_json())
    else:
        typer.echo(f"{result.initiative}: now at '{result.stage}'")


@contextmanager
def _refusal_as_json(initiative: str, as_json: bool) -> Iterator[None]:
    """With --json, a refused move is also printed as JSON on standard output (then exit 1, as without)."""
    try:
        yield
    except TransitionError as error:
        if as_json:
            print_json(refusal(initiative, error))
        raise


def refusal(initiative: str, error: TransitionError) -> dict[str, object]:
    """What a tool needs of a refusal: the reason and, when blocked, the unmet conditions in working order."""
    found: dict[str, object] = {"initiative": initiative, "moved": False, "error": str(error)}
    if isinstance(error, BlockedTransitionError):
        found["reason"], found["target"] = "blocked", error.target
        found["unmet"] = [
            {"condition": item.condition, "title": item.title, "blocking": item.blocking, "detail": item.detail}
            for item in error.unmet
        ]
    elif isinstance(error, NotPermittedError):
        found["reason"], found["actor"], found["allowed_roles"] = "not-permitted", error.actor, list(error.allowed)
    else:
        found["reason"] = "refused"
    return found


def advance(
    initiative: IdArgument, by: ByRequired, at: AtOption = None, as_json: JsonFlag = False, db: DbOption = None
) -> None:
    """Move to the next stage; refused (exit 1) with the unmet prerequisites, in the order to work on them.

    Examples: `coop advance pilot --by Ada`, `coop advance pilot --by Ada --json` (a refusal as JSON too).
    """
    with open_registry(db) as registry, _refusal_as_json(initiative, as_json):
        _moved(registry.advance(initiative, by=by, at=at), as_json)


def regress(
    initiative: IdArgument,
    by: ByRequired,
    reason: ReasonOption,
    to: ToOption = None,
    transition: TransitionOption = None,
    at: AtOption = None,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Move back to an earlier stage through one of the workflow's regress transitions."""
    with open_registry(db) as registry, _refusal_as_json(initiative, as_json):
        _moved(registry.regress(initiative, by=by, reason=reason, to=to, transition=transition, at=at), as_json)


def escalate(
    initiative: IdArgument,
    by: ByRequired,
    reason: ReasonOption,
    to: ToOption = None,
    transition: TransitionOption = None,
    at: AtOption = None,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Escalate: stimulation first, regulation only as a last resort."""
    with open_registry(db) as registry, _refusal_as_json(initiative, as_json):
        _moved(registry.escalate(initiative, by=by, reason=reason, to=to, transition=transition, at=at), as_json)


def handoff(
    initiative: IdArgument,
    by: ByRequired,
    body: Annotated[str, typer.Option("--body", help="The body taking the work on.")],
    body_kind: Annotated[BodyKind, typer.Option("--body-kind", help="What kind of body it is.")],
    transition: TransitionOption = None,
    tlp: TlpOption = None,
    at: AtOption = None,
    as_json: JsonFlag = False,
    db: DbOption = None,
) -> None:
    """Hand the work off to a standardisation, legislative or self-regulatory body."""
    with open_registry(db) as registry, _refusal_as_json(initiative, as_json):
        moved = registry.hand_off(
            initiative,
            by=by,
            body=body,
            body_kind=body_kind,
            transition=transition,
            at=at,
            tlp=cast("TlpLabel | None", tlp),
        )
        _moved(moved, as_json)


def register(app: typer.Typer) -> None:
    """Add the moves to the application, in the order `coop --help` lists them."""
    for command in (advance, regress, escalate, handoff):
        app.command(command.__name__)(command)
