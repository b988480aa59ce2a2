"""Snapshots (`engine.snapshot`): folding from a snapshot and the events after it gives what folding
the whole log gives, for any log in any order (backdated facts, corrections, moves not honoured),
any point the snapshot was taken at and any moment read; and the registry keeps them as it writes."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_for_statistics
from hypothesis import strategies as st
from reliability_helpers import ENGINE_LADDER

from cooperation.definition.catalog import get_workflow
from cooperation.engine import snapshot as snapshots
from cooperation.engine.events import Event
from cooperation.engine.facts import Facts, time_ordered
from cooperation.engine.rejudge import judged_fold
from cooperation.engine.snapshot import Snapshot, decode, encode, resumed, workflow_key
from cooperation.registry import Registry
from cooperation.testing import event_logs

BUILTIN = "cooperation-maturity"


@st.composite
def shuffled_logs(draw: st.DrawFn, workflow: str) -> list[Event]:
    """A log the engine made, then perhaps reordered (so that facts arrive late, dated before others)
    and given withdrawals of earlier facts: each event numbered by its new place in the log."""
    log = draw(event_logs(workflow, max_steps=30))
    events = list(log)
    if draw(st.booleans()) and len(events) > 2:
        head, rest = events[:1], events[1:]  # the creation stays first
        events = head + draw(st.permutations(rest))
    for _ in range(draw(st.integers(0, 2))):
        if len(events) > 2:
            target = draw(st.integers(2, len(events)))
            place = draw(st.integers(target, len(events)))
            withdrawal = Event(events[0].initiative, "fact_withdrawn", events[place - 1].at, {"seq": target})
            events.insert(place, withdrawal)
    return [replace(event, seq=number) for number, event in enumerate(events, start=1)]


def _taken_at(events: list[Event], covered: int, workflow_id: str) -> Snapshot:
    """The snapshot a registry would have kept once the log held its first `covered` events."""
    workflow = get_workflow(workflow_id)
    facts = judged_fold(events[0].initiative, time_ordered(events[:covered]), workflow)
    return Snapshot(covered, workflow_key(workflow), encode(facts))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), workflow_id=st.sampled_from((ENGINE_LADDER, BUILTIN)))
def test_a_snapshot_and_the_events_after_it_fold_to_the_whole_log(data: st.DataObject, workflow_id: str) -> None:
    events = data.draw(shuffled_logs(workflow_id))
    covered = data.draw(st.integers(1, len(events)))
    ordered = time_ordered(events)
    until = data.draw(st.none() | st.sampled_from([event.moment + timedelta(seconds=1) for event in events]))
    workflow = get_workflow(workflow_id)
    whole = judged_fold(events[0].initiative, ordered, workflow, until=until)

    resume = resumed(_taken_at(events, covered, workflow_id), ordered, workflow, until)
    note_for_statistics("resumed" if resume else "folded whole")
    assert judged_fold(events[0].initiative, ordered, workflow, until=until, resume=resume) == whole


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=shuffled_logs(BUILTIN))
def test_facts_read_back_from_a_snapshot_equal_the_facts(events: list[Event]) -> None:
    facts = judged_fold(events[0].initiative, time_ordered(events), get_workflow(BUILTIN))
    assert decode(encode(facts)) == facts


def test_the_encoding_knows_every_field_of_the_facts() -> None:
    """A field added to Facts turns snapshots off until it is encoded here (`engine.snapshot`)."""
    assert snapshots.ENABLED, [field.name for field in fields(Facts)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=event_logs(BUILTIN, max_steps=30), covered=st.integers(1, 30))
def test_an_in_order_log_resumes_from_its_snapshot(log: list[Event], covered: int) -> None:
    """The usual case takes the quick path: a log in time order, no correction after the snapshot."""
    covered = min(covered, len(log))
    assert resumed(_taken_at(log, covered, BUILTIN), time_ordered(log), get_workflow(BUILTIN), None) is not None


def test_a_snapshot_of_another_workflow_version_or_format_is_not_used() -> None:
    log = [Event("x", "initiative_created", "2020-01-01", {"name": "X", "workflow": BUILTIN})]
    taken = _taken_at(log, 1, BUILTIN)
    workflow = get_workflow(BUILTIN)
    assert resumed(taken, log, workflow, None) is not None
    assert resumed(taken._replace(workflow_key="another"), log, workflow, None) is None
    assert resumed(taken._replace(body='{"format":0}'), log, workflow, None) is None
    assert resumed(taken._replace(seq=2), log, workflow, None) is None


def test_the_registry_keeps_a_snapshot_with_each_append_and_reads_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "MIN_EVENTS", 2)
    with Registry.open(tmp_path / "coop.db") as registry:
        registry.create("Pilot", workflow=BUILTIN, initiative="pilot", by="Ada", community="technical", at="2020-01-01")
        assert registry.store.snapshot("pilot") is None  # created in one write of two events: none kept yet
        registry.join("pilot", "Bo", community="business", by="Ada", at="2020-01-02")
        kept = registry.store.snapshot("pilot")
        assert kept is not None and kept.seq == registry.store.version("pilot") == 3
        before = dict(snapshots.FOLDS)
        shown = registry.status("pilot")
        assert snapshots.FOLDS["resumed"] == before["resumed"] + 1
        registry.store.drop_derived()
        assert registry.store.snapshot("pilot") is None
        assert registry.status("pilot").to_json() | {"as_of": None} == shown.to_json() | {"as_of": None}
