"""Assembling a support team: coordinators for cases led in their region, and case
leads for their own cases, add and end memberships. Exactly one lead at a time.

Nobody adds themselves, and nobody adds a coordinator (a coordinator who must see a
case uses break-glass, which is time-limited, read-only and reviewed). Only a role
that may close cases leads one, so a coordinator can neither become lead nor replace
the lead: ending a lead's membership is the lead's own step, or a coordinator's once
the lead's account is deactivated.
Members added by a coordinator are shown to the lead. A membership starts today at the
earliest, never in the past nor before the case was opened; one that starts later is
told to the team when it is made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import (
    CaseClosed,
    CaseErased,
    CaseMerged,
    CaseNotFound,
    InvalidInput,
    NotPermitted,
)
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.access.reach import Reach, active_membership, case_team, reach
from casework.audit.events import Action, record
from casework.casefile.support.membership import (
    TEAM_GROUP,
    check_fit,
    member_values,
    stage_member,
)
from casework.casefile.support.readouts import Choice, MemberReadout, TeamPage
from casework.casefile.work import finishing, keep_history
from casework.clock import utcnow
from casework.codes import CodeList, is_offered
from casework.models.case import Case, CaseStatus
from casework.models.organisation import Organisation
from casework.models.team import TeamMembership, TeamRole
from casework.models.user import User


@dataclass(frozen=True)
class TeamChange:
    user_id: uuid.UUID
    actor_type: str
    role_in_team: str
    starts_on: date
    ends_on: date | None


def in_region(session: Session, caller: Caller, case: Case) -> bool:
    lead_org = session.get(Organisation, case.lead_organisation_id)
    return lead_org is not None and lead_org.region == caller.user.organisation.region


def may_manage_team(
    session: Session, caller: Caller, case: Case, route: Reach | None = None
) -> bool:
    """Coordinators manage teams of cases led in their region; others lead the case.
    `route`, when the case was just reached, holds the caller's membership already."""
    policy = current_policy()
    if not policy.allows(caller.role, Permission.TEAM_ASSIGN):
        return False
    if policy.allows(caller.role, Permission.CASE_OVERVIEW) and in_region(session, caller, case):
        return True
    if route is not None and route.case is case:
        membership = route.membership
    else:
        membership = active_membership(session, case.id, caller.user.id)
    return membership is not None and membership.role_in_team == TeamRole.LEAD


def team_case(session: Session, caller: Caller, case_id: uuid.UUID) -> Case:
    """The case whose team the caller may change. Team members without the right get
    NotPermitted, everyone else CaseNotFound; both are audited."""
    case = session.get(Case, case_id)
    if case is not None and may_manage_team(session, caller, case):
        if case.status == CaseStatus.ERASED:
            session.rollback()
            raise CaseErased(case.reference)
        if case.status == CaseStatus.MERGED:
            # Its team stays as it was: the team works on the case it was merged into.
            session.rollback()
            raise CaseMerged(case.reference)
        return case
    reach(session, caller, case_id, Permission.TEAM_ASSIGN)
    deny(session, caller, case)
    raise NotPermitted(Permission.TEAM_ASSIGN)


def member_readouts(
    session: Session, case_id: uuid.UUID, team: tuple[TeamMembership, ...] | None = None
) -> tuple[MemberReadout, ...]:
    """The team, past members too; `team` if the memberships were read already."""
    day = clock.today()
    policy = current_policy()
    rows = case_team(session, case_id) if team is None else team
    return tuple(
        MemberReadout(
            id=m.id,
            display_name=m.user.display_name,
            username=m.user.username,
            organisation=m.user.organisation.name,
            actor_type=m.actor_type,
            role_in_team=m.role_in_team,
            starts_on=m.starts_on,
            ends_on=m.ends_on,
            active=m.is_active_on(day),
            added_by=m.added_by.display_name if m.added_by is not None else "",
            by_coordinator=policy.allows(m.added_by_role, Permission.CASE_OVERVIEW),
        )
        for m in rows
    )


def team_candidates(
    session: Session, organisation_id: uuid.UUID | None = None, *, besides: User | None = None
) -> list[User]:
    """Active users whose role reads cases; of one organisation if given; never
    `besides` (the person choosing: nobody adds themselves), and never a coordinator
    (a role with the region's overview), whose way to a case is break-glass:
    time-limited, read-only and reviewed. The door refuses anyone not offered here."""
    query = select(User).where(User.active.is_(True)).order_by(User.display_name)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if besides is not None:
        query = query.where(User.id != besides.id)
    policy = current_policy()
    return [
        u
        for u in session.scalars(query)
        if policy.allows(u.role, Permission.CASE_READ)
        and not policy.allows(u.role, Permission.CASE_OVERVIEW)
    ]


def team_page(session: Session, caller: Caller, case_id: uuid.UUID) -> TeamPage:
    case = team_case(session, caller, case_id)
    members = member_readouts(session, case.id)
    # Only possible choices: nobody already on the team today, never the chooser.
    on_team = {m.username for m in members if m.active}
    page = TeamPage(
        case_id=case.id,
        reference=case.reference,
        open_for_change=case.status not in (CaseStatus.CLOSED, CaseStatus.ERASED),
        ends_allowed=case.status != CaseStatus.ERASED,
        members=members,
        candidates=tuple(
            Choice(str(u.id), f"{u.display_name} — {u.organisation.name}")
            for u in team_candidates(session, besides=caller.user)
            if u.username not in on_team
        ),
    )
    record(session, Action.CASE_READ, caller.actor, case_ref=case.reference, context=caller.context)
    session.commit()
    return page


def _overlaps(m: TeamMembership, starts_on: date, ends_on: date | None) -> bool:
    """Whether [starts_on, ends_on) meets the membership's own period."""
    starts_before_end = m.ends_on is None or starts_on < m.ends_on
    ends_after_start = ends_on is None or m.starts_on < ends_on
    return starts_before_end and ends_after_start


def earliest_start(case: Case) -> date:
    """A membership starts today at the earliest (access is never granted backwards),
    and never before the case was opened."""
    return max(clock.today(), clock.local(case.created_at).date())


def check_change(session: Session, case: Case, change: TeamChange) -> User:
    """Raise InvalidInput for the first field that is wrong; return the new member."""
    user = session.get(User, change.user_id)
    if user is None or user not in team_candidates(session):
        raise InvalidInput("user", _l("Choose a person from the list."))
    if not is_offered(CodeList.ACTOR_TYPE, change.actor_type):
        raise InvalidInput("actor_type", _l("Choose an actor type from the list."))
    check_fit(user, change.actor_type)
    if change.role_in_team not in set(TeamRole):
        raise InvalidInput("role_in_team", _l("Choose lead or member."))
    if change.starts_on < earliest_start(case):
        raise InvalidInput("starts_on", _l("Choose today or a later date."))
    if change.ends_on is not None and change.ends_on <= change.starts_on:
        raise InvalidInput("ends_on", _l("The membership must end after it starts."))
    existing = session.scalars(select(TeamMembership).where(TeamMembership.case_id == case.id))
    overlapping = [m for m in existing if _overlaps(m, change.starts_on, change.ends_on)]
    if any(m.user_id == user.id for m in overlapping):
        raise InvalidInput("user", _l("This person is already on the team for these dates."))
    if change.role_in_team == TeamRole.LEAD and any(
        m.role_in_team == TeamRole.LEAD for m in overlapping
    ):
        raise InvalidInput(
            "role_in_team",
            _l("The team has a lead for these dates. End that membership first."),
        )
    if change.role_in_team == TeamRole.LEAD and not current_policy().allows(
        user.role, Permission.CASE_CLOSE
    ):
        raise InvalidInput(
            "role_in_team",
            _l("Only a person whose role may close cases (a social worker) leads a case."),
        )
    return user


def refuse_self(session: Session, caller: Caller, case: Case, user_ids: list[uuid.UUID]) -> None:
    """Nobody grants access to themselves: an attempt is refused and audited."""
    if caller.user.id in user_ids:
        deny(session, caller, case)
        raise NotPermitted(Permission.TEAM_ASSIGN)


def open_for_change(session: Session, case: Case) -> None:
    """A closed case takes no new members until it is reopened; an erased one never."""
    if case.status == CaseStatus.ERASED:
        session.rollback()
        raise CaseErased(case.reference)
    if case.status == CaseStatus.CLOSED:
        session.rollback()
        raise CaseClosed(case.reference)


def add_to_team(session: Session, caller: Caller, case_id: uuid.UUID, change: TeamChange) -> None:
    case = team_case(session, caller, case_id)
    refuse_self(session, caller, case, [change.user_id])
    open_for_change(session, case)
    with finishing(session):
        user = check_change(session, case, change)
        stage_member(
            session,
            caller.actor,
            case.id,
            user,
            change.actor_type,
            starts_on=change.starts_on,
            ends_on=change.ends_on,
            role_in_team=change.role_in_team,
            context=caller.context,
            added_by=caller.user,
        )


def end_membership(
    session: Session, caller: Caller, case_id: uuid.UUID, membership_id: uuid.UUID, ends_on: date
) -> None:
    """End a membership on `ends_on` (the member has no access from that day).

    Allowed on a closed case too: taking access away is never blocked by closing.
    """
    case = team_case(session, caller, case_id)
    if case.status == CaseStatus.ERASED:
        session.rollback()
        raise CaseErased(case.reference)
    membership = session.get(TeamMembership, membership_id)
    if membership is None or membership.case_id != case.id:
        deny(session, caller, case)
        raise CaseNotFound(str(membership_id))
    if (
        membership.role_in_team == TeamRole.LEAD
        and membership.user_id != caller.user.id
        and membership.user.active
    ):
        # Replacing an active lead is not a coordinator's step.
        deny(session, caller, case)
        raise NotPermitted(Permission.TEAM_ASSIGN)
    with finishing(session):
        if ends_on < membership.starts_on:
            raise InvalidInput("ends_on", _l("A membership cannot end before it starts."))
        if ends_on < clock.today():
            raise InvalidInput("ends_on", _l("Choose today or a later date."))
        if membership.ends_on is not None and membership.ends_on <= ends_on:
            raise InvalidInput("ends_on", _l("The membership already ends by then."))
        previous = {"record": "team_membership", **member_values(membership, membership.user)}
        membership.ends_on = ends_on
        keep_history(
            session,
            case,
            caller.user.username,
            TEAM_GROUP,
            previous,
            "update",
            member_values(membership, membership.user),
        )
        record(
            session,
            Action.TEAM_CHANGE,
            caller.actor,
            case_ref=case.reference,
            context=caller.context,
            subject=membership.user.username,
        )


def mark_seen(session: Session, route: Reach, user_id: uuid.UUID) -> None:
    """The member has opened the case: it is no longer new to them (not committed)."""
    for m in route.team:
        if m.user_id == user_id and m.seen_at is None:
            m.seen_at = utcnow()
