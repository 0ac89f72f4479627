from __future__ import annotations

import secrets
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.guard import require
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, record
from casework.casefile.casewide.newchild import NewChild as NewChild
from casework.casefile.casewide.newchild import NewDocument as NewDocument
from casework.casefile.casewide.search import MIN_TERM_LENGTH, searchable_document
from casework.casefile.readouts import CaseSummary
from casework.casefile.samechild.duplicates import check_before_opening
from casework.casefile.support.membership import member_history
from casework.casefile.work import finishing
from casework.codes import CodeList, is_code, is_offered
from casework.codes.named import ActorType
from casework.models.case import Case, CaseStatus, Child
from casework.models.identity import IdentityDocument
from casework.models.team import TeamMembership, TeamRole

# Crockford's base32 without the easily confused I, L, O, U.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
# A document number as typed, spaces and dashes included.
DOCUMENT_NUMBER_MAX = 64
# A document recorded when the case is opened has not been checked yet.
NOT_CHECKED = "not_checked"


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
    (samechild/duplicates.py); the caller is told nothing of them."""
    ensure_may_open_case(session, caller)
    check_new_child(session, child)
    user = caller.user
    with finishing(session):
        check = check_before_opening(session, caller, child, child.document_numbers())
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


def check_new_child(session: Session, child: NewChild) -> None:
    """Refuse (InvalidInput, nothing written) a sex not offered by its list, and a
    document that is not one: a kind or a country not on its list, a number too long or
    without two letters or digits."""
    if not is_offered(CodeList.SEX, child.sex):
        session.rollback()
        raise InvalidInput("sex", _l("Choose one; “Not known” is a valid answer."))
    for document in child.documents:
        problem: tuple[str, object] | None = None
        number = document.number
        if not is_code(CodeList.DOCUMENT_TYPE, document.kind):
            problem = ("document_kind", _l("Choose the kind of document."))
        elif document.issuing_country is not None and not is_code(
            CodeList.COUNTRY, document.issuing_country
        ):
            problem = ("document_country", _l("Choose each value from its list."))
        elif number is not None and len(number) > DOCUMENT_NUMBER_MAX:
            problem = (
                "document_number",
                _l("Use at most %(max)d characters.", max=DOCUMENT_NUMBER_MAX),
            )
        elif number is not None and not searchable_document(number):
            problem = (
                "document_number",
                _l(
                    "Enter at least %(count)d letters or digits of the number.",
                    count=MIN_TERM_LENGTH,
                ),
            )
        if problem is not None:
            session.rollback()
            raise InvalidInput(*problem)


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
    for document in child.documents:
        session.add(
            IdentityDocument(
                case,
                kind=document.kind,
                number=document.number,
                issuing_country=document.issuing_country,
                expires_on=None,
                check=NOT_CHECKED,
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
