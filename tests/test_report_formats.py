"""Report formats come from one table: the CLI's choices and the renderers cannot drift apart."""

from __future__ import annotations

from typing import get_args

import pytest

from cooperation.reports.formats import RENDERERS, ReportFormat, renderer


def test_the_choices_are_the_table() -> None:
    assert list(get_args(ReportFormat)) == list(RENDERERS)


@pytest.mark.parametrize("report_format", list(RENDERERS))
def test_every_format_has_its_renderer(report_format: str) -> None:
    function = renderer(report_format)
    assert callable(function) and function.__name__ == RENDERERS[report_format][1]
