"""How a caller reaches a case: as an active team member, as its lead, or read-only
through break-glass. Anything else is refused, audited, and looks like a missing case."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import CaseNotFound, NotPermitted
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.clock import utcnow
from casework.models.breakglass import BreakGlassGrant
from casework.models.case import Case
from casework.models.team import TeamMembership, TeamRole


class Via(StrEnum):
    LEAD = "lead"
    MEMBER = "member"
    BREAKGLASS = "breakglass"


@dataclass(frozen=True)
class Reach:
    case: Case
    via: Via
    until: datetime | None = None
    # The caller's active membership (None through break-glass), and the whole team of
    # the case with its users, as read when the case was reached.
    membership: TeamMembership | None = None
    team: tuple[TeamMembership, ...] = ()

    @property
    def read_only(self) -> bool:
        return self.via is Via.BREAKGLASS


def active_membership(
    session: Session, case_id: uuid.UUID, user_id: uuid.UUID
) -> TeamMembership | None:
    memberships = session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == case_id, TeamMembership.user_id == user_id
        )
    )
    return active_of(memberships, user_id)


def case_team(session: Session, case_id: uuid.UUID) -> tuple[TeamMembership, ...]:
    """Every membership of the case, past and future too, with its user and the user's
    organisation, in one statement; ordered by start."""
    return tuple(
        session.scalars(
            select(TeamMembership)
            .options(joinedload(TeamMembership.user), joinedload(TeamMembership.added_by))
            .where(TeamMembership.case_id == case_id)
            .order_by(TeamMembership.starts_on, TeamMembership.id)
        ).unique()
    )


def active_of(memberships: Iterable[TeamMembership], user_id: uuid.UUID) -> TeamMembership | None:
    """The user's active membership among `memberships` (the lead's if two are)."""
    day = clock.today()
    active = [m for m in memberships if m.user_id == user_id and m.is_active_on(day)]
    # A user can hold two memberships (say member, then lead); lead wins.
    active.sort(key=lambda m: m.role_in_team != TeamRole.LEAD)
    return active[0] if active else None


def active_grant(
    session: Session, case_id: uuid.UUID, user_id: uuid.UUID
) -> BreakGlassGrant | None:
    moment = utcnow()
    grants = session.scalars(
        select(BreakGlassGrant)
        .where(BreakGlassGrant.case_id == case_id, BreakGlassGrant.user_id == user_id)
        .order_by(BreakGlassGrant.expires_at.desc())
    )
    return next((g for g in grants if g.is_active_at(moment)), None)


def _route(session: Session, caller: Caller, case: Case) -> Reach | None:
    team = case_team(session, case.id)
    membership = active_of(team, caller.user.id)
    if membership is not None:
        lead = membership.role_in_team == TeamRole.LEAD
        via = Via.LEAD if lead else Via.MEMBER
        return Reach(case=case, via=via, membership=membership, team=team)
    if current_policy().allows(caller.role, Permission.BREAKGLASS_USE):
        grant = active_grant(session, case.id, caller.user.id)
        if grant is not None:
            return Reach(case=case, via=Via.BREAKGLASS, until=grant.expires_at, team=team)
    return None


def reach(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    permission: Permission = Permission.CASE_READ,
) -> Reach:
    """The caller's way into the case for `permission`.

    Unknown cases and cases outside the caller's reach raise CaseNotFound alike; a
    change through read-only break-glass raises NotPermitted. Both are audited.
    """
    case = session.get(Case, case_id, options=[joinedload(Case.child)])
    policy = current_policy()
    # A role that never reads cases (auditor, admin) is blind to them, team or not.
    readable = policy.allows(caller.role, Permission.CASE_READ)
    route = _route(session, caller, case) if case is not None and readable else None
    if route is None:
        deny(session, caller, case)
        raise CaseNotFound(str(case_id))
    if permission is not Permission.CASE_READ and (
        route.read_only or not policy.allows(caller.role, permission)
    ):
        deny(session, caller, case)
        raise NotPermitted(permission)
    return route
