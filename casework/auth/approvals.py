"""Changes of accounts that need a second administrator.

An administrator must not be able to reach child data through accounts. So:

- an account whose role reads cases or administers users is created inactive, with a
  pending approval. The requester is shown an enrolment code, the approver the
  enrolment link; the person needs both, so neither administrator alone holds a usable
  login;
- a change of role to such a role (or away from administrator), a profession that opens
  clinical notes (health, child psychiatry), resetting an administrator's second
  factor, and switching an administrator's account on or off wait for approval too. A
  role change into such a role for an account whose login one administrator alone may
  hold (enrolled on a link that needed no code, as an auditor's
  or analyst's is) also takes that login away: the person enrols again with the
  requester's code and the approver's link. The person is told at their next sign-in,
  and the leads of the cases they are on are told too.

Nobody approves their own request or a request about themselves, and an approval never
comes from an account linked to the requester or the subject by "created or last
changed by", in either direction and along the chain (A made A2, A2 made A3: A3's
request is not A's to decide, nor A's A3's). One person with several administrator
accounts gets nowhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.guard import require
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, Outcome, record
from casework.auth import enrolment, sessions
from casework.auth.accounts import AccountError
from casework.clock import utcnow
from casework.models.approval import ApprovalKind, ApprovalState, PendingApproval, UserNotice
from casework.models.organisation import Organisation
from casework.models.user import User
from casework.settings import Settings


@dataclass(frozen=True)
class ApprovalRow:
    id: uuid.UUID
    kind: str
    subject: str
    subject_name: str
    requested_by: str
    requested_at: datetime
    role: str
    organisation: str
    active: bool | None
    may_decide: bool


@dataclass(frozen=True)
class Decision:
    """What the approver is shown: an enrolment or reset link to hand over, if any."""

    username: str
    token: str | None = None
    purpose: str = ""


# Tells others (the leads of the cases the person is on) that a person's role changed,
# in the caller's transaction. The web layer passes the case file's; the accounts code
# knows nothing of cases.
RoleChangeHook = Callable[[Session, User], None]
# The same for a change of profession: the person, their previous profession and who
# made the change; the case file's tells the leads and keeps it in each case's history.
ProfessionHook = Callable[[Session, User, "str | None", str], None]


def tell_role_changed(session: Session, subject: User, told: RoleChangeHook | None) -> None:
    """The person is told at their next sign-in; `told` tells the leads of their cases."""
    session.add(UserNotice(user_id=subject.id, kind="role_changed"))
    if told is not None:
        told(session, subject)


def tell_profession_changed(
    session: Session,
    subject: User,
    previous: str | None,
    by: str,
    told: ProfessionHook | None,
) -> None:
    """The person is told at their next sign-in; `told` tells the leads of their cases
    and keeps the change in those cases' history."""
    session.add(UserNotice(user_id=subject.id, kind="profession_changed"))
    if told is not None:
        told(session, subject, previous, by)


def sensitive_role(role: str) -> bool:
    """Roles whose accounts reach child data or administer accounts."""
    policy = current_policy()
    return policy.allows(role, Permission.CASE_READ) or policy.allows(role, Permission.USERS_MANAGE)


def is_admin(user: User) -> bool:
    return current_policy().allows(user.role, Permission.USERS_MANAGE)


def request(
    session: Session,
    caller: Caller,
    kind: ApprovalKind,
    subject: User,
    *,
    role: str = "",
    organisation_id: uuid.UUID | None = None,
    active: bool | None = None,
    code_hash: bytes | None = None,
) -> PendingApproval:
    """Stage a request (the caller commits). One pending request per subject and kind."""
    if session.scalar(
        select(PendingApproval.id).where(
            PendingApproval.subject_id == subject.id,
            PendingApproval.kind == kind,
            PendingApproval.state == ApprovalState.PENDING,
        )
    ):
        raise AccountError("pending")
    row = PendingApproval(
        kind=kind,
        subject_id=subject.id,
        requested_by_id=caller.user.id,
        role=role,
        organisation_id=organisation_id,
        active=active,
        code_hash=code_hash,
        state=ApprovalState.PENDING,
    )
    session.add(row)
    record(
        session,
        Action.APPROVAL_REQUEST,
        caller.actor,
        subject=subject.username,
        context=caller.context,
    )
    return row


# How far "created or last changed by" is followed: further than any real chain of
# accounts, short enough that a cycle or a very long chain costs little.
LINK_DEPTH = 16


def makers(session: Session, user_id: uuid.UUID) -> set[uuid.UUID]:
    """The accounts that created or last changed `user_id`, those that created or last
    changed them, and so on up the chain (at most LINK_DEPTH steps)."""
    found: set[uuid.UUID] = set()
    frontier = {user_id}
    for _ in range(LINK_DEPTH):
        rows = session.execute(
            select(User.created_by_id, User.changed_by_id).where(User.id.in_(frontier))
        ).all()
        frontier = {i for row in rows for i in row if i is not None} - found - {user_id}
        if not frontier:
            break
        found |= frontier
    return found


def linked(session: Session, one: uuid.UUID, other: uuid.UUID) -> bool:
    """Whether one account made the other, directly or along a chain, either way."""
    return one == other or other in makers(session, one) or one in makers(session, other)


def may_decide(session: Session, approver: User, row: PendingApproval) -> bool:
    """A different administrator, linked neither to the requester nor to the subject by
    "created or last changed by", in either direction, along the chain."""
    if not (approver.active and is_admin(approver)):
        return False
    mine = makers(session, approver.id) | {approver.id}
    for involved in {row.requested_by_id, row.subject_id}:
        if involved in mine or approver.id in makers(session, involved):
            return False
    return True


def pending(session: Session, caller: Caller) -> list[ApprovalRow]:
    require(session, caller, Permission.USERS_MANAGE)
    rows = session.scalars(
        select(PendingApproval)
        .where(PendingApproval.state == ApprovalState.PENDING)
        .order_by(PendingApproval.requested_at)
    )
    names = {o.id: o.name for o in session.scalars(select(Organisation))}
    return [
        ApprovalRow(
            id=r.id,
            kind=r.kind,
            subject=r.subject.username,
            subject_name=r.subject.display_name,
            requested_by=r.requested_by.username,
            requested_at=r.requested_at,
            role=r.role,
            organisation=names.get(r.organisation_id, "") if r.organisation_id else "",
            active=r.active,
            may_decide=may_decide(session, caller.user, r),
        )
        for r in rows
    ]


def _pending(session: Session, caller: Caller, approval_id: uuid.UUID) -> PendingApproval:
    """The request `approval_id`, for an administrator, while it waits for a decision:
    LookupError if there is none, AccountError("decided") once it was decided. The row
    stays locked until the caller's transaction ends, so two administrators deciding at
    once are decided one after the other: the second finds it decided (on SQLite the
    request's transaction already holds the database's write lock)."""
    require(session, caller, Permission.USERS_MANAGE)
    row = session.get(PendingApproval, approval_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise LookupError(approval_id)
    if row.state != ApprovalState.PENDING:
        raise AccountError("decided")
    return row


def _decision_event(
    session: Session, caller: Caller, row: PendingApproval, action: Action, outcome: Outcome
) -> None:
    record(
        session,
        action,
        caller.actor,
        outcome=outcome,
        subject=row.subject.username,
        context=caller.context,
    )


def _decide(session: Session, caller: Caller, row: PendingApproval, state: ApprovalState) -> None:
    """Close the request as approved or refused by the caller, and record the decision."""
    row.state = state
    row.decided_by_id = caller.user.id
    row.decided_at = utcnow()
    action = Action.APPROVAL_DECIDE if state == ApprovalState.APPROVED else Action.APPROVAL_REFUSE
    _decision_event(session, caller, row, action, Outcome.ALLOWED)


def _not_yours(session: Session, caller: Caller, row: PendingApproval, action: Action) -> NoReturn:
    """Record the attempt as denied, and refuse it."""
    _decision_event(session, caller, row, action, Outcome.DENIED)
    session.commit()
    raise AccountError("not_yours")


def _decidable(session: Session, caller: Caller, approval_id: uuid.UUID) -> PendingApproval:
    row = _pending(session, caller, approval_id)
    if not may_decide(session, caller.user, row):
        _not_yours(session, caller, row, Action.APPROVAL_DECIDE)
    return row


def approve(
    session: Session,
    settings: Settings,
    caller: Caller,
    approval_id: uuid.UUID,
    *,
    told: RoleChangeHook | None = None,
    told_profession: ProfessionHook | None = None,
) -> Decision:
    """Make the change asked for; `told` tells the leads of the subject's cases of a
    change of role, `told_profession` of a change of profession (in this transaction)."""
    row = _decidable(session, caller, approval_id)
    subject = row.subject
    decision = Decision(username=subject.username)
    if row.kind == ApprovalKind.NEW_ACCOUNT:
        subject.active = True
        token = enrolment.issue(session, settings, subject, caller.actor, code_hash=row.code_hash)
        decision = Decision(subject.username, token, "enrol")
    elif row.kind == ApprovalKind.ROLE_CHANGE:
        subject.role = row.role
        if row.organisation_id is not None:
            subject.organisation_id = row.organisation_id
        subject.changed_by_id = row.requested_by_id
        sessions.end_all(session, subject.id, "role_changed")
        if row.code_hash is not None:
            # A login one administrator may hold never reads cases: enrol again, with the
            # requester's code and this link.
            token = enrolment.start_over(session, settings, subject, caller.actor, row.code_hash)
            decision = Decision(subject.username, token, "enrol")
        tell_role_changed(session, subject, told)
    elif row.kind == ApprovalKind.FACTOR_RESET:
        token = enrolment.start_reset(session, settings, subject, caller.actor)
        subject.changed_by_id = row.requested_by_id
        decision = Decision(subject.username, token, "reset")
    elif row.kind == ApprovalKind.PROFESSION:
        previous = subject.profession
        subject.profession = row.role
        subject.changed_by_id = row.requested_by_id
        tell_profession_changed(session, subject, previous, caller.user.username, told_profession)
    elif row.kind == ApprovalKind.ACTIVATION:
        subject.active = bool(row.active)
        subject.changed_by_id = row.requested_by_id
        if not subject.active:
            sessions.end_all(session, subject.id, "deactivated")
    _decide(session, caller, row, ApprovalState.APPROVED)
    record(
        session, Action.USER_UPDATE, caller.actor, subject=subject.username, context=caller.context
    )
    session.commit()
    return decision


def refuse(session: Session, caller: Caller, approval_id: uuid.UUID) -> bool:
    """Turn a request down; the requester may also withdraw their own (True then)."""
    row = _pending(session, caller, approval_id)
    withdrawn = row.requested_by_id == caller.user.id
    if not withdrawn and not may_decide(session, caller.user, row):
        _not_yours(session, caller, row, Action.APPROVAL_REFUSE)
    _decide(session, caller, row, ApprovalState.REFUSED)
    session.commit()
    return withdrawn
