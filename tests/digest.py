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
SKIPPED_COLUMNS = frozenset({("team_membership", "seen_at"), ("user_account", "last_login_at")})


def database_digest(session: Session) -> str:
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in SKIPPED_COLUMNS]
        rows = session.execute(select(*columns)).all()
        digest.update(table.name.encode())
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
    return digest.hexdigest()
