"""Who may see what: TLP 2.0 labels ordered by the audience a report is written for.

A report is written for one audience, named by a TLP label. The audience may see text
whose label is at or below its own in this order, from the widest audience to the
narrowest:

    TLP:CLEAR  <  TLP:GREEN  <  TLP:AMBER  <  TLP:AMBER+STRICT  <  TLP:RED

so a TLP:CLEAR report shows only TLP:CLEAR text, and a TLP:RED report shows everything.

Evidence carries its own label, and so may meetings (their venue), outputs (title and
link), hand-offs (the body, and the move's note), breaches (the description) and waivers
(the rationale), each in an optional `tlp` field of its data (`--tlp` on the command
line). Text recorded without one, and every other free text (reasons for a move), counts
as `UNLABELLED_TEXT_LABEL`, TLP:AMBER: the label evidence gets when none is given, and
the one that the people who wrote it would most often have meant.

`coop status`, `coop history` and `coop export` apply this same filter, through
`cooperation.reports.audience`, when given `--audience`. Names, dates,
counts, communities, roles and the workflow's own words carry no confidential content
and are shown to every audience (use anonymisation to hide who took part).
"""

from __future__ import annotations

from cooperation.errors import CooperationError
from cooperation.vocabulary import DEFAULT_TLP, TlpLabel, tlp_label

# From the audience allowed to see least to the one allowed to see most.
AUDIENCE_ORDER: tuple[TlpLabel, ...] = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
DEFAULT_AUDIENCE: TlpLabel = "TLP:CLEAR"
UNLABELLED_TEXT_LABEL: TlpLabel = DEFAULT_TLP
_RANK: dict[str, int] = {label: rank for rank, label in enumerate(AUDIENCE_ORDER)}


class AudienceError(CooperationError):
    """An audience that is not a TLP 2.0 label."""


def parse_audience(text: str) -> TlpLabel:
    """The TLP label `text` names: 'TLP:AMBER', 'amber' and 'Amber+Strict' are all accepted."""
    label = tlp_label(text)
    if label is not None:
        return label
    raise AudienceError(f"--audience: '{text}' is not a TLP 2.0 label; use one of: {', '.join(AUDIENCE_ORDER)}")


def may_see(audience: TlpLabel, label: str) -> bool:
    """Whether a report for `audience` may show text labelled `label`.

    An unknown label is treated as the most restricted one, so that nothing leaks by a typo.
    """
    return _RANK.get(label, len(AUDIENCE_ORDER)) <= _RANK[audience]


def audiences_allowed(label: str) -> tuple[TlpLabel, ...]:
    """The audiences that may see text labelled `label`, widest first."""
    return tuple(audience for audience in AUDIENCE_ORDER if may_see(audience, label))
