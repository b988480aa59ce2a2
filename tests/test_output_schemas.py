"""Every JSON output validates against the schema `coop schema NAME` prints, checked by a real validator.

The outputs come from real registries: the demo (the real story and the fictional examples,
with hand-offs, breaches and waivers) and the report sample (evidence at every TLP label).
The schemas forbid keys they do not list, so an output that gains a field fails here until
its schema describes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from test_report_sample import AS_OF, sample_db  # noqa: F401
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.definition.catalog import builtin_directory
from cooperation.definition.yamlsafe import read_yaml
from cooperation.stores.interchange import CHAIN_FIELDS
from cooperation.views.schemas import SCHEMA_NAMES, SchemaName, schema_id

RUNNER = CliRunner()


def coop_json(*args: str) -> Any:
    result = RUNNER.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.stderr  # 1: a status that cannot advance
    return json.loads(result.stdout)


def validator(name: SchemaName) -> Draft202012Validator:
    return Draft202012Validator(coop_json("schema", name))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert RUNNER.invoke(app, ["demo", "--db", str(path)]).exit_code == 0
    return path


@pytest.fixture(params=["demo", "sample"])
def db(request: pytest.FixtureRequest, demo_db: Path, sample_db: Path) -> Path:  # noqa: F811
    return demo_db if request.param == "demo" else sample_db


def initiatives(db: Path) -> Iterator[str]:
    yield from (status["initiative"] for status in coop_json("status", "--all", "--json", "--db", str(db)))


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_is_valid_json_schema_with_a_stable_id(name: SchemaName) -> None:
    schema = coop_json("schema", name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == schema_id(name) == f"urn:cooperation-maturity:schema:{name}"


def test_statuses_one_by_one_and_all_together(db: Path) -> None:
    status = validator("status")
    status.validate(coop_json("status", "--all", "--json", "--db", str(db)))
    for initiative in initiatives(db):
        status.validate(coop_json("status", initiative, "--json", "--db", str(db)))
        status.validate(
            coop_json("status", initiative, "--json", "--audience", "TLP:CLEAR", "--anonymise", "--db", str(db))
        )


def test_histories_plain_and_filtered(db: Path) -> None:
    history = validator("history")
    for initiative in initiatives(db):
        plain = coop_json("history", initiative, "--json", "--db", str(db))
        history.validate(plain)
        assert [entry["seq"] for entry in plain] == list(range(1, len(plain) + 1))  # what `coop withdraw` names
        history.validate(coop_json("history", initiative, "--json", "--audience", "TLP:GREEN", "--db", str(db)))


def test_reports_for_every_audience(db: Path) -> None:
    report = validator("report")
    for audience in ("TLP:CLEAR", "TLP:RED"):
        report.validate(coop_json("report", "--format", "json", "--audience", audience, "--db", str(db)))
    report.validate(coop_json("report", "--format", "json", "--anonymise", "--as-of", AS_OF, "--db", str(db)))


def test_every_exported_line_is_an_event(db: Path) -> None:
    events = validator("events")
    exported = RUNNER.invoke(app, ["export", "--db", str(db)]).stdout.splitlines()
    assert exported
    for line in exported:
        value = json.loads(line)
        if "coop_export" in value or "coop_workflow" in value:  # the v2 header, a workflow text carried
            continue
        events.validate({key: item for key, item in value.items() if key not in CHAIN_FIELDS})


def test_every_built_in_workflow_is_a_workflow() -> None:
    workflow = validator("workflow")
    for path in sorted(builtin_directory().glob("*.yaml")):
        workflow.validate(read_yaml(path.read_text(encoding="utf-8"), file=str(path)).data)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("status", lambda output: {**output, "surprise": 1}),
        ("status", lambda output: {key: value for key, value in output.items() if key != "stage"}),
        ("status", lambda output: {**output, "conditions": [{**output["conditions"][0], "met": "yes"}]}),
        ("history", lambda output: [{**output[0], "kind": 3}]),
    ],
)
def test_a_changed_output_no_longer_validates(demo_db: Path, name: SchemaName, change: Any) -> None:
    initiative = next(initiatives(demo_db))
    output = coop_json(name, initiative, "--json", "--db", str(demo_db))
    validator(name).validate(output)
    with pytest.raises(ValidationError):
        validator(name).validate(change(output))
