"""`coop import --csv`: rosters and meeting lists from spreadsheets, through the real CLI and a real registry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cooperation.cli import app
from cooperation.registry import Registry
from cooperation.vocabulary import COMMUNITIES, ROLES

RUNNER = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "spreadsheets"
CREATED = ["initiative_created", "participant_joined"]  # the creation and its creator's own join as owner
BY = ("--by", "Sec")  # the creator, an owner: who records the joins and meetings the tables bring


def create_routers(db: Path) -> None:
    """The initiative the tables are for, created by its secretariat's officer, Sec, its first owner."""
    with Registry.open(db) as registry:
        registry.create(
            "Routers",
            workflow="cooperation-maturity",
            initiative="routers",
            by="Sec",
            community="technical",
            at="2024-01-01",
        )


def coop(*args: str) -> Result:
    result = RUNNER.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "coop.db"
    create_routers(path)
    return path


def history(db: Path) -> list[dict[str, object]]:
    return json.loads(coop("history", "routers", "--json", "--db", str(db)).stdout)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def test_the_shipped_samples_import_as_participants_then_meetings(db: Path) -> None:
    for table in ("participants", "meetings"):
        result = coop(
            "import", "--csv", str(EXAMPLES / f"{table}.csv"), "--initiative", "routers", *BY, "--db", str(db)
        )
        assert result.exit_code == 0, result.stderr
    events = history(db)
    joined = [event["data"] for event in events if event["kind"] == "participant_joined"]
    assert [person["name"] for person in joined] == [
        "Sec",  # the creator
        "Amara Diallo",
        "Bakker, Joost",
        "Chen Li",
        "Dana Levi",
        "Eero Salo",
    ]
    assert joined[4] == {
        "name": "Dana Levi",
        "community": "business",
        "organisation": "Gateway Makers, Inc.",
        "role": "member",
    }
    meetings = [event for event in events if event["kind"] == "meeting_held"]
    assert [meeting["at"] for meeting in meetings] == ["2024-02-20", "2024-03-14"]
    assert meetings[0]["data"]["attendees"] == ["Amara Diallo", "Bakker, Joost", "Chen Li"]
    assert meetings[0]["data"]["neutral"] is True and meetings[1]["data"]["neutral"] is False
    assert meetings[1]["data"]["venue"] == "Online call, hosted by the secretariat"


def test_every_bad_row_is_named_by_its_line_and_column_and_nothing_is_written(db: Path, tmp_path: Path) -> None:
    roster = write(
        tmp_path,
        "roster.csv",
        "\ufeffName , COMMUNITY,role,joined\r\n"  # a byte-order mark, odd case and spaces in the header
        "Ada,technical,owner,2024-02-01\r\n"
        '"Ben\r\nBenson",business,,2024-02-02\r\n'  # one row over two lines
        "Cy,goverment,,2024-02-03\r\n"
        "Di,media,boss,2024-02-03\r\n"
        "Ed,academia,,someday\r\n"
        "Fi,,,2024-02-03\r\n",
    )
    before = history(db)
    result = coop("import", "--csv", roster, "--initiative", "routers", *BY, "--db", str(db))
    assert result.exit_code == 2
    assert "4 bad lines, so nothing was imported" in result.stderr
    assert (
        f"{roster}:5: community: 'goverment' is not a stakeholder community (did you mean 'government'?)"
        in result.stderr
    )
    assert f"{roster}:6: role: 'boss' is not a role" in result.stderr
    assert f"{roster}:7: joined: 'someday' is not a date (write it as 2024-03-01)" in result.stderr
    assert f"{roster}:8: community: empty; every row needs one" in result.stderr
    assert history(db) == before


def test_what_the_initiative_refuses_is_named_at_the_row_that_asked_it(db: Path, tmp_path: Path) -> None:
    roster = write(tmp_path, "roster.csv", "name,community\nAda,technical\nBen,business\nAda,technical\n")
    result = coop("import", "--csv", roster, "--initiative", "routers", *BY, "--db", str(db))
    assert result.exit_code == 2
    assert f"{roster}:4:" in result.stderr and "Ada" in result.stderr
    assert [event["kind"] for event in history(db)] == CREATED

    meetings = write(tmp_path, "meetings.csv", "date,attendees\n2024-02-01,Nobody Here\n")
    result = coop("import", "--csv", meetings, "--initiative", "routers", *BY, "--db", str(db))
    assert result.exit_code == 2 and f"{meetings}:2:" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("name,comunity\n", "unknown column 'comunity' (did you mean 'community'?)"),
        ("name,organisation\n", "needs a column 'community'"),
        ("name,community,name\n", "the column 'name' appears twice"),
        ("date,venue\n", "the meetings table needs a column 'attendees'"),
        ("name,community\nAda,technical,extra\n", ":2: 3 cells for 2 columns (quote a cell that holds a comma)"),
        ('name,community\n"Ada,technical\n', ":2:"),
        ("date,attendees,neutral\n2024-02-01,Ada,perhaps\n", "neutral: 'perhaps' is neither yes nor no"),
    ],
)
def test_a_file_that_is_not_such_a_table_is_refused_saying_why(
    db: Path, tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "table.csv", text)
    result = coop("import", "--csv", path, "--initiative", "routers", *BY, "--db", str(db))
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert [event["kind"] for event in history(db)] == CREATED


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["import"], "name one file"),
        (["import", "x.jsonl", "--csv", "y.csv", "--initiative", "routers"], "name one file"),
        (["import", "--csv", "y.csv"], "--csv needs --initiative ID"),
        (["import", "x.jsonl", "--initiative", "routers"], "--initiative goes with --csv"),
    ],
)
def test_the_file_and_its_options_must_go_together(db: Path, arguments: list[str], message: str) -> None:
    result = coop(*arguments, "--db", str(db))
    assert result.exit_code == 2 and message in result.stderr


NAMES = (
    st.text(st.characters(categories=["L", "N"], include_characters=" ,\"'-é李"), min_size=1, max_size=20)
    .map(str.strip)
    .filter(lambda name: name and name[0].isalnum())
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            NAMES.filter(lambda name: name.casefold() != "sec"),  # Sec, the creator, takes part already
            st.sampled_from(COMMUNITIES),
            st.sampled_from(ROLES),
            st.none() | NAMES,
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda row: row[0].casefold(),
    )
)
def test_any_roster_written_by_a_csv_writer_imports_as_written(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str, str | None]]
) -> None:
    folder = tmp_path_factory.mktemp("roster")
    db = folder / "coop.db"
    create_routers(db)
    text = io.StringIO()
    writer = csv.writer(text)  # as a spreadsheet program writes it: quotes where needed, CRLF
    writer.writerow(["name", "community", "role", "organisation", "joined"])
    writer.writerows(
        [name, community, role, organisation or "", "2024-02-01"] for name, community, role, organisation in rows
    )
    roster = write(folder, "roster.csv", text.getvalue())
    result = coop("import", "--csv", roster, "--initiative", "routers", *BY, "--db", str(db))
    assert result.exit_code == 0, result.stderr
    joined = [event["data"] for event in history(db) if event["kind"] == "participant_joined"][1:]  # after Sec's
    expected = [
        {"name": name, "community": community, "role": role, **({"organisation": organisation} if organisation else {})}
        for name, community, role, organisation in rows
    ]
    assert joined == expected
