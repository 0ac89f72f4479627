"""One-time enrolment links: the new user sets a password and an authenticator.

No password is ever sent around: an administrator hands over a link that works once,
for a limited time. Only the link's hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.audit.events import Action, Actor, RequestContext, record
from casework.auth import mfa, sessions
from casework.auth.passwords import hash_password
from casework.clock import utcnow
from casework.models.credentials import Enrolment
from casework.models.user import User
from casework.settings import Settings


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Offer:
    """What the enrolment page shows: whom it is for, and the authenticator to set up."""

    username: str
    secret: str
    qr_svg: str


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def issue(session: Session, settings: Settings, user: User, by: Actor) -> str:
    """A new link for `user`; earlier unused links of the user stop working."""
    now = utcnow()
    session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == user.id, Enrolment.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        Enrolment(
            user_id=user.id,
            token_hash=_hash(token),
            created_by=by.username,
            expires_at=now + timedelta(hours=settings.enrolment_link_hours),
        )
    )
    record(session, Action.ENROLMENT_ISSUE, by, subject=user.username)
    return token


def lookup(session: Session, token: str) -> tuple[LinkState, Enrolment | None]:
    if not token or len(token) > 100:
        return LinkState.UNKNOWN, None
    row = session.scalar(select(Enrolment).where(Enrolment.token_hash == _hash(token)))
    if row is None:
        return LinkState.UNKNOWN, None
    if row.used_at is not None:
        return LinkState.USED, row
    if row.expires_at <= utcnow():
        return LinkState.EXPIRED, row
    return LinkState.VALID, row


def offer(session: Session, row: Enrolment) -> Offer:
    """The authenticator secret for this link: the same one on every reload."""
    user = session.get_one(User, row.user_id)
    if row.pending_secret_enc is None:
        row.pending_secret_enc = mfa.seal(row.id, mfa.new_secret())
        session.commit()
    secret = mfa.unseal(row.id, row.pending_secret_enc)
    uri = mfa.provisioning_uri(secret, user.username)
    return Offer(username=user.username, secret=secret, qr_svg=mfa.qr_svg(uri))


def complete(
    session: Session, row: Enrolment, password: str, code: str, ctx: RequestContext
) -> list[str] | None:
    """Set the password and authenticator if `code` proves the app is set up.

    Returns the recovery codes to show once, or None when the code is wrong.
    """
    user = session.get_one(User, row.user_id)
    if row.pending_secret_enc is None:
        return None
    secret = mfa.unseal(row.id, row.pending_secret_enc)
    step = mfa.matching_step(secret, code)
    if step is None:
        return None
    now = utcnow()
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.totp_secret_enc = mfa.seal(user.id, secret)
    user.totp_last_step = step
    row.used_at = now
    row.pending_secret_enc = None
    codes = mfa.new_recovery_codes(session, user)
    sessions.end_all(session, user.id, "enrolled")
    record(
        session,
        Action.SECOND_FACTOR_CHANGE,
        Actor(username=user.username),
        subject=user.username,
        context=ctx,
    )
    session.commit()
    return codes
