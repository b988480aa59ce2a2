"""`coop site DIR`: the registry as a static site (pages, JSON, CSV, badges) for any web server."""

from typing import Annotated

import typer

from cooperation.cli.commands.report import progress_bar
from cooperation.cli.options import DbOption
from cooperation.wording import plural


def site(
    folder: Annotated[
        str, typer.Argument(metavar="DIR", help="The folder to write the site into (new, empty, or an earlier site).")
    ],
    audience: Annotated[
        str,
        typer.Option("--audience", help="Who may read it, as a TLP 2.0 label: only what that label allows is shown."),
    ] = "TLP:CLEAR",
    anonymise: Annotated[
        bool, typer.Option("--anonymise", help="Replace participant and organisation names with stable pseudonyms.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="As at the end of this date [default: today, UTC]."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a static site: the portfolio (index.html, index.json, index.csv) and, per initiative,
    ID/index.html, ID/status.json, ID/badge.svg and ID/shields.json (the shields.io endpoint format).

    Pages need nothing from outside (no scripts, no requests) and link to each other by relative
    addresses. The same registry and options give the same bytes, so a site can be kept in git.
    Shows only what --audience may see (TLP:CLEAR by default), as reports do.

    Examples: `coop site public/`, `coop site members/ --audience TLP:GREEN --anonymise`.
    """
    from pathlib import Path

    from cooperation.engine.events import cutoff
    from cooperation.registry import Registry
    from cooperation.reports.confidentiality import parse_audience
    from cooperation.reports.site import gather_site, site_files
    from cooperation.reports.site_folder import check_site_folder, write_site_folder

    label = parse_audience(audience)
    if as_of is not None:
        cutoff(as_of)  # a bad date fails before the registry is opened
    target = Path(folder)
    check_site_folder(target)  # before the work of gathering: a folder of others' files is refused at once
    with Registry.open(db, create=False) as registry, progress_bar(len(registry.initiatives())) as progress:
        gathered = gather_site(registry, audience=label, anonymise=anonymise, as_of=as_of, progress=progress)
    changes = write_site_folder(target, site_files(gathered))
    count = len(gathered.report.initiatives)
    typer.echo(
        f"site written: {target} ({plural(count, 'initiative')}, {gathered.report.audience}"
        f"{', anonymised' if anonymise else ''}; {plural(changes.written, 'file')} written, "
        f"{changes.unchanged} unchanged, {changes.removed} removed)",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add `coop site` to the application."""
    app.command("site")(site)
