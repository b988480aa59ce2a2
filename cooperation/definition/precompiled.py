"""The built-in workflows shipped compiled, as JSON: a cold start needs neither YAML nor a cache.

Where the compiled-workflow cache cannot be kept (a home folder that is not writable, a
read-only container), every command would compile the built-in workflow again: YAML,
pydantic and networkx, several times the cost of the rest of a `coop status`. So the package
carries `builtin_compiled.json`: each built-in's compiled records, under the SHA-256 of its
text. JSON, not pickle: reading it runs no code, so it needs no trust in who wrote the file.
A compilation's records are plain values; the validated definition (for describing and
verifying a workflow) is parsed from the text only when asked for.

The file is generated from the YAML (`python -m cooperation.definition.precompiling`), and
tests/test_precompiled.py checks that it holds exactly what compiling each built-in gives.
An entry that does not fit the present code is a miss: the text is compiled as usual.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cooperation.definition.compiled import (
    CompiledCondition,
    CompiledRole,
    CompiledScale,
    CompiledStage,
    CompiledTransition,
    CompiledWorkflow,
)
from cooperation.definition.digest import sha256_hex
from cooperation.engine.conditions.table import KINDS
from cooperation.engine.span import Span
from cooperation.errors import Problem

if TYPE_CHECKING:
    from cooperation.definition.models import WorkflowDefinition

PRECOMPILED = Path(__file__).resolve().parent / "builtin_compiled.json"
FORMAT = 2
_entries: dict[str, Any] | None = None


@dataclass(frozen=True, eq=False)
class PrecompiledWorkflow(CompiledWorkflow):
    """A compiled workflow read from JSON: its definition is parsed from its text on first use."""

    text: bytes = field(default=b"", repr=False)

    @cached_property
    def definition(self) -> WorkflowDefinition:
        from cooperation.definition.loading import parse_definition  # pydantic and YAML: only here

        return parse_definition(self.text, file=self.source)[0]


def text_digest(source: bytes) -> str:
    return sha256_hex(source)


def read_precompiled(source: bytes, label: str) -> CompiledWorkflow | None:
    """The shipped compilation of this exact text, or None (not a built-in's text, or unreadable)."""
    global _entries
    try:
        if _entries is None:
            loaded = json.loads(PRECOMPILED.read_bytes())
            _entries = loaded["workflows"] if loaded.get("format") == FORMAT else {}
        entry = _entries.get(text_digest(source))
        return None if entry is None else from_record(entry, source, label)
    except Exception:  # missing, damaged or from other code: compiling the text is always right
        return None


def from_record(record: dict[str, Any], source: bytes, label: str) -> PrecompiledWorkflow:
    """The compiled workflow a record holds, as compiling `source` under the name `label` gives it."""
    conditions: dict[str, CompiledCondition[Any]] = {}
    for condition_id, kind, title, strength, requires, minimum, parts, settings in record["conditions"]:
        values = KINDS[kind].settings(*(_value(value) for value in settings))
        conditions[condition_id] = CompiledCondition(
            condition_id, kind, title, strength, tuple(requires), minimum, tuple(parts), values
        )
    stages = {stage[0]: CompiledStage(*(_value(value) for value in stage)) for stage in record["stages"]}
    transitions = {item[0]: CompiledTransition(*(_value(value) for value in item)) for item in record["transitions"]}
    roles = {role_id: CompiledRole(role_id, title, frozenset(may)) for role_id, title, may in record["declared_roles"]}
    return PrecompiledWorkflow(
        id=record["id"],
        source=label,
        ladder=tuple(record["ladder"]),
        stage_needs={stage: tuple(needs) for stage, needs in record["stage_needs"].items()},
        transition_needs={name: tuple(needs) for name, needs in record["transition_needs"].items()},
        condition_order=tuple(record["condition_order"]),
        compiled_conditions=conditions,
        compiled_stages=stages,
        compiled_transitions=transitions,
        scales={name: CompiledScale(low, high, dict(labels)) for name, (low, high, labels) in record["scales"].items()},
        default_roles=tuple(record["default_roles"]),
        default_waiver_min_rationale=record["default_waiver_min_rationale"],
        pickled_definition=b"",
        warnings=tuple(Problem(**{**problem, "file": label}) for problem in record["warnings"]),
        permissions={kind: tuple(roles) for kind, roles in record["permissions"].items()},
        declared_roles=roles,
        text=source,
    )


def _value(value: Any) -> Any:
    """A compiled value from its JSON: lists are tuples (records are immutable), a span is tagged."""
    if isinstance(value, list):
        return tuple(_value(item) for item in value)
    if isinstance(value, dict) and value.keys() == {"span"}:
        months, days = value["span"]
        return Span(months, days)
    return value
