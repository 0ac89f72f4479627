"""The team-meeting overview of a case, added to what read_case returns: the team,
referrals, the plan with its next reviews, open re-offers, the child's latest views and
non-punishment, each only as far as the caller's role may read its group."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import Reach, Via
from casework.casefile.support.childs_views import latest_views
from casework.casefile.support.nonpunishment import considerations
from casework.casefile.support.plan import case_measures, health_membership, measure_readout
from casework.casefile.support.readouts import SupportReadout
from casework.casefile.support.referrals import case_referrals
from casework.casefile.support.reoffers import reoffers
from casework.casefile.support.team import may_manage_team, member_readouts
from casework.models.case import CaseStatus


def support_readout(session: Session, caller: Caller, route: Reach) -> SupportReadout:
    policy = current_policy()
    case = route.case
    plan = policy.level(caller.role, FieldGroup.SUPPORT_PLAN)
    views = policy.level(caller.role, FieldGroup.CHILD_VIEWS)
    health = not route.read_only and health_membership(route.membership)
    notes_exist = policy.level(caller.role, FieldGroup.HEALTH) >= AccessLevel.SUMMARY
    measures = None
    if plan >= AccessLevel.SUMMARY:
        measures = tuple(
            measure_readout(
                m, full=plan >= AccessLevel.READ, health=health, notes_exist=notes_exist
            )
            for m in case_measures(session, case.id)
        )
    open_reoffers = None
    if views >= AccessLevel.READ:
        open_reoffers = tuple(reoffers(session, [case.id]).get(case.id, []))
    found = considerations(session, caller, case.id)
    writable = not route.read_only and case.status != CaseStatus.CLOSED
    if found is not None and not writable:
        found = tuple(replace(c, may_change=False) for c in found)
    # A role that does not see the team (an interpreter) gets an empty list.
    sees_team = policy.role(caller.role).sees_team
    members = member_readouts(session, case.id, route.team) if sees_team else ()
    team = tuple(m for m in members if m.active)
    return SupportReadout(
        team=team,
        team_visible=sees_team,
        coordinator_additions=tuple(m for m in team if m.by_coordinator)
        if route.via is Via.LEAD
        else (),
        referrals=case_referrals(session, case, caller.role)
        if plan >= AccessLevel.SUMMARY
        else None,
        measures=measures,
        latest_views=latest_views(session, case.id) if views >= AccessLevel.READ else None,
        reoffers=open_reoffers,
        considerations=found,
        may_manage_team=writable and may_manage_team(session, caller, case, route),
        may_refer=writable and policy.allows(caller.role, Permission.REFERRAL_CREATE),
        may_decide_nonpunishment=writable
        and policy.allows(caller.role, Permission.NONPUNISHMENT_DECIDE),
        is_health_member=health,
    )
