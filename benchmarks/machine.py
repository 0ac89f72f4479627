"""What a benchmark ran on, printed with its figures."""

from __future__ import annotations

import os
import platform
import sqlite3
import ssl

from sqlalchemy import text

from casework.db import make_engine


def describe(url: str) -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, IndexError):
        pass
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                database = str(conn.scalar(text("SHOW server_version")))
                database = f"PostgreSQL {database}"
            else:
                database = f"SQLite {sqlite3.sqlite_version}"
    finally:
        engine.dispose()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, load {load}; Python {platform.python_version()},"
        f" {ssl.OPENSSL_VERSION}; {database}"
    )
