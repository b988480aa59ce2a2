"""Confidentiality outside reports, through the real `coop` process: the `--tlp` label of meetings,
outputs, hand-offs, breaches and waivers; `--audience` and `--anonymise` on status, history and
export; and text output that control and bidi characters cannot take over (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reliability_helpers import run_cli

from cooperation.registry import Registry

TINY = """\
id: tiny-hand-off
version: "1"
title: Tiny hand-off
description: One stage and a hand-off, for tests of labels.
stages:
  - id: idea
    title: Idea
  - id: handed-off
    title: Handed off
    ladder: false
    terminal: true
conditions:
  - id: why
    kind: evidence
    strength: waivable
    title: Why
    description: Why it matters.
transitions:
  - id: hand-off
    kind: hand_off
    title: Hand off
    from: [idea]
    to: handed-off
    requires: [why]
    body_kinds: [standardisation]
"""
SECRET = "Secret rationale: the minister asked us to keep the press out of this"
PUBLIC = "Public rationale: nothing is shared in this initiative, so nothing needs hiding"


def coop(db: Path, *args: str) -> tuple[int, str, str]:
    """Run the real `coop ARGS --db DB`; its exit code, standard output and standard error (never a traceback)."""
    result = run_cli(*args, "--db", str(db))
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    """Two initiatives whose facts carry each label: `pub` (facts labelled CLEAR, handed off) and `quiet` (defaults)."""
    workflow = tmp_path / "tiny.yaml"
    workflow.write_text(TINY, encoding="utf-8")
    db = tmp_path / "coop.db"
    with Registry.open(db):
        pass
    for initiative, label in (("pub", ["--tlp", "TLP:CLEAR"]), ("quiet", [])):
        steps = [
            ("new", initiative.title(), "--id", initiative, "-w", str(workflow), "--at", "2020-01-01", *ADA),
            ("join", initiative, "Ada Lovelace", "-c", "technical", "-r", "owner", "--at", "2020-01-01", *ADA),
            (
                "meet",
                initiative,
                "Ada Lovelace",
                "--venue",
                f"Hall of {initiative}",
                *label,
                "--at",
                "2020-01-02",
                *ADA,
            ),
            ("publish", initiative, f"Paper of {initiative}", *label, "--at", "2020-01-02", *ADA),
            ("breach", initiative, f"Leak at {initiative}", *label, "--at", "2020-01-02", *ADA),
            ("waive", initiative, "why", "--rationale", PUBLIC if label else SECRET, "--by", "Ada Lovelace", *label),
            ("handoff", initiative, "--by", "Ada Lovelace", "--body", f"Body of {initiative}", "--body-kind"),
        ]
        for number, step in enumerate(steps):
            extra = ("standardisation", *label) if step[0] == "handoff" else ()
            dated = () if "--at" in step else ("--at", f"2020-01-0{number}")
            code, _, error = coop(db, *step, *extra, *dated)
            assert code == 0, (step, error)
    return db


def test_facts_labelled_clear_appear_in_a_clear_report_and_unlabelled_ones_do_not(labelled: Path) -> None:
    code, report, _ = coop(labelled, "report", "--audience", "TLP:CLEAR")
    assert code == 0
    for shown in ("Hall of pub", "Paper of pub", "Leak at pub", PUBLIC, "Handed off to Body of pub"):
        assert shown in report, shown
    for hidden in ("Hall of quiet", "Paper of quiet", "Leak at quiet", SECRET, "Body of quiet"):
        assert hidden not in report, hidden
    assert "Handed off to *withheld*" in report  # quiet's hand-off kept its default label, TLP:AMBER
    code, amber, _ = coop(labelled, "report", "--audience", "TLP:AMBER")
    assert code == 0 and "Body of quiet" in amber and SECRET in amber


def test_the_label_is_stored_only_when_given_and_a_wrong_one_is_refused(labelled: Path) -> None:
    _, lines, _ = coop(labelled, "export")
    events = [json.loads(line) for line in lines.splitlines()[1:] if not line.startswith('{"coop_workflow":')]
    labels = {(event["initiative"], event["kind"]): event["data"].get("tlp") for event in events}
    assert labels["pub", "meeting_held"] == labels["pub", "handed_off"] == "TLP:CLEAR"
    assert labels["quiet", "meeting_held"] is None and labels["quiet", "trust_breached"] is None
    before = labelled.read_bytes()
    code, _, error = coop(labelled, "meet", "pub", "Ada Lovelace", "--tlp", "WHITE", "--by", "Ada")
    assert code == 2 and "--tlp" in error and labelled.read_bytes() == before


def test_status_shows_an_owner_everything_and_an_audience_only_its_share(labelled: Path) -> None:
    # Before the hand-off: once at a terminal stage, a status lists no condition (nothing moves on).
    before_hand_off = ("--as-of", "2020-01-05")
    _, owner, _ = coop(labelled, "status", "quiet", "--json", *before_hand_off)
    assert SECRET in owner
    for audience in ("TLP:CLEAR", "green", "TLP:AMBER"):
        code, shown, _ = coop(labelled, "status", "quiet", "--json", "--audience", audience, *before_hand_off)
        assert code == 0 and (SECRET in shown) == (audience == "TLP:AMBER"), audience
        assert json.loads(shown)["stage"] == "idea"
    code, text, _ = coop(labelled, "status", "--all", "--audience", "TLP:CLEAR")
    assert code == 0 and "handed off to Body of pub" in text and "Body of quiet" not in text
    code, _, error = coop(labelled, "status", "--audience", "TLP:WHITE")
    assert code == 2 and "TLP 2.0 label" in error


def test_anonymised_status_history_and_export_show_no_name(labelled: Path) -> None:
    for args in (("status", "--all"), ("status", "--all", "--json"), ("history", "pub"), ("history", "pub", "--json")):
        code, output, _ = coop(labelled, *args, "--anonymise")
        assert code == 0 and output.strip(), args
        assert "Ada" not in output and "Lovelace" not in output, (args, output)
    code, exported, _ = coop(labelled, "export", "--anonymise")
    assert code == 0 and "Ada" not in exported and "Lovelace" not in exported


def test_history_for_an_audience_names_what_it_withholds(labelled: Path) -> None:
    _, owner, _ = coop(labelled, "history", "quiet")
    assert SECRET in owner and "Leak at quiet" in owner
    code, clear, _ = coop(labelled, "history", "quiet", "--audience", "TLP:CLEAR")
    assert code == 0 and SECRET not in clear and "Leak at quiet" not in clear
    assert "rationale=*withheld*" in clear and "description=*withheld*" in clear
    _, as_json, _ = coop(labelled, "history", "quiet", "--audience", "TLP:CLEAR", "--json")
    breach = next(event for event in json.loads(as_json) if event["kind"] == "trust_breached")
    assert breach["withheld"] == ["description"] and "description" not in breach["data"]


def test_a_filtered_export_says_so_first_and_import_refuses_it(labelled: Path, tmp_path: Path) -> None:
    code, exported, _ = coop(labelled, "export", "--audience", "TLP:CLEAR")
    assert code == 0
    header, *events = [json.loads(line) for line in exported.splitlines()]
    assert header["coop_filtered_export"] == 1 and header["audience"] == "TLP:CLEAR"
    assert "not a backup" in header["note"]
    assert SECRET not in exported and "Leak at quiet" not in exported and len(events) == 14
    target = tmp_path / "other.db"
    source = tmp_path / "filtered.jsonl"
    source.write_text(exported, encoding="utf-8")
    code, _, error = coop(target, "import", str(source))
    assert code == 2 and "filtered export" in error and "not a backup" in error
    assert not target.exists()
    _, full, _ = coop(labelled, "export")
    assert not full.startswith('{"coop_filtered_export"')  # a plain export stays a backup


# --- text output that a terminal cannot act on ------------------------------------------------------------

ADA = ("--by", "Ada Lovelace")
HOSTILE = "ok \u202eevil\u202c \u009b2J \u2066isolated\u2069 \u200fmark end"


def test_control_and_bidi_characters_are_escaped_in_text_and_intact_in_json(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    assert coop(db, "new", "Name \u202eeman", "--id", "i", "--at", "2020-01-01", "--by", "Ada\u009b")[0] == 0
    assert (
        coop(db, "join", "i", "Ada\u009b", "-c", "technical", "-r", "owner", "--at", "2020-01-01", "--by", "Ada\u009b")[
            0
        ]
        == 0
    )
    assert (
        coop(db, "evidence", "i", "challenge", HOSTILE + "\nsecond line", "--at", "2020-01-02", "--by", "Ada\u009b")[0]
        == 0
    )
    for args in (("history", "i"), ("status", "i"), ("status", "--all"), ("history", "i", "--audience", "RED")):
        code, text, _ = coop(db, *args)
        assert code == 0, args
        for raw in ("\u202e", "\u009b", "\u2066", "\u200f"):
            assert raw not in text, (args, raw)
    _, history, _ = coop(db, "history", "i")
    assert "\\u202eevil" in history and "\\u009b2J" in history
    assert "\\nsecond line" in history and len(history.splitlines()) == 3  # one line per event: none forged
    _, as_json, _ = coop(db, "history", "i", "--json")
    assert json.loads(as_json)[2]["data"]["text"] == HOSTILE + "\nsecond line"
    code, _, error = coop(db, "status", "nope\u202e")
    assert code == 2 and "\u202e" not in error and "\\u202e" in error
    for args in (
        ("meet", "i", "Ada", "--tlp", "A\u202eB", "--by", "Ada"),
        ("status", "--bo\u202egus"),
    ):  # echoed by the parser
        code, _, error = coop(db, *args)
        assert code == 2 and "\u202e" not in error and "\\u202e" in error, (args, error)
