"""The three PostgreSQL roles a registry documents (README, "PostgreSQL roles"), as the grants that make them.

- admin: owns the schema, and so the tables and functions `coop init` creates in it; it
  creates and migrates the registry, and is the only role whose imports and copies keep an
  export's recorded_at and recorded_by (`coop_append_rows`).
- writer: reads, and appends through `coop_append` alone: no INSERT, UPDATE or DELETE on any
  table, so it can never choose an event's seq, position, hash or accounts.
- reader: reads (status, history, reports, export, audit).
"""

from __future__ import annotations

from typing import Literal

APPEND_FUNCTION = "coop_append(text[], integer[], text[], text[], text[], text[], text[])"

Role = Literal["reader", "writer"]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grants(schema: str, role: str, kind: Role) -> list[str]:
    """The statements the admin runs to make `role` a reader or writer of the registry in `schema`."""
    where, who = _quoted(schema), _quoted(role)
    statements = [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT SELECT ON {where}.coop_meta, {where}.coop_events, {where}.coop_workflows, "
        f"{where}.coop_proposals, {where}.coop_snapshots, {where}.coop_statuses TO {who}",
    ]
    if kind == "writer":
        statements.append(f"GRANT EXECUTE ON FUNCTION {where}.{APPEND_FUNCTION} TO {who}")
        # Workflow texts are kept by their hash and never changed (a trigger refuses it); workshop
        # proposals are the programme committee's working list, not the record.
        statements.append(f"GRANT INSERT ON {where}.coop_workflows TO {who}")
        statements.append(f"GRANT INSERT, UPDATE ON {where}.coop_proposals TO {who}")
        # Rows derived from the log, checked against it before use (`postgres_derived`): kept by writers.
        statements.append(f"GRANT INSERT, UPDATE, DELETE ON {where}.coop_snapshots, {where}.coop_statuses TO {who}")
    return statements


def missing_right_advice(schema: str) -> str:
    """What to grant, said for each role, for a user that lacks a right."""
    return (
        f"ask the registry's admin (the owner of schema {schema}) to grant it: to read, GRANT USAGE ON SCHEMA "
        f"{schema} and SELECT ON coop_meta, coop_events, coop_workflows, coop_proposals, coop_snapshots, "
        f"coop_statuses; to write, also GRANT EXECUTE ON FUNCTION {schema}.{APPEND_FUNCTION}, INSERT ON "
        "coop_workflows, INSERT, UPDATE ON coop_proposals and INSERT, UPDATE, DELETE ON coop_snapshots, coop_statuses; "
        "creating or upgrading a registry takes the schema's owner"
    )
