"""The sample registry the report tests share, and checks that it stands where the tests expect.

Four initiatives on the small workflow in tests/golden/report-workflow.yaml, recorded
through the Registry API with fixed dates, so that a report as of `AS_OF` is the same on
every run. Confidential text is recorded at every TLP label and quotes the participants'
names, so that filtering and anonymisation have something to catch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cooperation.registry import Registry

SAMPLE_WORKFLOW = str(Path(__file__).resolve().parent / "golden" / "report-workflow.yaml")
AS_OF = "2024-12-31"

PEOPLE = {
    # name: (community, role, organisation)
    "Ada Lovelace": ("technical", "owner", "Analytical Networks"),
    "Ben Okafor": ("government", "member", "Ministry of Digital Affairs"),
    "Chen Wei": ("business", "secretariat", "Shield Security"),
    "Dora Quist": ("civil-society", "member", None),
    "Emil Varga": ("media", "observer", "Daily Byte"),
}
REAL_NAMES = (*PEOPLE, *(organisation for _, _, organisation in PEOPLE.values() if organisation))

# Text recorded with each label (or none: counted as TLP:AMBER), to be found only by audiences allowed to see it.
CONFIDENTIAL = {
    "TLP:GREEN": ["Working notes are kept in the members' wiki."],
    "TLP:AMBER": [
        "Ada Lovelace reported that Analytical Networks had 4000 infected routers.",
        "Library of the Open Rights Foundation",  # a venue
        "Shield Security hosts nothing, so no host needs a record.",  # a waiver rationale
        "Ben Okafor forwarded a report to the press.",  # a breach description
        "Router hardening guide",  # an output title
        "Ada Lovelace will call the university's security lab again.",  # an outreach result
    ],
    "TLP:AMBER+STRICT": ["Shield Security customer list, shared with the secretariat only."],
    "TLP:RED": ["Chen Wei named the vendor behind the botnet: Routerix."],
}


def _join(registry: Registry, initiative: str, names: tuple[str, ...], at: str) -> None:
    """The first of `names` is the initiative's creator, who joins as its owner and adds the others."""
    for name in names:
        community, role, organisation = PEOPLE[name]
        data = {"name": name, "community": community, "role": "owner" if name == names[0] else role}
        if organisation:
            data["organisation"] = organisation
        registry.record(initiative, "participant_joined", data, at=at, by=names[0])


def build_sample(db: Path) -> None:
    """Record the four sample initiatives into a new registry at `db`."""
    with Registry.open(db) as registry:
        # 1. Botnet clean-up: reached trust, then a breach of trust sent it back to group.
        botnet = registry.create(
            "Botnet clean-up", workflow=SAMPLE_WORKFLOW, initiative="botnet-cleanup", by="Ada Lovelace", at="2024-01-10"
        )
        _join(registry, botnet, ("Ada Lovelace", "Ben Okafor", "Chen Wei", "Emil Varga"), "2024-01-11")
        record = registry.record
        record(
            botnet,
            "evidence_recorded",
            {
                "condition": "statement",
                "text": "Home routers are recruited into botnets.",
                "tlp": "TLP:CLEAR",
                "link": "https://example.org/statement",
            },
            by="Ada Lovelace",
            at="2024-01-12",
        )
        record(
            botnet,
            "evidence_recorded",
            {"condition": "statement", "text": CONFIDENTIAL["TLP:AMBER"][0]},
            by="Ada Lovelace",
            at="2024-01-12",
        )
        record(
            botnet,
            "evidence_recorded",
            {"condition": "statement", "text": CONFIDENTIAL["TLP:RED"][0], "tlp": "TLP:RED"},
            by="Chen Wei",
            at="2024-01-13",
        )
        registry.advance(botnet, by="Ada Lovelace", at="2024-01-15")
        record(
            botnet,
            "meeting_held",
            {
                "attendees": ["Ada Lovelace", "Ben Okafor", "Chen Wei"],
                "neutral": True,
                "venue": CONFIDENTIAL["TLP:AMBER"][1],
            },
            by="Chen Wei",
            at="2024-02-01",
        )
        record(
            botnet,
            "meeting_held",
            {"attendees": ["Ada Lovelace", "Chen Wei", "Emil Varga"]},
            by="Ada Lovelace",
            at="2024-03-01",
        )
        record(botnet, "attestation_given", {"condition": "trust-attested"}, by="Ada Lovelace", at="2024-03-01")
        record(botnet, "attestation_given", {"condition": "trust-attested"}, by="Ben Okafor", at="2024-03-01")
        record(
            botnet,
            "condition_waived",
            {"condition": "neutral-host", "rationale": CONFIDENTIAL["TLP:AMBER"][2]},
            by="Chen Wei",
            at="2024-03-02",
        )
        record(
            botnet,
            "evidence_recorded",
            {"condition": "statement", "text": CONFIDENTIAL["TLP:GREEN"][0], "tlp": "TLP:GREEN"},
            by="Chen Wei",
            at="2024-03-02",
        )
        registry.advance(botnet, by="Chen Wei", at="2024-03-05")
        record(
            botnet, "trust_breached", {"description": CONFIDENTIAL["TLP:AMBER"][3]}, by="Ada Lovelace", at="2024-06-01"
        )
        # Outreach to academia, absent: once in the open, once with a result for members only.
        registry.reach_out(
            botnet,
            "academia",
            venue="A research network's workshop",
            result="Two researchers will join the calls.",
            tlp="TLP:GREEN",
            by="Chen Wei",
            at="2024-06-10",
        )
        registry.reach_out(botnet, "academia", result=CONFIDENTIAL["TLP:AMBER"][5], by="Ada Lovelace", at="2024-07-01")

        # 2. No default passwords: took the whole ladder and was handed off.
        passwords = registry.create(
            "No default passwords",
            workflow=SAMPLE_WORKFLOW,
            initiative="no-default-passwords",
            by="Chen Wei",
            at="2024-02-01",
        )
        _join(registry, passwords, ("Chen Wei", "Ben Okafor", "Dora Quist", "Ada Lovelace"), "2024-02-02")
        record(
            passwords,
            "evidence_recorded",
            {
                "condition": "statement",
                "tlp": "TLP:CLEAR",
                "text": "Devices leave the factory with one shared password.",
            },
            by="Chen Wei",
            at="2024-02-03",
        )
        registry.advance(passwords, by="Chen Wei", at="2024-02-04")
        record(
            passwords,
            "meeting_held",
            {"attendees": ["Chen Wei", "Ben Okafor", "Dora Quist"]},
            by="Chen Wei",
            at="2024-02-10",
        )
        record(passwords, "meeting_held", {"attendees": ["Chen Wei", "Dora Quist"]}, by="Chen Wei", at="2024-03-10")
        for name in ("Ben Okafor", "Dora Quist", "Chen Wei"):
            record(passwords, "attestation_given", {"condition": "trust-attested"}, by=name, at="2024-03-10")
        record(passwords, "attestation_given", {"condition": "comfort"}, by="Dora Quist", at="2024-03-10")
        record(
            passwords,
            "evidence_recorded",
            {"condition": "neutral-host", "tlp": "TLP:AMBER+STRICT", "text": CONFIDENTIAL["TLP:AMBER+STRICT"][0]},
            by="Chen Wei",
            at="2024-03-11",
        )
        registry.advance(passwords, by="Chen Wei", at="2024-03-12")
        record(
            passwords,
            "output_published",
            {"title": CONFIDENTIAL["TLP:AMBER"][4], "link": "https://example.org/guide"},
            by="Dora Quist",
            at="2024-05-01",
        )
        record(
            passwords,
            "evidence_recorded",
            {"condition": "outcome", "tlp": "TLP:CLEAR", "text": "The guide was adopted by two vendors."},
            by="Dora Quist",
            at="2024-05-02",
        )
        registry.advance(passwords, by="Chen Wei", at="2024-05-03")
        record(
            passwords,
            "evidence_recorded",
            {"condition": "receiver", "tlp": "TLP:GREEN", "text": "A standards body agreed to take the guide on."},
            by="Chen Wei",
            at="2024-06-01",
        )
        registry.hand_off(
            passwords, by="Chen Wei", body="Open Standards Institute", body_kind="standardisation", at="2024-06-02"
        )

        # 3. Spam traps: at trust, but a participant left, so the group it was admitted with no longer holds.
        spam = registry.create(
            "Spam traps", workflow=SAMPLE_WORKFLOW, initiative="spam-traps", by="Ben Okafor", at="2024-04-01"
        )
        _join(registry, spam, ("Ben Okafor", "Ada Lovelace", "Dora Quist"), "2024-04-01")
        record(
            spam,
            "evidence_recorded",
            {
                "condition": "statement",
                "tlp": "TLP:CLEAR",
                "text": "Spam traps run by Ben Okafor see 2 million messages a day.",
            },
            by="Ben Okafor",
            at="2024-04-02",
        )
        registry.advance(spam, by="Ada Lovelace", at="2024-04-03")
        record(
            spam,
            "meeting_held",
            {"attendees": ["Ben Okafor", "Ada Lovelace", "Dora Quist"]},
            by="Ben Okafor",
            at="2024-04-10",
        )
        record(spam, "meeting_held", {"attendees": ["Ben Okafor", "Ada Lovelace"]}, by="Ben Okafor", at="2024-05-10")
        for name in ("Ben Okafor", "Ada Lovelace"):
            record(spam, "attestation_given", {"condition": "trust-attested"}, by=name, at="2024-05-10")
        record(
            spam,
            "evidence_recorded",
            {"condition": "neutral-host", "tlp": "TLP:CLEAR", "text": "The national CERT hosts the meetings."},
            by="Ben Okafor",
            at="2024-05-10",
        )
        registry.advance(spam, by="Ada Lovelace", at="2024-05-11")
        record(spam, "participant_left", {"name": "Dora Quist"}, by="Dora Quist", at="2024-07-01")

        # 4. Phishing awareness: just started, one participant.
        phishing = registry.create(
            "Phishing awareness",
            workflow=SAMPLE_WORKFLOW,
            initiative="phishing-awareness",
            by="Dora Quist",
            at="2024-09-01",
        )
        _join(registry, phishing, ("Dora Quist",), "2024-09-01")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("report-sample") / "coop.db"
    build_sample(db)
    return db


def test_the_sample_stands_where_the_report_tests_expect(sample_db: Path) -> None:
    with Registry.open(sample_db) as registry:
        found = {status.initiative: status for status in registry.statuses(as_of=AS_OF)}
    assert {name: status.stage for name, status in found.items()} == {
        "botnet-cleanup": "group",
        "no-default-passwords": "handed-off",
        "phishing-awareness": "problem",
        "spam-traps": "trust",
    }
    assert found["spam-traps"].at_risk_conditions == ["group"]
    waived = next(item for item in found["botnet-cleanup"].conditions if item.condition == "neutral-host")
    assert waived.waived and waived.detail == "waived: " + CONFIDENTIAL["TLP:AMBER"][2]
    assert [item.condition for item in found["botnet-cleanup"].unmet if item.blocking] == ["trust-attested"]
    assert found["botnet-cleanup"].at_risk is False
    assert found["phishing-awareness"].can_advance is False
