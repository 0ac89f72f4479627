"""Streaming the audit table for verification, straight from the database driver.

Each row holds the columns of chain.FIELDS in order, then prev_hash and hash: the
sequence number an int, the time already in the canonical form, every text column as
its raw UTF-8 bytes.
Raw bytes make the check byte-exact (nothing is decoded and re-encoded on the way) and
spare building a Python string per column.

The rows are read in the connection's current transaction, so a test's uncommitted data
and a request's own snapshot are what is verified.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from casework.audit.chain import FIELDS

Batches = Generator[Sequence[Sequence[Any]], None, None]

# chain.FIELDS in order, the time written out canonically, then the two hashes.
COLUMNS = ", ".join(("seq", "{time}", *FIELDS[2:], "prev_hash", "hash"))
POSTGRESQL_TIME = """to_char(occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
# SQLite keeps SQLAlchemy's text form, "2026-11-29 10:00:00.250000". Anything else there
# (another layout, a number) is a change and is made to differ from every canonical time.
SQLITE_TIME = (
    "CASE WHEN typeof(occurred_at) = 'text' AND length(occurred_at) = 26"
    " AND substr(occurred_at, 11, 1) = ' '"
    " THEN substr(occurred_at, 1, 10) || 'T' || substr(occurred_at, 12) || 'Z'"
    " ELSE '?' || occurred_at END"
)


def select_statement(dialect: str, ranged: bool = False) -> str:
    postgresql = dialect == "postgresql"
    columns = COLUMNS.format(time=POSTGRESQL_TIME if postgresql else SQLITE_TIME)
    where = ""
    if ranged:
        where = " WHERE seq BETWEEN %s AND %s" if postgresql else " WHERE seq BETWEEN ? AND ?"
    return f"SELECT {columns} FROM audit_event{where} ORDER BY seq"  # noqa: S608


def row_batches(connection: Connection, size: int) -> Batches:
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        return _read_ahead(_postgresql(raw, size))
    return _sqlite(raw, size)


def part_batches(url: str, size: int, low: int, high: int) -> Batches:
    """Rows `low` to `high`, on a read-only connection of their own (for a worker)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        import psycopg

        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo) as server:
            server.read_only = True
            yield from _read_ahead(_postgresql(server, size, (low, high)))
        return
    path = Path(parsed.database or "").resolve()
    local = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        yield from _sqlite(local, size, (low, high))
    finally:
        local.close()


def _read_ahead(batches: Batches) -> Batches:
    """Fetch the next batch in a thread while the caller hashes this one: the driver
    lets go of the interpreter while it waits for the server, so the two overlap."""
    ready: queue.Queue[Sequence[Sequence[Any]] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    break
                ready.put(batch)
            ready.put(None)
        except BaseException as exc:  # handed to the caller, who raises it
            ready.put(exc)
        finally:
            batches.close()

    reader = threading.Thread(target=read, name="audit-verify-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.1)
        reader.join()


def _postgresql(raw: Any, size: int, bounds: tuple[int, int] | None = None) -> Batches:
    from psycopg.types.string import ByteaBinaryLoader

    # A server-side cursor streams the table instead of loading it whole; the binary
    # protocol with the bytea loader hands text columns over as their bytes.
    with raw.cursor(name="casework_audit_verify", binary=True) as cursor:
        for type_name in ("text", "varchar"):
            cursor.adapters.register_loader(type_name, ByteaBinaryLoader)
        cursor.itersize = size
        cursor.execute(select_statement("postgresql", bounds is not None), bounds)
        while rows := cursor.fetchmany(size):
            yield rows


def _sqlite(raw: Any, size: int, bounds: tuple[int, int] | None = None) -> Batches:
    saved = raw.text_factory
    raw.text_factory = bytes
    cursor = raw.cursor()
    try:
        cursor.execute(select_statement("sqlite", bounds is not None), bounds or ())
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()
        raw.text_factory = saved
