"""A figure of the benchmark: one ratio against a baseline, with its target (shared by bench/run.py
and bench/long_history.py)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    ratio: float
    target: float
    ours: list[float]
    baseline: list[float]
    unit: str

    @property
    def met(self) -> bool:
        return self.ratio <= self.target


def median_ratio(ours: list[float], baseline: list[float]) -> float:
    return statistics.median(ours) / statistics.median(baseline)
