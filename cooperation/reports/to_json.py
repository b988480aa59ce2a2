"""A report as JSON, for tools: the report model as it is, with stable key order."""

from __future__ import annotations

import json

from cooperation.reports.model import Report


def render_json(report: Report) -> str:
    """The whole report as indented JSON (UTF-8 text, ending in a newline)."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
