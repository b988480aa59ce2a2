"""The `coop workflows ...` and `coop schema` commands, through typer's CliRunner and once as a process."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cooperation import builtin_workflow_ids, get_workflow
from cooperation.cli import app
from cooperation.definition.schema import shipped_schema

REPO_ROOT = Path(__file__).resolve().parent.parent
VALID = "tests/workflows/valid"
BROKEN = "tests/workflows/broken"
BUILTIN = "cooperation-maturity"
KNOWN = ", ".join(builtin_workflow_ids())
LADDER_LINE = "Ladder: challenge -> ownership -> trust -> common-cause -> critical-mass -> result"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)


def coop(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), prog_name="coop")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


# --- list and show --------------------------------------------------------------------------


def test_list() -> None:
    result = coop("workflows", "list")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == builtin_workflow_ids() and BUILTIN in listed
    assert "v1.0" in result.stdout
    assert result.stderr == ""


def test_list_json() -> None:
    result = coop("workflows", "list", "--json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert {"id": BUILTIN, "version": "1.0", "title": get_workflow(BUILTIN).definition.title} in listed


def test_show() -> None:
    result = coop("workflows", "show", BUILTIN)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert LADDER_LINE in lines
    assert lines[0] == f"Maturity of multistakeholder cooperation ({BUILTIN} v1.0)"
    assert "  trust: Trust" in lines
    assert "    - everything 'ownership' needs, then:" in lines
    assert "warning" not in result.output


def test_show_a_file() -> None:
    result = coop("workflows", "show", f"{VALID}/full.yaml")
    assert result.exit_code == 0
    assert "Ladder: start -> trusted -> done" in result.stdout
    assert "  breach (regress, automatic on trust_breached): done -> trusted  by owner, secretariat, member" in (
        result.stdout.splitlines()
    )


def test_show_a_broken_file() -> None:
    result = coop("workflows", "show", f"{BROKEN}/unknown-key.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "stages[0].require: unknown key 'require' (did you mean 'requires'?)" in result.stderr
    assert not result.stderr.startswith("error: ")  # each line starts with file:line:column


@pytest.mark.parametrize("command", ["show", "graph"])
def test_unknown_workflow(command: str) -> None:
    result = coop("workflows", command, "no-such-workflow")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: unknown workflow 'no-such-workflow': give a built-in id ({KNOWN}) or the path of a workflow file\n"
    )


# --- check ---------------------------------------------------------------------------------


def test_check_valid_files() -> None:
    result = coop("workflows", "check", f"{VALID}/minimal.yaml", f"{VALID}/full.yaml", BUILTIN)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{VALID}/minimal.yaml: ok (minimal v1: 2 stages, 1 conditions, 0 transitions)",
        f"{VALID}/full.yaml: ok (full v2.1: 5 stages, 17 conditions, 3 transitions)",
        f"{BUILTIN}: ok ({BUILTIN} v1.0: 9 stages, 35 conditions, 7 transitions)",
    ]
    assert result.stderr == ""


def test_check_broken_file() -> None:
    result = coop("workflows", "check", f"{BROKEN}/unknown-condition-in-stage.yaml")
    assert result.exit_code == 2
    assert "ok" not in result.stdout
    assert result.stdout == ""
    assert result.stderr == (
        f"{BROKEN}/unknown-condition-in-stage.yaml:9:23: stages[0].requires[1]: "
        "unknown condition 'nutrality' (did you mean 'neutrality'?)\n"
    )


def test_check_lists_every_problem() -> None:
    result = coop("workflows", "check", f"{BROKEN}/several-errors.yaml")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 4
    assert all(line.startswith(f"{BROKEN}/several-errors.yaml:") for line in result.stderr.splitlines())


def test_check_a_mix() -> None:
    result = coop("workflows", "check", f"{VALID}/minimal.yaml", f"{BROKEN}/missing-kind.yaml", "missing-file.yaml")
    assert result.exit_code == 2
    assert result.stdout == f"{VALID}/minimal.yaml: ok (minimal v1: 2 stages, 1 conditions, 0 transitions)\n"
    assert result.stderr.splitlines() == [
        f"{BROKEN}/missing-kind.yaml:11:5: conditions[0]: missing required key 'kind' (add 'kind:' with one of: "
        "evidence, attestation, meetings, participation, outreach, score, held, expiring, time_in_stage, "
        "since_stage, all, any)",
        f"error: workflow file 'missing-file.yaml': no such file: give a built-in id ({KNOWN}) "
        "or the path of a workflow file",
    ]


def test_check_prints_warnings_but_passes(tmp_path: Path) -> None:
    path = tmp_path / "spare.yaml"
    path.write_text(
        'id: spare\nversion: "1"\ntitle: Spare\ndescription: One unused condition.\n'
        "stages:\n  - id: start\n    title: Start\n"
        "conditions:\n  - id: unused\n    kind: evidence\n    title: Unused\n    description: d\n",
        encoding="utf-8",
    )
    result = coop("workflows", "check", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: ok (spare v1: 1 stages, 1 conditions, 0 transitions)\n"
    assert result.stderr == (
        f"{path}:9:5: warning: conditions[0]: condition 'unused' is not needed by any stage or transition "
        "(list it under a stage's or transition's 'requires', or remove it)\n"
    )


def test_check_needs_a_file() -> None:
    result = coop("workflows", "check")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


# --- graph ---------------------------------------------------------------------------------


def _ids(workflow_name: str) -> tuple[list[str], list[str]]:
    workflow = get_workflow(workflow_name)
    return list(workflow.stages), list(workflow.conditions)


@pytest.mark.parametrize("name", [BUILTIN, f"{VALID}/full.yaml"])
def test_graph_json(name: str) -> None:
    result = coop("workflows", "graph", name, "--format", "json")
    assert result.exit_code == 0
    graph = json.loads(result.stdout)
    assert set(graph) == {"workflow", "nodes", "edges"}
    nodes = {node["id"]: node for node in graph["nodes"]}
    workflow = get_workflow(name)
    assert graph["workflow"] == workflow.id
    assert set(nodes) == (
        {f"stage:{stage}" for stage in workflow.stages}
        | {f"condition:{condition}" for condition in workflow.conditions}
        | {f"transition:{transition}" for transition in workflow.transitions}
    )
    assert all(node["title"] for node in nodes.values())
    for edge in graph["edges"]:
        assert edge["from"] in nodes and edge["to"] in nodes
        assert edge["relation"] in {"requires", "follows", "composes", "moves"}
    edges = {(edge["from"], edge["to"], edge["relation"]) for edge in graph["edges"]}
    ladder = workflow.ladder
    for lower, higher in itertools.pairwise(ladder):
        assert (f"stage:{higher}", f"stage:{lower}", "follows") in edges


@pytest.mark.parametrize("diagram_format", ["mermaid", "dot"])
def test_graph_text_formats_draw_every_stage_and_condition(diagram_format: str) -> None:
    result = coop("workflows", "graph", BUILTIN, "-f", diagram_format)
    assert result.exit_code == 0
    workflow = get_workflow(BUILTIN)
    quoted = {f'"{item.title}"' for item in (*workflow.stages.values(), *workflow.conditions.values())}
    missing = {title for title in quoted if title not in result.stdout}
    assert not missing
    if diagram_format == "mermaid":
        assert result.stdout.startswith("flowchart TD\n")
        assert "==>|follows|" in result.stdout
    else:
        assert result.stdout.startswith(f'digraph "{BUILTIN}" {{\n')
        assert result.stdout.rstrip().endswith("}")


def test_graph_defaults_to_mermaid() -> None:
    assert coop("workflows", "graph", BUILTIN).stdout == coop("workflows", "graph", BUILTIN, "-f", "mermaid").stdout


def test_graph_refuses_an_unknown_format() -> None:
    result = coop("workflows", "graph", BUILTIN, "--format", "svg")
    assert result.exit_code == 2
    assert "svg" in result.stderr
    assert result.stdout == ""


# --- schema and help -------------------------------------------------------------------------


def test_schema_prints_the_shipped_schema() -> None:
    result = coop("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == shipped_schema("workflow")
    assert json.loads(coop("schema", "workflow").stdout) == shipped_schema("workflow")


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ((), "Track multistakeholder cooperation initiatives"),
        (("workflows",), "List, show, check and draw workflow definitions"),
        (("workflows", "list"), "List the built-in workflows"),
        (("workflows", "show"), "Show a workflow"),
        (("workflows", "check"), "Validate workflow files"),
        (("workflows", "graph"), "Print the prerequisite graph"),
        (("schema",), "JSON Schema"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "",
)
def test_help(args: tuple[str, ...], mentions: str) -> None:
    result = coop(*args, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: coop")
    assert mentions in " ".join(result.stdout.split())


def test_top_level_help_documents_exit_codes() -> None:
    text = " ".join(coop("--help").stdout.split())
    assert "Exit codes: 0 success or ready, 1 blocked or not ready, 2 bad input or usage" in text


# --- as a process ------------------------------------------------------------------------------


def test_cli_runs_as_a_script() -> None:
    run = subprocess.run(
        [sys.executable, "cli.py", "workflows", "check", BUILTIN, f"{BROKEN}/unknown-key.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == f"{BUILTIN}: ok ({BUILTIN} v1.0: 9 stages, 35 conditions, 7 transitions)\n"
    assert run.stderr == (
        f"{BROKEN}/unknown-key.yaml:9:5: stages[0].require: unknown key 'require' (did you mean 'requires'?)\n"
    )
    assert "Traceback" not in run.stderr
