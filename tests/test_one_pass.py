"""`held` in one forward pass over the log gives what refolding the log for each moment gave.

The reference is the `held` of before, kept here verbatim: it walks the window's change
instants backwards and folds the whole log again for each (`Evaluator.past`). The one-pass
version folds the log once (`cooperation.engine.history.History.each`). Both are run on the
same facts at the same moment, over nested conditions (held over expiring over all/any, a
held inside an expiring, a held of a held), with waivers, withdrawals, departures and breaches.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.definition.loading import load_workflow_text
from cooperation.engine import evaluation
from cooperation.engine.conditions.base import ratio
from cooperation.engine.evaluation import Evaluator
from cooperation.engine.events import Event
from cooperation.engine.facts import Facts, apply, fold, time_ordered
from cooperation.engine.history import BOOKKEEPING, WRITES, History

NESTED = """
id: nested-windows
version: "1"
title: Windows inside windows
description: Held and expiring conditions nested in each other and in combinations.
stages:
  - {id: start, title: Start}
  - {id: kept, title: Kept, requires: [kept-up, lasting, sustained, fresh-held, held-held, reached-held, scored-held]}
conditions:
  - {id: notes, kind: evidence, title: Notes, description: Notes., min_items: 2}
  - {id: trust, kind: attestation, title: Trust, description: Trust., min_participants: 2, min_communities: 1}
  - {id: group, kind: participation, title: Group, description: Group., min_participants: 2, min_communities: 2}
  - {id: talks, kind: meetings, title: Talks, description: Talks., min_meetings: 2, min_span_days: 3}
  - {id: both, kind: all, title: Both, description: Both., of: [notes, trust]}
  - {id: either, kind: any, title: Either, description: Either., of: [both, talks]}
  - {id: recent, kind: expiring, condition: either, days: 5, title: Recent, description: Recent., strength: waivable}
  - {id: backed, kind: evidence, title: Backed, description: Backed., requires: [group], strength: waivable}
  - {id: kept-up, kind: held, condition: recent, days: 4, title: Kept up, description: Kept up.}
  - {id: lasting, kind: held, condition: group, days: 3, title: Lasting, description: Lasting.}
  - {id: sustained, kind: held, condition: backed, days: 2, title: Sustained, description: Sustained.}
  - {id: fresh-held, kind: expiring, condition: lasting, days: 6, title: Fresh, description: Fresh.}
  - {id: held-held, kind: held, condition: kept-up, days: 2, title: Held twice, description: Held twice.}
  - {id: reached, kind: outreach, title: Reached, description: Reached., communities: [business, academia]}
  - {id: scored, kind: score, parameter: level, at_least: 2, title: Scored, description: Scored.}
  - {id: reached-held, kind: held, condition: reached, days: 2, title: Reach kept, description: Reach kept.}
  - {id: scored-held, kind: held, condition: scored, days: 3, title: Score kept, description: Score kept.}
parameters:
  - {id: level, title: Level, description: A level., scale: {min: 0, max: 4}}
"""
WORKFLOW = load_workflow_text(NESTED)
INITIATIVE = "pilot"
START = datetime(2024, 1, 1, tzinfo=UTC)
PEOPLE = {"Ada": "government", "Ben": "business", "Cy": "technical"}
CONDITIONS = sorted(WORKFLOW.compiled_conditions)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference_held(evaluator: Any, condition: Any, since: datetime | None) -> tuple[bool, str, float]:
    """`held` as it was: for each change instant, backwards, the log folded again up to it."""
    inner, days = condition.settings
    if not evaluator.member(inner, since)[0]:
        return (False, f"'{inner}' is not met", 0.0)
    facts, now = evaluator.facts, evaluator.now
    window_start = days.before(now)
    if not evaluator.knows_history() or facts.created is None:
        return (False, f"'{inner}' is met, but its history is not known here", 0.0)
    changes = set(facts.moments)
    for window in evaluator.windows_under(inner):
        changes |= {window.leaves(m) for m in facts.moments}
    changes |= evaluator.turns_under(inner)
    moments = [window_start, *sorted({m for m in changes if window_start < m <= now})]
    met_since = window_start
    for moment in reversed(moments):
        if not evaluator.past(moment).member(inner, since)[0]:
            later = [m for m in moments if m > moment]
            met_since = later[0] if later else now
            break
    held_days = (now - met_since).days
    if met_since == window_start and window_start >= facts.created:
        return (True, f"'{inner}' held for at least {days.text}", 1.0)
    return (False, f"'{inner}' held for {days.part(held_days)}", ratio(held_days, (now - window_start).days))


@contextmanager
def _held_as_it_was() -> Iterator[None]:
    one_pass = evaluation._EVALUATE["held"]
    evaluation._EVALUATE["held"] = (_reference_held, one_pass[1])
    try:
        yield
    finally:
        evaluation._EVALUATE["held"] = one_pass


# --- logs: random facts at random seconds over three weeks ------------------------------------

_when = st.integers(0, 21 * 86_400)
_person = st.sampled_from(sorted(PEOPLE))
_fact = st.one_of(
    st.tuples(
        _when,
        st.just("evidence_recorded"),
        st.builds(lambda c: {"condition": c, "text": "N"}, st.sampled_from(["notes", "backed"])),
        st.none(),
    ),
    st.tuples(_when, st.just("attestation_given"), st.just({"condition": "trust"}), _person),
    st.tuples(
        _when,
        st.just("meeting_held"),
        st.builds(lambda n: {"attendees": ["Ada"], "neutral": n}, st.booleans()),
        st.none(),
    ),
    st.tuples(_when, st.just("participant_left"), st.builds(lambda name: {"name": name}, _person), st.none()),
    st.tuples(
        _when,
        st.just("score_set"),
        st.builds(lambda level: {"parameter": "level", "level": level}, st.integers(0, 4)),
        st.none(),
    ),
    st.tuples(
        _when,
        st.just("outreach_done"),
        st.builds(lambda c: {"community": c}, st.sampled_from(["business", "academia"])),
        _person,
    ),
    st.tuples(_when, st.just("trust_breached"), st.just({"description": "Leaked"}), st.none()),
    st.tuples(
        _when,
        st.just("condition_waived"),
        st.builds(lambda c: {"condition": c, "rationale": "Agreed."}, st.sampled_from(["backed", "recent"])),
        _person,
    ),
    st.tuples(_when, st.just("withdraw"), st.integers(0, 40), st.none()),
)


def _log(people: list[tuple[str, int]], facts: list[tuple[int, str, Any, str | None]]) -> list[Event]:
    """The events in log order, seq from 1; a withdrawal names an earlier event by its place."""
    events = [Event(INITIATIVE, "initiative_created", START.isoformat(), {"name": "Pilot", "workflow": WORKFLOW.id})]
    for name, second in people:
        data = {"name": name, "community": PEOPLE[name], "role": "member"}
        events.append(Event(INITIATIVE, "participant_joined", _at(second), data, None))
    for second, kind, data, by in facts:
        if kind == "withdraw":
            place = data % len(events)
            withdrawal = {"seq": place + 1, "reason": f"wrong {events[place].kind}"}
            events.append(Event(INITIATIVE, "fact_withdrawn", _at(second), withdrawal, by))
        else:
            events.append(Event(INITIATIVE, kind, _at(second), data, by))
    return [Event(e.initiative, e.kind, e.at, e.data, e.by, seq) for seq, e in enumerate(events, start=1)]


def _at(second: int) -> str:
    moment = START + timedelta(seconds=second)
    return moment.date().isoformat() if second % 3 == 0 else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_people = st.lists(st.tuples(_person, st.integers(0, 5 * 86_400)), max_size=4, unique_by=lambda joined: joined[0])
_logs = st.tuples(_people, st.lists(_fact, max_size=30)).map(lambda drawn: time_ordered(_log(*drawn)))
_now = st.integers(0, 30 * 86_400).map(lambda second: START + timedelta(seconds=second))


def _evaluators(events: list[Event], now: datetime) -> tuple[Evaluator, Evaluator]:
    """Both ways at `now`: the one-pass History, and a plain fold per moment (as before)."""
    facts = fold(INITIATIVE, events, start=WORKFLOW.start, until=now)

    def refold(moment: datetime) -> Facts:
        return fold(INITIATIVE, events, start=WORKFLOW.start, until=moment)

    one_pass = Evaluator(WORKFLOW, facts, now, History(INITIATIVE, events, start=WORKFLOW.start))
    return one_pass, Evaluator(WORKFLOW, facts, now, refold)


@SETTINGS
@given(_logs, _now)
def test_held_in_one_pass_gives_what_refolding_for_each_moment_gave(events: list[Event], now: datetime) -> None:
    one_pass, reference = _evaluators(events, now)
    with _held_as_it_was():
        expected = reference.all_results()
        expected_lapses = [reference.lapses_on(condition) for condition in CONDITIONS]
    assert one_pass.all_results() == expected
    assert [one_pass.lapses_on(condition) for condition in CONDITIONS] == expected_lapses


@SETTINGS
@given(_logs, st.lists(_now, max_size=12).map(sorted))
def test_the_history_folded_once_gives_each_moment_what_a_fold_up_to_it_gives(
    events: list[Event], moments: list[datetime]
) -> None:
    history = History(INITIATIVE, events, start=WORKFLOW.start)
    previous: Facts | None = None
    for moment, (facts, changed) in zip(moments, history.each(moments), strict=True):
        assert facts == fold(INITIATIVE, events, start=WORKFLOW.start, until=moment)
        if not changed:
            assert facts == previous
        previous = copy.deepcopy(facts)


@SETTINGS
@given(_logs, st.lists(_now, max_size=12).map(sorted), st.sets(st.sampled_from(sorted(WRITES))))
def test_events_left_out_change_only_what_they_write(
    events: list[Event], moments: list[datetime], ignoring: set[str]
) -> None:
    history = History(INITIATIVE, events, start=WORKFLOW.start)
    written = BOOKKEEPING.union(*(WRITES[kind] for kind in ignoring))
    kept = [item.name for item in fields(Facts) if item.name not in written]
    for moment, (facts, _) in zip(moments, history.each(moments, frozenset(ignoring)), strict=True):
        full = fold(INITIATIVE, events, start=WORKFLOW.start, until=moment)
        assert [getattr(facts, name) for name in kept] == [getattr(full, name) for name in kept]


@SETTINGS
@given(_logs)
def test_each_event_writes_only_what_the_table_says(events: list[Event]) -> None:
    facts = Facts(INITIATIVE, stage=WORKFLOW.start)
    for event in events:
        before = copy.deepcopy(facts)
        apply(facts, event, event.moment)
        changed = {item.name for item in fields(Facts) if getattr(facts, item.name) != getattr(before, item.name)}
        assert changed <= BOOKKEEPING | WRITES.get(event.kind, frozenset(item.name for item in fields(Facts)))


@SETTINGS
@given(_logs, _now, st.integers(0, 10 * 86_400))
def test_leaving_out_the_events_a_condition_is_quiet_to_changes_nothing_it_gives(
    events: list[Event], now: datetime, back: int
) -> None:
    """Each kind's `reads` is all it reads: what `held` skips cannot change what it would see."""
    history = History(INITIATIVE, events, start=WORKFLOW.start)
    whole = Evaluator(WORKFLOW, history(now), now, history)
    since = now - timedelta(seconds=back)
    for condition in CONDITIONS:
        quiet = whole.quiet_under(condition)
        lean = Evaluator(WORKFLOW, next(history.each([now], quiet))[0], now, history)
        assert lean.result(condition) == whole.result(condition), condition
        assert lean.member(condition, since) == whole.member(condition, since), condition
