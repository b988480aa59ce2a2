"""Hypothesis strategies for the counting rules: at least k of n conditions, and minimums per community.

`k_of_n` writes an `any` condition asking for a drawn k of its members, as a workflow file
says it; `community_minimums` draws a `min_per_community` mapping; `community_groups` makes
participants joining together, a drawn number from each community, so that a property
can compare what a participation condition says with the counts it was given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from cooperation.engine.events import Event, parse_at
from cooperation.engine.payloads import ParticipantJoinedData
from cooperation.testing.strategies import START, Moment
from cooperation.verify.planner import NAMES
from cooperation.vocabulary import COMMUNITIES, Community


def k_of_n(
    members: Sequence[str], *, condition_id: str = "k-of-n", at_least: SearchStrategy[int] | None = None
) -> SearchStrategy[dict[str, Any]]:
    """An `any` condition over `members` (a workflow asks for at least two), as a workflow file
    writes it, asking for at least k of them: k drawn from 1 to their number unless `at_least` draws it."""

    def build(need: int) -> dict[str, Any]:
        return {
            "id": condition_id,
            "kind": "any",
            "title": f"At least {need} of {len(members)}",
            "description": "Generated: at least k of n.",
            "of": list(members),
            "at_least": need,
        }

    return (at_least if at_least is not None else st.integers(1, len(members))).map(build)


def community_minimums(
    communities: Sequence[Community] = COMMUNITIES, *, max_count: int = 3, max_size: int = 3
) -> SearchStrategy[dict[Community, int]]:
    """A `min_per_community` mapping: one to `max_size` of `communities`, each asking 1 to `max_count`."""
    return st.dictionaries(st.sampled_from(list(communities)), st.integers(1, max_count), min_size=1, max_size=max_size)


def community_groups(
    initiative: str = "example",
    *,
    at: Moment = START,
    counts: SearchStrategy[Mapping[Community, int]] | None = None,
    max_count: int = 3,
) -> SearchStrategy[tuple[dict[Community, int], list[Event]]]:
    """Participants joining together, how many from each community drawn (by `counts`, or 0 to
    `max_count` each), with those counts. The first to join is the owner; nobody is an observer."""
    drawn = counts if counts is not None else st.fixed_dictionaries({c: st.integers(0, max_count) for c in COMMUNITIES})
    moments = at if isinstance(at, SearchStrategy) else st.just(at)

    def build(by_community: Mapping[Community, int], when: datetime) -> tuple[dict[Community, int], list[Event]]:
        events: list[Event] = []
        for community in COMMUNITIES:
            for _ in range(by_community.get(community, 0)):
                index = len(events)
                name = NAMES[index] if index < len(NAMES) else f"Participant {index + 1}"
                joined: ParticipantJoinedData = {
                    "name": name,
                    "community": community,
                    "role": "owner" if index == 0 else "member",
                }
                events.append(Event(initiative, "participant_joined", parse_at(when), joined, NAMES[0]))
        return {c: n for c, n in by_community.items() if n}, events

    return st.builds(build, drawn, moments)
