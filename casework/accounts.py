"""Signing in and out, and creating users. Every attempt is an audit event."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.permissions import Role
from casework.audit.events import Action, Actor, Outcome, RequestContext, record
from casework.models.organisation import Organisation
from casework.models.user import User
from casework.passwords import hash_password, needs_rehash, verify_password

USERNAME_MAX = 64


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


def authenticate(
    session: Session, username: str, password: str, context: RequestContext
) -> User | None:
    """The user if name and password match an active account, else None. Audited."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        # The attempted name is recorded only when it is a real account: a mistyped
        # password pasted into the name field must not end up in the log.
        actor = Actor(username=user.username) if user else Actor()
        record(session, Action.LOGIN_FAILURE, actor, outcome=Outcome.DENIED, context=context)
        session.commit()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record(session, Action.LOGIN_SUCCESS, actor_of(user), context=context)
    session.commit()
    return user


def record_logout(session: Session, user: User, context: RequestContext) -> None:
    record(session, Action.LOGOUT, actor_of(user), context=context)
    session.commit()


def actor_of(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, organisation=str(user.organisation_id))


def load_user(session: Session, user_id: str) -> User | None:
    try:
        uid = uuid.UUID(user_id)
    except ValueError:
        return None
    user = session.get(User, uid)
    return user if user is not None and user.active else None


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    organisation: Organisation,
    created_by: Actor,
) -> User:
    username = username.strip().lower()
    if not username or len(username) > USERNAME_MAX or not username.isascii():
        raise AccountError(f"a user name has 1 to {USERNAME_MAX} ASCII characters")
    if not all(c.isalnum() or c in "._-" for c in username):
        raise AccountError("a user name has only letters, digits, dots, dashes, underscores")
    if role not in Role._value2member_map_:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(r.value for r in Role)}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"the user name {username!r} is taken")
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    user = User(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        organisation_id=organisation.id,
    )
    session.add(user)
    session.flush()
    record(session, Action.USER_CREATE, created_by)
    session.commit()
    return user
