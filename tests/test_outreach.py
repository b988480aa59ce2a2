"""Outreach: recorded from the command line, counted per absent community, and shown in reports;
and the replay of proposals merged into a solution track that reaches its output."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.registry import Registry
from cooperation.reports.build import build_report
from cooperation.reports.formats import render
from cooperation.reports.outreach import outreach_mark

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FORUM = "fictional-phishing-bpf"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(tmp_path / "coop.db") as opened:
        yield opened


@pytest.fixture
def forum(registry: Registry) -> Registry:
    with (EXAMPLES / f"{FORUM}.jsonl").open(encoding="utf-8") as lines:
        registry.import_lines(lines)
    return registry


def test_coop_outreach_records_an_approach_and_it_counts(forum: Registry) -> None:
    db = forum.store.url
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            *("outreach", FORUM, "government", "--venue", "A regulators' meeting", "--result", "Two will join"),
            *("--tlp", "green", "--by", "Bo", "--at", "2023-06-05", "--db", db),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"{FORUM}: recorded outreach_done to government (2023-06-05)" in result.stdout
    event = forum.history(FORUM)[-1]
    assert (event.kind, event.by) == ("outreach_done", "Bo")
    assert event.data == {
        "community": "government",
        "venue": "A regulators' meeting",
        "result": "Two will join",
        "tlp": "TLP:GREEN",
    }
    status = forum.status(FORUM, as_of="2023-06-05")
    reached = next(item for item in status.conditions if item.condition == "absent-communities-reached")
    assert reached.met and reached.detail == "every absent community reached out to (government, academia)"
    assert forum.advance(FORUM, by="Ada", at="2023-06-05").stage == "critical-mass"


def test_coop_outreach_refuses_an_unknown_community_and_writes_nothing(forum: Registry) -> None:
    before = forum.store.version(FORUM)
    result = CliRunner().invoke(app, ["outreach", FORUM, "press", "--db", forum.store.url])
    assert result.exit_code == 2 and "press" in result.output
    assert forum.store.version(FORUM) == before


def test_reports_list_the_absent_communities_and_the_outreach_to_each(forum: Registry) -> None:
    report = build_report(forum, as_of="2023-06-05")
    (item,) = report.initiatives
    absent = dict(item.absent_outreach())
    assert list(absent) == ["government", "academia", "media", "intergovernmental"]
    assert absent["government"] == [] and [line.at for line in absent["academia"]] == ["2023-05-02", "2023-05-20"]
    assert [outreach_mark(item, c) for c in report.communities] == ["–", "✓", "✓", "✓", "2", "–", "–"]
    markdown = render(report, "md")
    assert "| government | none yet |" in markdown
    assert "| academia | 2023-05-20 | Ada | A security research workshop (fictional) |" in markdown
    assert f"| `{FORUM}` | – | ✓ | ✓ | ✓ | 2 | – | – |" in markdown
    html = render(report, "html")
    assert "<h3>Outreach to absent communities</h3>" in html and "A security research workshop (fictional)" in html
    data = json.loads(render(report, "json"))
    assert [line["community"] for line in data["initiatives"][0]["outreach"]] == ["academia", "academia"]


def test_outreach_text_is_withheld_from_an_audience_its_label_does_not_allow(forum: Registry) -> None:
    forum.reach_out(FORUM, "government", venue="Closed meeting of regulators", result="Quiet interest", by="Bo")
    (item,) = build_report(forum, audience="TLP:CLEAR").initiatives
    approach = item.outreach[-1]
    assert (approach.venue, approach.result, approach.withheld) == (None, None, ["venue", "result"])
    assert "Closed meeting" not in render(build_report(forum, audience="TLP:CLEAR"), "md")


# --- the replay: proposals merged into a solution track ------------------------------------------


def _replay_module() -> ModuleType:
    path = EXAMPLES / "proposals" / "replay.py"
    spec = importlib.util.spec_from_file_location("proposals_replay", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_replay_merges_look_alike_proposals_into_a_track_that_reaches_its_output(registry: Registry) -> None:
    said: list[str] = []
    track = _replay_module().replay(registry, said.append)
    final = registry.status(track)
    assert (final.workflow, final.stage, final.terminal) == ("solution-track", "concluded", True)
    assert said[0].startswith("look-alikes: F-101, F-117, F-123")
    merged = registry.proposals().proposals(merged=True)
    assert [item.id for item in merged] == ["F-101", "F-117", "F-123"] and {i.merged_into for i in merged} == {track}
    kinds = [event.kind for event in registry.history(track)]
    assert kinds.count("evidence_recorded") >= 3 + 4 and "output_published" in kinds
    assert kinds.count("stage_advanced") == 3
    # The generic-word proposals (F-130, F-155) were not taken for look-alikes.
    assert all("F-130" not in group.proposals for group in registry.proposals().similar(include_merged=True))
