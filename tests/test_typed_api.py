"""The typed API: one method per recordable kind, each the same as `record` with its data spelt out."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperation.engine.events import Event
from cooperation.errors import EventError
from cooperation.registry import Registry
from cooperation.stores.locate import open_store
from cooperation.testing import Clock

RATIONALE = "Not a question for this group at all, as agreed."
START = datetime(2024, 2, 1, 9, tzinfo=UTC)  # the registries' clock: after every date recorded

# (typed call, the same through `record`)
Typed = Callable[[Registry], Event]
CASES: list[tuple[str, Typed, Typed]] = [
    (
        "join",
        lambda r: r.join("pilot", "Cy", community="government", organisation="Ministry", at="2024-01-12", by="Ada"),
        lambda r: r.record(
            "pilot",
            "participant_joined",
            {"name": "Cy", "community": "government", "role": "member", "organisation": "Ministry"},
            at="2024-01-12",
            by="Ada",
        ),
    ),
    (
        "leave",
        lambda r: r.leave("pilot", "Ben", by="Ben"),
        lambda r: r.record("pilot", "participant_left", {"name": "Ben"}, by="Ben"),
    ),
    (
        "meet",
        lambda r: r.meet("pilot", ["Ada", "Ben"], venue="Library", neutral=True, by="Ada"),
        lambda r: r.record(
            "pilot", "meeting_held", {"attendees": ["Ada", "Ben"], "neutral": True, "venue": "Library"}, by="Ada"
        ),
    ),
    (
        "evidence",
        lambda r: r.evidence("pilot", "challenge", "Botnets", link="https://example.org", tlp="green", by="Ada"),
        lambda r: r.record(
            "pilot",
            "evidence_recorded",
            {"condition": "challenge", "text": "Botnets", "tlp": "TLP:GREEN", "link": "https://example.org"},
            by="Ada",
        ),
    ),
    (
        "attest",
        lambda r: r.attest("pilot", "voluntary", by="Ben"),
        lambda r: r.record("pilot", "attestation_given", {"condition": "voluntary"}, by="Ben"),
    ),
    (
        "waive",
        lambda r: r.waive("pilot", "comfort-zone", rationale=RATIONALE, by="Ada"),
        lambda r: r.record(
            "pilot",
            "condition_waived",
            {"condition": "comfort-zone", "rationale": RATIONALE},
            by="Ada",
        ),
    ),
    (
        "score",
        lambda r: r.score("pilot", "trust-level", 2, by="Ada"),
        lambda r: r.record("pilot", "score_set", {"parameter": "trust-level", "level": 2}, by="Ada"),
    ),
    (
        "publish",
        lambda r: r.publish("pilot", "A report", link="https://example.org/r", by="Ada"),
        lambda r: r.record(
            "pilot", "output_published", {"title": "A report", "link": "https://example.org/r"}, by="Ada"
        ),
    ),
    (
        "breach",
        lambda r: r.breach("pilot", "A leak", by="Ada"),
        lambda r: r.record("pilot", "trust_breached", {"description": "A leak"}, by="Ada"),
    ),
    (
        "reach_out",
        lambda r: r.reach_out("pilot", "academia", venue="A research network", result="Two labs join", by="Ada"),
        lambda r: r.record(
            "pilot",
            "outreach_done",
            {"community": "academia", "venue": "A research network", "result": "Two labs join"},
            by="Ada",
        ),
    ),
]


def _pilot(folder: str, name: str) -> Registry:
    registry = Registry(open_store(Path(folder) / name), clock=Clock(START))
    registry.create("Pilot", workflow="cooperation-maturity", initiative="pilot", by="Ada", at="2024-01-10")
    registry.join("pilot", "Ada", community="technical", role="owner", at="2024-01-11", by="Ada")
    registry.join("pilot", "Ben", community="business", at="2024-01-11", by="Ada")
    return registry


@pytest.mark.parametrize(("kind", "typed", "through_record"), CASES, ids=[case[0] for case in CASES])
def test_each_typed_method_records_what_record_would(kind: str, typed: Typed, through_record: Typed) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        _pilot(folder, "typed.db") as one,
        _pilot(folder, "plain.db") as other,
    ):
        event, expected = typed(one), through_record(other)
        assert event.to_json() == expected.to_json()
        assert [e.to_line() for e in one.export_events()] == [e.to_line() for e in other.export_events()]
        assert one.history("pilot")[-1].kind == expected.kind


@settings(max_examples=30, deadline=None)
@given(
    label=st.sampled_from(["clear", "green", "amber", "amber+strict", "red"]), upper=st.booleans(), tlp=st.booleans()
)
def test_evidence_reads_a_tlp_label_in_any_case(label: str, upper: bool, tlp: bool) -> None:
    written = ("TLP:" if tlp else "") + (label.upper() if upper else label)
    with tempfile.TemporaryDirectory() as folder, _pilot(folder, "coop.db") as registry:
        event = registry.evidence("pilot", "challenge", "text", tlp=written, by="Ada")
        assert event.data["tlp"] == "TLP:" + label.upper()


def test_a_typed_method_refuses_what_does_not_fit_and_writes_nothing() -> None:
    with tempfile.TemporaryDirectory() as folder, _pilot(folder, "coop.db") as registry:
        before = registry.history("pilot")
        refusals: list[Callable[[], Any]] = [
            lambda: registry.evidence("pilot", "challenge", "text", tlp="purple", by="Ada"),
            lambda: registry.attest("pilot", "voluntary", by="Nobody"),
            lambda: registry.waive("pilot", "comfort-zone", rationale="Because it is so.", by="Ben"),
            lambda: registry.join("pilot", "Ada", community="technical", by="Ada"),
        ]
        for refused in refusals:
            with pytest.raises(EventError):
                refused()
        assert registry.history("pilot") == before
