"""The workflow versions a registry keeps, which initiatives each judges, and a workflow change shown.

`coop workflows list --registry` lists every stored version (id, hash, the definition's own
version and title) with the initiatives judged by it now; initiatives made before workflows
were pinned are listed apart: those naming a built-in (judged by the one this coop ships
until pinned) and those naming a file path (unreadable until pinned). `coop workflows
upgrade` shows a `WorkflowUpgrade` as lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cooperation.definition.catalog import compile_text, is_builtin_id
from cooperation.definition.pinned import stored_label
from cooperation.engine.loaded import judged_by

if TYPE_CHECKING:
    from cooperation.engine.upgrade import WorkflowUpgrade
    from cooperation.registry import Registry

PIN_COMMAND = "coop workflows upgrade ID --to FILE|BUILTIN --by ACTOR --apply"


@dataclass(slots=True)
class RegistryVersions:
    """Stored versions with the initiatives each judges, and the initiatives not pinned yet."""

    stored: list[dict[str, Any]] = field(default_factory=list)
    unpinned: dict[str, list[str]] = field(default_factory=dict)  # built-in id -> initiatives
    unreadable: list[str] = field(default_factory=list)  # named by a file path

    def to_json(self) -> dict[str, Any]:
        return {"stored": self.stored, "unpinned": self.unpinned, "unreadable": self.unreadable}

    def lines(self) -> list[str]:
        shown = [
            f"{row['id']}@{row['hash'][:12]}  v{row['version']}  {row['title']}  "
            f"used by: {', '.join(row['initiatives']) or 'none'}"
            for row in self.stored
        ]
        if not self.stored:
            shown.append("no workflow versions stored yet (`coop new` stores the one it uses)")
        for name, initiatives in self.unpinned.items():
            shown.append(
                f"{name} (not pinned: judged by the built-in this coop ships)  used by: {', '.join(initiatives)}"
            )
        if self.unreadable:
            shown.append(f"named by a file path, never opened from data: {', '.join(self.unreadable)}")
        if self.unpinned or self.unreadable:
            shown.append(f"pin each with: {PIN_COMMAND}")
        return shown


def registry_versions(registry: Registry) -> RegistryVersions:
    """Every stored version and who uses it; a scan of every log (for listing, not for statuses)."""
    users: dict[str, list[str]] = {}
    found = RegistryVersions()
    for initiative, events in registry.store.read_all():
        reference = judged_by(events)
        digest, name = reference.get("workflow_hash"), str(reference.get("workflow", ""))
        if isinstance(digest, str):
            users.setdefault(digest, []).append(initiative)
        elif is_builtin_id(name):
            found.unpinned.setdefault(name, []).append(initiative)
        else:
            found.unreadable.append(initiative)
    for stored in registry.store.stored_workflows():
        definition = compile_text(stored.text.encode("utf-8"), label=stored_label(stored.id, stored.hash)).definition
        found.stored.append(
            {
                "id": stored.id,
                "hash": stored.hash,
                "version": definition.version,
                "title": definition.title,
                "initiatives": users.get(stored.hash, []),
            }
        )
    return found


def upgrade_lines(upgrade: WorkflowUpgrade) -> list[str]:
    """A workflow change as a person reads it: what it does to the status, and whether it was recorded."""
    lines = [f"{upgrade.initiative}: workflow {upgrade.before} -> {upgrade.after} (as of {upgrade.as_of[:10]})"]
    if upgrade.same:
        return [*lines, "  already pinned to this version: nothing to change"]
    lines.append(f"  stage: {upgrade.stage} (next: {upgrade.next_before or '-'} -> {upgrade.next_after or '-'})")
    lines.append(f"  newly unmet: {', '.join(upgrade.newly_unmet) or 'none'}")
    lines.append(f"  newly met: {', '.join(upgrade.newly_met) or 'none'}")
    before = ", ".join(upgrade.at_risk_before) or "no"
    after = ", ".join(upgrade.at_risk_after) or "no"
    lines.append(f"  at risk: {before} -> {after}")
    lines.append(f"  can advance: {_yes(upgrade.can_advance_before)} -> {_yes(upgrade.can_advance_after)}")
    if upgrade.applied:
        lines.append(f"recorded workflow_changed: {upgrade.initiative} is judged by {upgrade.after} from now on")
    else:
        lines.append("nothing recorded: run again with --apply to make the change")
    return lines


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
