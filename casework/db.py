"""Engine and sessions. One session per request, closed at teardown.

Statement parameters are kept out of error messages (hide_parameters), so a database
error can never carry a value into a log.

SQLite: every transaction starts with BEGIN IMMEDIATE, so that writers (and every
request writes at least an audit event) are serialised and the audit chain cannot
fork. Foreign keys, recursive triggers and secure delete are on for every connection.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from casework.settings import PROJECT_ROOT

EXTENSION_KEY = "casework.db"
MIGRATIONS = PROJECT_ROOT / "migrations"


class Database:
    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN IMMEDIATE can be issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA recursive_triggers = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        # Deleted and overwritten content is zeroed, so an erased case's destroyed data
        # key does not linger in free pages of the file.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask, url: str) -> Database:
    database = Database(url)
    app.extensions[EXTENSION_KEY] = database

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()

    return database


def database(app: Flask) -> Database:
    db: Database = app.extensions[EXTENSION_KEY]
    return db


def session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        from flask import current_app

        g.db_session = database(current_app).sessionmaker()
    s: Session = g.db_session
    return s


# How long an erasure waits for readers and writers before leaving the WAL for later.
WAL_CHECKPOINT_WAIT_MS = 500


def truncate_wal(session: Session) -> bool | None:
    """SQLite: fold the write-ahead log into the database file and truncate it, so that
    pages holding what was just destroyed (an erased case's data key) do not linger in
    the -wal file. True when done, False when other connections kept it busy (it is
    done at a later checkpoint), None on other databases."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        return None
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()  # pysqlite in autocommit (see _on_connect): no BEGIN here
        cursor.execute(f"PRAGMA busy_timeout = {WAL_CHECKPOINT_WAIT_MS}")
        busy: int = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()
    finally:
        raw.close()
    return busy == 0


def ping() -> None:
    """Raise if the database does not answer."""
    session().execute(text("SELECT 1"))


@cache
def head_revision() -> str:
    """The newest migration this code ships (what `casework db upgrade` goes to)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:  # pragma: no cover - the project always ships migrations
        raise RuntimeError("no migrations found")
    return head


def schema_revision() -> str | None:
    """The migration the database is at; None when it has never been migrated."""
    connection = session().connection()
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision: str | None = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return revision
