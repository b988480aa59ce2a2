"""One line per initiative: `status --short`, `--format jsonl|csv` for `status --all` and `history`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.views.status_lines import csv_line

RUNNER = CliRunner()
ODD_NAME = 'Routers, "home" ones; and more'


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("lines") / "coop.db")
    run(path, "new", "Zeta pilot", "--id", "zeta", "--by", "Ada", "--at", "2026-01-05")
    run(path, "new", ODD_NAME, "--id", "a", "--by", "Ada", "--at", "2026-01-06")
    run(path, "join", "a", "Ada", "--community", "technical", "--role", "owner", "--at", "2026-01-07", "--by", "Ada")
    return path


def run(db: str, *args: str) -> str:
    result = RUNNER.invoke(app, [*args, "--db", db])
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def test_short_is_one_aligned_line_per_initiative_sorted_by_id(db: str) -> None:
    lines = run(db, "status", "--all", "--short", "--as-of", "2026-02-01").splitlines()
    assert [line.split()[0] for line in lines] == ["ID", "a", "zeta"]
    starts = {line.index(word) for line, word in zip(lines, ("STAGE", "challenge", "challenge"), strict=True)}
    assert len(starts) == 1  # the stage column starts at the same place on every line
    status = json.loads(run(db, "status", "a", "--json", "--as-of", "2026-02-01"))
    blocking = sum(1 for item in status["unmet"] if item["blocking"])
    assert lines[1].split() == ["a", "challenge", status["next"], str(blocking), "-", "-"]


def test_jsonl_is_each_status_as_json_a_line(db: str) -> None:
    lines = [
        json.loads(line)
        for line in run(db, "status", "--all", "--format", "jsonl", "--as-of", "2026-02-01").splitlines()
    ]
    alone = [json.loads(run(db, "status", name, "--json", "--as-of", "2026-02-01")) for name in ("a", "zeta")]
    # The same, but for the names of who attested or takes part: gathered only for an initiative shown on its own.
    assert [line["who"] for line in lines] == [None, None]
    assert alone[0]["who"]["initial-group"]["names"] == ["Ada"]
    assert [{**line, "who": None} for line in lines] == [{**status, "who": None} for status in alone]


def test_csv_has_a_header_and_a_row_per_initiative_that_any_reader_gets_back(db: str) -> None:
    result = RUNNER.invoke(app, ["status", "--all", "--format", "csv", "--db", db])
    text = result.stdout_bytes.decode("utf-8")  # as written: `stdout` turns CRLF into LF
    assert text.startswith("initiative,name,") and text.endswith("\r\n") and text.count("\r\n") == 3
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [(row["initiative"], row["name"]) for row in rows] == [("a", ODD_NAME), ("zeta", "Zeta pilot")]
    assert {row["stage"] for row in rows} == {"challenge"}


def test_history_as_jsonl_and_csv(db: str) -> None:
    events = json.loads(run(db, "history", "a", "--json"))
    lines = [json.loads(line) for line in run(db, "history", "a", "--format", "jsonl").splitlines()]
    assert lines == events  # JSON Lines: the same objects as --json (with seq and the record's account), a line each
    assert [line["seq"] for line in lines] == list(range(1, len(events) + 1))
    rows = list(csv.DictReader(io.StringIO(run(db, "history", "a", "--format", "csv"), newline="")))
    assert [row["kind"] for row in rows] == [event["kind"] for event in events]
    assert [json.loads(row["data"]) for row in rows] == [event["data"] for event in events]
    assert [(row["recorded_at"], row["recorded_by"]) for row in rows] == [
        (event["recorded_at"], event["recorded_by"]) for event in events
    ]


@given(st.lists(st.text(st.characters(exclude_categories=("Cs",))), min_size=1, max_size=5))
def test_a_csv_line_reads_back_as_its_cells(cells: list[str]) -> None:
    assert next(csv.reader(io.StringIO(csv_line(cells), newline=""))) == cells
