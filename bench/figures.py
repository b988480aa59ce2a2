"""A figure of the benchmark: one ratio against a baseline, with its target (shared by bench/run.py,
bench/long_history.py and bench/postgres.py), and what every run does first."""

from __future__ import annotations

import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


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


def compile_checkout() -> None:
    """Installed, the package has its modules compiled (pip does it, as it did typer's); compile this
    checkout too, before any figure: PYTHONDONTWRITEBYTECODE may keep Python from doing it, and every
    process measured would then compile the package from source (about 0.45 s of CPU each)."""
    compiling = [sys.executable, "-m", "compileall", "-q", str(_REPO / "cooperation"), str(_REPO / "cli.py")]
    subprocess.run(compiling, check=True, capture_output=True)
