"""Alembic environment. The database URL comes from Casework's settings (via the
`casework db` commands) or a connection handed in by the tests."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from casework.db import make_engine
from casework.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.connect() as conn:
            run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; connect to the database")
run_online()
