"""Support team membership changes. Membership is what grants access to a case, so
every change is audited and kept in the case's history.

Two rules hold for every way a member is added (team screen, accepted referral, set-up
tasks): nobody adds themselves, and a clinical actor type (health, child psychiatry,
which open the clinical notes) needs that profession on the person's own account.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.errors import InvalidInput, NotPermitted
from casework.access.permissions import Permission
from casework.audit.events import Action, Actor, RequestContext, record
from casework.casefile.support.plan import HEALTH_ACTOR_TYPES
from casework.casefile.today.notify import (
    CASE_HANDED,
    MEMBER_ADDED,
    MEMBER_PROFESSION_CHANGED,
    MEMBER_ROLE_CHANGED,
    SEES_TEAM,
    case_leads,
    notify,
    team_user_ids,
)
from casework.casefile.work import keep_history
from casework.codes.named import ActorType
from casework.models.case import Case, CaseStatus
from casework.models.history import CaseHistoryEntry
from casework.models.team import TeamMembership, TeamRole
from casework.models.user import User

TEAM_GROUP = "team"


def add_member(
    session: Session,
    by: Actor,
    case_id: uuid.UUID,
    user: User,
    actor_type: str,
    *,
    starts_on: date,
    ends_on: date | None = None,
    role_in_team: str = TeamRole.MEMBER,
    context: RequestContext | None = None,
) -> None:
    """Add `user` to the case's team, audited as a team change.

    This is the trusted core used by set-up tasks (the demo seed); screens that let
    coordinators change teams check their permission before calling it.
    """
    stage_member(
        session,
        by,
        case_id,
        user,
        actor_type,
        starts_on=starts_on,
        ends_on=ends_on,
        role_in_team=role_in_team,
        context=context,
    )
    session.commit()  # a set-up task of its own, not a request's unit of work


def stage_member(
    session: Session,
    by: Actor,
    case_id: uuid.UUID,
    user: User,
    actor_type: str,
    *,
    starts_on: date,
    ends_on: date | None = None,
    role_in_team: str = TeamRole.MEMBER,
    context: RequestContext | None = None,
    added_by: User | None = None,
) -> TeamMembership:
    """add_member without the commit, for changes that add several members at once."""
    if ends_on is not None and ends_on <= starts_on:
        raise ValueError("a membership ends after it starts")
    if user.username == by.username:
        raise NotPermitted(Permission.TEAM_ASSIGN)
    check_fit(user, actor_type)
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(case_id)
    membership = TeamMembership(
        case_id=case.id,
        user_id=user.id,
        organisation_id=user.organisation_id,
        actor_type=actor_type,
        role_in_team=role_in_team,
        starts_on=starts_on,
        ends_on=ends_on,
        added_by_id=added_by.id if added_by is not None else None,
        added_by_role=added_by.role if added_by is not None else "",
    )
    session.add(membership)
    member_history(session, case, by.username, membership, user)
    record(
        session,
        Action.TEAM_CHANGE,
        by,
        case_ref=case.reference,
        context=context,
        subject=user.username,
    )
    # The person added learns of it; so does the rest of the team (not the one acting),
    # but those whose role does not see the team; at once, even when it starts later.
    others = [u for u in team_user_ids(session, case.id, seeing=SEES_TEAM) if u != user.id]
    acting = user.id if by.username == user.username else None
    notify(session, CASE_HANDED.code, case, [user.id], skip=acting)
    notify(session, MEMBER_ADDED.code, case, others)
    return membership


def fits(user: User, actor_type: str) -> bool:
    """Whether `user` may be on a team as `actor_type`."""
    return actor_type not in HEALTH_ACTOR_TYPES or user.profession == actor_type


def check_fit(user: User, actor_type: str) -> None:
    if not fits(user, actor_type):
        raise InvalidInput(
            "actor_type",
            _l(
                "Health and child psychiatry are for people whose account records that "
                "profession. Choose another actor type, or ask an administrator."
            ),
        )


def joins_as(user: User, by_role: str) -> str:
    """The actor type a person joins with when nobody chooses one: their profession,
    else their role's, unless that is a clinical one they do not hold."""
    if user.profession:
        return user.profession
    return by_role if fits(user, by_role) else ActorType.NGO


def member_history(
    session: Session, case: Case, username: str, membership: TeamMembership, user: User
) -> None:
    """A new membership in the case's history, as the whole team may read it."""
    session.add(
        CaseHistoryEntry(
            case,
            {"record": "team_membership"},
            member_values(membership, user),
            changed_by=username,
            field_group=TEAM_GROUP,
            change="create",
        )
    )


def member_values(membership: TeamMembership, user: User) -> dict[str, object]:
    """What the history keeps of a membership (the whole team sees its composition)."""
    return {
        "member": user.display_name,
        "actor_type": membership.actor_type,
        "role_in_team": membership.role_in_team,
        "starts_on": membership.starts_on,
        "ends_on": membership.ends_on,
    }


def tell_leads_of_role_change(session: Session, user: User) -> None:
    """An administrator changed `user`'s role, which changes what they see of every case
    they are on: the lead of each of those cases is told (not the person themselves,
    whom the account tells). In the caller's transaction."""
    day = clock.today()
    memberships = session.scalars(
        select(TeamMembership).where(TeamMembership.user_id == user.id)
    ).all()
    for membership in memberships:
        if not membership.is_active_on(day):
            continue
        case = session.get(Case, membership.case_id)
        if case is None or case.status == CaseStatus.ERASED:
            continue
        notify(
            session,
            MEMBER_ROLE_CHANGED.code,
            case,
            case_leads(session, case.id),
            skip=user.id,
        )


def tell_leads_of_profession_change(
    session: Session, user: User, previous: str | None, by: str
) -> None:
    """An administrator changed `user`'s profession, which decides whether they read
    clinical notes as a health or child psychiatry member: on each case they are on,
    the lead is told and the team's history keeps the change. In the caller's
    transaction."""
    day = clock.today()
    memberships = session.scalars(
        select(TeamMembership).where(TeamMembership.user_id == user.id)
    ).all()
    told: set[uuid.UUID] = set()
    for membership in memberships:
        if not membership.is_active_on(day) or membership.case_id in told:
            continue
        told.add(membership.case_id)
        case = session.get(Case, membership.case_id)
        if case is None or case.status in (CaseStatus.ERASED, CaseStatus.MERGED):
            continue
        keep_history(
            session,
            case,
            by,
            TEAM_GROUP,
            {"record": "team_membership", "member": user.display_name, "profession": previous},
            "update",
            {"member": user.display_name, "profession": user.profession},
        )
        notify(
            session,
            MEMBER_PROFESSION_CHANGED.code,
            case,
            case_leads(session, case.id),
            skip=user.id,
        )
