"""The whole tour as data: the examples loaded, the real story, the target verdict and the rule moments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cooperation.demo.examples import LoadedExample, load_examples
from cooperation.demo.rule_moments import RuleMoment, rule_moments
from cooperation.demo.story import HandOff, TargetVerdict, Year, hand_offs, judge_target, yearly_story
from cooperation.engine.events import now
from cooperation.registry import Registry


@dataclass(frozen=True, slots=True)
class Demo:
    """Everything `coop demo` shows, as data."""

    registry: str
    examples: tuple[LoadedExample, ...]
    years: tuple[Year, ...]
    hand_offs: tuple[HandOff, ...]
    target: TargetVerdict
    moments: tuple[RuleMoment, ...]


def run_demo(registry: Registry, *, today: date | None = None) -> Demo:
    """Load the examples into `registry` and gather the story, the target verdict and the rule moments."""
    examples = load_examples(registry)
    real = [initiative for example in examples if not example.fictional for initiative in example.initiatives]
    fictional = [initiative for example in examples if example.fictional for initiative in example.initiatives]
    day = today or now().date()
    return Demo(
        registry=registry.store.url,
        examples=tuple(examples),
        years=tuple(yearly_story(registry, real, today=day)),
        hand_offs=tuple(hand_offs(registry, real)),
        target=judge_target(registry, real),
        moments=tuple(rule_moments(registry, fictional)),
    )
