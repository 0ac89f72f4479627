"""Signing in (password, then second factor), signing out, creating users.

Every attempt is an audit event. Failures are counted per user name, known or not,
and answered the same way, so the answers never reveal whether an account exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.policy import current_policy
from casework.audit.events import Action, Actor, Outcome, RequestContext, record
from casework.auth import mfa, sessions, throttle
from casework.auth.passwords import hash_password, needs_rehash, verify_password
from casework.clock import utcnow
from casework.models.approval import UserNotice
from casework.models.organisation import Organisation
from casework.models.session import UserSession
from casework.models.user import User
from casework.settings import Settings

USERNAME_MAX = 64
# Demo users sign in without a second factor, in demo mode only.
DEMO_USERNAMES = frozenset(
    {
        "socialworker",
        "police",
        "prosecutor",
        "ngo",
        "coordinator",
        "auditor",
        "admin",
        "admin2",
        "doctor",
        "interpreter",
        "analyst",
    }
)


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


class Step(StrEnum):
    SIGNED_IN = "signed_in"
    SECOND_FACTOR = "second_factor"
    FAILED = "failed"
    LOCKED = "locked"
    NOT_ENROLLED = "not_enrolled"


@dataclass(frozen=True)
class Attempt:
    step: Step
    user_id: uuid.UUID | None = None
    token: str | None = None


def actor_of(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, organisation=str(user.organisation_id))


def second_factor_exempt(settings: Settings, user: User) -> bool:
    return settings.demo and user.username in DEMO_USERNAMES


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def _fail(
    session: Session, settings: Settings, name: str, user: User | None, ctx: RequestContext
) -> Attempt:
    actor = Actor(username=user.username) if user else Actor()
    locked = throttle.failed(session, settings, name)
    record(session, Action.LOGIN_FAILURE, actor, outcome=Outcome.DENIED, context=ctx)
    if locked:
        record(session, Action.LOGIN_LOCKOUT, actor, outcome=Outcome.DENIED, context=ctx)
    session.commit()
    return Attempt(Step.LOCKED if locked else Step.FAILED)


def check_password(
    session: Session, settings: Settings, username: str, password: str, ctx: RequestContext
) -> Attempt:
    """The first step. A correct password of an exempt demo user signs in at once."""
    user = find_user(session, username)
    if throttle.locked_until(session, settings, username) is not None:
        actor = Actor(username=user.username) if user else Actor()
        record(session, Action.LOGIN_FAILURE, actor, outcome=Outcome.DENIED, context=ctx)
        session.commit()
        return Attempt(Step.LOCKED)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        # The attempted name is recorded only when it is a real account: a password
        # typed into the name field must not end up in the log.
        return _fail(session, settings, username, user, ctx)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if second_factor_exempt(settings, user):
        return Attempt(Step.SIGNED_IN, user.id, _sign_in(session, settings, user, ctx))
    session.commit()
    if user.totp_secret_enc is None:
        return Attempt(Step.NOT_ENROLLED, user.id)
    return Attempt(Step.SECOND_FACTOR, user.id)


def check_second_factor(
    session: Session, settings: Settings, user_id: uuid.UUID, code: str, ctx: RequestContext
) -> Attempt:
    """The second step: a TOTP code (each accepted once) or an unused recovery code."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return Attempt(Step.FAILED)
    if throttle.locked_until(session, settings, user.username) is not None:
        record(
            session,
            Action.LOGIN_FAILURE,
            Actor(username=user.username),
            outcome=Outcome.DENIED,
            context=ctx,
        )
        session.commit()
        return Attempt(Step.LOCKED)
    if not (mfa.verify_totp(user, code) or mfa.use_recovery_code(session, user, code)):
        return _fail(session, settings, user.username, user, ctx)
    return Attempt(Step.SIGNED_IN, user.id, _sign_in(session, settings, user, ctx))


def _sign_in(session: Session, settings: Settings, user: User, ctx: RequestContext) -> str:
    throttle.clear(session, settings, user.username)
    # Each sign-in also sweeps away searches kept by sessions that are over.
    sessions.forget_searches(session, settings)
    token = sessions.start(session, user.id)
    record(session, Action.LOGIN_SUCCESS, actor_of(user), context=ctx)
    session.commit()
    return token


def reverify(
    session: Session,
    settings: Settings,
    row: UserSession,
    user: User,
    password: str,
    code: str,
    ctx: RequestContext,
) -> bool:
    """Re-authentication before a sensitive action: password and second factor again.
    A locked account is refused like a wrong password, whatever was typed."""
    locked = throttle.locked_until(session, settings, user.username) is not None
    ok = (
        verify_password(user.password_hash, password)
        and not locked
        and (
            second_factor_exempt(settings, user)
            or mfa.verify_totp(user, code)
            or mfa.use_recovery_code(session, user, code)
        )
    )
    if not ok:
        _fail(session, settings, user.username, user, ctx)
        return False
    row.verified_at = utcnow()
    record(session, Action.REAUTH, actor_of(user), context=ctx)
    session.commit()
    return True


def confirm_password(
    session: Session, settings: Settings, user: User, password: str, ctx: RequestContext
) -> bool:
    """A password typed again to confirm a step (erasing a case), checked as at
    re-authentication: a locked account is refused whatever is typed, and a refusal
    counts as a failed sign-in (committed), which may lock the account."""
    locked = throttle.locked_until(session, settings, user.username) is not None
    if verify_password(user.password_hash, password) and not locked:
        return True
    _fail(session, settings, user.username, user, ctx)
    return False


def change_password(
    session: Session,
    settings: Settings,
    row: UserSession,
    user: User,
    current: str,
    new: str,
    ctx: RequestContext,
) -> bool:
    """Change the password; every other session of the user ends. False if `current`
    is wrong (counted as a failed sign-in)."""
    if not verify_password(user.password_hash, current):
        _fail(session, settings, user.username, user, ctx)
        return False
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    sessions.end_all(session, user.id, "password_changed", keep=row.id)
    record(session, Action.USER_UPDATE, actor_of(user), subject=user.username, context=ctx)
    session.commit()
    return True


NOTICES = ("second_factor_reset", "second_factor_changed", "role_changed", "profession_changed")


def take_notices(session: Session, user_id: uuid.UUID) -> list[tuple[str, datetime]]:
    """What was done to the account since the person last signed in, oldest first; each
    is told once."""
    rows = list(
        session.scalars(
            select(UserNotice)
            .where(UserNotice.user_id == user_id, UserNotice.seen_at.is_(None))
            .order_by(UserNotice.created_at)
        )
    )
    now = utcnow()
    for row in rows:
        row.seen_at = now
    told = [(r.kind, r.created_at) for r in rows]
    session.commit()
    return told


def sign_out(session: Session, row: UserSession | None, user: User, ctx: RequestContext) -> None:
    if row is not None:
        sessions.end(row, "signed_out")
    record(session, Action.LOGOUT, actor_of(user), context=ctx)
    session.commit()


def load_user(session: Session, user_id: str) -> User | None:
    try:
        uid = uuid.UUID(user_id)
    except ValueError:
        return None
    user = session.get(User, uid)
    return user if user is not None and user.active else None


def validate_username(username: str) -> str:
    username = username.strip().lower()
    if not username or len(username) > USERNAME_MAX or not username.isascii():
        raise AccountError(f"a user name has 1 to {USERNAME_MAX} ASCII characters")
    if not all(c.isalnum() or c in "._-" for c in username):
        raise AccountError("a user name has only letters, digits, dots, dashes, underscores")
    return username


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    organisation: Organisation,
    created_by: Actor,
    password: str | None = None,
    created_by_id: uuid.UUID | None = None,
    active: bool = True,
    commit: bool = True,
) -> User:
    """A new account. Without a password it can only be used through an enrolment link."""
    username = validate_username(username)
    roles = current_policy().names()
    if role not in roles:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(roles)}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"the user name {username!r} is taken")
    try:
        password_hash = hash_password(password) if password else UNUSABLE_PASSWORD
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    user = User(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        organisation_id=organisation.id,
        created_by_id=created_by_id,
        active=active,
    )
    session.add(user)
    session.flush()
    record(session, Action.USER_CREATE, created_by, subject=username)
    if commit:
        session.commit()
    return user


# Not an argon2 hash: no password ever verifies against it.
UNUSABLE_PASSWORD = "!unusable"  # noqa: S105
