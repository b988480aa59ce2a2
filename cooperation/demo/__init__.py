"""The guided tour behind `coop demo`.

It imports the shipped examples into a registry. The first is the 2017 proposal's own
pilot topic ("no default passwords"), replayed from dated public facts. The others are
small fictional logs. The tour then tells the real story year by year, judges the
proposal's two-year target on the recorded facts, and shows the moments in the
fictional logs where the rules bite: a refused move, a regression after a breach of
trust, and a waiver.

Everything here reads the registry through its public API. The one move the tour
attempts is expected to be refused, and the tour attempts it only when the status
already says it will be, so a demo run writes nothing except the imported examples.

The parts: `examples` (finding and importing the logs), `story` (year by year, and the
target), `rule_moments`, `tour` (all of it as data) and `text` (for a terminal).
"""

from cooperation.demo.examples import (
    FICTIONAL_PREFIX,
    REAL_EXAMPLE,
    LoadedExample,
    example_files,
    examples_directory,
    load_examples,
)
from cooperation.demo.rule_moments import RuleMoment, rule_moments
from cooperation.demo.story import (
    SEED_TARGET,
    HandOff,
    Happening,
    SeedTarget,
    TargetVerdict,
    Year,
    describe_events,
    hand_offs,
    judge_target,
    statuses_on,
    yearly_story,
)
from cooperation.demo.text import demo_text
from cooperation.demo.tour import Demo, run_demo

__all__ = [
    "FICTIONAL_PREFIX",
    "REAL_EXAMPLE",
    "SEED_TARGET",
    "Demo",
    "HandOff",
    "Happening",
    "LoadedExample",
    "RuleMoment",
    "SeedTarget",
    "TargetVerdict",
    "Year",
    "demo_text",
    "describe_events",
    "example_files",
    "examples_directory",
    "hand_offs",
    "judge_target",
    "load_examples",
    "rule_moments",
    "run_demo",
    "statuses_on",
    "yearly_story",
]
