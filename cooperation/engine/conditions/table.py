"""The table of condition kinds: what `kind:` may say in a workflow file, and the module behind each.

A new kind is a module in this package and one entry here; `tests/test_condition_kinds.py`
fails until it has every part (`base.missing_parts`). The order is the order of the
kinds in the workflow file's JSON Schema.
"""

from __future__ import annotations

from typing import Any

from cooperation.engine.conditions import (
    all_of,
    any_of,
    attestation,
    evidence,
    expiring,
    held,
    meetings,
    outreach,
    participation,
    score,
    since_stage,
    time_in_stage,
)
from cooperation.engine.conditions.base import ConditionKind

KINDS: dict[str, ConditionKind[Any, Any]] = {
    kind.name: kind
    for kind in (
        evidence.KIND,
        attestation.KIND,
        meetings.KIND,
        participation.KIND,
        outreach.KIND,
        score.KIND,
        held.KIND,
        expiring.KIND,
        time_in_stage.KIND,
        since_stage.KIND,
        all_of.KIND,
        any_of.KIND,
    )
}
