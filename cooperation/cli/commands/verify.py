"""`coop verify WORKFLOW`: what a workflow allows, beyond the load-time checks.

Exit 0 when clean, 1 with findings, 2 when the file is not a valid workflow.
"""

import json
from typing import TYPE_CHECKING, Annotated

import typer

from cooperation.cli.exits import EXIT_BLOCKED, EXIT_OK, EXIT_USAGE
from cooperation.cli.options import WorkflowArgument
from cooperation.errors import WorkflowDefinitionError
from cooperation.wording import for_terminal

if TYPE_CHECKING:
    from cooperation.verify.report import Finding

WITNESS_LINES_SHOWN = 12


def register(app: typer.Typer) -> None:
    """Add `coop verify` to the application."""
    app.command("verify")(verify)


def verify(
    workflow: WorkflowArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON, witnesses included.")] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the random walks (a run repeats with the same seed).")
    ] = 0,
    walks: Annotated[
        int,
        typer.Option(
            "--walks", min=0, help="Random walks that cross-check the analysis when it leaves something open."
        ),
    ] = 8,
    steps: Annotated[int, typer.Option("--steps", min=1, help="Steps per random walk.")] = 150,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Every finding in full, with its own witness.")
    ] = False,
) -> None:
    """Find stages no events can reach, conditions never met, transitions never fired and dead ends.

    Findings are grouped by root cause: the cause, its fix and a witness (the event log that
    gets closest; JSON lines with --json) first, then what follows from it, a line each
    (--verbose shows each in full). Exit 0 clean, 1 findings, 2 invalid file.

    Examples: `coop verify cooperation-maturity`, `coop verify my-flow.yaml --verbose`.
    """
    from cooperation.definition.catalog import get_workflow
    from cooperation.verify.analysis import verify_workflow

    try:
        compiled = get_workflow(workflow)
    except WorkflowDefinitionError as error:
        if as_json:
            problems = [
                {
                    "file": p.file,
                    "line": p.line,
                    "column": p.column,
                    "path": p.path,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in error.problems
            ]
            typer.echo(
                json.dumps({"workflow": workflow, "valid": False, "problems": problems}, indent=2, ensure_ascii=False)
            )
        typer.echo(for_terminal(str(error)), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    for warning in compiled.warnings:
        typer.echo(for_terminal(str(warning)), err=True)
    report = verify_workflow(compiled, seed=seed, walks=walks, steps=steps)
    if as_json:
        typer.echo(json.dumps({"valid": True, **report.to_json()}, indent=2, ensure_ascii=False))
    else:
        _print_text(report, verbose=verbose)
    raise typer.Exit(EXIT_BLOCKED if report.findings else EXIT_OK)


def _say(text: str) -> None:
    """One line (or block) of the text report, with control and bidi characters shown escaped."""
    typer.echo(for_terminal(text))


def _print_text(report: object, *, verbose: bool = False) -> None:
    from cooperation.verify.analysis import VerificationReport

    assert isinstance(report, VerificationReport)
    explored = (
        f"{len(report.reachable)} stages reached, {report.moves_tried} moves replayed, "
        f"{report.walks} random walks ({report.steps} steps, seed {report.seed})"
    )
    if report.clean:
        _say(f"{report.source}: clean ({report.workflow} v{report.version}: {explored})")
        return
    count, groups = len(report.findings), report.by_cause()
    causes = f"from {len(groups)} root cause{'s' if len(groups) != 1 else ''}"
    _say(
        f"{report.source}: {count} finding{'s' if count != 1 else ''} {causes} "
        f"({report.workflow} v{report.version}: {explored})"
    )
    for root, consequences in groups:
        _print_finding(root, "cause: " if consequences else "")
        if consequences and not verbose:
            _say(f"  which leads to ({len(consequences)}; each in full with --verbose):")
            for finding in consequences:
                _say(f"    - {finding.kind}: {finding.subject}: {finding.message}")
        for finding in consequences if verbose else ():
            _print_finding(finding, f"follows from '{root.subject}': ")
    for note in report.notes:
        _say(f"note: {note}")


def _print_finding(finding: "Finding", label: str) -> None:
    """One finding in full: what, why, the fix, its witness and what replaying it shows."""
    _say("")
    _say(f"{label}{finding.kind}: {finding.subject}")
    _say("  " + finding.message.replace("\n", "\n  "))
    _say(f"  fix: {finding.hint}")
    count = len(finding.witness)
    _say(f"  witness ({count} event{'s' if count != 1 else ''}; all of them with --json):")
    for event in finding.witness[:WITNESS_LINES_SHOWN]:
        _say(f"    {_summary(event.to_json())}")
    if len(finding.witness) > WITNESS_LINES_SHOWN:
        _say(f"    ... {len(finding.witness) - WITNESS_LINES_SHOWN} more")
    _say("  outcome: " + finding.outcome.replace("\n", "\n  "))


def _summary(line: dict[str, object]) -> str:
    by = f" by {line['by']}" if line.get("by") else ""
    data = line.get("data") or {}
    assert isinstance(data, dict)
    shown = ", ".join(f"{key}={value}" for key, value in data.items() if key not in ("rationale", "text"))
    return f"{line['at']}  {line['kind']}{by}" + (f": {shown}" if shown else "")
