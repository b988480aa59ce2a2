"""Reliability figures of who did what: the permission matrix, cell by cell, and forged moves not honoured.

Used by bench/reliability.py; the same checks as tests/test_permission_matrix.py and
tests/test_rejudged_moves.py, counted.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from cooperation.definition.catalog import get_workflow
from cooperation.engine.permissions import PERMISSIONS, allowed_roles
from cooperation.errors import ActorError
from cooperation.registry import Registry

ROLES = {"Own": "owner", "Sec": "secretariat", "Mem": "member", "Obs": "observer"}
_RATIONALE = "No outsider can vouch for a group this new; the board agreed to go on without it."
_DATA: dict[str, dict[str, Any]] = {
    "participant_joined": {"name": "New", "community": "media"},
    "participant_left": {"name": "Other"},
    "meeting_held": {"attendees": ["Own", "Mem"]},
    "evidence_recorded": {"condition": "problem", "text": "A shared problem"},
    "attestation_given": {"condition": "trust"},
    "condition_waived": {"condition": "vouched", "rationale": _RATIONALE},
    "score_set": {"parameter": "trust-level", "level": 2},
    "output_published": {"title": "Guidelines"},
    "trust_breached": {"description": "Shared information was misused."},
    "account_bound": {"account": "someone", "participant": "Other"},
}


def _group(db: Path, workflow: str) -> Registry:
    registry = Registry.open(db)
    registry.create("Roles", workflow=workflow, initiative="roles", by="Own", community="technical", at="2018-01-01")
    for name, role in [*list(ROLES.items())[1:], ("Other", "member")]:
        registry.join("roles", name, community="business", role=role, by="Own", at="2018-01-01")  # type: ignore[arg-type]
    return registry


def permission_matrix(workdir: Path, workflow: str) -> tuple[int, int]:
    """Every role (and no actor, and a stranger) by every kind of fact: (cells as the table says, cells)."""
    compiled = get_workflow(workflow)
    kinds = [kind for kind, permission in PERMISSIONS.items() if not permission.move and kind in _DATA]
    right = tried = 0
    for number, (kind, actor) in enumerate((kind, actor) for kind in kinds for actor in [*ROLES, "Nobody", None]):
        allowed = actor in ROLES and ROLES[actor] in allowed_roles(compiled, kind)  # type: ignore[arg-type]
        with _group(workdir / f"cell-{number}.db", workflow) as registry:
            before = registry.history("roles")
            try:
                registry.record("roles", kind, _DATA[kind], by=actor, at="2018-01-02")  # type: ignore[call-overload]
                accepted = True
            except ActorError:
                accepted = registry.history("roles") != before  # a refusal that wrote something counts as wrong
        tried += 1
        right += accepted == allowed
    return right, tried


FORGED: list[tuple[str | None, dict[str, str]]] = [
    ("Own", {"from": "idea", "to": "delivered"}),  # not the next stage
    ("Own", {"from": "idea", "to": "formed"}),  # prerequisites unmet
    ("Obs", {"from": "idea", "to": "formed"}),  # a role that may not
    ("Zed", {"from": "idea", "to": "formed"}),  # no participant
    (None, {"from": "idea", "to": "formed"}),  # no one, and not the workflow's own move
    ("Own", {"from": "trusted", "to": "delivered"}),  # from a stage it never reached
]


def forged_moves(workdir: Path, workflow: str) -> tuple[int, int]:
    """Moves written around coop (a raw INSERT into the file): (not honoured and named, forged)."""
    caught = 0
    for number, (by, data) in enumerate(FORGED):
        db = workdir / f"forged-{number}.db"
        _group(db, workflow).close()
        with sqlite3.connect(db) as connection:
            (seq,) = connection.execute("SELECT max(seq) + 1 FROM events WHERE initiative = 'roles'").fetchone()
            connection.execute(
                "INSERT INTO events (initiative, seq, kind, at, actor, data, recorded_at, recorded_by) "
                "VALUES ('roles', ?, 'stage_advanced', '2018-01-05', ?, ?, '2018-01-05T00:00:00.000000Z', 'forger')",
                (seq, by, json.dumps(data)),
            )
        with Registry.open(db) as registry:
            status = registry.status("roles")
        caught += status.stage == "idea" and [move.seq for move in status.invalid_moves] == [seq]
    return caught, len(FORGED)
