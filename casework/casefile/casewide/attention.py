"""What needs attention on a case: gaps in the team for the plan's measures, overdue
reviews, re-offers due and new memberships. Workflow facts only, never case content."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.permissions import FieldGroup
from casework.access.policy import AccessLevel, current_policy
from casework.casefile.casewide.flags import GUARDIAN_NEEDED
from casework.casefile.casewide.missing import is_missing
from casework.casefile.support.plan import case_measures, review_overdue
from casework.casefile.support.reoffers import reoffers
from casework.codes.named import ActorType, MeasureType
from casework.models.case import Case
from casework.models.flag import CaseFlag
from casework.models.missing import MissingEpisode
from casework.models.team import TeamMembership

# The actor type a measure needs on the team to be delivered and followed up; other
# measures of config/codes.toml call for none.
MEASURE_ACTOR_TYPES = {
    MeasureType.ACCOMMODATION: ActorType.SOCIAL_SERVICES,
    MeasureType.HEALTH: ActorType.HEALTH,
    MeasureType.PSYCHOLOGICAL: ActorType.CHILD_PSYCHIATRY,
    MeasureType.EDUCATION: ActorType.EDUCATION,
    MeasureType.LEGAL: ActorType.LEGAL_COUNSEL,
    MeasureType.INTERPRETATION: ActorType.INTERPRETER,
}


def other_needs(session: Session, case: Case) -> list[str]:
    """Needs recorded by other areas of the case file: the child missing now, and the
    open "no guardian" flag that the guardian rule raises for an unaccompanied or
    separated child."""
    flags = session.scalars(
        select(CaseFlag).where(
            CaseFlag.case_id == case.id,
            CaseFlag.automatic.is_(True),
            CaseFlag.resolved_at.is_(None),
        )
    )
    needs = ["missing"] if is_missing(session, case.id) else []
    return needs + (["no_guardian"] if any(f.kind == GUARDIAN_NEEDED for f in flags) else [])


def case_needs(session: Session, case: Case, team: Iterable[str]) -> list[str]:
    """Needs beyond the lead: actor types the plan's measures call for, overdue reviews."""
    present = set(team)
    day = clock.today()
    measures = case_measures(session, case.id)
    wanted = {MEASURE_ACTOR_TYPES.get(m.measure_type) for m in measures}
    needs = [f"missing:{t}" for t in sorted(t for t in wanted if t and t not in present)]
    if any(review_overdue(m, day) for m in measures):
        needs.append("review_overdue")
    return needs + other_needs(session, case)


def my_case_marks(
    session: Session, caller: Caller, case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, ...]]:
    """Marks for the caller's own case list (already audited by my_cases): new to the
    caller, a review overdue (support-plan readers), a re-offer due (child's-views
    readers). Not committed: it reads only."""
    policy = current_policy()
    day = clock.today()
    marks: dict[uuid.UUID, list[str]] = {i: [] for i in case_ids}
    # Every member sees a child missing, first.
    for case_id in session.scalars(
        select(MissingEpisode.case_id).where(
            MissingEpisode.case_id.in_(case_ids), MissingEpisode.found_recorded_at.is_(None)
        )
    ):
        marks[case_id].append("missing")
    # New: added by someone else and not opened since (the case's opener knows it).
    for m in session.scalars(
        select(TeamMembership)
        .join(Case, Case.id == TeamMembership.case_id)
        .where(
            TeamMembership.user_id == caller.user.id,
            TeamMembership.case_id.in_(case_ids),
            Case.created_by_id != caller.user.id,
        )
    ):
        if m.is_active_on(day) and m.seen_at is None and "new" not in marks[m.case_id]:
            marks[m.case_id].append("new")
    if policy.level(caller.role, FieldGroup.SUPPORT_PLAN) >= AccessLevel.SUMMARY:
        for case_id in case_ids:
            if any(review_overdue(x, day) for x in case_measures(session, case_id)):
                marks[case_id].append("review_overdue")
    if policy.level(caller.role, FieldGroup.CHILD_VIEWS) >= AccessLevel.READ:
        for case_id, found in reoffers(session, case_ids).items():
            if any(r.due for r in found):
                marks[case_id].append("reoffer_due")
    return {i: tuple(v) for i, v in marks.items()}
