"""A case opened by an identification: the police officer who identifies a child records
it and hands the case at once to a social worker, who leads it from then on.

The officer stays on the team as a member; the case waits in status "identified" until
the social worker takes it on. Assistance starts from this first indication.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput, NotPermitted
from casework.access.guard import deny, require
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.audit.events import Action, record
from casework.casefile.casewide.flags import non_punishment_rule
from casework.casefile.casewide.newchild import NewChild
from casework.casefile.casewide.opening import check_new_child, new_case
from casework.casefile.identification.records import IdentificationChange, InvestigationChange
from casework.casefile.samechild.duplicates import check_before_opening
from casework.casefile.saving import normalise
from casework.casefile.support.membership import member_history
from casework.casefile.today.notify import CASE_HANDED, notify
from casework.casefile.work import Work, changing, finishing
from casework.models.case import Case, CaseStatus
from casework.models.identification import IdentificationEvent, InvestigationDetail
from casework.models.organisation import Organisation
from casework.models.team import ActorType, TeamMembership, TeamRole
from casework.models.user import User


@dataclass(frozen=True)
class Colleague:
    """Someone a case can be handed to: staff names only, nothing of any child."""

    id: uuid.UUID
    display_name: str
    organisation: str
    region: str


def _lead_roles() -> list[str]:
    """Roles that can lead a case through its whole lifecycle (the policy decides)."""
    policy = current_policy()
    return sorted(policy.holders(Permission.CASE_CLOSE))


def ensure_may_record_intake(session: Session, caller: Caller) -> None:
    """Raise NotPermitted (audited) unless the caller may open a case by identification."""
    require(session, caller, Permission.CASE_CREATE)
    if current_policy().level(caller.role, FieldGroup.IDENTIFICATION) != AccessLevel.WRITE:
        deny(session, caller, None, [FieldGroup.IDENTIFICATION])
        raise NotPermitted(FieldGroup.IDENTIFICATION)


def handover_candidates(session: Session, caller: Caller) -> list[Colleague]:
    ensure_may_record_intake(session, caller)
    rows = session.execute(
        select(User, Organisation)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.active.is_(True), User.role.in_(_lead_roles()), User.id != caller.user.id)
        .order_by(Organisation.name, User.display_name)
    )
    colleagues = [
        Colleague(id=u.id, display_name=u.display_name, organisation=o.name, region=o.region)
        for u, o in rows
    ]
    session.rollback()
    return colleagues


def _team(session: Session, case: Case, officer: User, lead: User) -> None:
    for user, actor_type, role in (
        (officer, ActorType.POLICE, TeamRole.MEMBER),
        (lead, ActorType.SOCIAL_SERVICES, TeamRole.LEAD),
    ):
        membership = TeamMembership(
            case=case,
            user_id=user.id,
            organisation_id=user.organisation_id,
            actor_type=actor_type,
            role_in_team=role,
            starts_on=clock.today(),
        )
        session.add(membership)
        member_history(session, case, officer.username, membership, user)
    # The social worker learns at once that a case was handed to them.
    notify(session, CASE_HANDED.code, case, [lead.id])


def _record_identification(
    work: Work,
    identification: IdentificationChange,
    investigation: InvestigationChange | None,
) -> list[str]:
    """Add the identification (and investigation details); the groups written."""
    case = work.case
    event = IdentificationEvent(case, recorded_by_id=work.caller.user.id, **asdict(identification))
    work.session.add(event)
    work.history(
        FieldGroup.IDENTIFICATION,
        {"record": "identification_event"},
        "create",
        normalise(asdict(identification)),
    )
    groups = [FieldGroup.IDENTITY, FieldGroup.IDENTIFICATION]
    if investigation is not None and any(asdict(investigation).values()):
        details = InvestigationDetail(case, identification_id=event.id, **asdict(investigation))
        work.session.add(details)
        groups.append(FieldGroup.INVESTIGATION)
    return [str(g) for g in groups]


def open_case_from_identification(
    session: Session,
    caller: Caller,
    child: NewChild,
    identification: IdentificationChange,
    investigation: InvestigationChange | None,
    lead_id: uuid.UUID,
    prefix: str = "CW",
) -> uuid.UUID:
    """Open a case by recording an identification, handed to the social worker `lead_id`."""
    ensure_may_record_intake(session, caller)
    identification.check()
    check_new_child(session, child)
    lead = session.get(User, lead_id)
    if lead is None or not lead.active or lead.role not in _lead_roles():
        session.rollback()
        raise InvalidInput("lead", _l("Choose an active social worker to hand the case to."))
    with finishing(session):
        check = check_before_opening(session, caller, child, child.document_numbers())
        case = new_case(session, caller, child, prefix, CaseStatus.IDENTIFIED, lead.organisation_id)
        _team(session, case, caller.user, lead)
        session.flush()
        work = Work(session, caller, case, [])
        groups = _record_identification(work, identification, investigation)
        session.flush()
        non_punishment_rule(identification.context)(work)
        for action in (Action.CASE_CREATE, Action.TEAM_CHANGE):
            record(
                session,
                action,
                caller.actor,
                case_ref=case.reference,
                field_groups=groups if action is Action.CASE_CREATE else (),
                context=caller.context,
            )
        check.finish(session, caller, case)
    return case.id


def add_identification_to_case(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    identification: IdentificationChange,
    investigation: InvestigationChange | None,
) -> uuid.UUID:
    """Record the identification (and investigation details) in an existing case of the
    same child instead of opening another: one change, audited, needing write access to
    the identification in that case."""
    identification.check()
    with changing(session, caller, case_id, FieldGroup.IDENTIFICATION) as work:
        groups = _record_identification(work, identification, investigation)
        if FieldGroup.INVESTIGATION in groups and (
            current_policy().level(caller.role, FieldGroup.INVESTIGATION) != AccessLevel.WRITE
        ):
            raise work.refuse(FieldGroup.INVESTIGATION, [FieldGroup.INVESTIGATION])
        work.touch(*(g for g in groups if g != FieldGroup.IDENTITY))
        session.flush()
        non_punishment_rule(identification.context)(work)
    return case_id
