"""JSON Schemas shipped with the package: where they live, and the one of the workflow file format.

Every output's schema is listed in `cooperation.views.schemas`, which also regenerates the
shipped files (a test keeps them in step with the models).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_DIRECTORY = Path(__file__).resolve().parent.parent / "schemas"


def shipped_schema(name: str) -> dict[str, Any]:
    """The schema file as shipped, e.g. shipped_schema('workflow')."""
    loaded: dict[str, Any] = json.loads((SCHEMA_DIRECTORY / f"{name}.schema.json").read_text(encoding="utf-8"))
    return loaded


def workflow_json_schema() -> dict[str, Any]:
    """The workflow file format, as the models describe it."""
    from cooperation.definition.models import WorkflowDefinition

    return WorkflowDefinition.model_json_schema(by_alias=True)
