"""The coordinator's overview of the region's cases: enough to assemble teams, nothing
of the child's identity."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.guard import require
from casework.access.permissions import Permission
from casework.audit.events import Action, record
from casework.casefile.casewide.attention import needs_of
from casework.casefile.readouts import OverviewRow
from casework.codes.named import ActorType
from casework.models.case import Case, CaseStatus
from casework.models.organisation import Organisation
from casework.models.team import TeamMembership, TeamRole

# A team without one of these cannot give the basic support every child needs.
CORE_ACTOR_TYPES = (ActorType.SOCIAL_SERVICES,)


def region_overview(session: Session, caller: Caller) -> list[OverviewRow]:
    require(session, caller, Permission.CASE_OVERVIEW)
    rows = region_rows(session, caller.user.organisation.region)
    record(session, Action.CASE_LIST, caller.actor, context=caller.context)
    session.commit()
    return rows


def region_cases(session: Session, region: str) -> list[Case]:
    """The open cases led in the region, newest first. Closed and erased cases need no
    team; an erased one has nothing left to read."""
    return list(
        session.scalars(
            select(Case)
            .join(Organisation, Organisation.id == Case.lead_organisation_id)
            .where(
                Organisation.region == region,
                Case.status.not_in([CaseStatus.CLOSED, CaseStatus.ERASED]),
            )
            .order_by(Case.created_at.desc())
        )
    )


def region_rows(session: Session, region: str) -> list[OverviewRow]:
    """The overview's rows (the caller checked and audits): the coordinator's Today
    lists those that need attention, so the two never disagree. Read for all the cases
    together: a statement for the cases, one for their teams, three for their needs."""
    cases = region_cases(session, region)
    ids = [case.id for case in cases]
    day = clock.today()
    members: dict[uuid.UUID, list[TeamMembership]] = defaultdict(list)
    for m in session.scalars(select(TeamMembership).where(TeamMembership.case_id.in_(ids))):
        if m.is_active_on(day):
            members[m.case_id].append(m)
    teams = {i: Counter(m.actor_type for m in members[i]) for i in ids}
    needs = needs_of(session, ids, teams)
    return [_row(case, members[case.id], teams[case.id], needs[case.id]) for case in cases]


def _row(
    case: Case, members: list[TeamMembership], team: Counter[str], more: list[str]
) -> OverviewRow:
    has_lead = any(m.role_in_team == TeamRole.LEAD for m in members)
    needs = [] if has_lead else ["no_lead"]
    needs += [f"missing:{t}" for t in CORE_ACTOR_TYPES if t not in team]
    if len(team) == 1:
        needs.append("single_agency")
    needs += [n for n in more if n not in needs]
    return OverviewRow(
        reference=case.reference,
        status=case.status,
        created_at=case.created_at,
        team=tuple(sorted(team.items())),
        has_lead=has_lead,
        needs=tuple(needs),
        case_id=case.id,
    )
