"""Time in a stage and cycles (issue 17, items 3 and 7): `time_in_stage` and `since_stage`.

End to end through the `coop` command on a real SQLite file, with the shipped example of a
yearly forum cycle; then the kinds on folded facts (a `held` above a time in a stage, a
lapse date, `--as-of`), the checks of a workflow that asks them where they cannot hold, and
properties against the plain reading of a log (`cooperation.testing.stages`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.definition.loading import load_workflow_text
from cooperation.definition.pinned import read_named
from cooperation.engine.evaluation import Evaluator
from cooperation.engine.events import Event, parse_at
from cooperation.engine.facts import Facts, fold, time_ordered
from cooperation.testing import START, entered, event_logs, stage_walks, workflow_state_machine
from cooperation.verify.witness import memory_registry

ROOT = Path(__file__).resolve().parent.parent
FORUM = ROOT / "examples" / "workflows" / "yearly-forum-cycle.yaml"
RUNNER = CliRunner()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def coop(db: Path, *args: str) -> Result:
    result = RUNNER.invoke(app, [*args, "--db", str(db)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def conditions(db: Path, *as_of: str) -> dict[str, dict[str, object]]:
    shown = json.loads(ok(coop(db, "status", "forum", "--json", *as_of)).stdout)
    return {condition["condition"]: condition for condition in shown["conditions"]}


def stage(db: Path, *as_of: str) -> str:
    return str(json.loads(ok(coop(db, "status", "forum", "--json", *as_of)).stdout)["stage"])


def evidence(db: Path, condition: str, at: str) -> None:
    ok(coop(db, "evidence", "forum", condition, f"{condition} of {at}", "--at", at, "--by", "Ada"))


@pytest.fixture
def forum(tmp_path: Path) -> Path:
    """A forum in its first cycle: convened on 2024-01-01, drafting from 2024-01-02, with a question,
    a draft and comments recorded in January."""
    db = tmp_path / "coop.db"
    ok(
        coop(
            db,
            "new",
            "Forum",
            "--id",
            "forum",
            "-w",
            str(FORUM),
            "--at",
            "2024-01-01",
            "--by",
            "Ada",
            "-c",
            "technical",
        )
    )
    evidence(db, "facilitators", "2024-01-01")
    ok(coop(db, "advance", "forum", "--by", "Ada", "--at", "2024-01-02"))
    for condition, day in (("question", "2024-01-03"), ("draft", "2024-01-10"), ("comments", "2024-01-20")):
        evidence(db, condition, day)
    return db


def test_a_time_in_a_stage_is_met_once_the_days_have_passed(forum: Path) -> None:
    early = conditions(forum, "--as-of", "2024-02-01")["drafted-long-enough"]
    assert (early["met"], early["detail"]) == (False, "in 'drafting' since 2024-01-02: 30 of 60 days")
    assert early["progress"] == 0.5
    refused = coop(forum, "advance", "forum", "--by", "Ada", "--at", "2024-02-01")
    assert refused.exit_code == 1 and "drafted-long-enough" in refused.output
    met = conditions(forum, "--as-of", "2024-03-02")["drafted-long-enough"]
    assert (met["met"], met["detail"]) == (True, "in 'drafting' since 2024-01-02: 60 days, at least 60 days")
    ok(coop(forum, "advance", "forum", "--by", "Ada", "--at", "2024-03-02"))
    assert stage(forum) == "published"
    stood = conditions(forum, "--as-of", "2025-03-01")["output-stood-a-year"]  # what the next move needs
    assert (stood["met"], stood["detail"]) == (False, "in 'published' since 2024-03-02: 364 of 365 days")


def test_leaving_and_entering_again_starts_the_time_anew_and_counts_only_the_new_cycle(forum: Path) -> None:
    ok(coop(forum, "advance", "forum", "--by", "Ada", "--at", "2024-03-02"))
    early = coop(forum, "regress", "forum", "--by", "Ada", "--reason", "Next year", "--at", "2025-03-01")
    assert early.exit_code == 1 and "output-stood-a-year" in early.output  # 364 days published: not yet
    ok(coop(forum, "regress", "forum", "--by", "Ada", "--reason", "Next year", "--at", "2025-03-02"))
    assert stage(forum) == "drafting"
    # The same day, the previous cycle's question, draft and comments no longer count.
    shown = conditions(forum, "--as-of", "2025-03-02")
    for fresh in ("cycle-question", "cycle-draft", "cycle-comments"):
        assert shown[fresh]["met"] is False, fresh
        assert str(shown[fresh]["detail"]).startswith("since entering 'drafting' on 2025-03-02: no evidence"), fresh
    assert shown["draft"]["met"] is True  # the evidence itself is still there
    assert shown["drafted-long-enough"]["detail"] == "in 'drafting' since 2025-03-02: 0 of 60 days"
    again = coop(forum, "advance", "forum", "--by", "Ada", "--at", "2025-03-02")
    assert again.exit_code == 1
    for blocking in ("cycle-question", "cycle-draft", "cycle-comments", "drafted-long-enough"):
        assert blocking in again.output, blocking
    # A new cycle: its own question, draft and comments, and two months of drafting.
    for condition, day in (("question", "2025-03-02"), ("draft", "2025-03-20"), ("comments", "2025-04-01")):
        evidence(forum, condition, day)
    assert coop(forum, "advance", "forum", "--by", "Ada", "--at", "2025-04-30").exit_code == 1  # 59 days
    ok(coop(forum, "advance", "forum", "--by", "Ada", "--at", "2025-05-01"))
    assert stage(forum) == "published"
    # Read as of the first cycle, the facts of that cycle still count, as they did then.
    then = conditions(forum, "--as-of", "2024-03-01")
    assert then["cycle-draft"]["met"] is True
    assert then["cycle-draft"]["detail"] == "since entering 'drafting' on 2024-01-02: 1 piece of evidence recorded"


# --- on folded facts ---------------------------------------------------------------------------

CYCLES = """\
id: cycles
version: "1"
title: Stages and cycles
description: For tests of the kinds that read stages.
stages:
  - id: idea
    title: Idea
  - id: working
    title: Working
  - id: accredited
    title: Accredited
conditions:
  - id: report
    kind: evidence
    title: A report
    description: A report.
  - id: working-report
    kind: since_stage
    title: A report of this round of work
    description: A report since working was last entered.
    stage: working
    condition: report
  - id: idea-report
    kind: since_stage
    title: A report since the idea
    description: A report since the idea stage was last entered.
    stage: idea
    condition: report
  - id: idea-a-day
    kind: time_in_stage
    title: A day as an idea
    description: At least a day in idea.
    stage: idea
    days: 1
  - id: working-10
    kind: time_in_stage
    title: Ten days of work
    description: At least ten days in working.
    stage: working
    days: 10
  - id: entered-working-3
    kind: time_in_stage
    title: Working entered three days ago
    description: Working last entered at least three days ago.
    stage: working
    days: 3
    still_in: false
  - id: kept-after-working
    kind: held
    title: Five days past the third day of work
    description: Held over the time since working was entered.
    condition: entered-working-3
    days: 5
  - id: idea-within-a-month
    kind: expiring
    title: A day as an idea, within the last month
    description: The creation counts only for a month.
    condition: idea-a-day
    days: 30
transitions:
  - id: restart
    kind: regress
    title: Restart
    from: [working, accredited]
    to: idea
  - id: rework
    kind: regress
    title: Rework
    from: [accredited]
    to: working
"""
WORKFLOW = load_workflow_text(CYCLES)
DAY = timedelta(days=1)


def _evaluator(events: Sequence[Event], now: datetime) -> Evaluator:
    ordered = time_ordered(events)
    facts = fold("example", ordered, start=WORKFLOW.start, until=now)

    def facts_at(moment: datetime) -> Facts:
        return fold("example", ordered, start=WORKFLOW.start, until=moment)

    return Evaluator(WORKFLOW, facts, now, facts_at)


def _move(kind: str, at: datetime, source: str, target: str) -> Event:
    data = {"from": source, "to": target}
    if kind != "stage_advanced":
        data |= {"reason": "A test move.", "transition": "restart" if target == "idea" else "rework"}
    return Event("example", kind, parse_at(at), data, "Ada")


def _created() -> Event:
    return Event("example", "initiative_created", parse_at(START), {"name": "Example", "workflow": "cycles"})


def test_a_held_time_in_a_stage_counts_from_when_the_days_ran_out() -> None:
    """Without the instant the time in the stage ran out, `held` would count from the last event."""
    events = [_created(), _move("stage_advanced", START + DAY, "idea", "working")]
    events.append(
        Event("example", "evidence_recorded", parse_at(START + 6 * DAY), {"condition": "report", "text": "x"})
    )
    result = _evaluator(events, START + 7 * DAY).result("kept-after-working")  # ran out on day 4
    assert (result.met, result.detail) == (False, "'entered-working-3' held for 3 of 5 days")
    assert _evaluator(events, START + 9 * DAY).result("kept-after-working").met


def test_a_time_in_the_first_stage_inside_a_window_lapses_when_the_creation_leaves_it() -> None:
    evaluator = _evaluator([_created()], START + 10 * DAY)
    assert evaluator.result("idea-within-a-month").met
    assert evaluator.lapses_on("idea-within-a-month") == START + 30 * DAY + timedelta(seconds=1)
    late = _evaluator([_created()], START + 31 * DAY).result("idea-within-a-month")
    assert not late.met and "before the facts counted here" in late.detail


# --- calendar durations ------------------------------------------------------------------------

CALENDAR = load_workflow_text(
    CYCLES.replace(
        "transitions:\n",
        """\
  - id: working-a-month
    kind: time_in_stage
    title: A month of work
    description: At least a calendar month in working.
    stage: working
    duration: P1M
  - id: working-a-year
    kind: time_in_stage
    title: A year of work
    description: At least a calendar year in working.
    stage: working
    duration: P1Y
transitions:
""",
        1,
    )
)


def _in_working_from(entered_at: datetime, now: datetime) -> Evaluator:
    created = Event("example", "initiative_created", parse_at(entered_at - DAY), {"name": "E", "workflow": "cycles"})
    moved = Event("example", "stage_advanced", parse_at(entered_at), {"from": "idea", "to": "working"}, "Ada")
    ordered = time_ordered([created, moved])
    return Evaluator(
        CALENDAR,
        fold("example", ordered, start=CALENDAR.start, until=now),
        now,
        lambda moment: fold("example", ordered, start=CALENDAR.start, until=moment),
    )


@pytest.mark.parametrize("year", [2024, 2025])  # February of 29 days, then of 28
def test_a_month_from_the_31st_of_january_has_run_on_the_1st_of_march(year: int) -> None:
    entered_at = datetime(year, 1, 31, 10, tzinfo=UTC)
    end_of_february = datetime(year, 3, 1, tzinfo=UTC) - timedelta(microseconds=1)
    waiting = _in_working_from(entered_at, end_of_february).result("working-a-month")
    days_in = (end_of_february - entered_at).days
    assert (waiting.met, waiting.detail) == (False, f"in 'working' since {year}-01-31: {days_in} days of 1 month")
    assert 0 < waiting.progress < 1
    ran = _in_working_from(entered_at, datetime(year, 3, 1, tzinfo=UTC)).result("working-a-month")
    assert (ran.met, ran.detail) == (True, f"in 'working' since {year}-01-31: {days_in} days, at least 1 month")


def test_a_month_from_the_middle_of_a_month_runs_to_the_same_day_and_hour() -> None:
    entered_at = datetime(2024, 1, 15, 10, tzinfo=UTC)
    assert not _in_working_from(entered_at, datetime(2024, 2, 15, 9, 59, 59, tzinfo=UTC)).result("working-a-month").met
    assert _in_working_from(entered_at, datetime(2024, 2, 15, 10, tzinfo=UTC)).result("working-a-month").met


def test_a_year_from_a_leap_day_runs_on_the_1st_of_march_and_a_year_to_one_on_the_28th() -> None:
    leap_day = datetime(2024, 2, 29, 10, tzinfo=UTC)
    assert not _in_working_from(leap_day, datetime(2025, 2, 28, 23, 59, tzinfo=UTC)).result("working-a-year").met
    assert _in_working_from(leap_day, datetime(2025, 3, 1, tzinfo=UTC)).result("working-a-year").met
    # Into a leap year: a year from 28 February 2023 has run on the 28th, not the 29th.
    before_leap = datetime(2023, 2, 28, 10, tzinfo=UTC)
    assert not _in_working_from(before_leap, datetime(2024, 2, 28, 9, tzinfo=UTC)).result("working-a-year").met
    assert _in_working_from(before_leap, datetime(2024, 2, 28, 10, tzinfo=UTC)).result("working-a-year").met


@SETTINGS
@given(st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1)), st.integers(0, 800 * 86_400))
def test_a_calendar_time_in_a_stage_agrees_with_the_window_of_its_span(entered_at: datetime, seconds: int) -> None:
    """Met exactly when a window of the span ending now starts at or after the entry (as `held` counts),
    and the instant it turns is the first such moment."""
    entered_at = entered_at.replace(microsecond=0, tzinfo=UTC)
    now = entered_at + timedelta(seconds=seconds)
    for condition_id in ("working-a-month", "working-a-year"):
        span = CALENDAR.compiled_conditions[condition_id].settings.days
        assert _in_working_from(entered_at, now).result(condition_id).met is (span.before(now) >= entered_at)
        turn = span.reaches(entered_at)
        assert span.before(turn) >= entered_at > span.before(turn - timedelta(microseconds=1))


# --- checks --------------------------------------------------------------------------------


def test_an_unknown_stage_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(CYCLES.replace("stage: working\n    days: 10", "stage: workign\n    days: 10"), encoding="utf-8")
    result = RUNNER.invoke(app, ["workflows", "check", str(broken)])
    assert result.exit_code == 2
    assert "conditions[4].stage: unknown stage 'workign'" in result.output and "'working'" in result.output


def test_a_time_in_a_stage_asked_on_the_way_into_it_is_warned_of_and_found_by_verify(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.yaml"
    text = CYCLES.replace(
        "  - id: working\n    title: Working\n", "  - id: working\n    title: Working\n    requires: [working-10]\n"
    )
    wrong.write_text(text, encoding="utf-8")
    checked = RUNNER.invoke(app, ["workflows", "check", str(wrong)])
    assert checked.exit_code == 0
    assert "conditions[4].stage: 'working-10' can never be met where it is asked" in checked.output
    assert "advance idea -> working needs it; it asks that the initiative be in 'working'" in checked.output
    verified = RUNNER.invoke(app, ["verify", str(wrong), "--json", "--walks", "0"])
    findings = json.loads(verified.stdout)["findings"]
    found = {(finding["kind"], finding["subject"]): finding for finding in findings}
    assert ("impossible-condition", "working-10") in found
    assert "still_in: false" in str(found["impossible-condition", "working-10"]["hint"])


def test_the_example_forum_is_clean_under_verify() -> None:
    verified = RUNNER.invoke(app, ["verify", str(FORUM), "--json"])
    report = json.loads(verified.stdout)
    assert report["clean"] is True and verified.exit_code == 0
    assert report["explored"]["reachable_stages"] == ["convened", "drafting", "published"]


# --- properties against the plain reading of a log -----------------------------------------------

_reports = st.lists(st.integers(0, 400 * 86_400), max_size=4)


def _with_reports(walk: list[Event], seconds: list[int]) -> list[Event]:
    reports = [
        Event(
            "example", "evidence_recorded", parse_at(START + timedelta(seconds=s)), {"condition": "report", "text": "r"}
        )
        for s in seconds
    ]
    return time_ordered([*walk, *reports])


@SETTINGS
@given(stage_walks(WORKFLOW, max_moves=5), st.integers(0, 500 * 86_400))
def test_a_time_in_a_stage_is_met_when_the_plain_reading_says(walk: list[Event], seconds: int) -> None:
    now = START + timedelta(seconds=seconds)
    evaluator = _evaluator(walk, now)
    here = fold("example", walk, start=WORKFLOW.start, until=now).stage
    for condition_id in ("idea-a-day", "working-10", "entered-working-3"):
        settings_ = WORKFLOW.compiled_conditions[condition_id].settings
        last = entered(WORKFLOW, walk, settings_.stage, now)
        expected = (
            last is not None
            and settings_.days.before(now) >= last
            and (not settings_.still_in or here == settings_.stage)
        )
        assert evaluator.result(condition_id).met is expected, condition_id


@SETTINGS
@given(stage_walks(WORKFLOW, max_moves=5), _reports, st.integers(0, 500 * 86_400))
def test_since_a_stage_counts_the_facts_from_its_last_entry(walk: list[Event], seconds: list[int], now_s: int) -> None:
    now = START + timedelta(seconds=now_s)
    events = _with_reports(walk, seconds)
    evaluator = _evaluator(events, now)
    for condition_id, stage_id in (("working-report", "working"), ("idea-report", "idea")):
        last = entered(WORKFLOW, walk, stage_id, now)
        fresh = [s for s in seconds if last is not None and last <= START + timedelta(seconds=s) <= now]
        assert evaluator.result(condition_id).met is bool(fresh), condition_id
    if entered(WORKFLOW, walk, "idea", now) == START:  # never back to the first stage: the same as the report
        assert evaluator.result("idea-report").met is evaluator.result("report").met
        assert evaluator.result("idea-report").progress == evaluator.result("report").progress


@SETTINGS
@given(stage_walks(WORKFLOW, max_moves=5), st.integers(0, 500 * 86_400))
def test_a_held_time_since_entering_counts_from_when_its_days_ran_out(walk: list[Event], seconds: int) -> None:
    now = START + timedelta(seconds=seconds)
    result = _evaluator(walk, now).result("kept-after-working")
    last = entered(WORKFLOW, walk, "working", now)
    assert result.met is (last is not None and now - last >= 8 * DAY)
    if last is not None and 3 * DAY <= now - last < 8 * DAY:
        held = (now - (last + 3 * DAY)).days
        assert result.detail == f"'entered-working-3' held for {held} of 5 days"


def test_a_walk_of_stages_reads_back_in_the_order_it_was_made() -> None:
    """The strategy's own plain reading is right on a hand-made log (its properties lean on it)."""
    events = [
        _created(),
        _move("stage_advanced", START + DAY, "idea", "working"),
        _move("stage_regressed", START + 2 * DAY, "working", "idea"),
        _move("stage_advanced", START + 3 * DAY, "idea", "working"),
    ]
    assert entered(WORKFLOW, events, "idea", START + 10 * DAY) == START + 2 * DAY
    assert entered(WORKFLOW, events, "working", START + 10 * DAY) == START + 3 * DAY
    assert entered(WORKFLOW, events, "working", START + 2 * DAY) == START + DAY
    assert entered(WORKFLOW, events, "accredited", START + 10 * DAY) is None
    assert datetime(2020, 1, 6, 9, tzinfo=UTC) == START


def test_the_rule_based_machine_keeps_its_invariants_on_the_yearly_forum() -> None:
    """The machine's invariants (a move the guards allow succeeds, a refused one names exactly the
    unmet prerequisites, ...) hold with conditions that read the stage and the time spent in it."""
    machine = workflow_state_machine(str(FORUM))
    run_state_machine_as_test(
        machine, settings=settings(SETTINGS, max_examples=10, stateful_step_count=30, phases=[Phase.generate])
    )


@SETTINGS
@given(event_logs(str(FORUM), max_steps=40))
def test_every_generated_forum_log_imports_and_keeps_its_stage(events: list[Event]) -> None:
    """Logs the strategies make for a workflow with both kinds import as they are, and read back where they ended."""
    registry = memory_registry(lambda: events[-1].moment)
    with registry:
        registry.workflows.keep(read_named(str(FORUM)))  # a log names its workflow's version: the registry holds it
        registry.import_lines([event.to_line() for event in events], source="test")
        assert (
            registry.status(events[0].initiative).stage
            == fold(events[0].initiative, time_ordered(events), start="convened").stage
        )


def test_a_time_in_a_stage_longer_than_the_window_around_it_is_impossible(tmp_path: Path) -> None:
    longer = tmp_path / "longer.yaml"
    extra = """\
  - id: idea-40
    kind: time_in_stage
    title: Forty days as an idea
    description: At least forty days in idea.
    stage: idea
    days: 40
  - id: idea-40-within-30
    kind: expiring
    title: Forty days as an idea, within thirty
    description: Cannot be, as the creation leaves the window first.
    condition: idea-40
    days: 30
transitions:
"""
    longer.write_text(CYCLES.replace("transitions:\n", extra, 1), encoding="utf-8")
    verified = RUNNER.invoke(app, ["verify", str(longer), "--json", "--walks", "0"])
    found = {(f["kind"], f["subject"]): f for f in json.loads(verified.stdout)["findings"]}
    impossible = found["impossible-condition", "idea-40-within-30"]
    assert "needs 40 days of facts" in str(impossible["message"]) and "last 30 days" in str(impossible["message"])
    assert ("impossible-condition", "idea-40") not in found  # alone it can be met
    checked = RUNNER.invoke(app, ["workflows", "check", str(longer)])
    assert checked.exit_code == 0  # a warning: the file is well formed
    assert "'idea-40-within-30' can never be met: 'idea-40' asks for 40 days since entering 'idea'" in checked.output
    assert "make the window of 'idea-40-within-30' longer than 40 days" in checked.output


def test_a_stage_kept_by_a_lapsing_window_shorter_than_the_time_asked_in_it_is_found(tmp_path: Path) -> None:
    """Eight months accredited, watched by an on_lapse window of six over that entry: never both."""
    kept = tmp_path / "kept.yaml"
    extra = """\
  - id: accredited-8m
    kind: time_in_stage
    title: Eight months accredited
    description: At least eight calendar months accredited.
    stage: accredited
    duration: P8M
  - id: accreditation-fresh
    kind: expiring
    title: Accredited within six months
    description: The accreditation counts for six months.
    condition: accredited-8m
    duration: P6M
transitions:
  - id: lapse-accreditation
    kind: regress
    title: The accreditation lapses
    from: [accredited]
    to: working
    on_lapse: accreditation-fresh
"""
    kept.write_text(CYCLES.replace("transitions:\n", extra, 1), encoding="utf-8")
    checked = RUNNER.invoke(app, ["workflows", "check", str(kept)])
    assert checked.exit_code == 0, checked.output
    assert "'accreditation-fresh' can never be met: 'accredited-8m' asks for 8 months" in checked.output
    assert "keeps only the facts of the last 6 months" in checked.output
    verified = RUNNER.invoke(app, ["verify", str(kept), "--json", "--walks", "0"])
    found = {(f["kind"], f["subject"]): f for f in json.loads(verified.stdout)["findings"]}
    assert ("impossible-condition", "accreditation-fresh") in found
    # A window longer than the time asked keeps the move in long enough: nothing is said.
    fitting = tmp_path / "fitting.yaml"
    fitting.write_text(kept.read_text(encoding="utf-8").replace("duration: P6M", "duration: P9M"), encoding="utf-8")
    assert "can never be met" not in RUNNER.invoke(app, ["workflows", "check", str(fitting)]).output


def test_a_cycle_with_nothing_recorded_yet_says_since_when_it_counts(tmp_path: Path) -> None:
    """With nothing recorded for the condition inside, a since_stage is still read on the stage: a status
    must not give it the result of an initiative that never entered the stage (the evaluator's shortcut)."""
    db = tmp_path / "coop.db"
    ok(
        coop(
            db, "new", "Forum", "--id", "forum", "-w", str(FORUM), "--at", "2024-01-01", "--by", "Ada", "-c", "business"
        )
    )
    evidence(db, "facilitators", "2024-01-01")
    ok(coop(db, "advance", "forum", "--by", "Ada", "--at", "2024-01-02"))
    shown = conditions(db, "--as-of", "2024-01-05")["cycle-draft"]
    assert shown["detail"] == "since entering 'drafting' on 2024-01-02: no evidence recorded yet"
    everyone = json.loads(ok(coop(db, "status", "--json", "--as-of", "2024-01-05")).stdout)
    listed = everyone[0] if isinstance(everyone, list) else everyone["initiatives"][0]
    details = {c["condition"]: c["detail"] for c in listed["conditions"]}
    assert details["cycle-draft"] == shown["detail"]
