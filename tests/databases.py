"""Throw-away databases for the test run, built by the migrations, as production is.

SQLite: a file in a temporary folder. PostgreSQL (CASEWORK_TEST_DATABASE_URL): a new
database created next to the one named in the URL and dropped afterwards, so runs
never see each other's data.

On PostgreSQL the tests run as production does, with least privilege: each run makes
two roles with random names (roles are cluster-wide, so parallel runs must not share
them) and drops them at exit. The owner owns the databases and runs the migrations;
`fresh_database` yields a URL of the application role, which gets its privileges from
`casework.grants` after every migration, so a missing grant fails the tests. The
application role is a member of the owner with NOINHERIT: it has none of the owner's
rights unless a test acting as a database administrator says `SET ROLE` (`as_owner`).
"""

from __future__ import annotations

import atexit
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from casework import grants
from casework.cli import alembic_config

TEST_DATABASE_ENV = "CASEWORK_TEST_DATABASE_URL"


@dataclass(frozen=True)
class Roles:
    base: str  # the administrator's URL the run was given
    owner: str
    app: str


_roles: dict[str, Roles] = {}


def roles(base: str) -> Roles:
    """This process's owner and application roles on `base`'s cluster, made once."""
    if base not in _roles:
        suffix = secrets.token_hex(4)
        made = Roles(base, f"casework_owner_{suffix}", f"casework_app_{suffix}")
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{made.owner}" LOGIN'))
            conn.execute(text(f'CREATE ROLE "{made.app}" LOGIN NOINHERIT IN ROLE "{made.owner}"'))
            # Only so that a test can show the triggers fire in replica mode too; in
            # production only a superuser can switch it.
            conn.execute(text(f'GRANT SET ON PARAMETER session_replication_role TO "{made.owner}"'))
        engine.dispose()
        _roles[base] = made
        atexit.register(_drop_roles, made)
    return _roles[base]


def _drop_roles(made: Roles) -> None:
    engine = create_engine(made.base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(
                text(f'REVOKE SET ON PARAMETER session_replication_role FROM "{made.owner}"')
            )
            for role in (made.app, made.owner):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    except Exception as exc:  # a database left behind by a crashed run still names them
        print(f"could not drop the test roles {made.app}, {made.owner}: {exc}")
    finally:
        engine.dispose()


def _as_user(url: str, user: str) -> str:
    return make_url(url).set(username=user).render_as_string(hide_password=False)


def owner_url(url: str) -> str:
    """The URL of the owner role for a database `fresh_database` made (itself on SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    for made in _roles.values():
        if parsed.username == made.app:
            return _as_user(url, made.owner)
    return url


def owner_role(connection: Connection) -> str | None:
    """The owner role of the connection's database (None on SQLite)."""
    if connection.dialect.name != "postgresql":
        return None
    owner: str = connection.scalar(
        text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
    )
    return owner


def postgres_base_url() -> str | None:
    url = os.environ.get(TEST_DATABASE_ENV, "").strip()
    if not url:
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise RuntimeError(f"{TEST_DATABASE_ENV} must name a PostgreSQL database")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def fresh_database(folder: Path, label: str, base: str | None = "env") -> Iterator[str]:
    """Yield the URL of a new, empty database; remove it afterwards. The database is
    PostgreSQL next to `base` (default: CASEWORK_TEST_DATABASE_URL), else SQLite."""
    base = postgres_base_url() if base == "env" else base
    if base is None:
        yield f"sqlite:///{folder / f'{label}.sqlite3'}"
        return
    name = f"casework_{label}_{secrets.token_hex(4)}"
    made = roles(base)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{made.owner}"'))
    try:
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
        yield _as_user(url, made.app)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade as the owner, then give the application role its privileges, as
    `casework db upgrade` does with DATABASE_APP_ROLE set."""
    owner = owner_url(url)
    command.upgrade(alembic_config(owner), revision)
    grant(url)


def grant(url: str) -> None:
    """Apply the application role's privileges (after a migration up or down)."""
    app_user = make_url(url).username or ""
    if not any(made.app == app_user for made in _roles.values()):
        return  # SQLite, or a database this module did not make
    engine = create_engine(owner_url(url))
    try:
        with engine.begin() as conn:
            grants.apply(conn, app_user)
    finally:
        engine.dispose()


@contextmanager
def as_owner(connection: Connection) -> Iterator[None]:
    """Act as the database's owner (a database administrator) inside the current
    transaction, then be the application role again. Nothing on SQLite."""
    role = owner_role(connection)
    if role is None:
        yield
        return
    connection.execute(text(f'SET ROLE "{role}"'))
    try:
        yield
    finally:
        connection.execute(text("RESET ROLE"))


@contextmanager
def as_migration(connection: Connection) -> Iterator[None]:
    """Change the schema as a migration would: as the owner, then re-apply the
    application role's privileges, as `casework db upgrade` does."""
    with as_owner(connection):
        yield
        if connection.dialect.name == "postgresql":
            grants.apply(connection, connection.scalar(text("SELECT session_user")))
