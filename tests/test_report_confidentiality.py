"""What a report may show: TLP filtering for its audience, and anonymisation, checked on the output bytes.

The properties build random registries (real SQLite files, through the Registry API) whose
free text carries unique markers and quotes the participants' names, render every format
for every audience, and look for what must not be there in the raw output, in its
HTML-unescaped form and with Markdown's backslashes removed.
"""

from __future__ import annotations

import html
import itertools
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_sample import (  # noqa: F401
    AS_OF,
    CONFIDENTIAL,
    REAL_NAMES,
    SAMPLE_WORKFLOW,
    build_sample,
    sample_db,
)

from cooperation.errors import CooperationError
from cooperation.registry import Registry
from cooperation.reports.build import build_report
from cooperation.reports.confidentiality import (
    AUDIENCE_ORDER,
    AudienceError,
    audiences_allowed,
    may_see,
    parse_audience,
)
from cooperation.reports.pseudonyms import Pseudonyms
from cooperation.reports.to_html import render_html
from cooperation.reports.to_json import render_json
from cooperation.reports.to_markdown import render_markdown
from cooperation.vocabulary import TLP_LABELS

# Written out here, not imported: the test's own statement of who may see what.
WIDEST_FIRST = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
RENDERERS = {"md": render_markdown, "json": render_json, "html": render_html}


def allowed(audience: str, label: str) -> bool:
    return WIDEST_FIRST.index(label) <= WIDEST_FIRST.index(audience)


def appears(needle: str, output: str) -> bool:
    """Whether `needle` can be read in `output`, in any case, escaped for HTML or Markdown or not."""
    folded = needle.casefold()
    return any(folded in form.casefold() for form in (output, html.unescape(output), output.replace("\\", "")))


def render_all(db: Path, *, audience: str, anonymise: bool, initiatives: list[str] | None = None) -> dict[str, str]:
    with Registry.open(db, create=False) as registry:
        report = build_report(registry, initiatives, audience=audience, as_of=AS_OF, anonymise=anonymise)  # type: ignore[arg-type]
    return {name: render(report) for name, render in RENDERERS.items()}


# --- the audience order -------------------------------------------------------------------------


@pytest.mark.parametrize(("audience", "label"), list(itertools.product(WIDEST_FIRST, WIDEST_FIRST)))
def test_an_audience_sees_its_own_label_and_every_wider_one(audience: str, label: str) -> None:
    assert may_see(audience, label) is allowed(audience, label)  # type: ignore[arg-type]


def test_every_label_of_the_vocabulary_has_its_place_in_the_order() -> None:
    assert sorted(AUDIENCE_ORDER) == sorted(TLP_LABELS) and list(AUDIENCE_ORDER) == WIDEST_FIRST


def test_an_unknown_label_is_seen_by_no_one() -> None:
    assert audiences_allowed("TLP:WHITE") == ()
    assert audiences_allowed("TLP:GREEN") == ("TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("TLP:AMBER", "TLP:AMBER"),
        ("amber+strict", "TLP:AMBER+STRICT"),
        (" Green ", "TLP:GREEN"),
        ("tlp:red", "TLP:RED"),
        ("CLEAR", "TLP:CLEAR"),
    ],
)
def test_audiences_are_read_in_any_case_with_or_without_the_prefix(text: str, label: str) -> None:
    assert parse_audience(text) == label


@pytest.mark.parametrize("text", ["TLP:WHITE", "secret", "", "TLP:AMBER+"])
def test_an_audience_that_is_not_a_tlp_label_is_refused_with_the_labels_to_use(text: str) -> None:
    with pytest.raises(AudienceError, match="use one of: TLP:CLEAR, TLP:GREEN"):
        parse_audience(text)


# --- the sample: every label, every format ----------------------------------------------------------


@pytest.mark.parametrize("audience", WIDEST_FIRST)
def test_each_audience_gets_exactly_the_text_its_label_allows_in_every_format(sample_db: Path, audience: str) -> None:  # noqa: F811
    outputs = render_all(sample_db, audience=audience, anonymise=False)
    for label, texts in CONFIDENTIAL.items():
        for text, (name, output) in itertools.product(texts, outputs.items()):
            assert appears(text, output) is allowed(audience, label), (audience, label, text, name)


def test_a_waiver_rationale_is_withheld_from_the_details_that_quote_it(sample_db: Path) -> None:  # noqa: F811
    rationale = CONFIDENTIAL["TLP:AMBER"][2]
    with Registry.open(sample_db, create=False) as registry:
        report = build_report(registry, ["botnet-cleanup"], audience="TLP:GREEN", as_of=AS_OF)
        shown = build_report(registry, ["botnet-cleanup"], audience="TLP:AMBER", as_of=AS_OF)
    line = next(item for item in report.initiatives[0].conditions if item.condition == "neutral-host")
    assert line.waived and rationale not in line.detail and "detail withheld" in line.detail
    line = next(item for item in shown.initiatives[0].conditions if item.condition == "neutral-host")
    assert line.detail == f"waived: {rationale}"


def test_history_names_what_it_withheld_and_counts_withheld_evidence(sample_db: Path) -> None:  # noqa: F811
    with Registry.open(sample_db, create=False) as registry:
        report = build_report(registry, ["botnet-cleanup"], audience="TLP:CLEAR", as_of=AS_OF)
    item = report.initiatives[0]
    evidence = [line for line in item.history if line.kind == "evidence_recorded"]
    assert [(line.data["tlp"], line.withheld) for line in evidence] == [
        ("TLP:CLEAR", []),
        ("TLP:AMBER", ["text"]),
        ("TLP:RED", ["text"]),
        ("TLP:GREEN", ["text"]),
    ]
    assert "text" not in evidence[1].data
    breach = next(line for line in item.history if line.kind == "trust_breached")
    assert breach.withheld == ["description"] and breach.data == {}
    assert {(w.condition, w.tlp, w.count) for w in item.withheld_evidence} == {
        ("statement", "TLP:AMBER", 1),
        ("statement", "TLP:RED", 1),
        ("statement", "TLP:GREEN", 1),
    }
    assert [step.withheld for step in item.path] == [[], [], [], ["note"]]


@pytest.mark.parametrize("audience", ["TLP:CLEAR", "TLP:RED"])
def test_anonymised_reports_hold_no_real_name_in_any_format(sample_db: Path, audience: str) -> None:  # noqa: F811
    outputs = render_all(sample_db, audience=audience, anonymise=True)
    for name, output in outputs.items():
        for real in REAL_NAMES:
            assert not appears(real, output), (name, real)
        assert "Participant 1" in output and "Organisation 1" in output


def test_pseudonyms_are_the_same_on_every_run_and_for_any_selection_of_initiatives(sample_db: Path) -> None:  # noqa: F811
    whole = json.loads(render_all(sample_db, audience="TLP:RED", anonymise=True)["json"])
    again = json.loads(render_all(sample_db, audience="TLP:RED", anonymise=True)["json"])
    one = json.loads(render_all(sample_db, audience="TLP:RED", anonymise=True, initiatives=["spam-traps"])["json"])
    assert whole == again
    people = {item["initiative"]: [p["name"] for p in item["participants"]] for item in whole["initiatives"]}
    assert people["spam-traps"] == [p["name"] for p in one["initiatives"][0]["participants"]]
    # Numbered in order of first appearance: Ada created the first initiative.
    assert people["botnet-cleanup"] == ["Participant 1", "Participant 2", "Participant 3", "Participant 4"]


def test_pseudonyms_keep_their_numbers_when_the_registry_grows(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    build_sample(db)
    before = json.loads(render_all(db, audience="TLP:RED", anonymise=True)["json"])
    with Registry.open(db) as registry:
        registry.create("Later one", workflow=SAMPLE_WORKFLOW, initiative="later", by="Zoe Newcomer", at="2024-10-01")
        registry.record(
            "later",
            "participant_joined",
            {"name": "Zoe Newcomer", "community": "academia", "organisation": "New University", "role": "owner"},
            at="2024-10-01",
            by="Zoe Newcomer",
        )
    after = json.loads(render_all(db, audience="TLP:RED", anonymise=True)["json"])
    grown = {item["initiative"]: item for item in after["initiatives"]}
    assert [grown[item["initiative"]] for item in before["initiatives"]] == before["initiatives"]
    assert [p["name"] for p in grown["later"]["participants"]] == ["Participant 6"]
    assert grown["later"]["participants"][0]["organisation"] == "Organisation 5"


# --- pseudonyms in free text ----------------------------------------------------------------------


def test_names_in_free_text_are_replaced_as_whole_words_in_any_case_longest_first() -> None:
    pseudonyms = Pseudonyms(["Ada", "Ada Lovelace", "O'Neil (Jr.)"], ["ACME"])
    assert pseudonyms.text("ada lovelace met ADA at Acme; O'Neil (Jr.) too") == (
        "Participant 2 met Participant 1 at Organisation 1; Participant 3 too"
    )
    assert pseudonyms.text("Adamant ACMEs stay") == "Adamant ACMEs stay"  # not whole words
    assert pseudonyms.text("https://example.org/ada-lovelace/Ada_Lovelace.pdf?by=ada+lovelace") == (
        "https://example.org/Participant 2/Participant 2.pdf?by=Participant 2"
    )
    assert pseudonyms.person("Ada Lovelace") == "Participant 2"
    assert pseudonyms.organisation("ACME") == "Organisation 1"
    assert pseudonyms.person("Someone else about ADA") == "Someone else about Participant 1"


def test_a_pseudonym_never_looks_like_a_real_name() -> None:
    pseudonyms = Pseudonyms(["Participant 2", "Bo"], ["Organisation"])
    assert pseudonyms.person("Participant 2") == "Person 1"
    assert pseudonyms.text("Bo and participant 2 met") == "Person 2 and Person 1 met"
    assert pseudonyms.organisation("Organisation") == "Body 1"


def test_without_names_text_is_left_alone() -> None:
    assert Pseudonyms([], []).text("Nothing to hide") == "Nothing to hide"


# --- properties over random registries ------------------------------------------------------------

# Names and markers use letters that no markup, key or word of the report uses, so that finding one
# in the output can only mean it leaked.
NAME = st.from_regex(r"[QXZJKVW][qxzjkvw]{3,6}( [QXZJKVW][qxzjkvw]{3,6})?", fullmatch=True)
LABELS = st.sampled_from([*WIDEST_FIRST, None])
WORDS = st.lists(
    st.sampled_from(["the", "router", "report", "shared", "incident", "with", "botnet", "and"]), min_size=0, max_size=4
)
CONDITIONS = ["statement", "group", "meetings", "trust-attested", "neutral-host", "comfort", "outcome", "receiver"]


@dataclass
class Recorded:
    """What a random registry holds: the names in it, and each marker with the label it was recorded under."""

    db: Path
    names: list[str]
    markers: dict[str, str] = field(default_factory=dict)


@st.composite
def registries(draw: st.DrawFn, folder: Path) -> Recorded:
    people = draw(st.lists(NAME, min_size=2, max_size=4, unique_by=str.casefold))
    organisations = draw(
        st.lists(
            NAME.filter(lambda name: name.casefold() not in {p.casefold() for p in people}),
            min_size=1,
            max_size=2,
            unique_by=str.casefold,
        )
    )
    names = [*people, *organisations]
    db = Path(tempfile.mkdtemp(dir=folder)) / "coop.db"  # a new registry for every example
    found = Recorded(db, names)
    counter = itertools.count(1)

    def free_text(label: str | None) -> str:
        """Words, a marker that is unique to this text, and perhaps a name quoted in any case."""
        marker = f"SECRET{next(counter)}N{draw(st.integers(0, 10**6))}"
        found.markers[marker] = label or "TLP:AMBER"
        quoted = draw(st.sampled_from([*names, None]))
        if quoted is not None:
            quoted = draw(st.sampled_from([quoted, quoted.upper(), quoted.lower()]))
            quoted = draw(st.sampled_from(["{}", "({})", "{}'s", "{},"])).format(quoted)
        words = draw(WORDS)
        return " ".join(part for part in (*words[:2], quoted, marker, *words[2:]) if part)

    day = itertools.count(1)

    def at() -> str:
        return f"2024-{1 + next(day) // 28:02d}-{1 + next(day) % 28:02d}"

    with Registry.open(db) as registry:
        quoted = draw(st.sampled_from(names))
        initiative = registry.create(f"Work with {quoted}", workflow=SAMPLE_WORKFLOW, by=people[0], at="2024-01-01")
        roles = [
            "owner",
            *draw(
                st.lists(
                    st.sampled_from(["member", "secretariat", "observer"]),
                    min_size=len(people) - 1,
                    max_size=len(people) - 1,
                )
            ),
        ]
        for number, (person, role) in enumerate(zip(people, roles, strict=False)):
            community = draw(st.sampled_from(["government", "business", "technical", "civil-society", "academia"]))
            data = {"name": person, "community": community, "role": role}
            if number < len(organisations):  # every organisation is someone's, so every name is in the registry
                data["organisation"] = organisations[number]
            elif draw(st.booleans()):
                data["organisation"] = draw(st.sampled_from(organisations))
            registry.record(initiative, "participant_joined", data, at="2024-01-01", by=people[0])
        actions = draw(
            st.lists(
                st.sampled_from(["evidence", "meeting", "waiver", "output", "breach", "advance", "attest"]),
                min_size=3,
                max_size=12,
            )
        )
        for action in actions:
            by = draw(st.sampled_from(people))
            known = set(found.markers)
            try:
                if action == "evidence":
                    label = draw(LABELS)
                    data = {"condition": draw(st.sampled_from(CONDITIONS)), "text": free_text(label)}
                    if label is not None:
                        data["tlp"] = label
                    if draw(st.booleans()):
                        data["link"] = f"https://example.org/{free_text(label).replace(' ', '-')}"
                    registry.record(initiative, "evidence_recorded", data, by=by, at=at())
                elif action == "meeting":
                    attendees = draw(st.lists(st.sampled_from(people), min_size=1, unique=True))
                    registry.record(
                        initiative,
                        "meeting_held",
                        {"attendees": attendees, "venue": free_text(None), "neutral": draw(st.booleans())},
                        by=by,
                        at=at(),
                    )
                elif action == "waiver":
                    registry.record(
                        initiative,
                        "condition_waived",
                        {"condition": "neutral-host", "rationale": free_text(None) + " because it does not apply"},
                        by=people[0],
                        at=at(),
                    )
                elif action == "output":
                    registry.record(
                        initiative,
                        "output_published",
                        {"title": free_text(None), "link": f"https://example.org/{next(counter)}"},
                        by=by,
                        at=at(),
                    )
                elif action == "breach":
                    registry.record(initiative, "trust_breached", {"description": free_text(None)}, by=by, at=at())
                elif action == "attest":
                    registry.record(
                        initiative,
                        "attestation_given",
                        {"condition": draw(st.sampled_from(["trust-attested", "comfort"]))},
                        by=by,
                        at=at(),
                    )
                else:
                    registry.advance(initiative, by=people[0], at=at())
            except CooperationError:  # a refused fact or move (an observer attesting, an unmet prerequisite):
                for marker in set(found.markers) - known:  # the log is unchanged, so its text is nowhere
                    del found.markers[marker]
    return found


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="report-properties-") as name:
        yield Path(name)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_withheld_text_and_no_real_name_reaches_any_output(folder: Path, data: st.DataObject) -> None:
    recorded = data.draw(registries(folder))
    for audience, anonymise in itertools.product(WIDEST_FIRST, (False, True)):
        outputs = render_all(recorded.db, audience=audience, anonymise=anonymise)
        for (marker, label), (name, output) in itertools.product(recorded.markers.items(), outputs.items()):
            if not allowed(audience, label):
                assert not appears(marker, output), f"{marker} ({label}) leaked to {audience} in {name}"
            elif name == "json":  # what may be shown is shown, so the filter is not simply dropping everything
                assert appears(marker, output), f"{marker} ({label}) missing for {audience}"
        if anonymise:
            for real, (name, output) in itertools.product(recorded.names, outputs.items()):
                assert not appears(real, output), f"{real!r} appears in the anonymised {name} for {audience}"
                for word in real.split():
                    assert not appears(word, output), f"{word!r} of {real!r} appears in the anonymised {name}"
