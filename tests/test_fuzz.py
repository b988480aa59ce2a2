"""Fuzzing: mutated workflow YAML and mutated event lines give success or our documented errors only.

Never another exception, never a traceback from the CLI, and when an import is refused
the registry's export is exactly what it was before.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import ENGINE_LADDER, export_lines, run_cli
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.definition.loading import load_workflow_text
from cooperation.errors import CooperationError, WorkflowDefinitionError
from cooperation.registry import Registry

LADDER_TEXT = Path(ENGINE_LADDER).read_text(encoding="utf-8")
LADDER_DATA = yaml.safe_load(LADDER_TEXT)

# Control characters in a workflow's text are a known bug, kept out here and tested by name in
# test_hostile_input.py (test_a_control_character_in_a_workflow_file_is_a_definition_error).
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), min_size=1, max_size=6)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "idea", "formed", "problem", "owner", "regress", "evidence", "~", "*x"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a parsed document: keys of mappings and indexes of lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _mutate(document: Any, draw: st.DrawFn) -> Any:
    """Drop, duplicate, retype or replace one place of a deep copy of `document`."""
    copy = json.loads(json.dumps(document))
    places = list(_paths(copy))
    if not places:
        return draw(VALUES)
    place = draw(st.sampled_from(places))
    parent = copy
    for step in place[:-1]:
        parent = parent[step]
    last = place[-1]
    action = draw(st.sampled_from(["drop", "duplicate", "retype", "replace", "rename"]))
    if action == "drop":
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, json.loads(json.dumps(parent[last])))
    elif action == "retype":
        value = parent[last]
        parent[last] = [value] if not isinstance(value, list) else (value[0] if value else {})
    elif action == "rename" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10))] = parent.pop(last)
    else:
        parent[last] = draw(VALUES)
    return copy


@st.composite
def workflow_texts(draw: st.DrawFn) -> str:
    """The engine ladder with a few structural mutations, then perhaps a few edits of its text."""
    document: Any = LADDER_DATA
    for _ in range(draw(st.integers(1, 3))):
        document = _mutate(document, draw)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete"]))
        if edit == "insert":
            text = text[:at] + draw(PRINTABLE) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=workflow_texts())
def test_a_mutated_workflow_loads_or_is_refused_with_a_definition_error(text: str) -> None:
    try:
        load_workflow_text(text, file="fuzz.yaml")
    except WorkflowDefinitionError as error:
        assert error.problems and all(problem.file == "fuzz.yaml" for problem in error.problems)


# --- event lines -----------------------------------------------------------------------------------

BASE_LOG = [
    {
        "initiative": "fuzzed",
        "kind": "initiative_created",
        "at": "2018-01-01",
        "by": "Ada",
        "data": {"name": "Fuzzed", "workflow": ENGINE_LADDER},
    },
    {
        "initiative": "fuzzed",
        "kind": "participant_joined",
        "at": "2018-01-02",
        "by": "Ada",
        "data": {"name": "Ada", "community": "technical", "role": "owner"},
    },
    {
        "initiative": "fuzzed",
        "kind": "participant_joined",
        "at": "2018-01-02",
        "by": "Ada",
        "data": {"name": "Ben", "community": "business", "role": "member"},
    },
    {
        "initiative": "fuzzed",
        "kind": "evidence_recorded",
        "at": "2018-01-03",
        "by": "Ada",
        "data": {"condition": "problem", "text": "A statement"},
    },
    {
        "initiative": "fuzzed",
        "kind": "meeting_held",
        "at": "2018-01-04",
        "by": "Ada",
        "data": {"attendees": ["Ada", "Ben"]},
    },
    {
        "initiative": "fuzzed",
        "kind": "stage_advanced",
        "at": "2018-01-05",
        "by": "Ada",
        "data": {"from": "idea", "to": "formed"},
    },
    {
        "initiative": "kept",
        "kind": "evidence_recorded",
        "at": "2018-02-01",
        "by": "Ada",
        "data": {"condition": "problem", "text": "More on the kept one"},
    },
]


@st.composite
def event_logs(draw: st.DrawFn) -> list[str]:
    """The base log with one to three lines mutated: a field dropped, retyped or replaced, or raw text edited."""
    lines = [json.dumps(event, ensure_ascii=False) for event in BASE_LOG]
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        try:
            parsed = json.loads(lines[index])
        except ValueError:
            parsed = None  # an earlier raw edit broke this line: edit it further
        if parsed is not None and draw(st.booleans()):
            lines[index] = json.dumps(_mutate(parsed, draw), ensure_ascii=False, allow_nan=True)
        else:
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.text(max_size=5)) + line[at + draw(st.integers(0, 5)) :]
    return lines


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry holding 'kept', with a group, evidence and a move: the earlier events imports must not touch."""
    db = tmp_path_factory.mktemp("fuzz-template") / "coop.db"
    with Registry.open(db) as registry:
        registry.create("Kept", workflow=ENGINE_LADDER, initiative="kept", at="2018-01-01", by="Ada")
        for name, community, role in (("Ada", "technical", "owner"), ("Ben", "business", "member")):
            registry.record(
                "kept",
                "participant_joined",
                {"name": name, "community": community, "role": role},
                at="2018-01-01",
                by="Ada",
            )
        registry.record(
            "kept", "evidence_recorded", {"condition": "problem", "text": "Kept"}, by="Ada", at="2018-01-02"
        )
        registry.advance("kept", by="Ada", at="2018-01-03")
    return db


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(lines=event_logs())
def test_a_mutated_event_log_imports_whole_or_is_refused_and_changes_nothing(
    tmp_path: Path, template: Path, lines: list[str]
) -> None:
    db = tmp_path / "fuzz.db"
    shutil.copyfile(template, db)
    before = export_lines(db)
    try:
        with Registry.open(db, create=False) as registry:
            report = registry.import_lines(lines, source="fuzz.jsonl")
    except CooperationError as error:
        assert "fuzz.jsonl" in str(error), error
        assert export_lines(db) == before
    else:
        after = export_lines(db)
        assert after[: len(before)] == before or set(before) <= set(after)
        assert len(after) == len(before) + report.events
    finally:
        db.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)


# --- the same through the real CLI -------------------------------------------------------------------

CLI_CASES = {
    "truncated-json": json.dumps(BASE_LOG[0]).encode()[:-7] + b"\n",
    "nan-score": json.dumps(BASE_LOG[0]).encode() + b'\n{"initiative": "fuzzed", "kind": "score_set", "at": '
    b'"2018-01-02", "by": "Ada", "data": {"parameter": "trust-level", "level": NaN}}\n',
    "array-line": b"[1, 2, 3]\n",
    "nul-bytes": b'{"initiative": "a\\u0000b", "kind": "initiative_created", "at": "2018-01-01", '
    b'"data": {"name": "x", "workflow": "cooperation-maturity"}}\n',
    "mutated": "\n".join(json.dumps(event) for event in BASE_LOG)
    .replace('"at"', '"at"', 1)
    .replace("2018-01-05", "2018-13-05")
    .encode(),
}


# Invalid UTF-8 is a named case in test_hostile_input.py (a known bug, marked there).
@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_the_cli_refuses_a_broken_import_with_exit_2_no_traceback_and_no_change(
    tmp_path: Path, template: Path, case: str
) -> None:
    db = tmp_path / "coop.db"
    shutil.copyfile(template, db)
    before = export_lines(db)
    source = tmp_path / "events.jsonl"
    source.write_bytes(CLI_CASES[case])
    result = run_cli("import", str(source), "--db", str(db))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: "), result.stderr
    assert str(source) in result.stderr, result.stderr
    assert export_lines(db) == before


# --- issue 16: hostile Unicode, extreme dates and numbers, deep JSON, through the CLI ----------------------

# Characters that act on a terminal or change how text reads: C0 and C1 controls, bidi embeddings,
# overrides, isolates and marks, zero-width characters, line separators, combining marks.
ACTING = (
    [chr(code) for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
    + [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]
    + ["\u200b", "\u200d", "\u2028", "\u2029", "\ufeff", "\u0301", "\u0338"]
)
SHOWN_RAW = [char for char in ACTING if char not in "\n\t" and (ord(char) < 0x200B or ord(char) > 0x200D)]
SHOWN_RAW = [char for char in SHOWN_RAW if char not in ("\ufeff", "\u0301", "\u0338")]
UNICODE = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from(ACTING) | st.sampled_from("李雷Straße O’Brien"),
    min_size=1,
    max_size=24,
)
NORMALISED = st.tuples(UNICODE, st.sampled_from(["NFC", "NFD", "NFKC", "NFKD", None])).map(
    lambda pair: unicodedata.normalize(pair[1], pair[0]) if pair[1] else pair[0]
)
RUNNER = CliRunner()


def _in_process(db: Path, *args: str) -> Result:
    """The real `coop` application, run in this process: never a traceback, whatever the outcome."""
    result = RUNNER.invoke(app, [args[0], "--db", str(db), *args[1:]])  # --db first: the rest may follow `--`
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result


def _files(db: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(db.parent.glob(db.name + "*"))}


@pytest.fixture(scope="module")
def fuzz_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry with `i` on the engine ladder and two participants, copied afresh for each example."""
    db = tmp_path_factory.mktemp("fuzz-unicode") / "coop.db"
    with Registry.open(db) as registry:
        registry.create("I", workflow=ENGINE_LADDER, initiative="i", at="2018-01-01", by="Ada")
        for name, community in (("Ada", "technical"), ("Ben", "business")):
            registry.record(
                "i", "participant_joined", {"name": name, "community": community, "role": "owner"}, by="Ada"
            )
    return db


def _free_text_commands(text: str) -> list[tuple[str, ...]]:
    """Every command that takes a free text or a name, with `text` in that place (after `--` where it is an
    argument: a text may start with a dash, as a user would then write it)."""
    return [
        ("new", "--id", "other", "-w", ENGINE_LADDER, "--by", "Ada", "--", text),
        ("join", "-c", "media", "-o", text, "--by", "Ada", "--", "i", text),
        ("meet", "i", "Ada", "--venue", text, "--by", "Ada"),
        ("evidence", "--link", text, "--by", "Ada", "--", "i", "problem", text),
        ("waive", "i", "vouched", "--rationale", text * 40, "--by", "Ada"),
        ("publish", "--link", text, "--by", "Ada", "--", "i", text),
        ("breach", "--by", "Ada", "--", "i", text),
        (
            "record",
            "i",
            "evidence_recorded",
            "--data",
            json.dumps({"condition": "problem", "text": text}),
            "--by",
            "Ada",
        ),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=NORMALISED, which=st.integers(0, 7))
@example(text="-0", which=0)  # a text that starts with a dash
@example(text="-x", which=7)
def test_any_unicode_in_any_free_text_or_name_is_kept_or_refused_and_never_reaches_a_terminal_raw(
    fuzz_registry: Path, text: str, which: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "coop.db"
        shutil.copyfile(fuzz_registry, db)
        before = _files(db)
        result = _in_process(db, *_free_text_commands(text)[which])
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert result.stderr.startswith("error: ") and _files(db) == before
        for args in (("history", "i"), ("status", "--all"), ("history", "i", "--audience", "TLP:CLEAR")):
            shown = _in_process(db, *args)
            assert shown.exit_code == 0, (args, shown.output)
            assert not any(char in shown.stdout for char in SHOWN_RAW), (args, shown.stdout)
        listed = json.loads(_in_process(db, "history", "i", "--json").stdout)
        if result.exit_code == 0 and which != 0:  # JSON keeps what was recorded, character for character
            stored = [value for event in listed for value in _strings_in(event["data"])]
            assert any(text in value for value in stored), (text, stored)


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings_in(item)


DATE_TEXTS = st.one_of(
    st.dates().map(date.isoformat),
    st.datetimes(timezones=st.timezones()).map(datetime.isoformat),
    st.tuples(st.sampled_from(["0001-01-01", "9999-12-31", "1000-01-01", "8999-12-31"]), st.integers(-1439, 1439)).map(
        lambda pair: f"{pair[0]}T00:00:00{'+' if pair[1] >= 0 else '-'}{abs(pair[1]) // 60:02d}:{abs(pair[1]) % 60:02d}"
    ),
    st.text(max_size=12),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moment=DATE_TEXTS, which=st.integers(0, 5))
def test_any_date_in_any_date_field_is_used_or_refused_and_changes_nothing(
    fuzz_registry: Path, moment: str, which: int
) -> None:
    commands = [
        ("new", "X", "--id", "x", "-w", ENGINE_LADDER, "--at", moment, "--by", "Ada"),
        ("evidence", "i", "problem", "text", "--by", "Ada", "--at", moment),
        ("status", "i", "--as-of", moment),
        ("status", "--all", "--json", "--as-of", moment),
        ("report", "--as-of", moment),
        ("advance", "i", "--by", "Ada", "--at", moment),
    ]
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "coop.db"
        shutil.copyfile(fuzz_registry, db)
        before = _files(db)
        result = _in_process(db, *commands[which])
        assert result.exit_code in (0, 1, 2), result.output
        if result.exit_code != 0:
            assert result.stderr.startswith("error: "), result.stderr
            assert _files(db) == before


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


NUMBER_PLACES = [path for path in _paths(LADDER_DATA) if type(_at(LADDER_DATA, path)) is int]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    place=st.sampled_from(NUMBER_PLACES),
    number=st.one_of(st.integers(-(10**13), 10**13), st.sampled_from([0, -1, 2**63, 10**30, 36_525, 36_526, 1000])),
)
def test_any_number_in_a_workflow_is_refused_at_load_or_works_at_every_date(
    place: tuple[Any, ...], number: int
) -> None:
    document = json.loads(json.dumps(LADDER_DATA))
    parent = document
    for step in place[:-1]:
        parent = parent[step]
    parent[place[-1]] = number
    text = yaml.safe_dump(document, sort_keys=False)
    try:
        load_workflow_text(text, file="numbers.yaml")
    except WorkflowDefinitionError as error:
        assert all(problem.file == "numbers.yaml" for problem in error.problems)
        return
    with tempfile.TemporaryDirectory() as folder:
        workflow = Path(folder) / "numbers.yaml"
        workflow.write_text(text, encoding="utf-8")
        with Registry.open(Path(folder) / "coop.db") as registry:
            registry.create("N", workflow=str(workflow), initiative="n", at="1000-01-01", by="Ada")
            registry.record(
                "n", "participant_joined", {"name": "Ada", "community": "technical", "role": "owner"}, by="Ada"
            )
            for as_of in ("1000-01-01", "2020-06-01", "8999-12-31"):
                registry.status("n", as_of=as_of)
            list(registry.portfolio(as_of="8999-12-31"))


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("kind", ["evidence_recorded", "meeting_held", "output_published", "condition_waived"])
def test_deep_json_in_every_json_input_is_refused_and_changes_nothing(
    fuzz_registry: Path, tmp_path: Path, kind: str, depth: int
) -> None:
    db = tmp_path / "coop.db"
    shutil.copyfile(fuzz_registry, db)
    before = _files(db)
    deep = "[" * depth + "]" * depth
    data = '{"condition": "problem", "text": ' + deep + "}" if kind == "evidence_recorded" else '{"x": ' + deep + "}"
    result = _in_process(db, "record", "i", kind, "--data", data, "--by", "Ada")
    assert result.exit_code == 2 and result.stderr.startswith("error: "), result.stderr
    line = '{"initiative": "i", "kind": "' + kind + '", "at": "2018-02-01", "data": ' + data + "}"
    events = tmp_path / "deep.jsonl"
    events.write_text(line + "\n", encoding="utf-8")
    result = _in_process(db, "import", str(events))
    assert result.exit_code == 2 and str(events) in result.stderr, result.stderr
    assert _files(db) == before
