"""How well the look-alike groups match a labelled set: precision and recall over pairs.

A labelled set (`examples/proposals/igf-workshops-2019-labels.json`) names groups of
proposals on one topic, pairs that could go either way (`uncertain`) and pairs that look
alike but are not (`different`). Each pair of proposals found in one group is a
prediction. Precision is the share of predictions, uncertain pairs left out, that the
labels put in one group; recall is the share of the labels' pairs that were found.
`python -m cooperation.proposals.quality` prints the figures the README reports.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from cooperation.proposals.records import read_proposals
from cooperation.proposals.similarity import DEFAULT_THRESHOLD, SimilarGroup, find_similar

Pair = frozenset[str]


@dataclass(frozen=True, slots=True)
class Labels:
    """A labelled set: pairs on one topic, pairs left out of the count, pairs that must stay apart."""

    same: frozenset[Pair]
    uncertain: frozenset[Pair]
    different: frozenset[Pair]


@dataclass(frozen=True, slots=True)
class Quality:
    """Precision and recall of predicted pairs against labels, with the pairs behind them."""

    precision: float
    recall: float
    found: frozenset[Pair]  # labelled same, and predicted
    wrong: frozenset[Pair]  # predicted, labelled neither same nor uncertain
    missed: frozenset[Pair]  # labelled same, not predicted
    different_grouped: frozenset[Pair]  # labelled different, yet predicted


def load_labels(path: str | Path) -> Labels:
    """The labels of a JSON file with `groups` (name -> ids), `uncertain` and `different` ([id, id, why])."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    same = {frozenset(pair) for members in data["groups"].values() for pair in combinations(members, 2)}
    return Labels(
        same=frozenset(same),
        uncertain=frozenset(frozenset(entry[:2]) for entry in data.get("uncertain", ())),
        different=frozenset(frozenset(entry[:2]) for entry in data.get("different", ())),
    )


def predicted_pairs(groups: Iterable[SimilarGroup]) -> frozenset[Pair]:
    """Every pair of proposals that share a group."""
    return frozenset(frozenset(pair) for group in groups for pair in combinations(group.proposals, 2))


def measure(groups: Sequence[SimilarGroup], labels: Labels) -> Quality:
    """Precision and recall of `groups` against `labels`."""
    predicted = predicted_pairs(groups)
    counted = predicted - labels.uncertain
    found = counted & labels.same
    precision = len(found) / len(counted) if counted else 1.0
    recall = len(found) / len(labels.same) if labels.same else 1.0
    return Quality(
        precision=precision,
        recall=recall,
        found=found,
        wrong=counted - labels.same,
        missed=labels.same - predicted,
        different_grouped=predicted & labels.different,
    )


def main(arguments: Sequence[str] = ()) -> int:
    """Print precision and recall on a proposals file and its labels (default: the shipped IGF 2019 set)."""
    from cooperation.demo.examples import examples_directory  # inside the installed package, or beside a checkout

    folder = examples_directory() / "proposals"
    proposals_file = Path(arguments[0]) if arguments else folder / "igf-workshops-2019.jsonl"
    labels_file = Path(arguments[1]) if len(arguments) > 1 else folder / "igf-workshops-2019-labels.json"
    threshold = float(arguments[2]) if len(arguments) > 2 else DEFAULT_THRESHOLD
    groups = find_similar(read_proposals(proposals_file), threshold=threshold)
    quality = measure(groups, load_labels(labels_file))
    print(f"threshold {threshold}: precision {quality.precision:.2f}, recall {quality.recall:.2f}")
    for title, pairs in (("wrong", quality.wrong), ("missed", quality.missed)):
        for pair in sorted(sorted(pair) for pair in pairs):
            print(f"  {title}: {' ~ '.join(pair)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
