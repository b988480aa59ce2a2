"""Hostile input, case by case: each is refused with our documented error (or taken as plain data),
nothing partial is written, and no traceback reaches the user.

Cases already covered elsewhere are gathered here by name through shared helpers; the
fuzzers over whole files are in test_fuzz.py.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_helpers import BUILTIN, ENGINE_LADDER, export_lines, run_cli

from cooperation.definition.loading import load_workflow_text
from cooperation.engine.events import Event
from cooperation.errors import (
    CooperationError,
    EventError,
    UnknownInitiativeError,
    WorkflowDefinitionError,
)
from cooperation.registry import Registry

LADDER_TEXT = Path(ENGINE_LADDER).read_text(encoding="utf-8")


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """A registry with one initiative on the engine ladder, with two participants."""
    with Registry.open(tmp_path / "coop.db") as opened:
        opened.create("Kept", workflow=ENGINE_LADDER, initiative="kept", at="2018-01-01", by="Ada")
        for name, community in (("Ada", "technical"), ("Ben", "business")):
            opened.record(
                "kept",
                "participant_joined",
                {"name": name, "community": community, "role": "owner"},
                at="2018-01-01",
                by="Ada",
            )
        yield opened


def _export(registry: Registry) -> list[str]:
    return [event.to_line() for event in registry.export_events()]


def _refused_unchanged(registry: Registry, lines: list[str], message: str) -> None:
    """Importing `lines` is an EventError containing `message`, and the registry is as it was."""
    before = _export(registry)
    with pytest.raises(EventError) as caught:
        registry.import_lines(lines, source="hostile.jsonl")
    assert message in str(caught.value) and "hostile.jsonl" in str(caught.value), caught.value
    assert _export(registry) == before


def _created(initiative: str, **data: object) -> str:
    return json.dumps(
        {
            "initiative": initiative,
            "kind": "initiative_created",
            "at": "2018-01-01",
            "by": "Ada",
            "data": {"name": "New", "workflow": ENGINE_LADDER, **data},
        }
    )


# --- workflow files ------------------------------------------------------------------------------------


def billion_laughs(levels: int = 12) -> str:
    lines = ['lol0: &l0 "lol"']
    for level in range(1, levels):
        previous = f"*l{level - 1}"
        lines.append(f"lol{level}: &l{level} [{', '.join([previous] * 10)}]")
    return "\n".join(lines) + f"\nid: *l{levels - 1}\n"


def test_a_yaml_alias_bomb_is_refused_with_bounded_memory() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(WorkflowDefinitionError, match="alias bomb"):
            load_workflow_text(billion_laughs(), file="bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"refusing the bomb took {peak / 2**20:.0f} MiB"  # expanded, it would be ~10^11 values


def test_a_multi_megabyte_workflow_is_refused() -> None:
    text = LADDER_TEXT.replace("description: Four", "description: " + "x" * (6 * 2**20) + " Four", 1)
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_text(text, file="huge.yaml")
    assert "huge.yaml" in str(caught.value)


def test_invalid_utf8_in_a_workflow_is_a_definition_error_naming_the_byte() -> None:
    with pytest.raises(WorkflowDefinitionError, match="not valid UTF-8 at byte"):
        load_workflow_text(LADDER_TEXT.encode() + b"\n# \xff\xfe\n", file="bad.yaml")


def test_a_bom_before_a_workflow_is_ignored() -> None:
    assert load_workflow_text(b"\xef\xbb\xbf" + LADDER_TEXT.encode(), file="bom.yaml").id == "engine-ladder"
    assert load_workflow_text("\ufeff" + LADDER_TEXT, file="bom.yaml").id == "engine-ladder"


def test_a_duplicate_key_in_a_workflow_is_refused_with_its_line() -> None:
    text = LADDER_TEXT.replace("title: Engine test ladder", "title: Engine test ladder\ntitle: Again", 1)
    with pytest.raises(WorkflowDefinitionError, match="duplicate key 'title'"):
        load_workflow_text(text, file="dup.yaml")


def test_deeply_nested_yaml_is_refused_without_a_recursion_error() -> None:
    with pytest.raises(WorkflowDefinitionError):
        load_workflow_text(LADDER_TEXT + "extra: " + "[" * 50_000 + "]" * 50_000 + "\n", file="deep.yaml")


def test_a_control_character_in_a_workflow_file_is_a_definition_error() -> None:
    with pytest.raises(WorkflowDefinitionError, match=r"ctl\.yaml"):
        load_workflow_text(LADDER_TEXT.replace("Engine test ladder", "Engine\x1f test ladder", 1), file="ctl.yaml")


def test_a_condition_id_the_workflow_does_not_know_is_refused_with_a_suggestion() -> None:
    text = LADDER_TEXT.replace("requires: [problem, group]", "requires: [problme, group]", 1)
    with pytest.raises(WorkflowDefinitionError, match="unknown condition 'problme' \\(did you mean 'problem'\\?\\)"):
        load_workflow_text(text, file="typo.yaml")


# --- event lines ---------------------------------------------------------------------------------------


def test_a_multi_megabyte_event_line_is_refused_and_nothing_is_written(registry: Registry) -> None:
    big = json.dumps(
        {
            "initiative": "kept",
            "kind": "evidence_recorded",
            "at": "2018-01-02",
            "by": "Ada",
            "data": {"condition": "problem", "text": "x" * (5 * 2**20)},
        }
    )
    _refused_unchanged(registry, [_created("other"), big], "hostile.jsonl:2")


def test_a_bom_before_an_event_line_is_refused_as_not_json(registry: Registry) -> None:
    _refused_unchanged(registry, ["\ufeff" + _created("other")], "not valid JSON")


def test_a_duplicate_key_in_an_event_line_is_refused(registry: Registry) -> None:
    line = _created("first").replace('"initiative": "first"', '"initiative": "first", "initiative": "second"')
    _refused_unchanged(registry, [line], "duplicate")


def test_deeply_nested_event_data_is_refused_without_a_recursion_error(registry: Registry) -> None:
    line = _created("other").replace('"data": {', '"data": {"x": ' + "[" * 100_000 + "]" * 100_000 + ", ", 1)
    _refused_unchanged(registry, [line], "hostile.jsonl:1")


@pytest.mark.parametrize(
    "identifier",
    [
        "x'; DROP TABLE events;--",
        "$(rm -rf /)",
        "`id`",
        "a;b|c&d",
        "../../etc/passwd",
        "a/b",
        "a\\b",
        "a\x00b",
        "a\nb",
        "a\x1b[31mb",
        " ",
        "é" * 70,
    ],
)
def test_ids_with_sql_shell_path_or_control_characters_are_refused(registry: Registry, identifier: str) -> None:
    before = _export(registry)
    with pytest.raises(EventError, match="not a valid initiative id"):
        registry.create("Hostile", workflow=ENGINE_LADDER, initiative=identifier, at="2018-01-01", by="Ada")
    _refused_unchanged(registry, [_created(identifier)], "not a valid initiative id")
    assert _export(registry) == before


@pytest.mark.parametrize(
    "text",
    [
        "Robert'); DROP TABLE events;--",
        "$(rm -rf /) `id` | & ;",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "ünï©ødé ✓ 日本語 \U0001f600",
    ],
)
def test_metacharacters_in_names_and_text_are_kept_as_plain_data(registry: Registry, text: str) -> None:
    registry.record("kept", "participant_joined", {"name": text, "community": "media"}, at="2018-01-02", by="Ada")
    registry.record("kept", "evidence_recorded", {"condition": "problem", "text": text}, by="Ada", at="2018-01-02")
    history = registry.history("kept")
    assert history[-2].data["name"] == text and history[-1].data["text"] == text
    assert registry.initiatives() == ["kept"] and registry.status("kept").stage == "idea"


@pytest.mark.parametrize(
    "at",
    [
        "2019-02-29",
        "2018-04-31",
        "2018-02-30",
        "2018-13-01",
        "2018-00-10",
        "2018-01-01T24:00:00Z",
        "2018-01-01T12:60:00Z",
        "2018-01-01T12:00:00+25:00",
    ],
)
def test_dates_that_do_not_exist_are_refused_everywhere(registry: Registry, at: str) -> None:
    before = _export(registry)
    with pytest.raises(CooperationError, match="ISO 8601"):
        registry.record("kept", "evidence_recorded", {"condition": "problem", "text": "x"}, by="Ada", at=at)
    with pytest.raises(CooperationError, match="ISO 8601"):
        registry.status("kept", as_of=at)
    line = json.dumps(
        {
            "initiative": "kept",
            "kind": "evidence_recorded",
            "at": at,
            "by": "Ada",
            "data": {"condition": "problem", "text": "x"},
        }
    )
    _refused_unchanged(registry, [line], "ISO 8601")
    assert _export(registry) == before


def test_an_event_for_an_unknown_initiative_is_refused(registry: Registry) -> None:
    line = json.dumps(
        {
            "initiative": "ghost",
            "kind": "participant_joined",
            "at": "2018-01-02",
            "by": "Ada",
            "data": {"name": "Cy", "community": "media"},
        }
    )
    _refused_unchanged(registry, [line], "unknown initiative 'ghost'")
    with pytest.raises(UnknownInitiativeError):
        registry.record("ghost", "participant_joined", {"name": "Cy", "community": "media"}, at="2018-01-02", by="Ada")
    assert registry.initiatives() == ["kept"]


def test_an_event_naming_a_condition_the_workflow_does_not_know_is_refused(registry: Registry) -> None:
    line = json.dumps(
        {
            "initiative": "kept",
            "kind": "evidence_recorded",
            "at": "2018-01-02",
            "by": "Ada",
            "data": {"condition": "problme", "text": "x"},
        }
    )
    _refused_unchanged(registry, [line], "did you mean 'problem'?")
    with pytest.raises(EventError, match="did you mean 'problem'"):
        registry.record("kept", "attestation_given", {"condition": "problme"}, by="Ada", at="2018-01-02")


# --- the CLI: arguments and files ------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, registry: Registry) -> Path:
    db = tmp_path / "cli.db"
    registry.close()
    shutil.copyfile(tmp_path / "coop.db", db)
    return db


@pytest.mark.parametrize(
    "args",
    [
        ["new", "Hostile", "--id", "$(touch /tmp/pwned)", "-w", ENGINE_LADDER, "--by", "Ada"],
        ["new", "Hostile", "--id", "../../etc/passwd", "-w", ENGINE_LADDER, "--by", "Ada"],
        ["join", "kept", "Cy", "-c", "media", "--at", "2019-02-29", "--by", "Ada"],
        ["evidence", "ghost", "problem", "text", "--by", "Ada"],
        ["evidence", "kept", "problme", "text", "--by", "Ada"],
        ["status", "x'; DROP TABLE events;--"],
        ["new", "Hostile", "-w", "/etc/passwd", "--by", "Ada"],
    ],
    ids=["shell-id", "path-id", "bad-date", "unknown-initiative", "unknown-condition", "sql-id", "not-a-workflow"],
)
def test_hostile_cli_arguments_exit_2_without_a_traceback_or_a_change(cli_db: Path, args: list[str]) -> None:
    before = export_lines(cli_db)
    result = run_cli(*args, "--db", str(cli_db))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip() and "Traceback" not in result.stderr, result.stderr
    assert export_lines(cli_db) == before
    assert not Path("/tmp/pwned").exists()


def test_an_event_file_with_invalid_utf8_exits_2_without_a_traceback(cli_db: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(_created("other").encode() + b"\n" + b'{"initiative": "x\xff"}\n')
    before = export_lines(cli_db)
    result = run_cli("import", str(source), "--db", str(cli_db))
    assert export_lines(cli_db) == before
    assert result.returncode == 2 and "Traceback" not in result.stderr and str(source) in result.stderr, result.stderr


# --- names in reports are text, in a real browser ----------------------------------------------------------

HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def test_a_participant_named_like_markup_is_shown_as_text_and_runs_nothing(tmp_path: Path) -> None:
    from browser import Browser, require_chromium

    from cooperation.reports.build import build_report
    from cooperation.reports.to_html import render_html

    executable = require_chromium()
    with Registry.open(tmp_path / "coop.db") as registry:
        registry.create(
            HOSTILE_NAME + " initiative", workflow=BUILTIN, initiative="hostile", at="2018-01-01", by=HOSTILE_NAME
        )
        registry.record(
            "hostile",
            "participant_joined",
            {"name": HOSTILE_NAME, "community": "technical", "role": "owner", "organisation": HOSTILE_NAME},
            at="2018-01-01",
            by=HOSTILE_NAME,
        )
        registry.record(
            "hostile",
            "evidence_recorded",
            {"condition": "challenge", "text": f"said by {HOSTILE_NAME}", "tlp": "TLP:CLEAR"},
            by=HOSTILE_NAME,
            at="2018-01-02",
        )
        report = build_report(registry, audience="TLP:CLEAR", as_of="2018-02-01")
    html = tmp_path / "report.html"
    html.write_text(render_html(report), encoding="utf-8")
    assert HOSTILE_NAME not in html.read_text(encoding="utf-8")  # escaped in the file itself
    with Browser(tmp_path, executable) as browser:
        page = browser.open(html)
        shown = page.evaluate("document.body.innerText")
        images = page.evaluate("Array.from(document.querySelectorAll('img'), e => e.outerHTML)")
        dialogs = [event for event in browser._events if event.get("method") == "Page.javascriptDialogOpening"]
    assert HOSTILE_NAME in shown, "the name should be shown, as text"
    assert images == [], images
    assert dialogs == [], dialogs
    assert page.requests == [html.resolve().as_uri()], page.requests
    assert page.console_errors == [], page.console_errors


# --- issue 16's inputs that crashed, run as written through the real `coop` process ----------------------


def _snapshot(db: Path) -> dict[str, bytes]:
    """The registry's files, byte for byte (the database and any write-ahead log beside it)."""
    return {path.name: path.read_bytes() for path in sorted(db.parent.glob(db.name + "*"))}


def _record(db: Path) -> list[list[tuple[object, ...]]]:
    """What the registry records (events, pinned workflows, its marks), row by row."""
    connection = sqlite3.connect(db)
    try:
        tables = ("events ORDER BY initiative, seq", "workflows ORDER BY hash", "meta ORDER BY key")
        return [connection.execute(f"SELECT * FROM {table}").fetchall() for table in tables]
    finally:
        connection.close()


@pytest.fixture
def builtin_db(tmp_path: Path) -> Path:
    """A registry file with one initiative, `i`, on the built-in workflow, with an owner."""
    db = tmp_path / "coop.db"
    with Registry.open(db) as opened:
        opened.create("I", workflow=BUILTIN, initiative="i", at="2020-01-01", by="Ada")
        opened.record("i", "participant_joined", {"name": "Ada", "community": "technical", "role": "owner"}, by="Ada")
    return db


def _refused_by_the_cli(db: Path, *args: str, message: str) -> None:
    """`coop ARGS --db DB` exits 2 with our one-line error containing `message`, and the file is as it was."""
    before = _snapshot(db)
    result = run_cli(*args, "--db", str(db))
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: "), result.stderr
    assert message in result.stderr, result.stderr
    assert _snapshot(db) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("status", "i", "--as-of", "9999-12-31"), "outside the supported range of dates, 1000-01-01 to 8999-12-31"),
        (("report", "--as-of", "9999-12-31"), "outside the supported range of dates"),
        (("new", "X", "--at", "0001-01-01T00:00:00+01:00", "--by", "Ada"), "outside the supported range of dates"),
        (
            ("evidence", "i", "challenge", "x", "--at", "9999-12-31T23:00:00-05:00", "--by", "Ada"),
            "outside the supported range",
        ),
        (
            ("record", "i", "evidence_recorded", "--data", '{"a":' + "[" * 50_000 + "]" * 50_000 + "}", "--by", "Ada"),
            "too deeply",
        ),
        (("status", "--as-of", "0999-12-31"), "1000-01-01 to 8999-12-31"),
    ],
    ids=["status-as-of", "report-as-of", "new-at", "evidence-at", "record-deep-data", "status-all-as-of"],
)
def test_the_inputs_that_crashed_are_refused_and_change_nothing(
    builtin_db: Path, args: tuple[str, ...], message: str
) -> None:
    _refused_by_the_cli(builtin_db, *args, message=message)


def test_the_edges_of_the_supported_dates_are_accepted_or_refused_for_their_own_reason(builtin_db: Path) -> None:
    assert run_cli("status", "i", "--as-of", "8999-12-31", "--db", str(builtin_db)).returncode == 0
    assert run_cli("status", "--as-of", "8999-12-31T23:59:59Z", "--db", str(builtin_db)).returncode == 0
    _refused_by_the_cli(builtin_db, "evidence", "i", "challenge", "x", "--at", "8999-12-31", message="in the future")
    # in range where written, out of it in UTC: refused by the range, not by an overflow
    _refused_by_the_cli(builtin_db, "status", "i", "--as-of", "8999-12-31T23:00:00-05:00", message="1000-01-01 to 8999")


def _ladder_with(tmp_path: Path, old: str, new: str, name: str = "changed.yaml") -> Path:
    assert old in LADDER_TEXT
    path = tmp_path / name
    path.write_text(LADDER_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("min_participants: 2\n", "min_participants: 2\n    min_communities: " + "9" * 5000 + "\n", "4,300 digits"),
        ("days: 30", "days: 999999", "must be at most 36525"),
        ("days: 2", "days: 999999999999", "must be at most 36525"),
        ("min_participants: 2", "min_participants: 100000000", "must be at most 1000"),
        ("min_span_days: 3", "min_span_days: 40000", "must be at most 36525"),
        ("max: 4", "max: 10000000", "must be at most 1000000"),
        ("waiver_min_rationale: 30", "waiver_min_rationale: 20000", "must be at most 10000"),
    ],
    ids=["5000-digits", "expiring-days", "held-days", "min-participants", "span-days", "scale-max", "rationale"],
)
def test_every_number_of_a_workflow_is_bounded_at_load_naming_the_limit(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _ladder_with(tmp_path, old, new)
    result = run_cli("workflows", "check", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert message in result.stderr and str(path) in result.stderr, result.stderr


def test_a_workflow_of_many_conditions_is_refused_naming_the_limit_not_as_an_alias_bomb(tmp_path: Path) -> None:
    head, tail = LADDER_TEXT.split("\nconditions:\n", 1)
    many = "".join(
        f"  - id: c{n}\n    kind: evidence\n    title: C\n    description: D\n    strength: advisory\n"
        for n in range(10_000)
    )
    path = tmp_path / "many.yaml"
    path.write_text(head + "\nconditions:\n" + many + tail, encoding="utf-8")
    result = run_cli("workflows", "check", str(path))
    assert result.returncode == 2, result.stderr
    assert "more than 100,000 values, the limit for a workflow file" in result.stderr
    assert "alias" not in result.stderr


def test_a_fifo_as_the_registry_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "registry.fifo"
    os.mkfifo(fifo)
    for args in (("status",), ("status", "--all"), ("new", "X", "--by", "Ada"), ("export",), ("history", "x")):
        result = run_cli(*args, "--db", str(fifo))  # opening a FIFO would wait for a writer for ever
        assert result.returncode == 2 and "not a regular file" in result.stderr, (args, result.stderr)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_one_initiative_whose_workflow_broke_never_hides_the_others(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    workflow = _ladder_with(tmp_path, "days: 30", "days: 30", name="own.yaml")
    with Registry.open(db) as opened:
        opened.create("Good", workflow=BUILTIN, initiative="good", at="2020-01-01", by="Ada")
        # Made before workflows were pinned: named by its path, which is never opened from data.
        legacy = {"name": "Broken", "workflow": str(workflow)}
        created = Event("broken", "initiative_created", "2020-01-01", legacy)  # type: ignore[arg-type]
        opened.store.append("broken", [created], expected_version=0)
    before = _record(db)
    text = run_cli("status", "--all", "--db", str(db))
    assert text.returncode == 2 and "Traceback" not in text.stderr, text.stderr
    assert "good: Good" in text.stdout and "broken: cannot be shown:" in text.stdout, text.stdout
    assert "never opened as a file" in text.stdout and "cannot show broken" in text.stderr
    listed = run_cli("status", "--all", "--json", "--db", str(db))
    entries = {entry["initiative"]: entry for entry in json.loads(listed.stdout)}
    assert entries["good"]["stage"] == "challenge" and "coop workflows upgrade" in entries["broken"]["error"]
    for report_format in ("md", "html", "json"):
        report = run_cli("report", "--format", report_format, "--db", str(db))
        assert report.returncode == 2 and "Traceback" not in report.stderr, report.stderr
        assert "good" in report.stdout and "broken" in report.stdout and "never opened as a file" in report.stdout
    assert run_cli("status", "good", "--db", str(db)).returncode == 0
    assert _record(db) == before  # (the statuses worked out are kept beside it: `reading.materialised`)
