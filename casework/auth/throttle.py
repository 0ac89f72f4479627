"""Failed sign-ins per user name. Known and unknown names are counted alike, so the
answer never tells whether an account exists."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from casework.clock import utcnow
from casework.models.credentials import LoginThrottle
from casework.settings import Settings


def key(secret_key: str, username: str) -> bytes:
    name = username.strip().casefold()
    return hmac.new(secret_key.encode(), b"login|" + name.encode(), hashlib.sha256).digest()


def locked_until(session: Session, settings: Settings, username: str) -> datetime | None:
    row = session.get(LoginThrottle, key(settings.secret_key, username))
    now = utcnow()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def failed(session: Session, settings: Settings, username: str) -> bool:
    """Count a failure; True when this failure locks the name."""
    k = key(settings.secret_key, username)
    now = utcnow()
    window = timedelta(minutes=settings.login_lock_minutes)
    row = _locked_row(session, k, now)
    if now - row.window_start >= window:
        row.failures, row.window_start, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= settings.login_max_failures:
        row.locked_until = now + window
        return True
    return False


def clear(session: Session, settings: Settings, username: str) -> None:
    row = session.get(LoginThrottle, key(settings.secret_key, username))
    if row is not None:
        session.delete(row)


def _locked_row(session: Session, k: bytes, now: datetime) -> LoginThrottle:
    """The counter row, created if missing, locked against concurrent failures."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle)
        .values(key_hash=k, failures=0, window_start=now)
        .on_conflict_do_nothing()
    )
    return session.get_one(LoginThrottle, k, with_for_update=True, populate_existing=True)
