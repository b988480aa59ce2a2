"""Bound identities: in a registry that binds accounts, a participant's events come only from the
account bound to them, and unbound names are refused, so that one person cannot attest as four.

On SQLite the account is the operating system's user; on PostgreSQL the server's session user,
here two real login roles of the test server.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.errors import ActorError, EventError
from cooperation.registry import Registry
from cooperation.stores.shared import operating_system_account

BUILTIN = "cooperation-maturity"
ME = operating_system_account()


def _group(registry: Registry) -> None:
    """Initiative 'pilot', created by Ada (bound to the account creating it), with Ben, Cy and Di."""
    registry.create("Pilot", workflow=BUILTIN, initiative="pilot", by="Ada", community="technical", at="2018-01-01")
    for name in ("Ben", "Cy", "Di"):
        registry.join("pilot", name, community="business", by="Ada", at="2018-01-01")


@pytest.fixture
def bound(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(tmp_path / "coop.db") as registry:
        registry.bind_accounts()
        _group(registry)
        yield registry


def test_binding_is_off_until_turned_on_and_then_stays_on(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        assert not registry.accounts_bound()
        _group(registry)
        registry.attest("pilot", "voluntary", by="Ben", at="2018-01-02")  # unbound names are fine here
        registry.bind_accounts()
    with Registry.open(tmp_path / "coop.db") as reopened:
        assert reopened.accounts_bound()
        with pytest.raises(ActorError, match="Cy is not bound to an account in pilot"):
            reopened.attest("pilot", "voluntary", by="Cy", at="2018-01-02")


def test_no_one_can_claim_an_unbound_creator_once_binding_is_on(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        _group(registry)  # created before binding was turned on: Ada is not bound
        registry.bind_accounts()
        with pytest.raises(ActorError, match="Ada is not bound to an account in pilot"):
            registry.bind_account("pilot", ME, "Ada", by="Ada", at="2018-01-02")


def test_binding_before_turning_it_on_is_the_way_to_start(tmp_path: Path) -> None:
    with Registry.open(tmp_path / "coop.db") as registry:
        _group(registry)
        registry.bind_account("pilot", ME, "Ada", by="Ada", at="2018-01-02")
        registry.bind_accounts()
        assert registry.attest("pilot", "voluntary", by="Ada", at="2018-01-03").by == "Ada"


def test_the_creator_is_bound_to_the_account_that_creates(bound: Registry) -> None:
    binding = [event for event in bound.history("pilot") if event.kind == "account_bound"]
    assert [(event.by, event.data) for event in binding] == [("Ada", {"account": ME, "participant": "Ada"})]
    assert bound.attest("pilot", "voluntary", by="Ada", at="2018-01-02").by == "Ada"


def test_one_account_cannot_attest_as_four(bound: Registry) -> None:
    before = bound.history("pilot")
    for name in ("Ben", "Cy", "Di"):
        with pytest.raises(ActorError, match=f"{name} is not bound to an account in pilot"):
            bound.attest("pilot", "voluntary", by=name, at="2018-01-02")
    for name, account in (("Ben", "ben"), ("Cy", "cy")):
        bound.bind_account("pilot", account, name, by="Ada", at="2018-01-02")
    with pytest.raises(ActorError, match=f"Ben is bound to the account 'ben', but this is written as '{ME}'"):
        bound.attest("pilot", "voluntary", by="Ben", at="2018-01-03")
    with pytest.raises(EventError, match=f"the account '{ME}' is bound to Ada in pilot"):
        bound.bind_account("pilot", ME, "Di", by="Ada", at="2018-01-03")
    assert [e.kind for e in bound.history("pilot")[len(before) :]] == ["account_bound", "account_bound"]


def test_a_binding_covers_facts_dated_before_it(bound: Registry) -> None:
    bound.bind_account("pilot", "ben", "Ben", by="Ada", at="2018-03-01")
    with pytest.raises(ActorError, match="Ben is bound to the account 'ben'"):
        bound.attest("pilot", "voluntary", by="Ben", at="2018-02-01")  # not "unbound": the binding holds now
    assert bound.attest("pilot", "voluntary", by="Ada", at="2018-02-01").by == "Ada"


def test_only_an_owner_or_secretariat_binds(bound: Registry) -> None:
    with pytest.raises(ActorError, match="members cannot bind accounts"):
        bound.bind_account("pilot", "ben", "Ben", by="Ben", at="2018-01-02")


def test_a_new_initiative_in_a_bound_registry_needs_its_creators_community(bound: Registry) -> None:
    with pytest.raises(EventError, match="this registry binds accounts: give the creator's community"):
        bound.create("Other", workflow=BUILTIN, initiative="other", by="Ada", at="2018-01-01")
    assert bound.initiatives() == ["pilot"]


def test_an_import_in_a_bound_registry_takes_only_events_of_bound_actors(bound: Registry, tmp_path: Path) -> None:
    with Registry.open(tmp_path / "free.db") as free:
        _group(free)
        free.attest("pilot", "voluntary", by="Ben", at="2018-01-02")
        lines = [event.to_line().replace('"pilot"', '"copied"', 1) for event in free.export_events("pilot")]
    # Its creator may join, but not add Ben before she is bound to the importing account.
    with pytest.raises(EventError, match="<input>:3: Ada is not bound to an account in copied"):
        bound.import_lines(lines)
    assert bound.initiatives() == ["pilot"]


def test_the_cli_binds_and_requires(tmp_path: Path) -> None:
    db = str(tmp_path / "coop.db")
    runner = CliRunner()

    def coop(*args: str) -> Any:
        return runner.invoke(app, [*args, "--db", db])

    assert coop("new", "Pilot", "--id", "pilot", "--by", "Ada", "-c", "technical").exit_code == 0
    assert coop("join", "pilot", "Ben", "-c", "business", "--by", "Ada").exit_code == 0
    required = coop("accounts", "require")
    assert required.exit_code == 0 and f"you write as '{ME}'" in required.stdout
    refused = coop("attest", "pilot", "voluntary", "--by", "Ada")
    assert refused.exit_code == 2 and "Ada is not bound to an account in pilot" in refused.stderr
    assert "coop accounts bind ACCOUNT 'Ada' --initiative pilot --by NAME" in refused.stderr


# --- PostgreSQL: two real login roles of the test server ---------------------------------------------


def _as_role(url: str, role: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(role)}:{quote(password)}@{host}"))


@pytest.fixture
def two_logins(postgres_url: str) -> Iterator[tuple[str, str, str, str]]:
    """The registry's URL as two login roles (with the writer's rights that README documents, as
    `postgres_roles.grants` makes them), and their names."""
    import psycopg
    from psycopg import sql

    from cooperation.stores.postgres import PostgresStore
    from cooperation.stores.postgres_roles import grants

    with PostgresStore(postgres_url) as store:  # made by the admin, who then grants the two writers
        schema = store.schema
    suffix = secrets.token_hex(4)
    roles = {f"ada_{suffix}": secrets.token_hex(8), f"ben_{suffix}": secrets.token_hex(8)}
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        for role, password in roles.items():
            name = sql.Identifier(role)
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password)))
            for statement in grants(schema, role, "writer"):  # the writer's rights, as the store documents them
                connection.execute(statement)
    (ada, ada_password), (ben, ben_password) = roles.items()
    try:
        yield _as_role(postgres_url, ada, ada_password), _as_role(postgres_url, ben, ben_password), ada, ben
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            for role in roles:
                connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_on_postgres_each_login_speaks_only_for_its_own_participant(
    postgres_url: str, two_logins: tuple[str, str, str, str]
) -> None:
    as_ada, as_ben, ada, ben = two_logins
    with Registry.open(postgres_url) as admin:
        admin.bind_accounts()  # the registry-wide switch: a setting only the schema's admin may write
    with Registry.open(as_ada) as registry:
        assert registry.store.account == ada
        _group(registry)
        registry.bind_account("pilot", ben, "Ben", by="Ada", at="2018-01-02")
        registry.attest("pilot", "voluntary", by="Ada", at="2018-01-03")
        for name in ("Ben", "Cy", "Di"):  # one person cannot attest as four
            with pytest.raises(ActorError, match=name):
                registry.attest("pilot", "voluntary", by=name, at="2018-01-03")
    with Registry.open(as_ben) as registry:
        assert registry.attest("pilot", "voluntary", by="Ben", at="2018-01-03").by == "Ben"
        with pytest.raises(ActorError, match=f"Ada is bound to the account '{ada}', but this is written as '{ben}'"):
            registry.attest("pilot", "voluntary", by="Ada", at="2018-01-04")
        attested = [(e.by, e.recorded_by) for e in registry.history("pilot") if e.kind == "attestation_given"]
    assert attested == [("Ada", ada), ("Ben", ben)]
