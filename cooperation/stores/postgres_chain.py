"""The PostgreSQL store's append path and hash chain (see `chain`): schema 3, and what it reads back.

Appends go through `coop_append`, a function that runs with its owner's rights (SECURITY
DEFINER): the writer role needs no right on the events table beyond SELECT, and cannot
choose an event's seq, position, hash, recorded_at or recorded_by. The function takes the
chain's lock (one append at a time, registry-wide), checks each log's version and each
date against the server's clock, and chains every event to the one before it, with the
same canonical text as `chain.link`. `coop_append_rows` is the same path that may also
keep an export's recorded_at and recorded_by: only the owner (the admin role) may run it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import psycopg

from cooperation.definition.digest import sha256
from cooperation.errors import ConflictError, FutureEventError, UnstorableEventError
from cooperation.stores.appending import FUTURE_TOLERANCE, Batches, ordered
from cooperation.stores.chain import ChainRow, Head
from cooperation.stores.shared import MARKER

CONFLICT_STATE = "CO001"  # a log is not at the version the writer expected
FUTURE_STATE = "CO002"  # an event dated ahead of the server's clock

_STAMP = """to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
PAGE_ROWS = 2000  # events per page read in chain order
_ARRAYS = "text[], integer[], text[], text[], text[], text[], text[]"


def chain_key(schema: str) -> int:
    """The advisory lock key that serialises appends to one schema's registry (64 bits, signed)."""
    digest = sha256(f"{MARKER} chain: {schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def migration() -> tuple[str, ...]:
    """Schema 3: positions and hashes (existing events chained, oldest first), the append functions.

    {chain_key} stands for the schema's `chain_key`, beside the objects' names."""
    stamp = _STAMP.format(value="r.recorded_at")
    return (
        "ALTER TABLE {events} ADD COLUMN position bigint",
        "ALTER TABLE {events} ADD COLUMN hash text",
        "CREATE FUNCTION {field}(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ "
        "SELECT CASE WHEN value IS NULL THEN '-' ELSE char_length(value)::text || ':' || value END $$",
        "CREATE FUNCTION {link}(previous text, initiative text, seq integer, kind text, at text, actor text, "
        "data text, recorded_at text, recorded_by text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ "
        "SELECT encode(sha256(convert_to(previous || {field}(initiative) || {field}(seq::text) || {field}(kind) "
        "|| {field}(at) || {field}(actor) || {field}(data) || {field}(recorded_at) || {field}(recorded_by), "
        "'UTF8')), 'hex') $$",
        "ALTER TABLE {events} DISABLE TRIGGER coop_events_append_only",
        f"""
        DO $$
        DECLARE r record; previous text := repeat('0', 64); counted bigint := 0;
        BEGIN
            FOR r IN SELECT * FROM {{events}} ORDER BY recorded_at, initiative, seq LOOP
                counted := counted + 1;
                previous := {{link}}(previous, r.initiative, r.seq, r.kind, r.at, r.actor, r.data::text,
                    {stamp}, r.recorded_by);
                UPDATE {{events}} SET position = counted, hash = previous
                    WHERE initiative = r.initiative AND seq = r.seq;
            END LOOP;
            INSERT INTO {{meta}} (key, value) VALUES ('chain_head', previous || '@' || counted);
        END
        $$
        """,
        "ALTER TABLE {events} ENABLE TRIGGER coop_events_append_only",
        "CREATE UNIQUE INDEX coop_events_position ON {events} (position)",
        _append_rows(),
        f"REVOKE ALL ON FUNCTION {{append_rows}}({_ARRAYS}, text[], text[]) FROM PUBLIC",
        """
        CREATE FUNCTION {append}(initiatives text[], expected integer[], row_initiatives text[], kinds text[],
            ats text[], actors text[], datas text[]) RETURNS text
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT {append_rows}(initiatives, expected, row_initiatives, kinds, ats, actors, datas, NULL, NULL)
        $$
        """,
        f"REVOKE ALL ON FUNCTION {{append}}({_ARRAYS}) FROM PUBLIC",
    )


def _append_rows() -> str:
    """The one path events are written by: versions checked, dates against now(), seq, position and hash set."""
    tolerance = int(FUTURE_TOLERANCE.total_seconds())
    stamp = _STAMP.format(value="coalesce(r.recorded_at::timestamptz, now())")
    return f"""
        CREATE FUNCTION {{append_rows}}(initiatives text[], expected integer[], row_initiatives text[],
            kinds text[], ats text[], actors text[], datas text[], recorded_ats text[], recorded_bys text[])
            RETURNS text
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
        DECLARE r record; previous text; counted bigint; stamp text; account text;
        BEGIN
            PERFORM pg_advisory_xact_lock({{chain_key}});
            FOR r IN SELECT v.name, v.want, coalesce((SELECT max(seq) FROM {{events}} WHERE initiative = v.name), 0)
                    AS actual FROM unnest(initiatives, expected) AS v(name, want) LOOP
                IF r.actual <> r.want THEN
                    RAISE EXCEPTION 'the log of % is at version %, not %', r.name, r.actual, r.want
                        USING ERRCODE = '{CONFLICT_STATE}', DETAIL = json_build_array(r.name, r.want, r.actual)::text;
                END IF;
            END LOOP;
            FOR r IN SELECT a.at FROM unnest(ats) AS a(at) WHERE (CASE WHEN length(a.at) = 10
                    THEN a.at || 'T00:00:00Z' ELSE a.at END)::timestamptz > now() + interval '{tolerance} seconds' LOOP
                RAISE EXCEPTION 'an event dated % is ahead of the server''s clock', r.at
                    USING ERRCODE = '{FUTURE_STATE}',
                    DETAIL = json_build_array(r.at, {_STAMP.format(value="now()")})::text;
            END LOOP;
            SELECT e.position, e.hash INTO counted, previous FROM {{events}} AS e
                WHERE e.position IS NOT NULL ORDER BY e.position DESC LIMIT 1;
            IF NOT FOUND THEN counted := 0; previous := repeat('0', 64); END IF;
            FOR r IN SELECT t.*, (v.want + row_number() OVER (PARTITION BY t.initiative ORDER BY t.n))::integer AS seq
                    FROM unnest(row_initiatives, kinds, ats, actors, datas, recorded_ats, recorded_bys)
                        WITH ORDINALITY AS t(initiative, kind, at, actor, data, recorded_at, recorded_by, n)
                    JOIN unnest(initiatives, expected) AS v(name, want) ON v.name = t.initiative
                    ORDER BY t.n LOOP
                stamp := {stamp};
                account := CASE WHEN r.recorded_at IS NULL THEN session_user::text ELSE r.recorded_by END;
                counted := counted + 1;
                previous := {{link}}(previous, r.initiative, r.seq, r.kind, r.at, r.actor, r.data, stamp, account);
                INSERT INTO {{events}}
                    (initiative, seq, kind, at, actor, data, recorded_at, recorded_by, position, hash)
                    VALUES (r.initiative, r.seq, r.kind, r.at, r.actor, r.data::json, stamp::timestamptz, account,
                        counted, previous);
            END LOOP;
            INSERT INTO {{meta}} (key, value) VALUES ('chain_head', previous || '@' || counted)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            RETURN previous || '@' || counted;
        END
        $$
    """


def statements(names: Mapping[str, str]) -> dict[str, str]:
    """The statements of the append path and the chain, on the registry's objects."""
    events, meta = names["events"], names["meta"]
    rows = (
        f"SELECT position, initiative, seq, kind, at, actor, data::text, {_STAMP.format(value='recorded_at')}, "
        f"recorded_by, hash FROM {events}"
    )
    return {
        "append": f"SELECT {names['append']}(%s, %s, %s, %s, %s, %s, %s)",
        "append_rows": f"SELECT {names['append_rows']}(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        "may_restore": "SELECT has_function_privilege(%s, 'EXECUTE')",
        "head": f"SELECT position, hash FROM {events} WHERE position IS NOT NULL ORDER BY position DESC LIMIT 1",
        "kept_head": f"SELECT value FROM {meta} WHERE key = 'chain_head'",
        "chain_rows": f"{rows} ORDER BY position NULLS FIRST",
        "chain_page": f"{rows} WHERE position > %s ORDER BY position LIMIT {PAGE_ROWS}",
        "chain_log": f"{rows} WHERE initiative = %s ORDER BY seq",
    }


def restore_signature(names: Mapping[str, str]) -> str:
    """The full signature of the owner's append path, as has_function_privilege takes it."""
    return f"{names['append_rows']}({_ARRAYS}, text[], text[])"


def arguments(batches: Batches, order: Sequence[str] | None, *, keep_provenance: bool) -> list[Any]:
    """The append function's arguments: the logs and the versions expected, then a column of each field."""
    from cooperation.engine.events import encode_data

    initiatives = sorted(batches)
    columns: list[list[Any]] = [[], [], [], [], [], [], []]
    for _, event in ordered(batches, order):
        kind, at, by = event.kind, event.at, event.by
        if "\x00" in event.initiative or "\x00" in kind or "\x00" in at or (by is not None and "\x00" in by):
            raise UnstorableEventError(
                f"{event.initiative!r}: an event's initiative, kind, at or by holds a NUL character, "
                "which cannot be stored"
            )
        for column, value in zip(columns, (event.initiative, kind, at, by, encode_data(event.data)), strict=False):
            column.append(value)
        columns[5].append(event.recorded_at if keep_provenance else None)
        columns[6].append(event.recorded_by if keep_provenance else None)
    given = [initiatives, [batches[initiative][0] for initiative in initiatives], *columns[:5]]
    return [*given, *columns[5:]] if keep_provenance else given


def refusal(error: psycopg.Error) -> ConflictError | FutureEventError | None:
    """The error of ours that the append function raised, or None for any other."""
    detail = (
        json.loads(error.diag.message_detail or "null") if error.sqlstate in (CONFLICT_STATE, FUTURE_STATE) else None
    )
    if error.sqlstate == CONFLICT_STATE and detail:
        return ConflictError(str(detail[0]), int(detail[1]), int(detail[2]))
    if error.sqlstate == FUTURE_STATE and detail:
        minutes = int(FUTURE_TOLERANCE.total_seconds() // 60)
        return FutureEventError(
            f"an event dated {detail[0]} is more than {minutes} minutes ahead of the registry's clock "
            f"(the server's, {detail[1]}); nothing was written. Record what has happened, dated when it happened: "
            "if you gave no date, this machine's clock runs fast, so set it right"
        )
    return None


def read_chain(connection: psycopg.Connection[Any], sql: Mapping[str, str]) -> Iterator[ChainRow]:
    """Every stored event as the chain covers it, in position order; call inside a transaction."""
    with connection.cursor(name="coop_audit") as cursor:
        cursor.execute(sql["chain_rows"])
        while rows := cursor.fetchmany(2000):
            for row in rows:
                yield ChainRow(*row)


def kept_head(connection: psycopg.Connection[Any], sql: Mapping[str, str]) -> Head | None:
    row = connection.execute(sql["kept_head"]).fetchone()
    if row is None:
        return None
    text, _, position = str(row[0]).partition("@")
    return Head(int(position), text) if position.isdigit() else None


def chain_rows(
    query: Callable[[str, Sequence[Any]], list[Any]],
    sql: Mapping[str, str],
    initiative: str | None,
    *,
    after: int = 0,
) -> Iterator[ChainRow]:
    """Events as stored, in position order, a page at a time (each page one statement)."""
    if initiative is not None:
        yield from (ChainRow(*row) for row in query(sql["chain_log"], (initiative,)))
        return
    while True:
        page = [ChainRow(*row) for row in query(sql["chain_page"], (after,))]
        yield from page
        if len(page) < PAGE_ROWS:
            return
        after = page[-1].position or 0
