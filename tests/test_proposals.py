"""Workshop proposals: read from files, kept by both stores, imported and merged into a solution track.

The look-alike groups and their precision and recall are in tests/test_proposals_similarity.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.engine.events import Event
from cooperation.engine.payloads import ParticipantJoinedData, payload
from cooperation.errors import EventError, ProposalError
from cooperation.proposals.records import Proposal, read_proposals
from cooperation.registry import Registry
from cooperation.stores.proposals import ProposalStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "proposals"
IGF = EXAMPLES / "igf-workshops-2019.jsonl"


def _sqlite(tmp_path: Path) -> Any:
    from cooperation.stores.sqlite import SqliteStore

    return SqliteStore(tmp_path / "coop.db")


def _postgresql(tmp_path: Path) -> Any:
    from postgres_server import registry_url  # a schema of its own in the session's test server

    from cooperation.stores.postgres import PostgresStore

    return PostgresStore(registry_url(tmp_path))


@pytest.fixture(params=[pytest.param(_sqlite, id="sqlite"), pytest.param(_postgresql, id="postgresql")])
def any_registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    with Registry(request.param(tmp_path)) as registry:
        yield registry


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(tmp_path / "coop.db") as opened:
        yield opened


def _joins(events: list[Event]) -> list[ParticipantJoinedData]:
    return [payload(event, "participant_joined") for event in events if event.kind == "participant_joined"]


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


PLACED = [
    {
        "id": "P-1",
        "title": "Default passwords in home routers",
        "organisers": ["Router Makers", "Consumer League"],
        "communities": ["business", "civil-society"],
        "source": "https://example.org/p1",
    },
    {
        "id": "P-2",
        "title": "Ending default router passwords",
        "organisers": ["A CERT"],
        "communities": ["technical"],
        "source": "https://example.org/p2",
    },
    {"id": "P-3", "title": "Router passwords: who is responsible?", "organisers": ["Regulator", "Router Makers"]},
]


# --- reading files -----------------------------------------------------------------------------


def test_the_igf_file_reads_whole() -> None:
    proposals = read_proposals(IGF)
    assert len(proposals) == len(IGF.read_text(encoding="utf-8").splitlines()) == 74
    first = proposals[0]
    assert first.id == "WS #22" and first.year == 2019 and first.organisers
    assert first.source.startswith("https://")


def test_csv_and_json_lines_read_the_same(tmp_path: Path) -> None:
    csv_file = tmp_path / "proposals.csv"
    csv_file.write_text(
        "id,title,organisers,communities,year\n"
        'P-1,Default passwords in home routers,"Router Makers;Consumer League","business;civil-society",2025\n',
        encoding="utf-8",
    )
    json_file = _write(tmp_path / "p.jsonl", [{**PLACED[0], "year": 2025}])
    from_csv, from_json = read_proposals(csv_file), read_proposals(json_file)
    assert from_csv[0].organisers == from_json[0].organisers == ("Router Makers", "Consumer League")
    assert from_csv[0].community_of("Consumer League") == "civil-society"
    assert from_csv[0].year == from_json[0].year == 2025


def test_every_mistake_of_a_file_is_named_with_its_line_and_nothing_is_imported(
    registry: Registry, tmp_path: Path
) -> None:
    bad = _write(
        tmp_path / "bad.jsonl",
        [
            {"id": "A", "title": "Fine"},
            {"id": "B"},
            {"id": "C", "title": "x", "organisers": ["One", "Two", "Three"], "communities": ["business", "media"]},
            {"id": "A", "title": "Again"},
            {"id": "D", "title": "x", "communities": ["press"]},
            {"id": "E", "title": "x", "speaker": "Ada"},
        ],
    )
    with pytest.raises(ProposalError) as refused:
        registry.proposals().import_file(bad)
    message = str(refused.value)
    assert f"{bad}:2: title: missing" in message
    assert f"{bad}:3: communities: 2 given for 3 organisers" in message
    assert f"{bad}:4: id 'A' was already given on line 1" in message
    assert f"{bad}:5: communities: unknown press" in message
    assert f"{bad}:6: unknown field speaker" in message
    assert registry.proposals().proposals() == []


def test_the_cli_refuses_a_bad_file_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "A", "title": "x"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["proposals", "import", str(bad), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 2
    assert f"{bad}:2: not valid JSON" in result.output and "Traceback" not in result.output


# --- the store contract, on both stores --------------------------------------------------------


def test_both_stores_keep_proposals_and_claim_them_all_or_none(any_registry: Registry) -> None:
    store = any_registry.store
    assert isinstance(store, ProposalStore)
    store.put_proposals([("b", '{"id": "b", "title": "B"}'), ("a", '{"id": "a", "title": "A"}')])
    store.put_proposals([("a", '{"id": "a", "title": "A, again"}')])
    rows = store.read_proposals()
    assert [(row.id, json.loads(row.data)["title"], row.merged_into) for row in rows] == [
        ("a", "A, again", None),
        ("b", "B", None),
    ]
    assert store.claim_proposals(["a", "b"], "track", at="2025-01-01") == []
    assert store.claim_proposals(["a"], "other", at="2025-01-02") == ["a"]  # a proposal merges once
    store.put_proposals([("c", '{"id": "c", "title": "C"}')])
    assert store.claim_proposals(["c", "b", "missing"], "other", at="2025-01-02") == ["b", "missing"]
    assert {row.id: row.merged_into for row in store.read_proposals()} == {"a": "track", "b": "track", "c": None}
    store.release_proposals(["a", "b"], "someone-else")  # only the claimant's own claim is undone
    assert {row.id: row.merged_into for row in store.read_proposals()}["a"] == "track"
    store.release_proposals(["a", "b"], "track")
    assert all(row.merged_into is None for row in store.read_proposals())


def test_merging_works_the_same_on_both_stores(any_registry: Registry, tmp_path: Path) -> None:
    desk = any_registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED))
    track = desk.merge(
        ["P-1", "P-2", "P-3"],
        name="Router passwords",
        by="Committee",
        by_community="intergovernmental",
        communities={"Regulator": "government"},
    )
    assert track == "router-passwords"
    assert {item.id: item.merged_into for item in desk.proposals()} == dict.fromkeys(("P-1", "P-2", "P-3"), track)


def test_a_copied_registry_keeps_its_proposals_and_their_merges(tmp_path: Path) -> None:
    from cooperation.stores.copy import copy_registry
    from cooperation.stores.sqlite import SqliteStore

    with Registry.open(tmp_path / "a.db") as source:
        source.proposals().import_file(_write(tmp_path / "p.jsonl", PLACED))
        source.proposals().merge(
            ["P-1", "P-2"], name="Track", by="Committee", by_community="intergovernmental", at="2025-03-01"
        )
        with SqliteStore(tmp_path / "b.db") as target:
            copy_registry(source.store, target)
            copied = Registry(target).proposals().proposals()
        assert copied == source.proposals().proposals()
    assert [(item.id, item.merged_into) for item in copied] == [("P-1", "track"), ("P-2", "track"), ("P-3", None)]


# --- importing ---------------------------------------------------------------------------------


def test_an_import_adds_replaces_and_leaves_unchanged(registry: Registry, tmp_path: Path) -> None:
    desk = registry.proposals()
    first = desk.import_file(_write(tmp_path / "one.jsonl", PLACED))
    assert (first.added, first.replaced, first.unchanged) == (("P-1", "P-2", "P-3"), (), ())
    changed = [PLACED[0], {**PLACED[1], "title": "Ending default passwords in routers"}]
    again = desk.import_file(_write(tmp_path / "two.jsonl", changed))
    assert (again.added, again.replaced, again.unchanged) == ((), ("P-2",), ("P-1",))
    assert desk.get(["P-2"])[0].title == "Ending default passwords in routers"


def test_a_merged_proposal_cannot_change(registry: Registry, tmp_path: Path) -> None:
    desk = registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED[:2]))
    desk.merge(["P-1", "P-2"], name="Track", by="Committee", by_community="intergovernmental")
    with pytest.raises(ProposalError, match="merged into track and cannot change"):
        desk.import_file(_write(tmp_path / "q.jsonl", [{**PLACED[0], "title": "Something else"}]))
    assert desk.get(["P-1"])[0].title == PLACED[0]["title"]


# --- merging -----------------------------------------------------------------------------------


def test_a_merge_starts_a_solution_track_with_the_organisers_and_the_proposals_as_evidence(
    registry: Registry, tmp_path: Path
) -> None:
    desk = registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED))
    track = desk.merge(
        ["P-1", "P-2", "P-3"],
        name="Router passwords",
        by="Committee",
        by_community="intergovernmental",
        communities={"Regulator": "government"},
        at="2025-03-01",
    )
    status = registry.status(track)
    assert (status.workflow, status.stage) == ("solution-track", "proposals")
    events = registry.history(track)
    joined = [(d["name"], d["community"], d["role"]) for d in _joins(events)]
    assert joined[0] == ("Committee", "intergovernmental", "owner")  # who merges creates the track, joining first
    assert {name: (community, role) for name, community, role in joined[1:]} == {
        "Router Makers": ("business", "owner"),  # the first organiser of the first proposal convenes the track
        "Consumer League": ("civil-society", "member"),
        "A CERT": ("technical", "member"),
        "Regulator": ("government", "member"),
    }
    evidence = [e.data for e in events if e.kind == "evidence_recorded"]
    assert [item["condition"] for item in evidence] == ["same-topic-proposals"] * 3
    assert [item.get("link") for item in evidence] == ["https://example.org/p1", "https://example.org/p2", None]
    assert evidence[0]["text"].startswith("Merged proposal P-1: Default passwords in home routers")
    assert all(e.at == "2025-03-01" and e.by == "Committee" for e in events)
    assert next(item for item in status.conditions if item.condition == "same-topic-proposals").met


def test_who_merges_creates_the_track_and_needs_a_community(registry: Registry, tmp_path: Path) -> None:
    desk = registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED))
    with pytest.raises(ProposalError, match="no community for Committee, who merges") as refused:
        desk.merge(["P-1", "P-2"], name="Track", by="Committee")
    assert "--by-community COMMUNITY" in str(refused.value)
    with pytest.raises(ProposalError, match="unknown communities press"):
        desk.merge(["P-1", "P-2"], name="Track", by="Committee", by_community="press")  # type: ignore[arg-type]
    assert registry.initiatives() == [] and desk.proposals(merged=True) == []
    # an organiser who merges takes their community from the proposals and joins once, as the creator
    track = desk.merge(["P-1", "P-2"], name="Track", by="A CERT", at="2025-03-01")
    events = registry.history(track)
    joined = [(d["name"], d["community"], d["role"]) for d in _joins(events)]
    assert joined == [
        ("A CERT", "technical", "owner"),
        ("Router Makers", "business", "owner"),
        ("Consumer League", "civil-society", "member"),
    ]
    assert {e.by for e in events} == {"A CERT"}


def test_a_merge_given_no_date_is_dated_by_the_registrys_clock(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from cooperation.stores.locate import open_store
    from cooperation.testing import Clock

    with Registry(open_store(tmp_path / "c.db"), clock=Clock(datetime(2024, 2, 1, 9, tzinfo=UTC))) as registry:
        registry.proposals().import_file(_write(tmp_path / "p.jsonl", PLACED[:2]))
        track = registry.proposals().merge(
            ["P-1", "P-2"], name="Track", by="Committee", by_community="intergovernmental"
        )
        assert {event.at for event in registry.history(track)} == {"2024-02-01T09:00:00Z"}
        assert registry.proposals().get(["P-1"])[0].merged_at == "2024-02-01T09:00:00Z"


def test_a_proposal_merges_once_and_a_refused_merge_writes_nothing(registry: Registry, tmp_path: Path) -> None:
    desk = registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED))
    desk.merge(["P-1", "P-2"], name="First", by="Committee", by_community="intergovernmental")
    with pytest.raises(ProposalError, match="a proposal merges once: P-2"):
        desk.merge(
            ["P-3", "P-2"],
            name="Second",
            by="Committee",
            by_community="intergovernmental",
            communities={"Regulator": "government"},
        )
    with pytest.raises(ProposalError, match="at least two different proposals"):
        desk.merge(["P-3", "P-3"], name="Third", by="Committee", by_community="intergovernmental")
    with pytest.raises(ProposalError, match="no proposal 'P-9'"):
        desk.merge(["P-3", "P-9"], name="Fourth", by="Committee", by_community="intergovernmental")
    assert registry.initiatives() == ["first"]
    assert desk.get(["P-3"])[0].merged_into is None


def test_an_organiser_without_a_community_is_named_with_the_fix(registry: Registry, tmp_path: Path) -> None:
    desk = registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED))
    with pytest.raises(ProposalError) as refused:
        desk.merge(["P-2", "P-3"], name="Track", by="Committee", by_community="intergovernmental")
    assert "no community for organiser 'Regulator' (P-3)" in str(refused.value)
    assert "--community 'ORGANISER=COMMUNITY'" in str(refused.value)
    assert registry.initiatives() == [] and desk.proposals(merged=True) == []


def test_a_merge_whose_track_cannot_be_written_leaves_the_proposals_unmerged(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED[:2]))
    with pytest.raises(EventError, match="in the future"):
        desk.merge(["P-1", "P-2"], name="Track", by="Committee", by_community="intergovernmental", at="2999-01-01")
    assert registry.initiatives() == [] and desk.proposals(merged=True) == []
    registry.create("Track", workflow="solution-track", by="Ada", community="technical")
    with pytest.raises(ProposalError, match="an initiative 'track' already exists"):
        desk.merge(["P-1", "P-2"], name="Track", by="Committee", by_community="intergovernmental")
    assert desk.proposals(merged=True) == []


def test_two_merges_racing_for_a_proposal_one_wins(registry: Registry, tmp_path: Path) -> None:
    desk = registry.proposals()
    desk.import_file(_write(tmp_path / "p.jsonl", PLACED))
    store: Any = registry.store
    real_claim: Callable[..., list[str]] = store.claim_proposals

    def claim_after_a_rival(ids: list[str], initiative: str, *, at: str) -> list[str]:
        real_claim(["P-2"], "rival", at=at)  # another merge got P-2 between our check and our claim
        return real_claim(ids, initiative, at=at)

    store.claim_proposals = claim_after_a_rival
    with pytest.raises(ProposalError, match="P-2: merged into another initiative meanwhile"):
        desk.merge(["P-1", "P-2"], name="Track", by="Committee", by_community="intergovernmental")
    assert registry.initiatives() == []
    assert {item.id: item.merged_into for item in desk.proposals()} == {"P-1": None, "P-2": "rival", "P-3": None}


def test_the_cli_imports_lists_and_merges(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    file = _write(tmp_path / "p.jsonl", PLACED)
    runner = CliRunner()
    imported = runner.invoke(app, ["proposals", "import", str(file), "--db", db])
    assert imported.exit_code == 0 and "3 added, 0 replaced, 0 unchanged" in imported.stdout
    merge = ["proposals", "merge", "P-1", "P-3", "--name", "Router passwords", "--by", "Committee", "--db", db]
    unplaced = runner.invoke(app, [*merge, "--community", "Regulator=government"])
    assert unplaced.exit_code == 2 and "no community for Committee" in unplaced.output
    assert "--by-community COMMUNITY" in unplaced.output and "Traceback" not in unplaced.output
    merge += ["--by-community", "intergovernmental"]
    merged = runner.invoke(app, [*merge, "--community", "Regulator=government"])
    assert merged.exit_code == 0, merged.output
    assert "merged 2 proposals into router-passwords (solution-track, stage proposals)" in merged.stdout
    listed = runner.invoke(app, ["proposals", "list", "--merged", "--json", "--db", db])
    assert [item["id"] for item in json.loads(listed.stdout)] == ["P-1", "P-3"]
    assert runner.invoke(app, ["proposals", "list", "--open", "--db", db]).stdout.startswith("P-2: Ending")
    again = runner.invoke(app, ["proposals", "merge", "P-1", "P-2", "--name", "Again", "--by", "C", "--db", db])
    assert again.exit_code == 2 and "a proposal merges once: P-1" in again.output
    wrong = runner.invoke(
        app, ["proposals", "merge", "P-2", "P-3", "--name", "X", "--by", "C", "--db", db, "--community", "Regulator"]
    )
    assert wrong.exit_code == 2 and "ORGANISER=COMMUNITY" in wrong.output


def test_a_proposal_round_trips_through_its_fields() -> None:
    proposal = Proposal(id="P", title="T", organisers=("A", "B"), communities=("business", "media"), year=2025)
    assert Proposal(**{**proposal.fields(), "organisers": ("A", "B"), "communities": ("business", "media")}) == proposal
    assert proposal.community_of("B") == "media" and proposal.community_of("C") is None
