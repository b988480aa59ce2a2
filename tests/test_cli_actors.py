"""Every state-changing command names its actor: each case of issue 14's first bullet, run as written,
is refused with exit 2, a message saying how to name one, and nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner, Result

from cooperation.cli import app

RUNNER = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def _build_the_command_once() -> Iterator[None]:
    command = typer.main.get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            typer.testing,
            "_get_command",
            lambda typer_app: command if typer_app is app else typer.main.get_command(typer_app),
        )
        yield


def coop(db: Path, *args: str) -> Result:
    result = RUNNER.invoke(app, [*args, "--db", str(db)])
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    return result


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Initiative I, created by Ada Lovelace (its first owner), with a member and an observer."""
    path = tmp_path / "coop.db"
    new = coop(path, "new", "An initiative", "--id", "I", "--by", "Ada Lovelace", "--community", "technical")
    assert new.exit_code == 0, new.stderr
    for name, role in (("Ben", "member"), ("Obs", "observer")):
        joined = coop(path, "join", "I", name, "-c", "business", "-r", role, "--by", "Ada Lovelace")
        assert joined.exit_code == 0, joined.stderr
    return path


def _export(db: Path) -> str:
    result = coop(db, "export")
    assert result.exit_code == 0
    return result.stdout


NAME_ONE = "name who records it with --by NAME"
CASES = [
    (["join", "I", "Mallory", "-c", "government", "-r", "owner"], "a current owner or secretariat of I (Ada Lovelace)"),
    (["leave", "I", "Ada Lovelace"], "a current owner or secretariat of I (Ada Lovelace)"),
    (["breach", "I", "anonymous claim"], "a current owner, secretariat or member of I (Ada Lovelace, Ben)"),
    (["score", "I", "trust-level", "0"], "recording score_set in I needs an actor"),
    (
        ["evidence", "I", "challenge", "seen", "--by", "Nobody At All"],
        "Nobody At All is not a current participant of I",
    ),
    (["advance", "I"], "recording stage_advanced in I needs an actor"),
    (["attest", "I", "voluntary"], "recording attestation_given in I needs an actor"),
    (["waive", "I", "comfort-zone", "--rationale", "x" * 60], "recording condition_waived in I needs an actor"),
    (["meet", "I", "Ben"], "recording meeting_held in I needs an actor"),
    (["publish", "I", "Guidelines"], "recording output_published in I needs an actor"),
    (["record", "I", "score_set", "--data", '{"parameter": "trust-level", "level": 0}'], "needs an actor"),
    (["accounts", "bind", "mallory", "Ben", "--initiative", "I"], "recording account_bound in I needs an actor"),
    (["join", "I", "Mallory", "-c", "government", "--by", "Ben"], "Ben is a member of I; members cannot add"),
]


@pytest.mark.parametrize(("command", "message"), CASES, ids=[" ".join(case[0][:2]) for case in CASES])
def test_a_change_without_a_permitted_actor_is_refused_and_writes_nothing(
    db: Path, command: list[str], message: str
) -> None:
    before = _export(db)
    result = coop(db, *command)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr and NAME_ONE in result.stderr, result.stderr
    assert result.stderr.startswith("error: ")
    assert _export(db) == before


def test_leaving_then_joining_again_does_not_promote_an_observer(db: Path) -> None:
    assert coop(db, "leave", "I", "Obs", "--by", "Obs").exit_code == 0  # anyone may record their own leaving
    before = _export(db)
    result = coop(db, "join", "I", "Obs", "-c", "media", "-r", "secretariat", "--by", "Obs")
    assert result.exit_code == 2 and "Obs is not a current participant of I" in result.stderr
    assert _export(db) == before


def test_a_new_initiative_needs_its_creator(tmp_path: Path) -> None:
    path = tmp_path / "coop.db"
    nameless = coop(path, "new", "X", "--id", "x", "--community", "technical")
    assert nameless.exit_code == 2 and "creating x needs who creates it, its first owner" in nameless.stderr
    assert not path.exists() or coop(path, "status", "--all").stdout.strip() == ""
    assert coop(path, "new", "X", "--id", "x", "--by", "Ada").exit_code == 0  # not joined yet: her own join comes first
    others_first = coop(path, "join", "x", "Ben", "-c", "business", "--by", "Ada")
    assert others_first.exit_code == 2 and "the first participant of x is its creator, Ada" in others_first.stderr
    assert coop(path, "join", "x", "Ada", "-c", "technical", "-r", "owner", "--by", "Ada").exit_code == 0


def test_the_creator_is_the_first_owner(db: Path) -> None:
    history = coop(db, "history", "I")
    assert history.exit_code == 0
    assert "participant_joined by Ada Lovelace: community=technical, name=Ada Lovelace, role=owner" in history.stdout
