"""How a caller reaches a case: as an active team member, as its lead, or read-only
through break-glass. Anything else is refused, audited, and looks like a missing case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

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

    @property
    def read_only(self) -> bool:
        return self.via is Via.BREAKGLASS


def active_membership(
    session: Session, case_id: uuid.UUID, user_id: uuid.UUID
) -> TeamMembership | None:
    day = clock.today()
    memberships = session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == case_id, TeamMembership.user_id == user_id
        )
    )
    active = [m for m in memberships if m.is_active_on(day)]
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
    membership = active_membership(session, case.id, caller.user.id)
    if membership is not None:
        lead = membership.role_in_team == TeamRole.LEAD
        return Reach(case=case, via=Via.LEAD if lead else Via.MEMBER)
    if current_policy().allows(caller.role, Permission.BREAKGLASS_USE):
        grant = active_grant(session, case.id, caller.user.id)
        if grant is not None:
            return Reach(case=case, via=Via.BREAKGLASS, until=grant.expires_at)
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
    case = session.get(Case, case_id)
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
