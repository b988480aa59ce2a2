"""JSON Schemas shipped with the package, generated from the models (a test keeps them in step)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cooperation.errors import CooperationError

SCHEMA_DIRECTORY = Path(__file__).resolve().parent.parent / "schemas"


def shipped_schema(name: str) -> dict[str, Any]:
    """The schema file as shipped, e.g. shipped_schema('workflow')."""
    loaded: dict[str, Any] = json.loads((SCHEMA_DIRECTORY / f"{name}.schema.json").read_text(encoding="utf-8"))
    return loaded


def generated_schema(name: str) -> dict[str, Any]:
    """The schema as the current models describe it."""
    if name == "workflow":
        from cooperation.definition.models import WorkflowDefinition

        schema = WorkflowDefinition.model_json_schema(by_alias=True)
    elif name == "events":
        from cooperation.engine.event_schema import events_json_schema

        schema = events_json_schema()
    else:
        raise CooperationError(f"no schema named '{name}'; the schemas are: workflow, events")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def write_schemas() -> None:
    """Regenerate the shipped files: `python -m cooperation.definition.schema`."""
    for name in ("workflow", "events"):
        text = json.dumps(generated_schema(name), indent=2, sort_keys=True) + "\n"
        (SCHEMA_DIRECTORY / f"{name}.schema.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_schemas()
