"""The statements the PostgreSQL store runs, on the schema-qualified names of the registry's objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from cooperation.definition.digest import sha256
from cooperation.stores.shared import MARKER


def object_names(connection: psycopg.Connection[Any], schema: str) -> dict[str, str]:
    """The quoted, schema-qualified names of the registry's objects."""
    tables = {
        "meta": "coop_meta",
        "events": "coop_events",
        "refuse": "coop_refuse_rewrites",
        "proposals": "coop_proposals",
        "field": "coop_chain_field",  # schema 3: the hash chain and the append path (postgres_chain.py)
        "link": "coop_chain_link",
        "append": "coop_append",
        "append_rows": "coop_append_rows",
        "notify": "coop_notify_appended",  # schema 6: tells listeners of appends
    }
    tables["workflows"] = "coop_workflows"  # the pinned workflow texts (stores/workflow_texts.py)
    tables["snapshots"], tables["statuses"] = "coop_snapshots", "coop_statuses"  # postgres_derived.py
    return {key: sql.Identifier(schema, name).as_string(connection) for key, name in tables.items()}


def statements(names: Mapping[str, str]) -> dict[str, str]:
    """Every statement the store runs, on the registry's objects."""
    meta, events = names["meta"], names["events"]
    # A log as one JSON array of [kind, at, data, actor, seq, recorded_at, recorded_by], so that
    # reading it costs one json.loads instead of one per event (the data column is JSON already,
    # taken in as is); recorded_at is spelled as SQLite stores it, UTC to the microsecond with a Z.
    log = f"""
        SELECT json_agg(json_build_array(
            kind, at, data, actor, seq,
            to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), recorded_by
        ) ORDER BY seq)::text
        FROM {events} WHERE initiative = {{initiative}}
    """
    # A page of logs: the next page of initiatives (as many as %(page)s says), each with its log, in one statement (one
    # snapshot). Every log has an event 1, so the initiatives are the index's (initiative, 1)
    # entries; each log is then looked up by its key, a plan that stays cheap whatever the
    # table's statistics say.
    logs = f"""
        SELECT page.initiative, ({log.format(initiative="page.initiative")})
        FROM (
            SELECT initiative FROM {events} WHERE {{after}} seq = 1 ORDER BY initiative LIMIT %(page)s
        ) AS page
        ORDER BY page.initiative
    """
    return {
        "read_meta": f"SELECT key, value FROM {meta}",
        "set_version": f"INSERT INTO {meta} (key, value) VALUES ('schema_version', %s) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        "mark": f"INSERT INTO {meta} (key, value) VALUES ('application', %s), ('created_at', %s)",
        "read": log.format(initiative="%s"),
        "first_logs": logs.format(after=""),
        "next_logs": logs.format(after="initiative > %(after)s AND"),
        "initiatives": f"SELECT initiative FROM {events} WHERE seq = 1 ORDER BY initiative",
        "version": f"SELECT coalesce(max(seq), 0) FROM {events} WHERE initiative = %s",
        "versions": f"""
            SELECT name, coalesce((SELECT max(seq) FROM {events} WHERE initiative = name), 0)
            FROM unnest(%s::text[]) AS name
        """,
    }


def migration_key(schema: str) -> int:
    """The advisory lock key that serialises migrations of one schema (64 bits, signed)."""
    digest = sha256(f"{MARKER} migration: {schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
