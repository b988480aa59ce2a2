"""The PostgreSQL registry: one database that a team shares across machines.

The registry is two tables, `coop_meta` and `coop_events`, in the connection's current
schema (the first existing schema of its search_path: `public` unless the URL says
otherwise, e.g. `?options=-csearch_path%3Dcoop`). `coop_meta` marks the tables as ours
and records the schema version; migrations run under an advisory lock, once, by
whichever process gets there first. Events are only ever inserted (triggers refuse the
rest), one transaction per write that checks the versions of the logs it extends (backed
by the primary key): a stale writer gets a ConflictError and writes nothing.

A password in the URL is never shown: `url` and every message redact it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict

from cooperation.engine.events import Event
from cooperation.errors import ConflictError, StoreError
from cooperation.stores import postgres_chain
from cooperation.stores.appending import Batches
from cooperation.stores.chain import GENESIS, ChainRow, Head, audit
from cooperation.stores.derived import SnapshotRow
from cooperation.stores.postgres_advice import advice
from cooperation.stores.postgres_derived import POSTGRES_MIGRATION as DERIVED_MIGRATION
from cooperation.stores.postgres_derived import PostgresDerived
from cooperation.stores.postgres_notify import NOTIFY_MIGRATION, PostgresListening
from cooperation.stores.postgres_proposals import POSTGRES_MIGRATION as PROPOSALS_MIGRATION
from cooperation.stores.postgres_proposals import PostgresProposals
from cooperation.stores.postgres_sql import migration_key, object_names, statements
from cooperation.stores.postgres_url import redact, scrub, secrets_of
from cooperation.stores.shared import (
    INIT_HINT,
    MARKER,
    ClosedAtExit,
    closed_error,
    log_from_json,
    marked_version,
    newer_schema_error,
    recorded_now,
)
from cooperation.stores.together import PostgresTogether
from cooperation.stores.workflow_texts import POSTGRES_MIGRATION, PostgresWorkflowTexts

OLDEST_SERVER = 110000  # PostgreSQL 11: EXECUTE FUNCTION in triggers, the jit setting
CONNECT_TIMEOUT_SECONDS = 10
APPLICATION_NAME = "coop"
_PAGE = 500  # logs per read_all query

# Each migration brings the schema from its index to its index + 1; append, never edit.
# {meta}, {events} and {refuse} stand for the schema-qualified names of our objects.
_MIGRATIONS: list[tuple[str, ...]] = [
    (
        "CREATE TABLE {meta} (key text PRIMARY KEY, value text NOT NULL)",
        """
        CREATE TABLE {events} (
            initiative  text COLLATE "C" NOT NULL,
            seq         integer     NOT NULL CHECK (seq >= 1),
            kind        text        NOT NULL,
            at          text        NOT NULL,
            actor       text,
            data        json        NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (initiative, seq)
        )
        """,
        # The log is append-only; these guards make the database itself refuse rewrites.
        """
        CREATE FUNCTION {refuse}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """,
        "CREATE TRIGGER coop_events_append_only BEFORE UPDATE OR DELETE ON {events} "
        "FOR EACH ROW EXECUTE FUNCTION {refuse}()",
        "CREATE TRIGGER coop_events_no_truncate BEFORE TRUNCATE ON {events} "
        "FOR EACH STATEMENT EXECUTE FUNCTION {refuse}()",
    ),
    # Who wrote each event: the server's session user, set by the server; rows from before are left unknown.
    (
        "ALTER TABLE {events} ADD COLUMN recorded_by text",
        "ALTER TABLE {events} ALTER COLUMN recorded_by SET DEFAULT session_user",
    ),
    POSTGRES_MIGRATION,  # the workflow texts initiatives are pinned to (stores/workflow_texts.py)
    PROPOSALS_MIGRATION,  # workshop proposals, beside the initiatives (stores/postgres_proposals.py)
    # A registry-wide position and hash chain, and the one append path (postgres_chain.py).
    postgres_chain.migration(),
    NOTIFY_MIGRATION,  # listeners of `coop events --follow` are told of writes (postgres_notify.py)
    DERIVED_MIGRATION,  # snapshots and materialised statuses (postgres_derived.py)
]


def schema_version() -> int:
    """The schema version this code writes (and the newest it can read)."""
    return len(_MIGRATIONS)


class PostgresStore(
    ClosedAtExit, PostgresWorkflowTexts, PostgresProposals, PostgresListening, PostgresDerived, PostgresTogether
):
    """Event logs in a PostgreSQL database, shared by every process and machine that opens it.

    One connection per store; a store may be shared by threads, which take turns. A
    connection the server dropped is replaced on the next call. With `create=False` a
    missing registry is an error instead of being made.
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        self._conninfo = url
        self._url = redact(url)
        self._secrets = secrets_of(url)
        self._lock = threading.RLock()
        self._schema = ""
        self._names: dict[str, str] = {}
        self._sql: dict[str, str] = {}
        self._connection: psycopg.Connection[Any] | None = None
        self._closed = False
        self._listener: psycopg.Connection[Any] | None = None  # opened by the first `wait_for_appends`
        self._connection = self._connect(action="open")
        try:
            self._prepare(self._connection, create=create)
        except BaseException:
            self._connection.close()
            self._connection = None
            raise

    # --- the contract ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL as given, with any password replaced by ***."""
        return self._url

    @property
    def account(self) -> str:
        """The session user, the account the server records with every event this store appends."""
        ((name,),) = self._query("SELECT session_user")
        return str(name)

    @property
    def schema(self) -> str:
        """The PostgreSQL schema that holds the registry's tables."""
        return self._schema

    def append(
        self, initiative: str, events: Sequence[Event], *, expected_version: int, snapshots: Sequence[SnapshotRow] = ()
    ) -> int:
        return self._write({initiative: (expected_version, events)}, snapshots=snapshots)[initiative]

    def append_batches(
        self,
        batches: Batches,
        *,
        order: Sequence[str] | None = None,
        keep_provenance: bool = False,
        snapshots: Sequence[SnapshotRow] = (),
    ) -> None:
        self._write(batches, order, keep_provenance=keep_provenance and self.keeps_provenance, snapshots=snapshots)

    @property
    def keeps_provenance(self) -> bool:
        """Only a role that may run the owner's append path (the admin role) restores an export's accounts."""
        signature = postgres_chain.restore_signature(self._names)
        return bool(self._query(self._sql["may_restore"], (signature,))[0][0])

    def clock(self) -> datetime:
        """The server's clock."""
        ((moment,),) = self._query("SELECT statement_timestamp()")
        return moment  # type: ignore[no-any-return]

    def head(self) -> Head:
        rows = self._query(self._sql["head"])
        return Head(int(rows[0][0]), str(rows[0][1])) if rows else Head(0, GENESIS)

    def chain_rows(self, initiative: str | None = None, *, after: int = 0) -> Iterator[ChainRow]:
        return postgres_chain.chain_rows(self._query, self._sql, initiative, after=after)

    def audit(self, *, expect: Head | None = None) -> Head:
        """Recompute the hash chain over every event, in one snapshot (see `chain.audit`)."""
        with self._lock:
            connection = self._live()
            try:
                with connection.transaction():
                    connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    kept = postgres_chain.kept_head(connection, self._sql)
                    return audit(postgres_chain.read_chain(connection, self._sql), kept=kept, expect=expect)
            except psycopg.Error as error:
                raise self._error(error, "read") from None

    def read(self, initiative: str) -> list[Event]:
        ((text,),) = self._query(self._sql["read"], (initiative,))
        return log_from_json(initiative, text, sort=False)  # in seq order: json_agg orders it

    def read_all(self) -> Iterator[tuple[str, list[Event]]]:
        """Every log, a page of initiatives at a time: each log whole and consistent as read.

        Logs appended to while the caller iterates show as they are when their page is read.
        """
        page = self._query(self._sql["first_logs"], {"page": _PAGE})
        while page:
            for initiative, text in page:
                yield initiative, log_from_json(initiative, text, sort=False)  # in seq order: json_agg orders it
            if len(page) < _PAGE:
                return
            page = self._query(self._sql["next_logs"], {"after": page[-1][0], "page": _PAGE})

    def initiatives(self) -> list[str]:
        return [initiative for (initiative,) in self._query(self._sql["initiatives"])]

    def version(self, initiative: str) -> int:
        return int(self._query(self._sql["version"], (initiative,))[0][0])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connection, self._connection = self._connection, None
            listener, self._listener = self._listener, None
            for opened in (connection, listener):
                if opened is not None:
                    opened.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self._url!r})"

    # --- writing ---------------------------------------------------------------------------

    def _write(
        self,
        batches: Batches,
        order: Sequence[str] | None = None,
        *,
        keep_provenance: bool = False,
        snapshots: Sequence[SnapshotRow] = (),
    ) -> dict[str, int]:
        arguments = postgres_chain.arguments(batches, order, keep_provenance=keep_provenance)
        with self._lock:
            connection = self._live()
            try:
                with connection.transaction():  # the snapshots land with the events, or neither does
                    connection.execute(self._sql["append_rows" if keep_provenance else "append"], arguments)
                    self._put_derived(connection, snapshots, ())
            except errors.UniqueViolation:
                # A writer that bypassed the append path got there first: the key caught it.
                raise self._conflict_after_the_fact(batches) from None
            except psycopg.Error as error:
                raise postgres_chain.refusal(error) or self._error(error, "write to") from None
            return {initiative: expected + len(events) for initiative, (expected, events) in batches.items()}

    def _conflict_after_the_fact(
        self, batches: Mapping[str, tuple[int, Sequence[Event]]]
    ) -> StoreError | ConflictError:
        actual = dict(self._query(self._sql["versions"], (list(batches),)))
        for initiative, (expected, _) in batches.items():
            if actual[initiative] != expected:
                return ConflictError(initiative, expected, actual[initiative])
        return StoreError(
            f"cannot write to the registry {self._url}: an event's place in its log was taken, yet every log "
            "is at the version expected; nothing was written. Check the table for rows added by hand"
        )

    # --- reading ---------------------------------------------------------------------------

    def _live(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise closed_error(self._url)
        if self._connection is None or self._connection.broken:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._connection = self._connect(action="reach")
        return self._connection

    def _query(self, statement: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        with self._lock:
            connection = self._live()
            try:
                return connection.execute(statement, parameters).fetchall()
            except psycopg.Error as error:
                raise self._error(error, "read") from None

    # --- opening ---------------------------------------------------------------------------

    def _connect(self, *, action: str) -> psycopg.Connection[Any]:
        try:
            given = conninfo_to_dict(self._conninfo)
        except psycopg.Error as error:
            raise StoreError(
                f"{self._url} is not a valid PostgreSQL URL ({self._scrub(' '.join(str(error).split()))}); write it as "
                "postgresql://USER:PASSWORD@HOST:PORT/DATABASE (the password may also come from ~/.pgpass)"
            ) from None
        defaults: dict[str, Any] = {}
        if "connect_timeout" not in given and "PGCONNECT_TIMEOUT" not in os.environ:
            defaults["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        if "application_name" not in given and "PGAPPNAME" not in os.environ:
            defaults["application_name"] = APPLICATION_NAME
        try:
            connection = psycopg.connect(self._conninfo, autocommit=True, **defaults)
        except psycopg.Error as error:
            raise self._error(error, action) from None
        if connection.info.server_version < OLDEST_SERVER:
            found = connection.info.parameter_status("server_version") or str(connection.info.server_version)
            connection.close()
            raise StoreError(
                f"cannot {action} the registry {self._url}: the server runs PostgreSQL {found}, and coop needs "
                f"{OLDEST_SERVER // 10000} or newer; upgrade the server or keep the registry in SQLite"
            )
        try:
            # Our statements are short lookups by key; compiling them (JIT) costs a hundred times
            # more than running them whenever the planner's estimates run high.
            connection.execute("SET jit = off")
        except psycopg.Error as error:
            connection.close()
            raise self._error(error, action) from None
        return connection

    def _prepare(self, connection: psycopg.Connection[Any], *, create: bool) -> None:
        """Find the schema, check what it holds, then create or migrate the registry there."""
        try:
            schema = connection.execute("SELECT current_schema()").fetchone()
            if schema is None or schema[0] is None:
                path = connection.execute("SHOW search_path").fetchone()
                raise StoreError(
                    f"cannot open the registry {self._url}: no schema of the search_path "
                    f"({path[0] if path else '?'}) exists to keep it in; create one (CREATE SCHEMA coop) "
                    "and name it in the URL (?options=-csearch_path%3Dcoop)"
                )
            self._schema = schema[0]
            self._names = object_names(connection, self._schema)
            self._sql = {**statements(self._names), **postgres_chain.statements(self._names)}
            state, version = self._identify(connection)
            if state == "blank" and not create:
                raise StoreError(
                    f"no registry at {self._url} (schema {self._schema} holds no coop tables): {INIT_HINT}"
                )
            if state == "blank" or version < schema_version():
                self._migrate(connection)
        except psycopg.Error as error:
            raise self._error(error, "open") from None

    def _identify(self, connection: psycopg.Connection[Any]) -> tuple[Literal["blank", "registry"], int]:
        """A schema without our tables (ours to fill), or a registry and its schema version; else StoreError."""
        # Asked of pg_class itself, whose rows follow the statement's snapshot: the catalog cache
        # behind to_regclass may not yet know of tables another process has just created.
        found_tables = {
            name
            for (name,) in connection.execute(
                "SELECT c.relname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n "
                "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname IN ('coop_meta', 'coop_events')",
                (self._schema,),
            )
        }
        if not found_tables:
            return "blank", 0
        try:
            rows = connection.execute(self._sql["read_meta"]).fetchall() if "coop_meta" in found_tables else []
        except (errors.UndefinedColumn, errors.DatatypeMismatch):
            rows = []
        version = marked_version({str(key): str(value) for key, value in rows})
        if version is None or "coop_events" not in found_tables:
            raise StoreError(
                f"{self._url}: the schema {self._schema} holds a coop_meta or coop_events table that is not a "
                "coop registry's, or whose meta table is missing or damaged; it was left untouched: restore it "
                "from a backup or an export, or keep the registry in another schema (?options=-csearch_path%3DNAME)"
            )
        if version > schema_version():
            raise newer_schema_error(self._url, version, schema_version())
        return "registry", version

    def _migrate(self, connection: psycopg.Connection[Any]) -> None:
        """Bring the schema up to date in one transaction, checking again under the migration lock."""
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (migration_key(self._schema),))
            state, version = self._identify(connection)
            for number in range(version + 1, schema_version() + 1):
                key = postgres_chain.chain_key(self._schema)
                for statement in _MIGRATIONS[number - 1]:
                    connection.execute(statement.format(**self._names, chain_key=key))
                connection.execute(self._sql["set_version"], (str(number),))
            if state == "blank":
                connection.execute(self._sql["mark"], (MARKER, recorded_now()))

    def _scrub(self, text: str) -> str:
        """`text` without the password (see `postgres_url.scrub`)."""
        return scrub(text, self._conninfo, self._url, self._secrets)

    def _error(self, error: psycopg.Error, action: str) -> StoreError:
        """A StoreError naming the registry, what went wrong and what to do about it (never the password)."""
        text = self._scrub(" ".join(str(error).split()))
        return StoreError(f"cannot {action} the registry {self._url}: {advice(error, text, action, self._schema)}")
