"""A digest of what the database holds, to show that a refused request changed nothing.

Left out: what every request touches by design (the server-side session's last-seen
time, a member's "seen" mark) and the audit log, whose refusals are recorded on
purpose; tests look at the log's events themselves.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models.base import Base

SKIPPED_TABLES = frozenset({"audit_event", "audit_checkpoint", "user_session"})
SKIPPED_COLUMNS = frozenset({("team_membership", "seen_at")})


def table_digests(session: Session) -> dict[str, str]:
    """A digest of each table's rows (in no particular order)."""
    digests = {}
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in SKIPPED_COLUMNS]
        rows = session.execute(select(*columns)).all()
        digest = hashlib.sha256()
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
        digests[table.name] = digest.hexdigest()
    return digests


def database_digest(session: Session) -> str:
    """One digest of every table; tables that differ show in `changed_tables`."""
    return hashlib.sha256(repr(sorted(table_digests(session).items())).encode()).hexdigest()


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
