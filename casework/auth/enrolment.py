"""One-time links: a new user sets a password and an authenticator ("enrol"); a user
whose second factor was reset proves their password and sets a new authenticator
("reset").

No password is ever sent around: an administrator hands over a link that works once,
for a limited time. Only the link's hash is stored. A link may also need an enrolment
code that another administrator holds (casework/auth/approvals.py). A reset never lets
the administrator choose the password, and its new authenticator is derived only after
the person has proved the password they have.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from casework.audit.events import Action, Actor, Outcome, RequestContext, record
from casework.auth import mfa, sessions, throttle
from casework.auth.accounts import UNUSABLE_PASSWORD
from casework.auth.passwords import hash_password, verify_password
from casework.clock import utcnow
from casework.models.approval import UserNotice
from casework.models.credentials import Enrolment, RecoveryCode
from casework.models.user import User
from casework.settings import Settings

# What lookup() hands the enrolment screens (they never import a model themselves).
Link = Enrolment
ENROL = "enrol"
RESET = "reset"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 12  # about 59 bits: not guessable within the sign-in limits


def new_code() -> str:
    """An enrolment code, held by the administrator who did not get the link."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def hash_code(code: str) -> bytes:
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode("ascii", "replace")).digest()


def code_matches(stored: bytes | None, code: str) -> bool:
    """True when the link needs no code, or `code` is the one issued."""
    if stored is None:
        return True
    return hmac.compare_digest(bytes(stored), hash_code(code or ""))


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


def issue(
    session: Session,
    settings: Settings,
    user: User,
    by: Actor,
    *,
    purpose: str = ENROL,
    code_hash: bytes | None = None,
) -> str:
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
            purpose=purpose,
            code_hash=code_hash,
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


def start_reset(session: Session, settings: Settings, user: User, by: Actor) -> str:
    """Remove the user's authenticator and recovery codes, end their sessions, tell them,
    and return a reset link. The password stays the person's own."""
    user.totp_secret_enc = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(session, user.id, "second_factor_reset")
    session.add(UserNotice(user_id=user.id, kind="second_factor_reset"))
    record(session, Action.SECOND_FACTOR_CHANGE, by, subject=user.username)
    return issue(session, settings, user, by, purpose=RESET)


def held_by_one(session: Session, user: User) -> bool:
    """Whether one administrator alone could hold the account's login: the newest link
    on which a password was set needed no enrolment code (an account of a role that
    reads no cases, or one enrolled before split enrolment existed)."""
    newest = session.scalar(
        select(Enrolment)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.purpose == ENROL,
            Enrolment.used_at.is_not(None),
        )
        .order_by(Enrolment.used_at.desc())
        .limit(1)
    )
    return newest is not None and newest.code_hash is None


def start_over(
    session: Session, settings: Settings, user: User, by: Actor, code_hash: bytes
) -> str:
    """Take the account's login away (password, authenticator, recovery codes, sessions)
    and return a new enrolment link that works only with the code behind `code_hash`:
    whoever held the old login holds nothing now."""
    user.password_hash = UNUSABLE_PASSWORD
    user.totp_secret_enc = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(session, user.id, "role_changed")
    record(session, Action.SECOND_FACTOR_CHANGE, by, subject=user.username)
    return issue(session, settings, user, by, code_hash=code_hash)


def prove_password(
    session: Session, settings: Settings, row: Enrolment, password: str, ctx: RequestContext
) -> bool:
    """The first step of a reset. Wrong, locked or deactivated: the same False after the
    same argon2 work, counted as a failed sign-in; no answer tells them apart."""
    user = session.get_one(User, row.user_id)
    matches = verify_password(user.password_hash, password)
    locked = throttle.locked_until(session, settings, user.username) is not None
    if not matches or locked or not user.active or row.purpose != RESET:
        throttle.failed(session, settings, user.username)
        record(
            session,
            Action.LOGIN_FAILURE,
            Actor(username=user.username),
            outcome=Outcome.DENIED,
            context=ctx,
        )
        session.commit()
        return False
    row.password_proven_at = utcnow()
    session.commit()
    return True


def link_username(session: Session, row: Enrolment) -> str:
    return session.get_one(User, row.user_id).username


def offer(session: Session, row: Enrolment) -> Offer:
    """The authenticator secret for this link: the same one on every reload. A reset
    link offers none until the person has proved their password."""
    if row.purpose == RESET and row.password_proven_at is None:
        raise PermissionError("the password is not proven yet")
    user = session.get_one(User, row.user_id)
    if row.pending_secret_enc is None:
        row.pending_secret_enc = mfa.seal(row.id, mfa.new_secret())
        session.commit()
    secret = mfa.unseal(row.id, row.pending_secret_enc)
    uri = mfa.provisioning_uri(secret, user.username)
    return Offer(username=user.username, secret=secret, qr_svg=mfa.qr_svg(uri))


def complete(
    session: Session,
    row: Enrolment,
    password: str | None,
    code: str,
    ctx: RequestContext,
    enrolment_code: str = "",
) -> list[str] | None:
    """Set the password (enrolment only) and the authenticator if `code` proves the app
    is set up, and the enrolment code (when the link needs one) is right.

    Returns the recovery codes to show once, or None when a code is wrong.
    """
    user = session.get_one(User, row.user_id)
    if row.pending_secret_enc is None or not code_matches(row.code_hash, enrolment_code):
        return None
    if row.purpose == RESET and (row.password_proven_at is None or password is not None):
        return None
    if row.purpose != RESET and password is None:
        return None
    secret = mfa.unseal(row.id, row.pending_secret_enc)
    step = mfa.matching_step(secret, code)
    if step is None:
        return None
    now = utcnow()
    if password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = now
    user.totp_secret_enc = mfa.seal(user.id, secret)
    user.totp_last_step = step
    row.used_at = now
    row.pending_secret_enc = None
    codes = mfa.new_recovery_codes(session, user)
    sessions.end_all(session, user.id, "enrolled")
    if row.purpose == RESET:
        session.add(UserNotice(user_id=user.id, kind="second_factor_changed"))
    record(
        session,
        Action.SECOND_FACTOR_CHANGE,
        Actor(username=user.username),
        subject=user.username,
        context=ctx,
    )
    session.commit()
    return codes
