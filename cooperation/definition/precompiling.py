"""Writing `builtin_compiled.json`, which `cooperation.definition.precompiled` reads: run
`python -m cooperation.definition.precompiling` after changing a built-in workflow or what
a compilation holds (tests/test_precompiled.py fails until then).
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from cooperation.definition.catalog import builtin_directory, builtin_workflow_ids
from cooperation.definition.compiled import CompiledWorkflow
from cooperation.definition.loading import load_workflow_text
from cooperation.definition.precompiled import FORMAT, PRECOMPILED, text_digest
from cooperation.engine.span import Span


def to_record(compiled: CompiledWorkflow) -> dict[str, Any]:
    """A compiled workflow's records as JSON values (its definition is left to its text)."""
    return {
        "id": compiled.id,
        "ladder": list(compiled.ladder),
        "stage_needs": {stage: list(needs) for stage, needs in compiled.stage_needs.items()},
        "transition_needs": {name: list(needs) for name, needs in compiled.transition_needs.items()},
        "condition_order": list(compiled.condition_order),
        "conditions": [
            [*condition[:-1], _json(condition.settings)] for condition in compiled.compiled_conditions.values()
        ],
        "stages": [_json(stage) for stage in compiled.compiled_stages.values()],
        "transitions": [_json(transition) for transition in compiled.compiled_transitions.values()],
        "scales": {name: [scale.min, scale.max, list(scale.labels.items())] for name, scale in compiled.scales.items()},
        "default_roles": list(compiled.default_roles),
        "default_waiver_min_rationale": compiled.default_waiver_min_rationale,
        "warnings": [
            {item.name: getattr(problem, item.name) for item in fields(problem)} for problem in compiled.warnings
        ],
        "permissions": {kind: list(roles) for kind, roles in compiled.permissions.items()},
        "declared_roles": [[role.id, role.title, sorted(role.may)] for role in compiled.declared_roles.values()],
    }


def _json(value: Any) -> Any:
    """A compiled value as JSON: tuples (records too) as lists, a span tagged (`precompiled._value` reads it)."""
    if isinstance(value, Span):
        return {"span": [value.months, value.days]}
    if isinstance(value, tuple):
        return [_json(item) for item in value]
    return value


def generate() -> dict[str, Any]:
    """The file's content: every built-in workflow compiled from its YAML."""
    workflows = {}
    for name in builtin_workflow_ids():
        source = (builtin_directory() / f"{name}.yaml").read_bytes()
        workflows[text_digest(source)] = to_record(load_workflow_text(source, file=name))
    return {"format": FORMAT, "workflows": workflows}


def write() -> None:
    PRECOMPILED.write_text(json.dumps(generate(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
    print(f"written: {PRECOMPILED}")
