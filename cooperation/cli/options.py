"""What several `coop` commands share: their options and arguments, written once, and how
they open the registry and print JSON."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Literal

import typer

if TYPE_CHECKING:
    from cooperation.registry import Registry
    from cooperation.reports.audience import AudienceView

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="COOP_DB",
        help="Registry: a file path, sqlite:///PATH (relative; sqlite:////PATH is absolute) or "
        "postgresql://USER@HOST/DATABASE [default: ./coop.db].",
    ),
]
"""Which registry a command reads or writes (`coop demo` has its own: it never reads $COOP_DB)."""
IdArgument = Annotated[str, typer.Argument(help="The initiative's id (see `coop status`).", show_default=False)]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by", help="Who records it: a current participant whose role allows it (required).", show_default=False
    ),
]
"""Every command that changes something names its actor; one left out is refused by the registry,
whose message lists who may record it (typer's own "missing option" could not)."""
ByRequired = Annotated[
    str,
    typer.Option(
        "--by",
        default_factory=str,  # left out: "" reaches the registry, which refuses it naming who may
        help="The participant who does it: a current participant whose role allows it (required).",
        show_default=False,
    ),
]
AtOption = Annotated[
    str | None, typer.Option("--at", help="When it happened: an ISO 8601 date or datetime [default: now].")
]
AudienceOption = Annotated[
    str | None,
    typer.Option(
        "--audience",
        help="Show only what readers with this TLP 2.0 label may see, as reports do "
        "[default: everything, as an owner sees it].",
        show_default=False,
    ),
]
AnonymiseFlag = Annotated[
    bool, typer.Option("--anonymise", help="Replace participant and organisation names with the reports' pseudonyms.")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for tools.")]


def _tlp(text: str) -> str:
    from cooperation.vocabulary import TLP_LABELS, tlp_label

    label = tlp_label(text)
    if label is None:
        raise typer.BadParameter(f"'{text}' is not a TLP 2.0 label; use one of: {', '.join(TLP_LABELS)} (any case)")
    return label


TlpOption = Annotated[
    str | None,
    typer.Option(
        "--tlp",
        metavar="LABEL",
        parser=_tlp,
        help="Who may see its text, as a TLP 2.0 label: clear, green, amber, amber+strict or red (any case) "
        "[default: TLP:AMBER].",
        show_default=False,
    ),
]
"""A TLP label, read case-insensitively with or without 'TLP:' (as --audience is); stored only when given,
except for evidence, whose label is always stored."""
WorkflowArgument = Annotated[
    str, typer.Argument(help="A built-in workflow id (see `coop workflows list`) or a YAML file.")
]


LineFormat = Literal["jsonl", "csv"]
"""`--format` of listings a line per item: JSON Lines, or CSV (RFC 4180, UTF-8, a header first)."""


def print_json(data: object) -> None:
    """Print `data` as indented JSON, non-ASCII text kept as it is."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def audience_view(registry: "Registry", audience: str | None, anonymise: bool) -> "AudienceView | None":
    """The view `--audience` and `--anonymise` ask for, or None when neither is given (an owner's view)."""
    if audience is None and not anonymise:
        return None
    from cooperation.reports.audience import AudienceView
    from cooperation.reports.confidentiality import parse_audience

    return AudienceView(registry, parse_audience(audience) if audience is not None else None, anonymise=anonymise)


def open_registry(db: str | None, *, create: bool = False) -> "Registry":
    """The registry `--db` names (imported here, so that commands that need none do not pay for it)."""
    from cooperation.registry import Registry

    return Registry.open(db, create=create)


@contextmanager
def new_registry_if_needed(db: str | None) -> Iterator["Registry"]:
    """Open (creating if needed) a registry; a file this command created is removed if it fails."""
    from cooperation.stores.locate import local_file

    path = local_file(db)
    existed = path is None or path.exists()
    try:
        with open_registry(db, create=True) as registry:
            yield registry
    except BaseException:
        if not existed and path is not None:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise
    if not existed and path is not None:  # never silently: it may be a second registry beside the one meant
        typer.echo(
            f"note: no registry was at {path.absolute()}, so a new one was started there "
            "(to use another, give --db PATH or set COOP_DB)",
            err=True,
        )
