"""The formats a report is written in: one table, each renderer imported only when used.

A new format is one module with a `render_*(report) -> str` function and one entry here
(its name in `ReportFormat` too, which the CLI offers as a choice; a test keeps the two equal).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Callable

    from cooperation.reports.model import Report

ReportFormat = Literal["md", "json", "html"]

# format -> (module, function)
RENDERERS: dict[str, tuple[str, str]] = {
    "md": ("cooperation.reports.to_markdown", "render_markdown"),
    "json": ("cooperation.reports.to_json", "render_json"),
    "html": ("cooperation.reports.to_html", "render_html"),
}


def renderer(report_format: str) -> Callable[[Report], str]:
    """The function that writes a report in `report_format`."""
    module, function = RENDERERS[report_format]
    found: Callable[[Report], str] = getattr(importlib.import_module(module), function)
    return found


def render(report: Report, report_format: str) -> str:
    return renderer(report_format)(report)
