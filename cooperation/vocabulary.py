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

BodyKind = Literal["standardisation", "legislation", "self-regulation"]
BODY_KINDS: tuple[BodyKind, ...] = get_args(BodyKind)
