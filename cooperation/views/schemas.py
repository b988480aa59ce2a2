"""Every JSON Schema coop ships: the workflow file, event lines, and the status, history and report outputs.

`coop schema NAME` prints one. Each declares its dialect (`$schema`, JSON Schema 2020-12) and a
stable `$id`, a URN that changes only when the format does. The files under
`cooperation/schemas/` are generated from the models: `python -m cooperation.views.schemas`
rewrites them, and `tests/test_schema.py` fails while one is out of date.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, get_args

from cooperation.definition.schema import SCHEMA_DIRECTORY, shipped_schema

SchemaName = Literal["workflow", "events", "status", "history", "report"]
SCHEMA_NAMES: tuple[SchemaName, ...] = get_args(SchemaName)
DIALECT = "https://json-schema.org/draft/2020-12/schema"

__all__ = ["SCHEMA_NAMES", "SchemaName", "generated_schema", "schema_id", "shipped_schema", "write_schemas"]


def _workflow() -> dict[str, Any]:
    from cooperation.definition.schema import workflow_json_schema

    return workflow_json_schema()


def _events() -> dict[str, Any]:
    from cooperation.engine.event_schema import events_json_schema

    return events_json_schema()


def _status() -> dict[str, Any]:
    from cooperation.views.output_models import status_json_schema

    return status_json_schema()


def _history() -> dict[str, Any]:
    from cooperation.views.output_models import history_json_schema

    return history_json_schema()


def _report() -> dict[str, Any]:
    from cooperation.reports.model import Report

    return {**Report.model_json_schema(), "title": "coop report --format json"}


_BUILDERS: dict[SchemaName, Callable[[], dict[str, Any]]] = {
    "workflow": _workflow,
    "events": _events,
    "status": _status,
    "history": _history,
    "report": _report,
}


def schema_id(name: SchemaName) -> str:
    """The schema's stable identifier."""
    return f"urn:cooperation-maturity:schema:{name}"


def generated_schema(name: SchemaName) -> dict[str, Any]:
    """The schema as the current models describe it."""
    return {"$schema": DIALECT, "$id": schema_id(name), **_BUILDERS[name]()}


def write_schemas() -> None:
    """Regenerate the shipped files."""
    for name in SCHEMA_NAMES:
        text = json.dumps(generated_schema(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (SCHEMA_DIRECTORY / f"{name}.schema.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_schemas()
