"""`coop demo`: the shipped examples, imported and explained (the Quick start's main job)."""

import tempfile
from pathlib import Path
from typing import Annotated

import typer


def demo(
    db: Annotated[  # not the shared --db: this one never reads $COOP_DB and defaults to a temporary file
        str | None,
        typer.Option(
            "--db",
            help="Keep the examples in this registry (a file path or sqlite:///PATH) "
            "[default: a temporary registry, removed afterwards]. $COOP_DB is deliberately not used.",
        ),
    ] = None,
) -> None:
    """Replay the 2017 pilot topic 'no default passwords' from public facts, year by year.

    Imports the shipped examples, prints the real initiative's status at the end of each
    year, whether the proposal's two-year target was met, and the moments in the fictional
    examples where a move is refused, a breach of trust sets an initiative back, and a
    condition is waived.
    """
    from cooperation.demo import demo_text, run_demo
    from cooperation.registry import Registry

    if db is not None:
        with Registry.open(db) as registry:
            text = demo_text(run_demo(registry))
        typer.echo(text, nl=False)
        return
    with tempfile.TemporaryDirectory(prefix="coop-demo-") as folder:
        with Registry.open(Path(folder) / "demo.db") as registry:
            shown = run_demo(registry)
        text = demo_text(shown).replace(shown.registry, f"{shown.registry} (temporary, removed when the demo ends)", 1)
    typer.echo(text, nl=False)


def register(app: typer.Typer) -> None:
    """Add `coop demo` to the application."""
    app.command("demo")(demo)
