from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.guard import require
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, record
from casework.casefile.casewide.duplicates import check_before_opening
from casework.casefile.casewide.newchild import NewChild as NewChild
from casework.casefile.readouts import CaseSummary
from casework.casefile.support.membership import member_history
from casework.casefile.work import finishing
from casework.models.case import Case, CaseStatus, Child
from casework.models.team import ActorType, TeamMembership, TeamRole

# Crockford's base32 without the easily confused I, L, O, U.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6


def role_actor_type(role: str, default: str) -> str:
    """The actor type the access policy gives members of `role`, else `default`."""
    policy = current_policy().roles.get(role)
    return policy.actor_type if policy is not None and policy.actor_type else default


def _new_reference(session: Session, prefix: str) -> str:
    """A random, unguessable reference such as CW-2026-7KX4QM; never a name."""
    year = clock.today().year
    while True:
        suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        reference = f"{prefix}-{year}-{suffix}"
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return reference


def ensure_may_open_case(session: Session, caller: Caller) -> None:
    """Raise NotPermitted (and record the denial) unless the caller may open cases."""
    require(session, caller, Permission.CASE_CREATE)


def open_case(session: Session, caller: Caller, child: NewChild, prefix: str = "CW") -> uuid.UUID:
    """Open a case for a child; the caller becomes its first team member and lead. Cases
    of other teams that may be about the same child get a "possible same child" item
    (casewide/duplicates.py); the caller is told nothing of them."""
    ensure_may_open_case(session, caller)
    user = caller.user
    with finishing(session):
        check = check_before_opening(session, caller, child)
        case = new_case(session, caller, child, prefix, CaseStatus.OPEN, user.organisation_id)
        lead = TeamMembership(
            case=case,
            user_id=user.id,
            organisation_id=user.organisation_id,
            actor_type=role_actor_type(user.role, ActorType.SOCIAL_SERVICES),
            role_in_team=TeamRole.LEAD,
            starts_on=clock.today(),
        )
        session.add(lead)
        member_history(session, case, user.username, lead, user)
        session.flush()
        record(
            session,
            Action.CASE_CREATE,
            caller.actor,
            case_ref=case.reference,
            field_groups=[FieldGroup.IDENTITY],
            context=caller.context,
        )
        check.finish(session, caller, case)
    return case.id


def new_case(
    session: Session,
    caller: Caller,
    child: NewChild,
    prefix: str,
    status: str,
    lead_organisation_id: uuid.UUID,
) -> Case:
    """A new case and its child, not yet committed; the caller's checks come first."""
    case = Case(
        reference=_new_reference(session, prefix),
        status=status,
        lead_organisation_id=lead_organisation_id,
        created_by_id=caller.user.id,
    )
    session.add(case)
    session.add(
        Child(
            case,
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
        )
    )
    return case


def my_cases(session: Session, caller: Caller) -> list[CaseSummary]:
    """Cases the caller is an active team member of: references only, no child data."""
    require(session, caller, Permission.CASE_READ)
    day = clock.today()
    rows = session.execute(
        select(Case, TeamMembership)
        .join(TeamMembership, TeamMembership.case_id == Case.id)
        .where(TeamMembership.user_id == caller.user.id)
        .order_by(Case.created_at.desc())
    ).all()
    seen: dict[uuid.UUID, CaseSummary] = {}
    for case, membership in rows:
        if membership.is_active_on(day) and case.id not in seen:
            seen[case.id] = CaseSummary(
                id=case.id,
                reference=case.reference,
                status=case.status,
                created_at=case.created_at,
                role_in_team=membership.role_in_team,
            )
    record(session, Action.CASE_LIST, caller.actor, context=caller.context)
    session.commit()
    return list(seen.values())
