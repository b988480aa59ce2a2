"""Workflows live in the registry: initiatives are pinned to the text they were made with (issue 15).

Editing, moving or deleting a workflow file changes nothing for an initiative until someone
records a `workflow_changed` (`coop workflows upgrade ... --apply`); an export carries the
texts, so a registry imported in another folder evaluates the same; a workflow named in data
is never opened as a file, and no refusal echoes what a file holds.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cooperation import Registry
from cooperation.cli import app
from cooperation.definition.catalog import builtin_directory
from cooperation.engine.events import Event
from cooperation.errors import CooperationError, WorkflowReferenceError
from cooperation.stores.interchange import CHAIN_FIELDS
from cooperation.stores.sqlite import SqliteStore

RUNNER = CliRunner()
BUILTIN = "cooperation-maturity"

CUSTOM = """\
id: custom
version: "1"
title: Custom flow
description: Two stages; the second needs evidence that the work is done.

stages:
  - id: start
    title: Start
  - id: done
    title: Done
    requires: [proof]

conditions:
  - id: proof
    kind: evidence
    title: Proof
    description: Evidence that the work is done.
"""
# The same workflow, edited: reaching `done` now also needs two meetings.
EDITED = CUSTOM.replace("requires: [proof]", "requires: [proof, meetings]") + (
    "  - id: meetings\n    kind: meetings\n    title: Meetings\n    description: Two meetings.\n    min_meetings: 2\n"
)
SECRET_LINES = ("root:$6$Zx9SECRETHASH0q:19700:0:99999:7:::", "password = hunter2-SECRET", "api_key: sk-SECRET-0001")


def coop(folder: Path, *args: str) -> Result:
    """`coop ARGS --db coop.db` (but for `workflows check` and `copy`), run with `folder` as the working directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        own_db = args[:2] == ("workflows", "check") or args[0] == "copy"
        result = RUNNER.invoke(app, [*args, *([] if own_db else ["--db", "coop.db"])])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def done_with_custom(folder: Path, workflow: str = "flow.yaml") -> None:
    """An initiative of the custom workflow (named by a relative path), moved to its last stage in 2024."""
    (folder / "flow.yaml").write_text(CUSTOM)
    ok(coop(folder, "new", "Pilot", "--workflow", workflow, "--by", "Ada", "--at", "2024-01-01"))
    ok(coop(folder, "join", "pilot", "Ada", "-c", "technical", "-r", "owner", "--by", "Ada", "--at", "2024-01-02"))
    ok(coop(folder, "evidence", "pilot", "proof", "Shipped.", "--by", "Ada", "--at", "2024-01-03"))
    ok(coop(folder, "advance", "pilot", "--by", "Ada", "--at", "2024-01-04"))


def status_json(folder: Path, *args: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(ok(coop(folder, "status", "pilot", "--json", *args)).stdout)
    return loaded


def secret_file(folder: Path) -> Path:
    path = folder / "shadow"
    path.write_text("\n".join(SECRET_LINES) + "\n")
    return path


def assert_nothing_echoed(result: Result) -> None:
    shown = result.stdout + result.stderr
    for line in SECRET_LINES:
        assert line not in shown
        for part in line.replace("=", ":").split(":"):
            if "SECRET" in part:
                assert part.strip() not in shown, shown


def assert_only_pilot(folder: Path) -> None:
    """Nothing but the initiative `pilot` was written."""
    with Registry(SqliteStore(folder / "coop.db")) as registry:
        assert registry.initiatives() == ["pilot"]


def assert_no_initiatives(folder: Path) -> None:
    """Nothing was written: no registry was made, or it holds no initiative."""
    if (folder / "coop.db").exists():
        with Registry(SqliteStore(folder / "coop.db")) as registry:
            assert registry.initiatives() == []


# --- pinning ----------------------------------------------------------------------------------------


def test_a_builtin_is_pinned_to_the_text_this_coop_ships(tmp_path: Path) -> None:
    with Registry(SqliteStore(tmp_path / "coop.db")) as registry:
        registry.create("Pilot", workflow=BUILTIN, by="Ada", community="technical", at="2024-01-01")
        created, joined = registry.history("pilot")  # the creator joins as its first owner, in the same write
        assert (joined.kind, joined.by) == ("participant_joined", "Ada")
        assert joined.data == {"name": "Ada", "community": "technical", "role": "owner"}
        text = (builtin_directory() / f"{BUILTIN}.yaml").read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        assert created.data == {"name": "Pilot", "workflow": BUILTIN, "workflow_hash": digest}
        assert registry.store.workflow_text(digest) == text
        assert [(stored.hash, stored.id) for stored in registry.store.stored_workflows()] == [(digest, BUILTIN)]


def test_editing_moving_or_deleting_the_file_changes_nothing(tmp_path: Path) -> None:
    done_with_custom(tmp_path)
    before = status_json(tmp_path, "--as-of", "2024-06-01")
    assert before["stage"] == "done" and before["at_risk"] is False
    (tmp_path / "flow.yaml").write_text(EDITED)
    assert status_json(tmp_path, "--as-of", "2024-06-01") == before
    (tmp_path / "flow.yaml").rename(tmp_path / "moved.yaml")
    assert status_json(tmp_path, "--as-of", "2024-06-01") == before
    (tmp_path / "moved.yaml").unlink()
    assert status_json(tmp_path, "--as-of", "2024-06-01") == before
    assert ok(coop(tmp_path, "status", "--all")).stdout.startswith("pilot")


def test_upgrade_shows_the_change_and_records_it_only_with_apply(tmp_path: Path) -> None:
    done_with_custom(tmp_path)
    (tmp_path / "flow.yaml").write_text(EDITED)
    shown = json.loads(
        ok(coop(tmp_path, "workflows", "upgrade", "pilot", "--to", "flow.yaml", "--by", "Ada", "--json")).stdout
    )
    assert shown["stage"] == "done" and shown["newly_unmet"] == ["meetings"] and shown["newly_met"] == []
    assert (shown["at_risk_before"], shown["at_risk_after"], shown["applied"]) == ([], ["meetings"], False)
    events = ok(coop(tmp_path, "history", "pilot", "--json")).stdout
    assert "workflow_changed" not in events and status_json(tmp_path)["at_risk"] is False

    applied = ok(coop(tmp_path, "workflows", "upgrade", "pilot", "--to", "flow.yaml", "--by", "Ada", "--apply"))
    assert "newly unmet: meetings" in applied.stdout and "recorded workflow_changed" in applied.stdout
    now = status_json(tmp_path)
    assert now["at_risk"] is True and now["at_risk_conditions"] == ["meetings"]
    # Moves stand as judged when made: before the change, the old version still judges it.
    assert status_json(tmp_path, "--as-of", "2024-06-01")["at_risk"] is False
    again = ok(coop(tmp_path, "workflows", "upgrade", "pilot", "--to", "flow.yaml", "--by", "Ada", "--apply"))
    assert "already pinned to this version" in again.stdout
    kinds = [event["kind"] for event in json.loads(ok(coop(tmp_path, "history", "pilot", "--json")).stdout)]
    assert kinds.count("workflow_changed") == 1


def test_upgrade_refuses_a_workflow_without_the_current_stage(tmp_path: Path) -> None:
    done_with_custom(tmp_path)
    refused = coop(tmp_path, "workflows", "upgrade", "pilot", "--to", BUILTIN, "--by", "Ada", "--apply")
    assert (
        refused.exit_code == 2 and "stage 'done', which workflow cooperation-maturity does not have" in refused.stderr
    )
    assert "workflow_changed" not in ok(coop(tmp_path, "history", "pilot")).stdout


def test_list_registry_shows_each_version_and_who_uses_it(tmp_path: Path) -> None:
    done_with_custom(tmp_path)
    ok(coop(tmp_path, "new", "Other", "--by", "Bo", "--community", "business", "--at", "2024-01-01"))
    listed = json.loads(ok(coop(tmp_path, "workflows", "list", "--registry", "--json")).stdout)
    by_id = {row["id"]: row for row in listed["stored"]}
    assert by_id["custom"]["initiatives"] == ["pilot"] and by_id[BUILTIN]["initiatives"] == ["other"]
    assert by_id["custom"]["hash"] == hashlib.sha256(CUSTOM.encode()).hexdigest()
    text = ok(coop(tmp_path, "workflows", "list", "--registry")).stdout
    assert f"custom@{by_id['custom']['hash'][:12]}  v1  Custom flow  used by: pilot" in text


# --- export and import -------------------------------------------------------------------------------


def test_export_then_import_in_another_folder_evaluates_the_same(tmp_path: Path) -> None:
    first, second = tmp_path / "here", tmp_path / "elsewhere" / "deeper"
    first.mkdir()
    second.mkdir(parents=True)
    done_with_custom(first, workflow="./flow.yaml")  # a relative path, as a person types it
    ok(coop(first, "new", "Builtin one", "--by", "Bo", "--community", "business", "--at", "2024-02-01"))
    (first / "flow.yaml").write_text(EDITED)
    ok(coop(first, "workflows", "upgrade", "pilot", "--to", "flow.yaml", "--by", "Ada", "--apply"))
    exported = ok(coop(first, "export")).stdout
    carried = [json.loads(line)["coop_workflow"] for line in exported.splitlines() if "coop_workflow" in line]
    assert sorted(item["id"] for item in carried) == sorted(["custom", "custom", BUILTIN])
    (first / "flow.yaml").unlink()
    (second / "all.jsonl").write_text(exported)
    ok(coop(second, "import", "all.jsonl"))
    for when in (["--as-of", datetime.now(UTC).date().isoformat()], ["--as-of", "2024-06-01"]):
        assert (
            ok(coop(second, "status", "--all", "--json", *when)).stdout
            == ok(coop(first, "status", "--all", "--json", *when)).stdout
        )
    assert ok(coop(second, "export")).stdout == exported


def test_import_takes_workflow_lines_before_their_events_and_checks_them(tmp_path: Path) -> None:
    done_with_custom(tmp_path)
    header, carried, *exported = ok(coop(tmp_path, "export")).stdout.splitlines()
    assert json.loads(header)["coop_export"] == 2 and "coop_workflow" in json.loads(carried)
    # Moved around, the lines no longer follow the export's chain: they are imported as v1 events.
    events = [json.dumps({k: v for k, v in json.loads(line).items() if k not in CHAIN_FIELDS}) for line in exported]
    elsewhere = tmp_path / "b"
    elsewhere.mkdir()
    # Anywhere before the events that use it: here after an event of another initiative.
    other = json.dumps(
        {
            "initiative": "x",
            "kind": "initiative_created",
            "at": "2024-01-01",
            "by": "Bo",
            "data": {"name": "X", "workflow": BUILTIN},
        }
    )
    (elsewhere / "moved.jsonl").write_text("\n".join([other, carried, *events]) + "\n")
    ok(coop(elsewhere, "import", "moved.jsonl"))
    # After the events that use it: refused, naming the line, nothing written.
    late = tmp_path / "late"
    late.mkdir()
    (late / "late.jsonl").write_text("\n".join([*events, carried]) + "\n")
    refused = coop(late, "import", "late.jsonl")
    assert (
        refused.exit_code == 2 and "late.jsonl:1:" in refused.stderr and "not stored in this registry" in refused.stderr
    )
    # A text that does not match its hash: refused.
    forged = json.loads(carried)
    forged["coop_workflow"]["text"] = EDITED
    (late / "forged.jsonl").write_text("\n".join([json.dumps(forged), *events]) + "\n")
    refused = coop(late, "import", "forged.jsonl")
    assert refused.exit_code == 2 and "forged.jsonl:1: workflow 'custom'" in refused.stderr
    assert "does not match its hash" in refused.stderr
    assert_no_initiatives(late)


# --- a reference from data is never opened; nothing of a file is echoed ----------------------------


@pytest.mark.parametrize("named", ["/etc/shadow", "OWN_SECRET_FILE", "../shadow", "shadow"])
def test_an_import_naming_a_path_is_refused_without_opening_it(tmp_path: Path, named: str) -> None:
    path = str(secret_file(tmp_path)) if named == "OWN_SECRET_FILE" else named
    line = {
        "initiative": "evil",
        "kind": "initiative_created",
        "at": "2024-01-01",
        "by": "Ada",  # a creator is named: the path is what is refused
        "data": {"name": "x", "workflow": path},
    }
    (tmp_path / "evil.jsonl").write_text(json.dumps(line) + "\n")
    refused = coop(tmp_path, "import", "evil.jsonl")
    assert refused.exit_code == 2 and "never opened as a file" in refused.stderr
    assert_nothing_echoed(refused)
    assert_no_initiatives(tmp_path)


@pytest.mark.parametrize("command", ["new", "upgrade", "check"])
def test_a_file_that_is_no_workflow_is_refused_without_echoing_it(tmp_path: Path, command: str) -> None:
    secret = str(secret_file(tmp_path))
    ok(coop(tmp_path, "new", "Pilot", "--by", "Ada", "--community", "technical", "--at", "2024-01-01"))
    args = {
        "new": ["new", "Evil", "--workflow", secret, "--by", "Ada", "--community", "technical"],
        "upgrade": ["workflows", "upgrade", "pilot", "--to", secret, "--by", "Ada", "--apply"],
        "check": ["workflows", "check", secret],
    }[command]
    refused = coop(tmp_path, *args)
    assert refused.exit_code == 2 and "not a workflow definition" in refused.stderr
    assert_nothing_echoed(refused)
    assert [event["kind"] for event in json.loads(ok(coop(tmp_path, "history", "pilot", "--json")).stdout)] == [
        "initiative_created",
        "participant_joined",
    ]
    assert_only_pilot(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        "password: hunter2-SECRET\napi_key: sk-SECRET-0001\n",
        "id: $6$SECRETHASH\nstages: [x]\n",
        "root:$6$Zx9SECRETHASH0q:19700:0:99999:7:::\n\tpassword = hunter2-SECRET\n",
        "- api_key: sk-SECRET-0001\n- {password: hunter2-SECRET}\n",
        "!!python/object:os.system SECRET-payload\n",
        "key: [SECRET-unclosed\n",
    ],
)
def test_no_refusal_quotes_a_file_without_a_workflow_id(tmp_path: Path, content: str) -> None:
    (tmp_path / "notes.txt").write_text(content)
    refused = coop(tmp_path, "new", "Evil", "--workflow", "notes.txt", "--by", "Ada", "--community", "technical")
    assert refused.exit_code == 2 and "SECRET" not in refused.stdout + refused.stderr
    assert "notes.txt" in refused.stderr


# --- registries made before workflows were pinned ----------------------------------------------------


def _legacy(tmp_path: Path, workflow: str) -> Path:
    """A registry whose initiative names its workflow as coop did before pinning: no hash.
    Its creator, Ada, joined as its first owner, so that she may upgrade it."""
    db = tmp_path / "coop.db"
    with SqliteStore(db) as store:
        created = {"name": "Old", "workflow": workflow}
        joined = {"name": "Ada", "community": "technical", "role": "owner"}
        events = [
            Event("old", "initiative_created", "2024-01-01", created, by="Ada"),  # type: ignore[arg-type]
            Event("old", "participant_joined", "2024-01-01", joined, by="Ada"),  # type: ignore[arg-type]
        ]
        store.append("old", events, expected_version=0)
    return db


def test_an_unpinned_builtin_is_judged_by_the_builtin_until_pinned(tmp_path: Path) -> None:
    _legacy(tmp_path, BUILTIN)
    assert status_json_of(tmp_path, "old")["workflow"] == BUILTIN
    listed = ok(coop(tmp_path, "workflows", "list", "--registry")).stdout
    assert "cooperation-maturity (not pinned: judged by the built-in this coop ships)  used by: old" in listed
    ok(coop(tmp_path, "workflows", "upgrade", "old", "--to", BUILTIN, "--by", "Ada", "--apply"))
    listed = json.loads(ok(coop(tmp_path, "workflows", "list", "--registry", "--json")).stdout)
    assert listed["unpinned"] == {} and listed["stored"][0]["initiatives"] == ["old"]


def test_a_legacy_path_is_never_opened_and_says_how_to_pin_it(tmp_path: Path) -> None:
    (tmp_path / "flow.yaml").write_text(CUSTOM)
    _legacy(tmp_path, str(tmp_path / "flow.yaml"))
    refused = coop(tmp_path, "status", "old")
    assert refused.exit_code == 2
    assert "coop workflows upgrade ID --to FILE --by ACTOR --apply" in refused.stderr
    ok(coop(tmp_path, "new", "Fine", "--by", "Bo", "--community", "business", "--at", "2024-01-01"))
    portfolio = coop(tmp_path, "status", "--all")
    assert portfolio.exit_code == 2 and "cannot show old; the others are shown" in portfolio.stderr
    assert "fine: Fine" in portfolio.stdout and "old: cannot be shown" in portfolio.stdout
    ok(coop(tmp_path, "workflows", "upgrade", "old", "--to", "flow.yaml", "--by", "Ada", "--apply"))
    assert status_json_of(tmp_path, "old")["workflow"] == "custom"


def status_json_of(folder: Path, initiative: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(ok(coop(folder, "status", initiative, "--json")).stdout)
    return loaded


def test_the_api_refuses_a_hash_it_does_not_hold(tmp_path: Path) -> None:
    with Registry(SqliteStore(tmp_path / "coop.db")) as registry:
        line = {
            "initiative": "x",
            "kind": "initiative_created",
            "at": "2024-01-01",
            "by": "Ada",
            "data": {"name": "X", "workflow": "custom", "workflow_hash": "0" * 64},
        }
        with pytest.raises(CooperationError) as caught:
            registry.import_lines([json.dumps(line)])
        assert isinstance(caught.value.original, WorkflowReferenceError)
        assert registry.initiatives() == [] and registry.store.stored_workflows() == []


# --- speed: one lookup per version, not per initiative -----------------------------------------------


class CountingStore(SqliteStore):
    """The real SQLite store, counting the workflow texts it is asked for."""

    asked = 0

    def workflow_text(self, digest: str) -> str | None:
        CountingStore.asked += 1
        return super().workflow_text(digest)


def test_reading_every_status_asks_for_each_version_once(tmp_path: Path) -> None:
    (tmp_path / "flow.yaml").write_text(CUSTOM)
    with Registry(SqliteStore(tmp_path / "coop.db")) as registry:
        for number in range(40):
            workflow = BUILTIN if number % 2 else str(tmp_path / "flow.yaml")
            registry.create(f"I{number}", workflow=workflow, by="Ada", community="technical", at="2024-01-01")
    CountingStore.asked = 0
    with Registry(CountingStore(tmp_path / "coop.db")) as registry:
        assert len(list(registry.statuses())) == 40
    assert CountingStore.asked == 2


# --- a property: whatever the file becomes, the pinned initiative's status stays ---------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replacement=st.one_of(st.binary(max_size=200), st.sampled_from([EDITED.encode(), b"", CUSTOM.encode()[:40]])))
def test_whatever_the_file_becomes_the_status_stays(
    tmp_path_factory: pytest.TempPathFactory, replacement: bytes
) -> None:
    folder = tmp_path_factory.mktemp("pinned")
    path = folder / "flow.yaml"
    path.write_text(CUSTOM)
    with Registry(SqliteStore(folder / "coop.db")) as registry:
        registry.create("Pilot", workflow=str(path), by="Ada", community="technical", at="2024-01-01")
        before = registry.status("pilot", as_of="2024-06-01").to_json()
        path.write_bytes(replacement)
        assert registry.status("pilot", as_of="2024-06-01").to_json() == before
    with Registry(SqliteStore(folder / "coop.db")) as reopened:  # a new process's view: nothing cached
        assert reopened.status("pilot", as_of="2024-06-01").to_json() == before


def test_a_builtin_id_from_data_never_opens_a_file_of_that_name(tmp_path: Path) -> None:
    (tmp_path / BUILTIN).write_text("\n".join(SECRET_LINES) + "\n")  # in the working directory, as a decoy
    line = {
        "initiative": "x",
        "kind": "initiative_created",
        "at": "2024-01-01",
        "by": "Ada",
        "data": {"name": "X", "workflow": BUILTIN},
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(line) + "\n")
    ok(coop(tmp_path, "import", "in.jsonl"))
    shown = ok(coop(tmp_path, "status", "x"))
    assert "x: X  [cooperation-maturity" in shown.stdout
    assert_nothing_echoed(shown)


def test_copy_carries_the_workflow_texts(tmp_path: Path) -> None:
    done_with_custom(tmp_path)
    (tmp_path / "flow.yaml").unlink()
    ok(coop(tmp_path, "copy", "--from", "coop.db", "--to", "copy.db"))
    with Registry(SqliteStore(tmp_path / "copy.db")) as copied, Registry(SqliteStore(tmp_path / "coop.db")) as source:
        assert copied.store.stored_workflows() == source.store.stored_workflows()
        assert copied.status("pilot", as_of="2024-06-01") == source.status("pilot", as_of="2024-06-01")


def test_a_text_stored_around_coop_under_another_versions_hash_is_refused(tmp_path: Path) -> None:
    """A writer may add workflow texts; a text whose hash is not its address is never used."""
    import sqlite3

    from cooperation.definition.pinned import content_hash, read_named

    db = tmp_path / "coop.db"
    pin = read_named("cooperation-maturity")
    forged = pin.text.replace("Challenge", "Forged", 1)
    with Registry.open(db):
        pass
    with sqlite3.connect(db) as connection:  # stored first, around coop, under the real version's address
        connection.execute(
            "INSERT INTO workflows (hash, id, text, stored_at) VALUES (?, ?, ?, ?)",
            (pin.hash, pin.id, forged, "2026-01-01T00:00:00Z"),
        )
    assert content_hash(forged) != pin.hash
    refused = pytest.raises(CooperationError, match="the text stored under it is not that version")
    with Registry.open(db) as registry, refused:
        registry.create("Pilot", workflow="cooperation-maturity", initiative="pilot", by="Ada", community="technical")
