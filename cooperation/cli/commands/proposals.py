"""`coop proposals import|list|similar|merge`: workshop proposals, their look-alikes, and merging them into a track."""

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cooperation.cli.options import AtOption, DbOption, JsonFlag, new_registry_if_needed, open_registry, print_json
from cooperation.wording import for_terminal

if TYPE_CHECKING:
    from cooperation.proposals.records import Proposal
    from cooperation.proposals.similarity import SimilarGroup
    from cooperation.vocabulary import Community

proposals_app = typer.Typer(
    help="Workshop proposals: import them, find the look-alikes, merge a group into a solution track.",
    no_args_is_help=True,
)


@proposals_app.command("import")
def proposals_import(
    file: Annotated[Path, typer.Argument(help="A JSON Lines (.jsonl) or CSV (.csv) file of proposals.")],
    db: DbOption = None,
) -> None:
    """Import proposals (id, title; optionally description, organisers, communities, theme, year, source).

    All or nothing: a file with a mistake imports nothing and names every problem with its line.
    A proposal imported again with changed fields is replaced, unless it was merged.
    """
    with new_registry_if_needed(db) as registry:
        summary = registry.proposals().import_file(file)
    typer.echo(
        f"{len(summary.added)} added, {len(summary.replaced)} replaced, {len(summary.unchanged)} unchanged"
        f" (from {file})"
    )


@proposals_app.command("list")
def proposals_list(
    db: DbOption = None,
    merged: Annotated[
        bool | None, typer.Option("--merged/--open", help="Only merged proposals, or only those not merged yet.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the proposals in the registry, with the initiative each was merged into."""
    with open_registry(db) as registry:
        found = registry.proposals().proposals(merged=merged)
    if as_json:
        print_json([{**item.fields(), "merged_into": item.merged_into, "merged_at": item.merged_at} for item in found])
        return
    for item in found:
        typer.echo(for_terminal(_line(item)))
    if not found:
        typer.echo("no proposals (import some with `coop proposals import FILE`)")


def _line(item: "Proposal") -> str:
    merged = f"  [merged into {item.merged_into}]" if item.merged_into else ""
    organisers = f"  ({'; '.join(item.organisers)})" if item.organisers else ""
    return f"{item.id}: {item.title}{organisers}{merged}"


@proposals_app.command("similar")
def proposals_similar(
    db: DbOption = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0.01, max=1.0, help="How alike proposals must be, 0 to 1 [default: 0.35]."),
    ] = None,
    include_merged: Annotated[bool, typer.Option("--include-merged", help="Compare merged proposals too.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Group proposals about the same specific topic, and explain each group (needs the `proposals` extra).

    Each group lists the terms its proposals share, how alike each pair is, and their organisers
    and communities. Generic words of the field (Internet, digital, governance ...) never count.
    """
    with open_registry(db) as registry:
        desk = registry.proposals()
        groups = desk.similar(threshold=threshold, include_merged=include_merged)
        titles = {item.id: item.title for item in desk.proposals()}
    if as_json:
        print_json([asdict(group) for group in groups])
        return
    for number, group in enumerate(groups, start=1):
        typer.echo(for_terminal("\n".join(_group_lines(number, group, titles))))
    if not groups:
        typer.echo("no look-alike proposals found")


def _group_lines(number: int, group: "SimilarGroup", titles: dict[str, str]) -> list[str]:
    lines = [f"group {number}: shared terms: {', '.join(group.shared_terms) or '(none)'}"]
    lines += [f"  {identifier}: {titles.get(identifier, '')}" for identifier in group.proposals]
    lines += [f"  similarity {pair.first} ~ {pair.second}: {pair.similarity:.2f}" for pair in group.pairs]
    if group.organisers:
        shared = f" (shared: {'; '.join(group.shared_organisers)})" if group.shared_organisers else ""
        lines.append(f"  organisers: {'; '.join(group.organisers)}{shared}")
    if group.communities:
        lines.append(f"  communities: {', '.join(group.communities)}")
    lines.append(
        f"  merge with: coop proposals merge {' '.join(_quoted(i) for i in group.proposals)} --name ... --by ..."
    )
    return [*lines, ""]


def _quoted(text: str) -> str:
    return text if text.replace("-", "").replace("_", "").replace(".", "").isalnum() else f"'{text}'"


@proposals_app.command("merge")
def proposals_merge(
    ids: Annotated[list[str], typer.Argument(help="The ids of the proposals to merge (two or more).")],
    name: Annotated[str, typer.Option("--name", help="The name of the solution track.")],
    by: Annotated[
        str, typer.Option("--by", help="Who merges them (a programme committee, say): the track's creator and owner.")
    ],
    db: DbOption = None,
    by_community: Annotated[
        str | None,
        typer.Option(
            "--by-community",
            help="The community of who merges (--by) [default: theirs in --community or in the proposals].",
        ),
    ] = None,
    initiative: Annotated[
        str | None, typer.Option("--id", help="The track's initiative id [default: made from the name].")
    ] = None,
    community: Annotated[
        list[str] | None,
        typer.Option("--community", help="ORGANISER=COMMUNITY for an organiser the proposals do not place."),
    ] = None,
    at: AtOption = None,
) -> None:
    """Merge proposals into a new solution-track initiative; its organisers join with their communities.

    Who merges (--by) creates the track and joins it first, as owner, with --by-community; then
    the organisers join, the first organiser of the first proposal as an owner too, who convenes
    it. Each proposal becomes evidence of `same-topic-proposals` with its source, and is marked
    merged (a proposal merges once). Every event is recorded by who merges.
    """
    placed = _communities(community or [])
    creator = _community(by_community) if by_community is not None else None
    with open_registry(db) as registry:
        identifier = registry.proposals().merge(
            ids, name=name, by=by, by_community=creator, initiative=initiative, communities=placed, at=at
        )
        status = registry.status(identifier)
    typer.echo(
        for_terminal(f"merged {len(set(ids))} proposals into {identifier} (solution-track, stage {status.stage})")
    )


def _communities(given: list[str]) -> dict[str, "Community"]:
    from cooperation.vocabulary import COMMUNITIES

    placed: dict[str, Community] = {}
    for item in given:
        organiser, _, community = item.rpartition("=")
        if not organiser.strip() or community.strip() not in COMMUNITIES:
            raise typer.BadParameter(
                f"'{item}': write ORGANISER=COMMUNITY, the community one of {', '.join(COMMUNITIES)}",
                param_hint="--community",
            )
        placed[organiser.strip()] = community.strip()  # type: ignore[assignment]  # checked just above
    return placed


def _community(given: str) -> "Community":
    from cooperation.vocabulary import COMMUNITIES

    for community in COMMUNITIES:
        if community == given.strip():
            return community
    raise typer.BadParameter(f"'{given}': one of {', '.join(COMMUNITIES)}", param_hint="--by-community")


def register(app: typer.Typer) -> None:
    """Add `coop proposals` and its commands to the application."""
    app.add_typer(proposals_app, name="proposals")
