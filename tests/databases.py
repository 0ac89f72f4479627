"""Throw-away databases for the test run, built by the migrations, as production is.

SQLite: a file in a temporary folder. PostgreSQL (CASEWORK_TEST_DATABASE_URL): a new
database created next to the one named in the URL and dropped afterwards, so runs
never see each other's data.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casework.cli import alembic_config

TEST_DATABASE_ENV = "CASEWORK_TEST_DATABASE_URL"


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
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
