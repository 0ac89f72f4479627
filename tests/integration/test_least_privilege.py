"""PostgreSQL with least privilege: the owner migrates, `casework db upgrade` gives the
application role exactly its grants, and that role cannot touch the audit log's
protection. (The whole PostgreSQL suite runs as such a role: a missing grant fails it.)"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from casework import grants
from tests.databases import fresh_database, owner_url, postgres_base_url
from tests.keys import app_for

REFUSED = [
    "TRUNCATE audit_event",
    "TRUNCATE audit_checkpoint",
    "TRUNCATE case_file",
    "UPDATE audit_event SET actor = 'x'",
    "DELETE FROM audit_event",
    "DELETE FROM audit_checkpoint",
    "UPDATE alembic_version SET version_num = 'x'",
    "ALTER TABLE audit_event DISABLE TRIGGER USER",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "ALTER TABLE case_file ADD COLUMN x integer",
    "DROP TABLE audit_event",
    "CREATE TABLE mine (x integer)",
    "CREATE FUNCTION mine() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
    "SET session_replication_role = replica",
]


@pytest.fixture(scope="module")
def production_role(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A new database migrated by its owner through `casework db upgrade`, and the URL
    of an application role that, as in production, is nobody's member."""
    base = postgres_base_url()
    if base is None:
        pytest.skip("roles and grants are PostgreSQL's")
    tmp_path = tmp_path_factory.mktemp("privilege")
    role = f"casework_prod_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        with fresh_database(tmp_path, "privilege") as url:
            owner = owner_url(url)
            with app_for(owner, tmp_path, DATABASE_APP_ROLE=role) as app:
                result = app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            assert f"privileges of the application role {role} applied" in result.output
            app_url = make_url(url).set(username=role).render_as_string(hide_password=False)
            yield role, app_url, owner
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


@pytest.mark.parametrize("statement", REFUSED)
def test_application_role_cannot_weaken_the_database(
    production_role: tuple[str, str, str], statement: str
) -> None:
    _role, url, _owner = production_role
    engine = create_engine(url)
    try:
        with pytest.raises(DBAPIError) as err, engine.begin() as conn:
            conn.execute(text(statement))
        assert "permission denied" in str(err.value.orig) or "must be owner" in str(
            err.value.orig
        ), str(err.value.orig)
    finally:
        engine.dispose()


def test_application_role_reads_writes_and_appends(production_role: tuple[str, str, str]) -> None:
    role, url, _owner = production_role
    engine = create_engine(url)
    try:
        with engine.connect() as conn:

            def allowed(privilege: str, table: str) -> bool:
                return bool(
                    conn.scalar(
                        text("SELECT has_table_privilege(:r, :t, :p)"),
                        {"r": role, "t": table, "p": privilege},
                    )
                )

            for table in ("audit_event", "audit_checkpoint"):
                assert allowed("SELECT", table) and allowed("INSERT", table)
                for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
                    assert not allowed(privilege, table), (privilege, table)
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
                assert allowed(privilege, "case_file")
            assert not allowed("TRUNCATE", "case_file")
            assert allowed("SELECT", "alembic_version")
            assert not allowed("INSERT", "alembic_version")
            owns = conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"), {"r": role}
            )
            assert owns == 0
    finally:
        engine.dispose()


def test_grants_are_reapplied_after_a_migration(production_role: tuple[str, str, str]) -> None:
    """A privilege given by hand in between is taken away by the next run."""
    role, _url, owner_of_database = production_role
    owner = create_engine(owner_of_database)
    try:
        with owner.begin() as conn:
            conn.execute(text(f'GRANT UPDATE, TRUNCATE ON audit_event TO "{role}"'))
            grants.apply(conn, role)
            assert not conn.scalar(
                text("SELECT has_table_privilege(:r, 'audit_event', 'UPDATE')"), {"r": role}
            )
            assert not conn.scalar(
                text("SELECT has_table_privilege(:r, 'audit_event', 'TRUNCATE')"), {"r": role}
            )
    finally:
        owner.dispose()


def test_a_role_name_that_is_not_an_identifier_is_refused() -> None:
    with pytest.raises(grants.GrantError, match="lower-case letters"):
        grants.statements('app"; DROP TABLE case_file; --', set())
