"""Look-alike proposals: which proposals are about the same specific topic, and why.

Built on scikit-learn (TF-IDF and cosine similarity), scipy (average linkage), networkx
(the groups) and the Snowball stemmer, from the optional extra `proposals`; without it, a
MissingExtraError names the extra to install. Each proposal's text is its title and
description. The text is first rewritten with the field's synonyms
(`field_words.SYNONYMS`), and its generic words are taken out (`field_words.GENERIC_WORDS`:
"Internet", "digital", "governance" ... never make two proposals alike). Two TF-IDF models
compare what is left: one on the stemmed words, one on character n-grams within the words
as written (which catches spelling variants and compounds the stemmer misses). Their cosine
similarities are weighed together, a shared organiser adds a little, and proposals at or
above the threshold are linked; each connected set of links is cut by average linkage into
groups whose members are, on average, that alike.

Titles are short, so a group is explained: the terms its proposals share, each pair's
similarity, and their organisers and communities. The weights and the default threshold
were chosen on the labelled IGF 2019 workshops (`cooperation.proposals.quality`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from cooperation.errors import MissingExtraError, ProposalError
from cooperation.proposals.field_words import GENERIC_WORDS, SYNONYMS
from cooperation.proposals.records import Proposal

DEFAULT_THRESHOLD = 0.35
WORD_WEIGHT = 0.3  # the word model's share of the similarity; the character model has the rest
ORGANISER_BONUS = 0.05  # added when two proposals share an organiser: a hint, never enough alone
_MOST_STEMS_KEPT = 200_000
_BLOCK = 500  # rows of the similarity matrix computed at once
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class SimilarPair:
    """Two proposals of a group and how alike they are (0 to 1)."""

    first: str
    second: str
    similarity: float


@dataclass(frozen=True, slots=True)
class SimilarGroup:
    """Proposals about the same topic, with what explains it."""

    proposals: tuple[str, ...]
    shared_terms: tuple[str, ...]  # the terms most of them share, strongest first
    pairs: tuple[SimilarPair, ...]  # every linked pair, most alike first
    organisers: tuple[str, ...]
    communities: tuple[str, ...]
    shared_organisers: tuple[str, ...]  # organisers behind more than one of them


@cache
def _libraries() -> tuple[Any, Any, _Stemmer]:
    """scikit-learn's vectoriser, networkx and the Snowball stemmer, or MissingExtraError naming the extra."""
    try:
        import networkx
        import snowballstemmer
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as error:
        raise MissingExtraError("finding look-alike proposals", "proposals", error.name or "a library") from None
    return TfidfVectorizer, networkx, _Stemmer(snowballstemmer.stemmer("english"))


class _Stemmer:
    """The Snowball stemmer, each word stemmed once: proposals repeat their words, and stemming is slow."""

    def __init__(self, stemmer: Any) -> None:
        self._stemmer = stemmer
        self._stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        found = self._stems.get(word)
        if found is None:
            if len(self._stems) > _MOST_STEMS_KEPT:
                self._stems.clear()
            found = self._stems[word] = str(self._stemmer.stemWord(word))
        return found


@cache
def _synonyms() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), word) for pattern, word in SYNONYMS)


def topic_words(text: str, stem: _Stemmer | None) -> list[str]:
    """The words of `text` that can make proposals alike: synonyms unified, generic words out, stemmed
    (unless `stem` is None)."""
    lowered = text.lower().replace("’", "'")
    for pattern, word in _synonyms():
        lowered = pattern.sub(f" {word} ", lowered)
    words = [word.removesuffix("'s") for word in _WORD.findall(lowered)]
    kept = [word for word in words if word not in GENERIC_WORDS and word not in _STOP_WORDS and len(word) > 1]
    return kept if stem is None else [stem.stem(word) for word in kept]


def topic_models(proposals: Sequence[Proposal]) -> tuple[Any, Any, list[str]]:
    """The TF-IDF rows (unit length) of the word model and of the character model, and the word model's terms.

    The word model reads stemmed words; the character model reads the words as written
    (generic words out), so that it catches what the stemmer leaves apart.
    """
    vectoriser, _, stem = _libraries()
    texts = [f"{item.title}. {item.description}" for item in proposals]
    words = vectoriser(analyzer="word", sublinear_tf=True, token_pattern=r"\S+")
    characters = vectoriser(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    word_matrix = _fit(words, [" ".join(topic_words(text, stem)) for text in texts])
    char_matrix = _fit(characters, [" ".join(topic_words(text, None)) for text in texts])
    return word_matrix, char_matrix, list(words.get_feature_names_out()) if word_matrix.shape[1] else []


def _fit(vectoriser: Any, texts: list[str]) -> Any:
    """TF-IDF rows (unit length) of `texts`; all zero when no text has a word left."""
    from scipy.sparse import csr_matrix

    try:
        return vectoriser.fit_transform(texts)
    except ValueError:  # an empty vocabulary: nothing but generic words
        return csr_matrix((len(texts), 0))


def find_similar(proposals: Sequence[Proposal], *, threshold: float = DEFAULT_THRESHOLD) -> list[SimilarGroup]:
    """Groups of look-alike proposals (two or more each), largest and closest first.

    Proposals at or above `threshold` are linked (networkx); a connected set of links is cut
    into groups whose members are, on average, at least that alike (average linkage, so
    that a chain of look-alikes does not join unrelated ends).
    """
    if not 0 < threshold <= 1:
        raise ProposalError(f"threshold {threshold} is outside (0, 1]; {DEFAULT_THRESHOLD} is the default")
    _, networkx, _ = _libraries()
    if len(proposals) < 2:
        return []
    word_matrix, char_matrix, terms = topic_models(proposals)
    graph = networkx.Graph()
    organisers = [frozenset(item.organisers) for item in proposals]
    for row, column, text_score in _links(word_matrix, char_matrix, threshold):
        shared = organisers[row] & organisers[column]
        score = min(1.0, text_score + ORGANISER_BONUS) if shared else text_score
        if score >= threshold:
            graph.add_edge(row, column, similarity=score)
    groups = [
        _explain(members, graph, proposals, terms, word_matrix)
        for component in networkx.connected_components(graph)
        for members in _average_linkage(sorted(component), graph, threshold)
    ]
    groups.sort(key=lambda group: (-len(group.proposals), -group.pairs[0].similarity, group.proposals))
    return groups


def _links(word_matrix: Any, char_matrix: Any, threshold: float) -> Iterator[tuple[int, int, float]]:
    """Pairs (row < column) whose similarity could reach `threshold` with the organiser bonus, with their similarity.

    Computed a block of rows at a time, and filtered in the matrix, so that a few thousand
    proposals take seconds and little memory: most pairs share nothing.
    """
    size = word_matrix.shape[0]
    floor = threshold - ORGANISER_BONUS
    for start in range(0, size, _BLOCK):
        block = WORD_WEIGHT * (word_matrix[start : start + _BLOCK] @ word_matrix.T)
        block = block + (1 - WORD_WEIGHT) * (char_matrix[start : start + _BLOCK] @ char_matrix.T)
        dense = block.toarray() if hasattr(block, "toarray") else block
        rows, columns = (dense >= floor).nonzero()
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
            if start + row < column:
                yield start + row, column, float(dense[row, column])


def _average_linkage(members: list[int], graph: Any, threshold: float) -> list[list[int]]:
    """`members` (one connected set) cut into groups of two or more whose average similarity is at least `threshold`."""
    if len(members) == 2:
        return [members]
    import numpy
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = numpy.ones((len(members), len(members)))
    numpy.fill_diagonal(distance, 0.0)
    place = {node: index for index, node in enumerate(members)}
    for a, b, score in graph.subgraph(members).edges(data="similarity"):
        distance[place[a], place[b]] = distance[place[b], place[a]] = 1.0 - score
    labels = fcluster(linkage(squareform(distance), method="average"), t=1.0 - threshold + 1e-9, criterion="distance")
    found: dict[int, list[int]] = {}
    for node, label in zip(members, labels.tolist(), strict=True):
        found.setdefault(label, []).append(node)
    return [group for group in found.values() if len(group) > 1]


def _explain(
    members: list[int], graph: Any, proposals: Sequence[Proposal], terms: list[str], word_matrix: Any
) -> SimilarGroup:
    pairs = sorted(
        (
            SimilarPair(proposals[a].id, proposals[b].id, round(score, 3))
            for a, b, score in graph.subgraph(members).edges(data="similarity")
        ),
        key=lambda pair: (-pair.similarity, pair.first, pair.second),
    )
    import numpy

    rows = word_matrix[members]
    present = numpy.asarray((rows > 0).sum(axis=0)).ravel()  # a matrix or an array, by scipy's version
    weight = numpy.asarray(rows.sum(axis=0)).ravel()
    shared = (present >= 2).nonzero()[0].tolist()  # terms in two members or more
    shared.sort(key=lambda index: (-present[index], -weight[index], terms[index]))
    readable = _readable_terms([terms[index] for index in shared], [proposals[index] for index in members])
    by_organiser: dict[str, int] = {}
    for index in members:
        for name in proposals[index].organisers:
            by_organiser[name] = by_organiser.get(name, 0) + 1
    return SimilarGroup(
        proposals=tuple(proposals[index].id for index in members),
        shared_terms=tuple(readable[:8]),
        pairs=tuple(pairs),
        organisers=tuple(sorted(by_organiser)),
        communities=tuple(sorted({name for index in members for name in proposals[index].communities})),
        shared_organisers=tuple(sorted(name for name, count in by_organiser.items() if count > 1)),
    )


def _readable_terms(stems: list[str], proposals: Sequence[Proposal]) -> list[str]:
    """Stemmed terms as a person would write them: each stem shown as the shortest word of the texts it stands for."""
    _, _, stem = _libraries()
    spelled: dict[str, str] = {}
    for item in proposals:
        lowered = f"{item.title} {item.description}".lower()
        for pattern, word in _synonyms():
            lowered = pattern.sub(f" {word} ", lowered)
        for word in _WORD.findall(lowered):
            root = stem.stem(word.removesuffix("'s"))
            if root not in spelled or len(word) < len(spelled[root]):
                spelled[root] = word
    shown = [" ".join(spelled.get(part, part) for part in term.split()) for term in stems]
    return [term for term in shown if not any(term != other and term in other for other in shown)] or shown


_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    us via vs where's what's who's let's can't won't don't isn't aren't really still we're
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())
"""Plain English function words, which never make two proposals alike either."""
