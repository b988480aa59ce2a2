"""The shipped JSON Schema matches the models, and accepts what the loader accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from cooperation.definition import models
from cooperation.definition.catalog import builtin_directory
from cooperation.definition.schema import SCHEMA_DIRECTORY, shipped_schema
from cooperation.definition.yamlsafe import read_yaml
from cooperation.views.schemas import generated_schema

SAMPLES = Path(__file__).resolve().parent / "workflows"
WORKFLOW_FILES = sorted(builtin_directory().glob("*.yaml")) + sorted((SAMPLES / "valid").glob("*.yaml"))
# Broken files whose flaw is one of shape, which a schema can see (not references or graph). An
# unknown role is a reference now (a workflow may declare its own roles): the loader refuses it.
SHAPE_FLAWS = [
    "unknown-key.yaml",
    "unknown-top-level-key.yaml",
    "missing-required-key.yaml",
    "missing-kind.yaml",
    "unknown-condition-kind.yaml",
    "version-number.yaml",
    "string-for-int.yaml",
    "invalid-id.yaml",
    "unknown-body-kind.yaml",
    "yaml11-boolean-as-flag.yaml",
    "several-shape-errors.yaml",
    "days-and-duration.yaml",
    "no-period.yaml",
    "duration-with-time.yaml",
]


SHIPPED = sorted(
    {"workflow"} | {path.name.removesuffix(".schema.json") for path in SCHEMA_DIRECTORY.glob("*.schema.json")}
)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_schema_is_up_to_date(name: str) -> None:
    assert shipped_schema(name) == generated_schema(name), (
        f"cooperation/schemas/{name}.schema.json is out of date with the models: "
        "regenerate it with `python -m cooperation.views.schemas`"
    )


def test_schema_declares_its_dialect() -> None:
    assert shipped_schema("workflow")["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _aliases(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def _required(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items() if field.is_required()}


def test_top_level_matches_the_workflow_model() -> None:
    schema = shipped_schema("workflow")
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == _aliases(models.WorkflowDefinition)
    assert set(schema["required"]) == _required(models.WorkflowDefinition)


@pytest.mark.parametrize(
    "model",
    [
        models.Scale,
        models.ParameterDefinition,
        models.StageDefinition,
        models.TransitionDefinition,
        models.RoleDefinition,
        *models.CONDITION_MODELS.values(),  # every condition kind, the ones added later included
    ],
    ids=lambda model: model.__name__,
)
def test_every_part_matches_its_model(model: type[BaseModel]) -> None:
    part = shipped_schema("workflow")["$defs"][model.__name__]
    assert part["additionalProperties"] is False
    assert set(part["properties"]) == _aliases(model)
    assert set(part.get("required", [])) == _required(model)


# What the rule language's version 2 (issue 17) added, as the schema must show it: (part, field).
RULES_V2 = [
    ("RoleDefinition", "id"),
    ("RoleDefinition", "may"),
    ("AttestationCondition", "roles"),
    ("ParticipationCondition", "roles"),
    ("ParticipationCondition", "min_per_community"),
    ("AnyCondition", "at_least"),
    ("HeldCondition", "duration"),
    ("ExpiringCondition", "duration"),
    ("MeetingsCondition", "min_span_duration"),
    ("TimeInStageCondition", "stage"),
    ("TimeInStageCondition", "days"),
    ("TimeInStageCondition", "duration"),
    ("TimeInStageCondition", "still_in"),
    ("SinceStageCondition", "stage"),
    ("SinceStageCondition", "condition"),
    ("TransitionDefinition", "on_event"),
    ("TransitionDefinition", "on_roles"),
    ("TransitionDefinition", "on_lapse"),
]


@pytest.mark.parametrize(("part", "field"), RULES_V2)
def test_every_option_of_the_rule_language_is_in_the_schema(part: str, field: str) -> None:
    properties = shipped_schema("workflow")["$defs"][part]["properties"]
    assert field in properties, f"{part}.{field} is missing from the workflow schema"
    assert properties[field].get("description") or properties[field].get("title"), f"{part}.{field} is unexplained"


def test_the_schema_names_every_event_a_transition_may_be_taken_on() -> None:
    on_event = shipped_schema("workflow")["$defs"]["TransitionDefinition"]["properties"]["on_event"]
    kinds = {kind for option in on_event["anyOf"] for kind in option.get("enum", [])}
    assert kinds == {"trust_breached", "participant_joined", "participant_left", "role_changed"}


def test_the_top_level_declares_roles_and_every_kind_has_its_part() -> None:
    schema = shipped_schema("workflow")
    assert schema["properties"]["roles"]["items"]["$ref"] == "#/$defs/RoleDefinition"
    mapping = schema["properties"]["conditions"]["items"]["discriminator"]["mapping"]
    for kind in ("time_in_stage", "since_stage", "any", "participation"):
        assert mapping[kind].removeprefix("#/$defs/") in schema["$defs"], kind
    durations = shipped_schema("workflow")["$defs"]["TimeInStageCondition"]["properties"]["duration"]
    assert "P" in json.dumps(durations)  # the ISO 8601 form is given (pattern or examples)


def test_transition_origin_is_spelt_from() -> None:
    properties = shipped_schema("workflow")["$defs"]["TransitionDefinition"]["properties"]
    assert "from" in properties and "from_" not in properties


def test_condition_kinds_are_a_discriminated_union() -> None:
    items = shipped_schema("workflow")["properties"]["conditions"]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    assert set(items["discriminator"]["mapping"]) == set(models.CONDITION_KINDS)


# --- a small validator for the part of JSON Schema the shipped file uses -------------------

SUPPORTED = {
    "propertyNames",
    "$ref",
    "$schema",
    "$id",
    "$defs",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "discriminator",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "title",
    "description",
    "default",
}
TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "boolean": bool,
    "null": type(None),
}


def _keywords(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            if key in ("properties", "$defs", "mapping"):
                for inner in value.values():
                    found |= _keywords(inner)
            elif key not in {"enum", "const", "default"}:
                found |= _keywords(value)
    elif isinstance(schema, list):
        for inner in schema:
            found |= _keywords(inner)
    return found


def test_validator_below_understands_every_keyword_used() -> None:
    schema = shipped_schema("workflow")
    used = _keywords(schema) - {"propertyName", "mapping"}
    assert used <= SUPPORTED, f"extend the test validator for: {sorted(used - SUPPORTED)}"


def _errors(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$") -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return _errors(value, root["$defs"][name], root, where)
    errors: list[str] = []
    if "type" in schema:
        expected = TYPES[schema["type"]]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return [f"{where}: expected {schema['type']}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} != {schema['const']!r}")
    if "anyOf" in schema and all(_errors(value, option, root, where) for option in schema["anyOf"]):
        errors.append(f"{where}: matches none of anyOf")
    if "oneOf" in schema and sum(not _errors(value, option, root, where) for option in schema["oneOf"]) != 1:
        errors.append(f"{where}: does not match exactly one of oneOf")
    for index, part in enumerate(schema.get("allOf", ())):
        errors += _errors(value, part, root, f"{where} (allOf {index})")
    if "not" in schema and not _errors(value, schema["not"], root, where):
        errors.append(f"{where}: matches what 'not' forbids")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            errors.append(f"{where}: length of {value!r} out of bounds")
    if isinstance(value, int) and not isinstance(value, bool) and value < schema.get("minimum", value):
        errors.append(f"{where}: {value} below {schema['minimum']}")
    if isinstance(value, int) and not isinstance(value, bool) and value > schema.get("maximum", value):
        errors.append(f"{where}: {value} above {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{where}: fewer than {schema['minItems']} items")
        for index, item in enumerate(value):
            errors += _errors(item, schema.get("items", {}), root, f"{where}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{where}: missing {key}" for key in schema.get("required", []) if key not in value]
        for key in value:
            errors += _errors(key, schema.get("propertyNames", {}), root, f"{where}.<key {key}>")
        for key, item in value.items():
            if key in properties:
                errors += _errors(item, properties[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += _errors(item, schema["additionalProperties"], root, f"{where}.{key}")
    return errors


def _as_json(path: Path) -> Any:
    # YAML allows integer keys (scale labels); JSON, which the schema describes, has only strings.
    return json.loads(json.dumps(read_yaml(path.read_bytes(), file=str(path)).data, default=str))


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_valid_workflows_validate_against_the_schema(path: Path) -> None:
    schema = shipped_schema("workflow")
    assert _errors(_as_json(path), schema, schema) == []


@pytest.mark.parametrize("name", SHAPE_FLAWS)
def test_shape_flaws_are_refused_by_the_schema(name: str) -> None:
    schema = shipped_schema("workflow")
    assert _errors(_as_json(SAMPLES / "broken" / name), schema, schema) != []
