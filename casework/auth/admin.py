"""User administration: create (with an enrolment link), change role or organisation,
deactivate, reset the second factor, unlock. Every change is audited with its subject,
and ends the user's sessions where it changes what they may do.

Administrators cannot change their own role, organisation or status: nobody grants
themselves more than they were given.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.guard import require
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, record
from casework.auth import enrolment, sessions, throttle
from casework.auth.accounts import AccountError, create_user
from casework.models.credentials import RecoveryCode
from casework.models.organisation import Organisation
from casework.models.user import User
from casework.settings import Settings


@dataclass(frozen=True)
class UserRow:
    id: uuid.UUID
    username: str
    display_name: str
    role: str
    organisation: str
    active: bool
    enrolled: bool
    locked: bool


def list_users(session: Session, settings: Settings, caller: Caller) -> list[UserRow]:
    require(session, caller, Permission.USERS_MANAGE)
    users = session.scalars(select(User).order_by(User.username)).all()
    return [
        UserRow(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            organisation=u.organisation.name,
            active=u.active,
            enrolled=u.totp_secret_enc is not None,
            locked=throttle.locked_until(session, settings, u.username) is not None,
        )
        for u in users
    ]


def role_names() -> list[str]:
    """The roles of the access policy, in its order."""
    return current_policy().names()


def ensure_may_manage(session: Session, caller: Caller) -> None:
    require(session, caller, Permission.USERS_MANAGE)


def organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def get_user(session: Session, caller: Caller, user_id: uuid.UUID) -> User | None:
    require(session, caller, Permission.USERS_MANAGE)
    return session.get(User, user_id)


def _target(session: Session, caller: Caller, user_id: uuid.UUID, *, not_self: bool) -> User:
    require(session, caller, Permission.USERS_MANAGE)
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    if not_self and user.id == caller.user.id:
        raise AccountError("self")
    return user


def add_user(
    session: Session,
    settings: Settings,
    caller: Caller,
    *,
    username: str,
    display_name: str,
    role: str,
    organisation_id: uuid.UUID,
) -> str:
    """Create the account and return its one-time enrolment link token."""
    require(session, caller, Permission.USERS_MANAGE)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise AccountError("organisation")
    user = create_user(
        session,
        username=username,
        display_name=display_name,
        role=role,
        organisation=organisation,
        created_by=caller.actor,
    )
    token = enrolment.issue(session, settings, user, caller.actor)
    session.commit()
    return token


def change_assignment(
    session: Session, caller: Caller, user_id: uuid.UUID, role: str, organisation_id: uuid.UUID
) -> None:
    user = _target(session, caller, user_id, not_self=True)
    if role not in role_names() or session.get(Organisation, organisation_id) is None:
        raise AccountError("assignment")
    if (user.role, user.organisation_id) == (role, organisation_id):
        return
    user.role, user.organisation_id = role, organisation_id
    sessions.end_all(session, user.id, "role_changed")
    record(session, Action.USER_UPDATE, caller.actor, subject=user.username, context=caller.context)
    session.commit()


def set_active(session: Session, caller: Caller, user_id: uuid.UUID, active: bool) -> None:
    user = _target(session, caller, user_id, not_self=True)
    if user.active == active:
        return
    user.active = active
    if not active:
        sessions.end_all(session, user.id, "deactivated")
    record(session, Action.USER_UPDATE, caller.actor, subject=user.username, context=caller.context)
    session.commit()


def reset_second_factor(
    session: Session, settings: Settings, caller: Caller, user_id: uuid.UUID
) -> str:
    """Remove the authenticator and recovery codes; the user enrols again by a new link."""
    user = _target(session, caller, user_id, not_self=True)
    user.totp_secret_enc = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(session, user.id, "second_factor_reset")
    record(
        session,
        Action.SECOND_FACTOR_CHANGE,
        caller.actor,
        subject=user.username,
        context=caller.context,
    )
    token = enrolment.issue(session, settings, user, caller.actor)
    session.commit()
    return token


def unlock(session: Session, settings: Settings, caller: Caller, user_id: uuid.UUID) -> None:
    user = _target(session, caller, user_id, not_self=False)
    throttle.clear(session, settings, user.username)
    record(session, Action.USER_UPDATE, caller.actor, subject=user.username, context=caller.context)
    session.commit()
