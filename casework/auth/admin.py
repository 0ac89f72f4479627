"""User administration: create (with an enrolment link), change role or organisation,
deactivate, reset the second factor, unlock. Every change is audited with its subject,
and ends the user's sessions where it changes what they may do.

Administrators cannot change their own role, organisation or status: nobody grants
themselves more than they were given. What would let one administrator reach child
data, or take over another administrator, waits for a second one
(casework/auth/approvals.py): accounts and role changes to roles that read cases or
administer, a profession that opens clinical notes, an administrator's factor reset and
status. Resetting anyone's second factor never lets the administrator choose a password.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.guard import require
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, record
from casework.auth import approvals, enrolment, sessions, throttle
from casework.auth.accounts import AccountError, create_user
from casework.auth.approvals import is_admin, sensitive_role
from casework.codes import CodeList, is_offered
from casework.models.approval import ApprovalKind
from casework.models.organisation import Organisation
from casework.models.team import CLINICAL_ACTOR_TYPES
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
    profession: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What an administrator's step led to: done, or waiting for a second administrator
    (with the enrolment code to hand over, for a new account); a link to hand over."""

    pending: bool = False
    token: str | None = None
    code: str | None = None
    purpose: str = ""


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
            profession=u.profession,
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
) -> Outcome:
    """Create the account. A role that reads cases or administers: the account waits,
    inactive, for a second administrator, and the creator gets the enrolment code only.
    Any other role: the creator gets the one-time enrolment link."""
    require(session, caller, Permission.USERS_MANAGE)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise AccountError("organisation")
    sensitive = sensitive_role(role)
    user = create_user(
        session,
        username=username,
        display_name=display_name,
        role=role,
        organisation=organisation,
        created_by=caller.actor,
        created_by_id=caller.user.id,
        active=not sensitive,
        commit=False,
    )
    if sensitive:
        code = enrolment.new_code()
        approvals.request(
            session,
            caller,
            ApprovalKind.NEW_ACCOUNT,
            user,
            role=role,
            organisation_id=organisation.id,
            code_hash=enrolment.hash_code(code),
        )
        session.commit()
        return Outcome(pending=True, code=code)
    token = enrolment.issue(session, settings, user, caller.actor)
    session.commit()
    return Outcome(token=token, purpose=enrolment.ENROL)


def change_assignment(
    session: Session,
    caller: Caller,
    user_id: uuid.UUID,
    role: str,
    organisation_id: uuid.UUID,
    *,
    told: approvals.RoleChangeHook | None = None,
) -> Outcome:
    """Change role and organisation. To or from a role that reads cases or administers,
    the change waits for a second administrator. When the account's login may be held
    by one administrator alone (it was enrolled on a link that needed no code, as every
    account of a role that reads no cases is) and the new role reads cases or
    administers, the approval also takes that login away: the person enrols again with
    the requester's code (returned here) and the approver's link. The person is told at
    their next sign-in; `told` tells the leads of the cases they are on."""
    user = _target(session, caller, user_id, not_self=True)
    if role not in role_names() or session.get(Organisation, organisation_id) is None:
        raise AccountError("assignment")
    if (user.role, user.organisation_id) == (role, organisation_id):
        return Outcome()
    if sensitive_role(role) or is_admin(user):
        code = None
        if sensitive_role(role) and (
            not sensitive_role(user.role) or enrolment.held_by_one(session, user)
        ):
            code = enrolment.new_code()
        approvals.request(
            session,
            caller,
            ApprovalKind.ROLE_CHANGE,
            user,
            role=role,
            organisation_id=organisation_id,
            code_hash=enrolment.hash_code(code) if code is not None else None,
        )
        session.commit()
        return Outcome(pending=True, code=code)
    user.role, user.organisation_id = role, organisation_id
    user.changed_by_id = caller.user.id
    sessions.end_all(session, user.id, "role_changed")
    approvals.tell_role_changed(session, user, told)
    record(session, Action.USER_UPDATE, caller.actor, subject=user.username, context=caller.context)
    session.commit()
    return Outcome()


def set_active(session: Session, caller: Caller, user_id: uuid.UUID, active: bool) -> Outcome:
    """Switch an account on or off; an administrator's waits for a second one."""
    user = _target(session, caller, user_id, not_self=True)
    if user.active == active:
        return Outcome()
    if is_admin(user):
        approvals.request(session, caller, ApprovalKind.ACTIVATION, user, active=active)
        session.commit()
        return Outcome(pending=True)
    user.active = active
    user.changed_by_id = caller.user.id
    if not active:
        sessions.end_all(session, user.id, "deactivated")
    record(session, Action.USER_UPDATE, caller.actor, subject=user.username, context=caller.context)
    session.commit()
    return Outcome()


def set_profession(
    session: Session,
    caller: Caller,
    user_id: uuid.UUID,
    profession: str | None,
    *,
    told: approvals.ProfessionHook | None = None,
) -> Outcome:
    """Record the person's profession (an actor type), which decides whether they may
    be on a team as health or child psychiatry and whether they read clinical notes.

    A profession that opens clinical notes waits for a second administrator. Any other
    change, withdrawing a clinical profession too, takes effect at once: from then on
    the person reads no clinical notes as a member of that actor type. Either way the
    person is told at their next sign-in, and `told` tells the leads of the cases they
    are on and keeps the change in those cases' history."""
    user = _target(session, caller, user_id, not_self=True)
    if profession is not None and not is_offered(CodeList.ACTOR_TYPE, profession):
        raise AccountError("profession")
    if user.profession == profession:
        return Outcome()
    if profession in CLINICAL_ACTOR_TYPES:
        approvals.request(session, caller, ApprovalKind.PROFESSION, user, role=profession)
        session.commit()
        return Outcome(pending=True)
    previous = user.profession
    user.profession = profession
    user.changed_by_id = caller.user.id
    approvals.tell_profession_changed(session, user, previous, caller.user.username, told)
    record(session, Action.USER_UPDATE, caller.actor, subject=user.username, context=caller.context)
    session.commit()
    return Outcome()


def reset_second_factor(
    session: Session, settings: Settings, caller: Caller, user_id: uuid.UUID
) -> Outcome:
    """Remove the authenticator; the person proves their own password through a reset
    link and sets up a new one, and is told. An administrator's reset waits for a second
    administrator. An account that never enrolled gets a new enrolment link instead, on
    the same terms as a new account."""
    user = _target(session, caller, user_id, not_self=True)
    if is_admin(user):
        approvals.request(session, caller, ApprovalKind.FACTOR_RESET, user)
        session.commit()
        return Outcome(pending=True)
    if not user.password_hash.startswith("$argon2"):
        return _enrol_again(session, settings, caller, user)
    user.changed_by_id = caller.user.id
    token = enrolment.start_reset(session, settings, user, caller.actor)
    session.commit()
    return Outcome(token=token, purpose=enrolment.RESET)


def _enrol_again(session: Session, settings: Settings, caller: Caller, user: User) -> Outcome:
    if sensitive_role(user.role):
        code = enrolment.new_code()
        user.active = False
        approvals.request(
            session,
            caller,
            ApprovalKind.NEW_ACCOUNT,
            user,
            role=user.role,
            organisation_id=user.organisation_id,
            code_hash=enrolment.hash_code(code),
        )
        session.commit()
        return Outcome(pending=True, code=code)
    token = enrolment.issue(session, settings, user, caller.actor)
    session.commit()
    return Outcome(token=token, purpose=enrolment.ENROL)


def unlock(session: Session, settings: Settings, caller: Caller, user_id: uuid.UUID) -> None:
    """Clear the failed sign-ins of someone else's account: an administrator whose own
    account is locked waits, or asks another administrator."""
    user = _target(session, caller, user_id, not_self=True)
    throttle.clear(session, settings, user.username)
    record(session, Action.USER_UPDATE, caller.actor, subject=user.username, context=caller.context)
    session.commit()
