"""What anonymising costs: `python bench/anonymise.py [--participants N] [--runs K]`.

Generates the benchmark's registry (`bench.workload`, three participants per initiative)
with N participants (default 100,000), then builds and renders (JSON) the whole-registry
report, plain and anonymised, alternating, K times each (default 3). Prints the CPU
seconds of each and the extra cost of anonymising as a share of the plain report (the
target of issue 16: under 0.1), and the time to build the pseudonyms alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.workload import write_registry  # noqa: E402
from cooperation.registry import Registry  # noqa: E402
from cooperation.reports.build import build_report  # noqa: E402
from cooperation.reports.pseudonyms import Pseudonyms  # noqa: E402
from cooperation.reports.to_json import render_json  # noqa: E402

PEOPLE_PER_INITIATIVE = 3


def report_seconds(database: Path, *, anonymise: bool) -> float:
    """CPU seconds to build and render the whole registry's report."""
    started = time.process_time()
    with Registry.open(database, create=False) as registry:
        render_json(build_report(registry, audience="TLP:RED", as_of="2030-01-01", anonymise=anonymise))
    return time.process_time() - started


def pseudonym_seconds(database: Path) -> float:
    """CPU seconds to build the pseudonyms (and their matcher) from every log, reading aside."""
    with Registry.open(database, create=False) as registry:
        logs = [registry.history(initiative) for initiative in registry.initiatives()]
    started = time.process_time()
    Pseudonyms.from_logs(logs)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-anonymise-") as folder:
        database = Path(folder) / "coop.db"
        write_registry(database, arguments.participants // PEOPLE_PER_INITIATIVE)
        plain, anonymised = [], []
        for _ in range(arguments.runs):
            plain.append(report_seconds(database, anonymise=False))
            anonymised.append(report_seconds(database, anonymise=True))
        building = statistics.median(pseudonym_seconds(database) for _ in range(arguments.runs))
    plain_median, anonymised_median = statistics.median(plain), statistics.median(anonymised)
    extra = (anonymised_median - plain_median) / plain_median
    print(f"participants: {arguments.participants:,}")
    print(f"plain report: {plain_median:.2f} s CPU (median of {arguments.runs}: {plain})")
    print(f"anonymised report: {anonymised_median:.2f} s CPU ({anonymised})")
    print(f"pseudonyms and matcher alone: {building:.2f} s CPU")
    print(f"extra cost of anonymising: {extra:.3f} of the plain report (target: under 0.1)")


if __name__ == "__main__":
    main()
