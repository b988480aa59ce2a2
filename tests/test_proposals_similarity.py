"""Look-alike proposals: their quality on hand-labelled IGF 2019 workshops, their explanations, generic
words that never make two proposals alike, the optional extra, and speed."""

from __future__ import annotations

import builtins
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.errors import MissingExtraError
from cooperation.proposals import similarity
from cooperation.proposals.field_words import GENERIC_WORDS
from cooperation.proposals.quality import load_labels, main, measure, predicted_pairs
from cooperation.proposals.records import Proposal, read_proposals
from cooperation.proposals.similarity import DEFAULT_THRESHOLD, find_similar

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "proposals"
IGF = EXAMPLES / "igf-workshops-2019.jsonl"
LABELS = EXAMPLES / "igf-workshops-2019-labels.json"
ISSUE_GENERIC = ("internet", "digital", "governance", "multistakeholder", "global", "session", "workshop", "future")


@pytest.fixture(scope="module")
def igf_groups() -> list[similarity.SimilarGroup]:
    return find_similar(read_proposals(IGF))


# --- quality on the labelled set ---------------------------------------------------------------


def test_precision_and_recall_on_the_labelled_igf_workshops_are_above_0_8(igf_groups: Any) -> None:
    quality = measure(igf_groups, load_labels(LABELS))
    assert quality.precision >= 0.8, sorted(map(sorted, quality.wrong))
    assert quality.recall >= 0.8, sorted(map(sorted, quality.missed))


def test_the_readme_reports_the_figures_measured(igf_groups: Any) -> None:
    quality = measure(igf_groups, load_labels(LABELS))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = f"precision **{quality.precision:.2f}** and recall **{quality.recall:.2f}**"
    assert stated in readme, f"README.md should say: {stated}"
    assert f"threshold of {DEFAULT_THRESHOLD}" in readme
    labels = load_labels(LABELS)
    counts = (
        f"({len(labels.same)} pairs)",
        f"{len(labels.uncertain)} pairs we could not",
        f"{len(labels.different)} pairs that",
    )
    assert all(text in readme for text in counts), counts
    proposals = read_proposals(IGF)
    loose, strict = (measure(find_similar(proposals, threshold=t), labels) for t in (0.3, 0.45))
    assert f"At 0.3 recall rises to {loose.recall:.2f} and precision\nfalls to {loose.precision:.2f}" in readme
    assert f"at 0.45 precision is {strict.precision:.2f} and recall {strict.recall:.2f}" in readme


def test_no_pair_labelled_different_is_grouped(igf_groups: Any) -> None:
    assert predicted_pairs(igf_groups) & load_labels(LABELS).different == frozenset()


def test_the_labels_name_only_proposals_of_the_file_and_no_pair_twice() -> None:
    ids = {item.id for item in read_proposals(IGF)}
    labels = load_labels(LABELS)
    assert all(pair <= ids and len(pair) == 2 for pair in labels.same | labels.uncertain | labels.different)
    assert not labels.same & labels.uncertain and not labels.same & labels.different
    assert not labels.uncertain & labels.different


def test_every_group_shares_a_specific_term_never_only_generic_words(igf_groups: Any) -> None:
    assert igf_groups
    for group in igf_groups:
        assert group.shared_terms, group
        for term in group.shared_terms:
            assert not set(term.split()) <= GENERIC_WORDS, (term, group)


def test_a_group_explains_itself(igf_groups: Any) -> None:
    proposals = {item.id: item for item in read_proposals(IGF)}
    hate = next(group for group in igf_groups if "WS #22" in group.proposals)
    assert set(hate.proposals) == {"WS #22", "WS #150", "WS #241"}
    assert "hate" in hate.shared_terms[0] or "speech" in hate.shared_terms[0]
    assert all(0 < pair.similarity <= 1 for pair in hate.pairs)
    assert [pair.similarity for pair in hate.pairs] == sorted((pair.similarity for pair in hate.pairs), reverse=True)
    assert set(hate.organisers) == {name for i in hate.proposals for name in proposals[i].organisers}


def test_the_quality_script_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(IGF), str(LABELS)]) == 0
    printed = capsys.readouterr().out
    assert re.match(r"threshold 0\.35: precision 0\.\d\d, recall 0\.\d\d", printed)


def test_a_higher_threshold_finds_fewer_pairs() -> None:
    proposals = read_proposals(IGF)
    loose = predicted_pairs(find_similar(proposals, threshold=0.25))
    strict = predicted_pairs(find_similar(proposals, threshold=0.5))
    assert strict < loose


# --- generic words ------------------------------------------------------------------------------

# Specific topics, no two alike even in their spelling.
TOPICS = (
    "routers",
    "phishing",
    "botnets",
    "spam",
    "literacy",
    "blockchain",
    "elections",
    "satellites",
    "cables",
    "encryption",
    "vaccines",
    "tariffs",
    "wildfires",
    "copyright",
    "drones",
    "quantum",
)
_topics = st.lists(st.sampled_from(TOPICS), min_size=6, max_size=6, unique=True)


@settings(max_examples=40, deadline=None)
@given(
    generic=st.lists(st.lists(st.sampled_from(sorted(GENERIC_WORDS)), min_size=2, max_size=6), min_size=2, max_size=6),
    topics=_topics,
)
def test_generic_words_never_make_two_proposals_alike(generic: list[list[str]], topics: list[str]) -> None:
    proposals = [
        Proposal(id=f"P{number}", title=" ".join([*words, topics[number]]).title())
        for number, words in enumerate(generic)
    ]
    assert find_similar(proposals) == []


@settings(max_examples=25, deadline=None)
@given(topics=_topics)
def test_a_shared_specific_topic_does_make_them_alike(topics: list[str]) -> None:
    topic, others = topics[0], topics[1:]
    proposals = [
        Proposal(id="A", title=f"The future of {topic} governance"),
        Proposal(id="B", title=f"{topic.title()}: a global multistakeholder workshop"),
        Proposal(id="C", title=f"{others[0]} {others[1]} and the Internet"),
        Proposal(id="D", title=f"Digital {others[2]} {others[3]}"),
    ]
    groups = find_similar(proposals)
    assert [group.proposals for group in groups] == [("A", "B")]


def test_the_issues_generic_words_are_all_generic() -> None:
    assert set(ISSUE_GENERIC) | {"role"} <= GENERIC_WORDS


def test_proposals_of_nothing_but_generic_words_are_never_grouped() -> None:
    proposals = [
        Proposal(id="A", title="The future of Internet governance"),
        Proposal(id="B", title="Digital governance and the global future"),
        Proposal(id="C", title="The role of the multistakeholder workshop session"),
    ]
    assert find_similar(proposals) == []


def test_the_threshold_must_be_within_zero_and_one() -> None:
    with pytest.raises(Exception, match="outside"):
        find_similar([Proposal(id="A", title="x"), Proposal(id="B", title="y")], threshold=1.5)


# --- the optional extra --------------------------------------------------------------------------


@pytest.fixture
def without_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_import = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "sklearn" or name.startswith("sklearn."):
            raise ModuleNotFoundError(f"No module named '{name}'", name="sklearn")
        return real_import(name, *args, **kwargs)

    similarity._libraries.cache_clear()
    monkeypatch.setattr(builtins, "__import__", refuse)
    yield
    monkeypatch.undo()
    similarity._libraries.cache_clear()


@pytest.mark.usefixtures("without_scikit_learn")
def test_without_the_extra_the_error_names_it(tmp_path: Path) -> None:
    with pytest.raises(MissingExtraError) as missing:
        find_similar([Proposal(id="A", title="x"), Proposal(id="B", title="y")])
    assert missing.value.extra == "proposals"
    assert 'pip install "cooperation-maturity[proposals]"' in str(missing.value)
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(app, ["proposals", "import", str(IGF), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["proposals", "similar", "--db", db])
    assert result.exit_code == 2
    assert "needs the optional extra 'proposals'" in result.output and "Traceback" not in result.output


# --- speed ---------------------------------------------------------------------------------------


def test_a_few_thousand_proposals_take_seconds() -> None:
    rng = random.Random(7)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10))) for _ in range(2500)
    ]
    generic = sorted(GENERIC_WORDS)
    proposals = [
        Proposal(
            id=f"P{number}",
            title=" ".join(rng.sample(vocabulary, 4) + rng.sample(generic, 2)),
            description=" ".join(rng.sample(vocabulary, 8)),
            organisers=(f"Organiser {rng.randint(0, 400)}",),
        )
        for number in range(3000)
    ]
    find_similar(proposals[:10])  # the libraries are imported once, outside the measure
    started = time.perf_counter()
    find_similar(proposals)
    assert time.perf_counter() - started < 20, "3000 proposals should take seconds"
