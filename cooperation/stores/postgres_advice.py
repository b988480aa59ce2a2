"""What to do about an error the PostgreSQL server or driver reported, in words a user can act on."""

from __future__ import annotations

import psycopg
from psycopg import errors

from cooperation.stores.postgres_roles import missing_right_advice


def advice(error: psycopg.Error, text: str, action: str, schema: str) -> str:
    """What went wrong while trying to `action` the registry (in `schema`), and what to do about it.

    `text` is the error's own message, already without the password.
    """
    lowered = text.lower()
    state = error.sqlstate or ""
    if isinstance(error, errors.InsufficientPrivilege):
        return f"the database user lacks a right ({text}); {missing_right_advice(schema or 'public')}"
    if isinstance(error, errors.ReadOnlySqlTransaction):
        return f"the server only allows reading ({text}); write to the primary server"
    if state == "53100" or "disk full" in lowered or "no space left" in lowered:
        return f"the server's disk is full ({text}); free some space there and try again"
    if "password" in lowered and ("authentication" in lowered or "no password" in lowered):
        return (
            f"the server refused the user name or password ({text}); check them in the URL "
            "(or in ~/.pgpass or $PGPASSWORD)"
        )
    if "database" in lowered and "does not exist" in lowered:
        return f"{text}; create the database first (createdb NAME) or name an existing one in the URL"
    if action in ("open", "reach") and "invalid" in lowered and ("option" in lowered or "value" in lowered):
        return (
            f"the URL is not valid ({text}); write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE, "
            "with options as libpq knows them (?sslmode=require&connect_timeout=5)"
        )
    if action in ("open", "reach") and isinstance(error, psycopg.OperationalError):
        return (
            f"the server does not answer ({text}); check that PostgreSQL runs at that host and port and "
            "accepts connections from this machine (listen_addresses and pg_hba.conf on the server)"
        )
    if isinstance(error, psycopg.OperationalError) or state.startswith(("08", "57P")):
        return (
            f"the connection to the server was lost ({text}); it is opened again on the next call. "
            "A write either landed whole or not at all: check with `coop history` before writing again"
        )
    return text
