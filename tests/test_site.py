"""`coop site DIR` as a secretariat runs it: the files, their shapes, the audience's gates, and the folder rules."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_report_sample import AS_OF, CONFIDENTIAL, REAL_NAMES, sample_db  # noqa: F401
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.reports.site import INITIATIVE_FILES, TOP_LEVEL_FILES, folder_names
from cooperation.reports.site_folder import MANIFEST

RUNNER = CliRunner()
SAMPLE_IDS = ["botnet-cleanup", "no-default-passwords", "phishing-awareness", "spam-traps"]


def coop(*args: str) -> Result:
    result = RUNNER.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def site(db: Path, folder: Path, *options: str) -> Path:
    result = coop("site", str(folder), "--as-of", AS_OF, "--db", str(db), *options)
    assert result.exit_code == 0, result.stderr
    assert "site written" in result.stderr
    return folder


def digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def every_text(folder: Path) -> str:
    """Every file's text as a reader sees it (HTML references decoded)."""
    return html.unescape("\n".join(path.read_text(encoding="utf-8") for path in folder.rglob("*") if path.is_file()))


def test_the_site_has_the_portfolio_and_four_files_per_initiative(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = site(sample_db, tmp_path / "site")

    expected = {*TOP_LEVEL_FILES, MANIFEST} | {f"{i}/{name}" for i in SAMPLE_IDS for name in INITIATIVE_FILES}
    assert set(digest(folder)) == expected
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["as_of"] == AS_OF and index["audience"] == "TLP:CLEAR"
    assert [entry["initiative"] for entry in index["initiatives"]] == SAMPLE_IDS
    for entry in index["initiatives"]:
        for key in ("page", "status", "badge", "shields"):
            assert (folder / entry[key]).is_file()


def test_each_status_file_is_what_coop_status_json_says_for_that_audience(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = site(sample_db, tmp_path / "site")
    for initiative in SAMPLE_IDS:
        shown = coop(
            "status", initiative, "--json", "--as-of", AS_OF, "--audience", "TLP:CLEAR", "--db", str(sample_db)
        )
        written = json.loads((folder / initiative / "status.json").read_text(encoding="utf-8"))
        assert written == json.loads(shown.stdout)


def test_the_csv_is_rfc_4180_with_a_header_and_the_rows_of_status_csv(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = site(sample_db, tmp_path / "site")
    raw = (folder / "index.csv").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF ends every record
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    listed = coop(
        "status", "--all", "--format", "csv", "--as-of", AS_OF, "--audience", "TLP:CLEAR", "--db", str(sample_db)
    )
    expected = list(csv.reader(io.StringIO(listed.stdout, newline="")))
    assert rows[0] == [*expected[0], "page"]
    assert [row[:-1] for row in rows[1:]] == expected[1:]
    assert [row[-1] for row in rows[1:]] == [f"{initiative}/index.html" for initiative in SAMPLE_IDS]


def test_shields_endpoints_and_badges_say_the_stage(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = site(sample_db, tmp_path / "site")
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    for entry in index["initiatives"]:
        shields = json.loads((folder / entry["shields"]).read_text(encoding="utf-8"))
        assert set(shields) == {"schemaVersion", "label", "message", "color"} and shields["schemaVersion"] == 1
        assert shields["message"].startswith(entry["stage_title"])
        assert ("at risk" in shields["message"]) == entry["at_risk"]
        badge = ElementTree.fromstring((folder / entry["badge"]).read_text(encoding="utf-8"))
        assert badge.get("height") == "20"
        texts = [element.text for element in badge.iter("{http://www.w3.org/2000/svg}text")]
        assert texts == ["maturity", shields["message"]]
        fills = [element.get("fill") for element in badge.iter("{http://www.w3.org/2000/svg}rect")]
        assert fills[-1] == "#" + shields["color"]


def test_the_same_registry_and_options_give_the_same_bytes_and_rewrite_nothing(
    sample_db: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    first = digest(site(sample_db, tmp_path / "one", "--anonymise"))
    second = digest(site(sample_db, tmp_path / "two", "--anonymise"))
    assert first == second
    again = coop("site", str(tmp_path / "one"), "--anonymise", "--as-of", AS_OF, "--db", str(sample_db))
    assert f"0 files written, {len(first) - 1} unchanged, 0 removed" in again.stderr  # the manifest is rewritten
    assert digest(tmp_path / "one") == first


@pytest.mark.parametrize("audience", ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER"])
def test_no_file_holds_what_the_audience_may_not_see(sample_db: Path, tmp_path: Path, audience: str) -> None:  # noqa: F811
    text = every_text(site(sample_db, tmp_path / "site", "--audience", audience))
    allowed = {"TLP:CLEAR": [], "TLP:GREEN": ["TLP:GREEN"], "TLP:AMBER": ["TLP:GREEN", "TLP:AMBER"]}[audience]
    for label, secrets in CONFIDENTIAL.items():
        for secret in secrets:
            assert (secret in text) == (label in allowed), (label, secret)


def test_an_anonymised_site_names_nobody(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    text = every_text(site(sample_db, tmp_path / "site", "--anonymise", "--audience", "TLP:RED"))
    assert [name for name in REAL_NAMES if name in text] == []
    assert "Participant 1" in text


def test_a_folder_of_other_files_is_refused_and_left_as_it_was(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / ".git").mkdir()
    result = coop("site", str(folder), "--db", str(sample_db))
    assert result.exit_code == 2
    assert "holds files coop did not write (notes.txt)" in result.stderr
    assert sorted(path.name for path in folder.iterdir()) == [".git", "notes.txt"]

    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert coop("site", str(a_file), "--db", str(sample_db)).exit_code == 2
    assert coop("site", str(tmp_path / "no" / "such"), "--db", str(sample_db)).exit_code == 2


def test_hidden_files_may_sit_beside_a_new_site(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "repo"
    (folder / ".git").mkdir(parents=True)
    site(sample_db, folder)
    assert (folder / ".git").is_dir() and (folder / "index.html").is_file()


def test_an_earlier_site_loses_only_what_the_new_one_lacks(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = site(sample_db, tmp_path / "site")
    (folder / "CNAME").write_text("coop.example.org")  # the user's own file beside the site
    result = coop("site", str(folder), "--as-of", "2024-01-20", "--db", str(sample_db))  # before two were created
    assert result.exit_code == 0, result.stderr
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    kept = [entry["initiative"] for entry in index["initiatives"]]
    assert 0 < len(kept) < len(SAMPLE_IDS)
    for initiative in SAMPLE_IDS:
        assert (folder / initiative).exists() == (initiative in kept)
    assert (folder / "CNAME").read_text() == "coop.example.org"


def test_a_bad_date_or_audience_is_refused_before_anything_is_written(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    for options in (["--as-of", "yesterday"], ["--audience", "TLP:PURPLE"]):
        result = coop("site", str(tmp_path / "site"), "--db", str(sample_db), *options)
        assert result.exit_code == 2 and "Traceback" not in result.stderr
        assert not (tmp_path / "site").exists()


IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True) | st.sampled_from(
    ["index.html", "INDEX.JSON", "index.csv", "Pilot", "pilot"]
)


@given(st.lists(IDS, unique=True, max_size=12))
def test_folders_are_distinct_even_where_case_is_ignored_and_never_a_top_level_file(ids: list[str]) -> None:
    folders = folder_names(ids)
    assert set(folders) == set(ids)
    folded = [folder.casefold() for folder in folders.values()]
    assert len(set(folded)) == len(folded)
    assert not set(folded) & {name.casefold() for name in TOP_LEVEL_FILES}
    assert folder_names(reversed(ids)) == folders  # the same ids, the same folders, whatever the order
    reserved = {name.casefold() for name in TOP_LEVEL_FILES}
    first_of_its_kind = {}
    for initiative in sorted(ids):
        first_of_its_kind.setdefault(initiative.casefold(), initiative)
    for initiative in ids:  # an id keeps its name unless a file or an id before it (in sorted order) took it
        keeps = initiative.casefold() not in reserved and first_of_its_kind[initiative.casefold()] == initiative
        assert (folders[initiative] == initiative) == keeps, (initiative, folders)
