"""Server-side sessions with idle and absolute timeouts, ended on the server."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.clock import utcnow
from casework.crypto.aead import FieldIntegrityError
from casework.crypto.keyring import current_keyring
from casework.models.session import UserSession
from casework.models.user import User
from casework.settings import Settings


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii")).digest()


def start(session: Session, user_id: uuid.UUID) -> str:
    """A new session; the returned token goes in the signed cookie, its hash in the DB."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            verified_at=now,
        )
    )
    return token


# Last-seen is written at most this often: a request within it writes nothing for the
# session, and the idle timeout is exact to within it.
TOUCH_EVERY = timedelta(minutes=1)


def _valid(token: str | None) -> bool:
    return bool(token) and len(token or "") <= 100 and (token or "").isascii()


def find(session: Session, token: str | None) -> UserSession | None:
    if not _valid(token):
        return None
    return session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token or "")))


def find_with_user(session: Session, token: str | None) -> tuple[UserSession, User] | None:
    """The session and its user (with the user's organisation) in one statement."""
    if not _valid(token):
        return None
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _hash(token or ""))
    ).first()
    return None if row is None else (row[0], row[1])


def touch(row: UserSession, now: datetime) -> bool:
    """Note the request on the session (not committed) if the last note is older than
    TOUCH_EVERY; whether it changed."""
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    return True


def expiry_reason(row: UserSession, settings: Settings, now: datetime) -> str | None:
    """Why the session is over, or None while it lasts."""
    if row.ended_at is not None:
        return row.end_reason or "ended"
    if now - row.created_at >= timedelta(minutes=settings.session_lifetime_minutes):
        return "lifetime"
    if now - row.last_seen_at >= timedelta(minutes=settings.idle_timeout_minutes):
        return "idle"
    return None


def end(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason
    row.search_enc = None


SEARCH_PURPOSE = "search"


def forget_searches(session: Session, settings: Settings | None = None) -> int:
    """Drop kept searches that no session can show any more (ended, idle or past their
    lifetime); with no settings, every kept search (a case was erased: a search cannot be
    told apart by the case it found). In the caller's transaction."""
    query = update(UserSession).where(UserSession.search_enc.is_not(None))
    if settings is not None:
        now = utcnow()
        query = query.where(
            (UserSession.ended_at.is_not(None))
            | (UserSession.last_seen_at < now - timedelta(minutes=settings.idle_timeout_minutes))
            | (UserSession.created_at < now - timedelta(minutes=settings.session_lifetime_minutes))
        )
    result = session.execute(
        query.values(search_enc=None).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def remember_search(session: Session, row: UserSession, query: dict[str, str]) -> None:
    """Keep the session's last search on the server, sealed, for the results page."""
    plain = json.dumps(query, sort_keys=True).encode("utf-8")
    row.search_enc = current_keyring().seal_secret(SEARCH_PURPOSE, str(row.id), plain)
    session.commit()


def recalled_search(row: UserSession) -> dict[str, str] | None:
    """The session's last search; None if there is none or it cannot be opened."""
    if row.search_enc is None:
        return None
    try:
        plain = current_keyring().open_secret(SEARCH_PURPOSE, str(row.id), row.search_enc)
        found = json.loads(plain)
    except (FieldIntegrityError, ValueError):
        return None
    if not isinstance(found, dict):
        return None
    return {str(k): str(v) for k, v in found.items()}


def end_all(
    session: Session, user_id: uuid.UUID, reason: str, keep: uuid.UUID | None = None
) -> int:
    """End every open session of the user (password, role, factor change ...), but
    `keep`, the session making the change, if given."""
    result = session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
            UserSession.id != (keep or uuid.UUID(int=0)),
        )
        .values(ended_at=utcnow(), end_reason=reason, search_enc=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def is_fresh(row: UserSession, settings: Settings, now: datetime | None = None) -> bool:
    """Whether password and second factor were proved recently enough."""
    return (now or utcnow()) - row.verified_at < timedelta(minutes=settings.reauth_minutes)
