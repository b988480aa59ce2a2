"""Fuzzing: mutated workflow YAML and mutated event lines give success or our documented errors only.

Never another exception, never a traceback from the CLI, and when an import is refused
the registry's export is exactly what it was before.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import ENGINE_LADDER, export_lines, run_cli

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
        "data": {"name": "Fuzzed", "workflow": ENGINE_LADDER},
    },
    {
        "initiative": "fuzzed",
        "kind": "participant_joined",
        "at": "2018-01-02",
        "data": {"name": "Ada", "community": "technical", "role": "owner"},
    },
    {
        "initiative": "fuzzed",
        "kind": "participant_joined",
        "at": "2018-01-02",
        "data": {"name": "Ben", "community": "business", "role": "member"},
    },
    {
        "initiative": "fuzzed",
        "kind": "evidence_recorded",
        "at": "2018-01-03",
        "by": "Ada",
        "data": {"condition": "problem", "text": "A statement"},
    },
    {"initiative": "fuzzed", "kind": "meeting_held", "at": "2018-01-04", "data": {"attendees": ["Ada", "Ben"]}},
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
        registry.create("Kept", workflow=ENGINE_LADDER, initiative="kept", at="2018-01-01")
        for name, community, role in (("Ada", "technical", "owner"), ("Ben", "business", "member")):
            registry.record(
                "kept", "participant_joined", {"name": name, "community": community, "role": role}, at="2018-01-01"
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
