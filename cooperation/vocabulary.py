"""The fixed words of the domain: stakeholder communities, roles, TLP labels, kinds of body."""

from __future__ import annotations

from typing import Literal, get_args

Community = Literal[
    "government",
    "business",
    "technical",
    "civil-society",
    "academia",
    "media",
    "intergovernmental",
]
COMMUNITIES: tuple[Community, ...] = get_args(Community)

Role = Literal["owner", "secretariat", "member", "observer"]
ROLES: tuple[Role, ...] = get_args(Role)

# TLP 2.0 labels, from the most restricted to the least.
TlpLabel = Literal["TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"]
TLP_LABELS: tuple[TlpLabel, ...] = get_args(TlpLabel)
DEFAULT_TLP: TlpLabel = "TLP:AMBER"


def tlp_label(text: str) -> TlpLabel | None:
    """The TLP 2.0 label `text` names, in any case, with or without 'TLP:' ('amber', 'Amber+Strict',
    'tlp:clear'); None when it names none. Every option that takes a label reads it so."""
    cleaned = text.strip().upper().replace(" ", "")
    if not cleaned.startswith("TLP:"):
        cleaned = f"TLP:{cleaned}"
    return next((label for label in TLP_LABELS if label == cleaned), None)


BodyKind = Literal["standardisation", "legislation", "self-regulation"]
BODY_KINDS: tuple[BodyKind, ...] = get_args(BodyKind)
