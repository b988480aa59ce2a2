"""Anonymisation as de-identification: no name, name part or folded variant of a name survives.

Checked by examples (each way of writing a name that issue 16 found leaking) and by
properties over generated names (Latin with apostrophes, hyphens, ß and accents in NFC or
NFD, CJK, Arabic with bidi marks, names inside other names, names equal to pseudonym
words), written into free text in every variant, through the matcher and through whole
reports in every format. The check folds the output with its own, independent rule (below),
not with the matcher's code.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import tempfile
import time
import unicodedata
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_sample import SAMPLE_WORKFLOW

from cooperation.errors import CooperationError
from cooperation.registry import Registry
from cooperation.reports.build import build_report
from cooperation.reports.deidentify import GENERIC_WORDS, NameMatcher
from cooperation.reports.folding import is_spaceless, tokenise
from cooperation.reports.pseudonyms import Pseudonyms
from cooperation.reports.to_html import render_html
from cooperation.reports.to_json import render_json
from cooperation.reports.to_markdown import render_markdown

RENDERERS = {"md": render_markdown, "json": render_json, "html": render_html}
AS_OF = "2024-12-31"

# --- the independent check ----------------------------------------------------------------------------------


def loose(text: str) -> str:
    """`text` as the check compares it: compatibility-decomposed, case-folded, without marks or invisible
    characters, every space, dash, apostrophe, underscore, dot and '+' one space."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if character.isspace() or category == "Pd" or character in "'’‘ʼ`´_.+":
            kept.append(" ")
        elif not (category[0] == "M" or category[0] == "C"):
            kept.append(character)
    return re.sub(" +", " ", "".join(kept)).strip()


def spaceless(text: str) -> bool:
    """Whether `text` is in the scripts the README names as written without spaces."""
    return all(is_spaceless(character) for character in text.replace(" ", ""))


def parts(name: str) -> list[str]:
    """The parts the README promises to catch: words (runs of letters and digits, cut where a script without
    spaces starts or ends) of 3 characters or more, 2 in a script without spaces; numbers and generic words
    aside."""
    found = []
    for word in re.split(r"[\W_]+", loose(name)):
        for run in _runs(word):
            long_enough = len(run) >= (2 if spaceless(run) else 3)
            if long_enough and not run.isdigit() and run not in GENERIC_WORDS:
                found.append(run)
    return found


def _runs(word: str) -> list[str]:
    """`word` cut where it passes between a script without spaces and one with."""
    runs: list[str] = []
    for character in word:
        if runs and spaceless(runs[-1][-1]) == spaceless(character):
            runs[-1] += character
        else:
            runs.append(character)
    return runs


def readings(output: str) -> list[str]:
    """The ways a reader may read an output: raw, HTML-unescaped, without Markdown's backslashes, URL-decoded."""
    return [loose(form) for form in (output, html.unescape(output), output.replace("\\", ""))] + [
        loose(urllib.parse.unquote(output))
    ]


def found_in(needle: str, output: str) -> bool:
    """Whether the (already loose) `needle` can be read in `output`: as a substring in a script without spaces,
    else as whole words."""
    if spaceless(needle):
        return any(needle.replace(" ", "") in form.replace(" ", "") for form in readings(output))
    pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")
    return any(pattern.search(form) for form in readings(output))


def leaks(names: list[str], output: str) -> list[str]:
    """Every name or part of a name that can be read in `output`."""
    return [
        needle
        for name in names
        for needle in dict.fromkeys([loose(name), *parts(name)])
        if needle and found_in(needle, output)
    ]


# --- names and the ways they are written -------------------------------------------------------------------

# Not "Www": every HTML report names the SVG namespace, http://www.w3.org/2000/svg, which no name is.
LATIN_WORD = st.from_regex(r"[QXZJKVW][qxzjkvwéüßøå]{2,6}", fullmatch=True).filter(lambda word: word.lower() != "www")
LATIN = st.builds(
    lambda first, joiner, second: f"{first}{joiner}{second}" if second else first,
    LATIN_WORD,
    st.sampled_from([" ", "-", "'"]),
    st.one_of(st.none(), LATIN_WORD),
)
CJK = st.lists(st.characters(min_codepoint=0x4E00, max_codepoint=0x4E7F), min_size=2, max_size=4).map("".join)
CJK_WITH_SPACE = st.tuples(CJK, CJK).map(" ".join)
ARABIC = st.builds(
    lambda word, mark: f"{mark}{word}{mark}",
    st.lists(st.characters(min_codepoint=0x0628, max_codepoint=0x063A), min_size=3, max_size=6).map("".join),
    st.sampled_from(["", "\u200f", "\u202b", "\u2067"]),
)
PSEUDONYM_LIKE = st.sampled_from(["Person 1", "Person 2", "Entity 1", "Contributor", "Delegate 3", "Person"])
NAME = st.one_of(LATIN, CJK, CJK_WITH_SPACE, ARABIC, PSEUDONYM_LIKE).map(
    lambda name: name  # stored as generated; the normal form is drawn below
)
FILLER = st.sampled_from(["met", "said", "and", "with", "(", ",", "3", "说", "和", "the"])


def variant(draw: st.DrawFn, name: str) -> str:
    """`name` as someone might write it in free text: whole or a part, in another normal form, case,
    apostrophe or dash, with an invisible character inside, percent-encoded or as HTML references."""
    if draw(st.booleans()) and parts(name):
        words = [word for word in re.split(r"[ \-']", name) if loose(word) in parts(name)]
        name = draw(st.sampled_from(words)) if words else name
    change = draw(st.sampled_from(["nfc", "nfd", "upper", "curly", "dashes", "spaces", "zwsp", "percent", "entity"]))
    if change == "nfc":
        return unicodedata.normalize("NFC", name)
    if change == "nfd":
        return unicodedata.normalize("NFD", name)
    if change == "upper":
        return name.upper()
    if change == "curly":
        return name.replace("'", "\u2019")
    if change == "dashes":
        return name.replace(" ", "-").replace("'", "-")
    if change == "spaces":
        return name.replace("-", " ")
    if change == "zwsp" and len(name) > 2:
        return name[:1] + "\u200b" + name[1:]
    if change == "percent":
        return urllib.parse.quote(name)
    if change == "entity":
        return "".join(f"&#{ord(character)};" for character in name)
    return name


def written(data: st.DataObject, names: list[str], filler: st.SearchStrategy[str]) -> list[str]:
    """Pieces of free text: filler, and names in some variant."""
    pieces = []
    for _ in range(data.draw(st.integers(0, 8))):
        if data.draw(st.booleans()):
            pieces.append(data.draw(filler))
        else:
            pieces.append(variant(data.draw, data.draw(st.sampled_from(names))))
    return pieces


@st.composite
def stored_names(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """People and organisations, each stored in NFC or NFD, unique once folded."""
    form = draw(st.sampled_from(["NFC", "NFD"]))
    names = draw(st.lists(NAME.map(lambda n: unicodedata.normalize(form, n)), min_size=2, max_size=6, unique_by=loose))
    if draw(st.booleans()):  # a name that holds another
        longer = names[0] + draw(st.sampled_from(["", " "])) + draw(st.one_of(LATIN_WORD, CJK))
        if loose(longer) not in {loose(name) for name in names}:
            names.append(unicodedata.normalize(form, longer))
    cut = draw(st.integers((len(names) + 1) // 2, len(names)))  # no more organisations than people: each is someone's
    return names[:cut], names[cut:]


# --- the matcher ----------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_name_part_or_variant_survives_in_free_text(data: st.DataObject) -> None:
    people, organisations = data.draw(stored_names())
    names = [*people, *organisations]
    pieces = written(data, names, FILLER)
    text = " ".join(pieces) + "".join(data.draw(st.lists(st.sampled_from(names), max_size=2)))  # glued at the end
    anonymised = Pseudonyms(people, organisations).text(text)
    assert leaks(names, anonymised) == [], (text, anonymised)


@settings(max_examples=200, deadline=None)
@given(names=stored_names())
def test_no_pseudonym_holds_a_name_or_a_part_of_one(names: tuple[list[str], list[str]]) -> None:
    people, organisations = names
    pseudonyms = Pseudonyms(people, organisations)
    shown = [pseudonyms.person(name) for name in people] + [pseudonyms.organisation(name) for name in organisations]
    everyone = [*people, *organisations]
    for pseudonym in shown:
        found = [leak for leak in leaks(everyone, pseudonym) if not leak.isdigit()]
        assert found == [], (pseudonym, found)
    assert len(set(shown)) == len(shown)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\t\n")))
def test_plain_ascii_takes_a_fast_path_with_the_same_tokens(text: str) -> None:
    # A vertical tab is a space (it adds no token) that sends the text down the general path.
    assert tokenise(text) == tokenise(text + "\x0b")


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_remembered_replacement_is_what_a_fresh_match_gives(data: st.DataObject) -> None:
    people, organisations = data.draw(stored_names())
    texts = ["and", *written(data, people, FILLER)]
    shared = Pseudonyms(people, organisations)
    for text in [*texts, *reversed(texts)]:
        assert shared.text(text) == Pseudonyms(people, organisations).text(text)
    matcher = NameMatcher()
    assert matcher.replace("Qxv said") == "Qxv said"
    matcher.add(("qxv",), "Someone", 1)  # a key added after a text was remembered
    assert matcher.replace("Qxv said") == "Someone said"


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("José Müller", unicodedata.normalize("NFD", "José Müller")),  # NFC stored, NFD written
        (unicodedata.normalize("NFD", "José Müller"), "José Müller"),  # and the other way round
        ("李雷", "李雷说"),  # no word breaks
        ("O'Brien", "O\u2019Brien"),  # curly apostrophe
        ("O\u2019Brien", "O'Brien"),
        ("Mary-Jane Smith", "Mary Jane Smith"),  # a space for a hyphen
        ("Anna Straße", "ANNA STRASSE"),  # case folding
        ("Ada Lovelace", "Lovelace"),  # a surname alone
        ("Ada Lovelace", "https://example.org/people/Ada%20Lovelace"),  # percent-encoded
        ("Zoë Ångström", "https://example.org/" + urllib.parse.quote("Zoë Ångström")),  # percent-encoded UTF-8
        ("Ada Lovelace", "L&#111;velace"),  # an HTML reference
        ("\x99Ada", "&#153;&#65;da"),  # a control character's reference, which html.unescape reads as "™"
        ("Ada Lovelace", "AdaLovelace"),  # the words glued
        ("Ada Lovelace", "Love\u200blace and Lovel\u202eace"),  # invisible characters inside
        ("山田 太郎", "太郎さん"),  # a part in a script without spaces
        ("Ｆｕｌｌ Ｗｉｄｔｈ", "Full Width"),  # compatibility forms
    ],
)
def test_each_way_of_writing_a_name_that_leaked_is_caught(stored: str, written: str) -> None:
    anonymised = Pseudonyms([stored], []).text(f"Notes: {written}, more")
    assert leaks([stored], anonymised) == [], anonymised
    assert "Participant 1" in anonymised and anonymised.startswith("Notes: ") and anonymised.endswith(", more")


def test_organisations_are_caught_by_their_words_and_initials() -> None:
    pseudonyms = Pseudonyms([], ["European Cyber Agency", "Shield Security Ltd"])
    assert (
        pseudonyms.text("ECA and Shield spoke; the agency too")
        == "Organisation 1 and Organisation 2 spoke; the agency too"
    )


def test_short_and_generic_parts_are_matched_only_within_the_whole_name() -> None:
    pseudonyms = Pseudonyms(["Bo Li"], ["Open University"])
    assert pseudonyms.text("Bo Li went to Lisbon, Li said; the university") == (
        "Participant 1 went to Lisbon, Li said; the university"
    )
    assert pseudonyms.text("at Open University, open data") == "at Organisation 1, Organisation 1 data"


def test_a_part_shared_by_several_names_names_no_one() -> None:
    pseudonyms = Pseudonyms(["Ada Smith", "Ben Smith"], [])
    assert pseudonyms.text("Smith wrote") == "Participant ? wrote"


def test_pseudonym_words_that_are_names_are_not_used() -> None:
    pseudonyms = Pseudonyms(["Member 2", "Participant", "Person Q"], ["Body"])
    shown = [pseudonyms.person("Member 2"), pseudonyms.person("Participant"), pseudonyms.organisation("Body")]
    # Participant, Person and Body are names or parts of one; "Member 2" would be a name.
    assert shown == ["Contributor 1", "Contributor 2", "Institution 1"]
    assert pseudonyms.text("member 2 met Participant") == f"{shown[0]} met {shown[1]}"


def test_when_every_listed_word_is_a_name_a_new_word_is_made() -> None:
    words = ["Participant", "Organisation", "Person", "Body", "Member", "Entity"]
    words += ["Contributor", "Institution", "Delegate", "Party"]
    pseudonyms = Pseudonyms(words, [])
    assert leaks(words, pseudonyms.person("Party")) == []


def test_anonymising_grows_linearly_with_the_number_of_names() -> None:
    def seconds(count: int) -> float:
        people = [f"Person {index} Qx{index}" for index in range(count)]
        started = time.process_time()
        pseudonyms = Pseudonyms(people, [])
        pseudonyms.text(" ".join(people[::97]))
        return time.process_time() - started

    small, large = min(seconds(2_000) for _ in range(2)), min(seconds(20_000) for _ in range(2))
    assert large < 30 * small, (small, large)  # ten times the names: linear is 10, quadratic 100


# --- whole reports ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="anonymisation-") as name:
        yield Path(name)


def record(draw: st.DrawFn, db: Path, people: list[str], organisations: list[str]) -> None:
    """A registry whose every free-text field quotes the names in some variant."""
    names = [*people, *organisations]

    def text() -> str:
        return " ".join(
            ["Notes", variant(draw, draw(st.sampled_from(names))), "and", variant(draw, draw(st.sampled_from(names)))]
        )

    with Registry.open(db) as registry:
        initiative = registry.create(f"Work with {text()}", workflow=SAMPLE_WORKFLOW, by=people[0], at="2024-01-01")
        for number, person in enumerate(people):
            data = {"name": person, "community": "technical", "role": "owner" if number == 0 else "member"}
            if organisations:  # every organisation is someone's, so that every name is in the registry
                data["organisation"] = organisations[number % len(organisations)]
            registry.record(initiative, "participant_joined", data, at="2024-01-02", by=people[0])
        link = "https://example.org/" + urllib.parse.quote(draw(st.sampled_from(names)))
        for label in ("TLP:CLEAR", "TLP:RED"):
            registry.record(
                initiative,
                "evidence_recorded",
                {"condition": "statement", "text": text(), "tlp": label, "link": link},
                by=people[-1],
                at="2024-01-03",
            )
        registry.record(
            initiative, "meeting_held", {"attendees": people, "venue": text()}, at="2024-01-04", by=people[0]
        )
        registry.record(initiative, "output_published", {"title": text(), "link": link}, at="2024-01-05", by=people[0])
        registry.record(initiative, "trust_breached", {"description": text()}, at="2024-01-06", by=people[0])
        registry.attest(initiative, "comfort", by=people[-1], at="2024-01-06")  # reports name who attested
        with contextlib.suppress(CooperationError):  # a rationale refused: the log is unchanged
            registry.record(
                initiative,
                "condition_waived",
                {"condition": "neutral-host", "rationale": text() + " as it does not apply"},
                by=people[0],
                at="2024-01-07",
            )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_an_anonymised_report_of_any_registry_holds_no_name_in_any_format(folder: Path, data: st.DataObject) -> None:
    people, organisations = data.draw(stored_names())
    db = Path(tempfile.mkdtemp(dir=folder)) / "coop.db"
    record(data.draw, db, people, organisations)
    for audience in ("TLP:CLEAR", "TLP:RED"):
        with Registry.open(db, create=False) as registry:
            report = build_report(registry, audience=audience, as_of=AS_OF, anonymise=True)  # type: ignore[arg-type]
        for name, render in RENDERERS.items():
            output = render(report)
            assert leaks([*people, *organisations], output) == [], (name, audience)


def test_the_initiatives_own_name_and_id_are_anonymised(tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    with Registry.open(db) as registry:
        initiative = registry.create("Lovelace Lab", workflow=SAMPLE_WORKFLOW, by="Ada Lovelace", at="2024-01-01")
        registry.record(
            initiative,
            "participant_joined",
            {"name": "Ada Lovelace", "community": "technical", "role": "owner"},
            at="2024-01-01",
            by="Ada Lovelace",
        )
        report = build_report(registry, audience="TLP:CLEAR", as_of=AS_OF, anonymise=True)
    assert initiative == "lovelace-lab"
    for render in RENDERERS.values():
        output = render(report)
        assert leaks(["Ada Lovelace"], output) == []
    shown = json.loads(render_json(report))["initiatives"][0]
    assert (shown["initiative"], shown["name"]) == ("Participant 1-lab", "Participant 1 Lab")


ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=10).filter(
            lambda name: sum(character.isalpha() for character in loose(name)) >= 3
        ),
        min_size=1,
        max_size=4,
        unique_by=loose,
    ),
    data=st.data(),
)
def test_names_of_any_characters_do_not_survive_in_text_of_any_characters(
    names: list[str], data: st.DataObject
) -> None:
    pieces = written(data, names, ANY_TEXT)
    text = " ".join(pieces)
    anonymised = Pseudonyms(names, []).text(text)
    assert leaks(names, anonymised) == [], (text, anonymised)
