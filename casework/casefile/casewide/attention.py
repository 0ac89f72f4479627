"""What needs attention on a case: gaps in the team for the plan's measures, overdue
reviews, re-offers due and new memberships. Workflow facts only, never case content."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.permissions import FieldGroup
from casework.access.policy import AccessLevel, current_policy
from casework.casefile.casewide.flags import GUARDIAN_NEEDED
from casework.casefile.casewide.missing import missing_now
from casework.casefile.support.plan import review_overdue
from casework.casefile.support.reoffers import reoffers
from casework.codes.named import ActorType, MeasureType
from casework.models.case import Case
from casework.models.flag import CaseFlag
from casework.models.support import SupportMeasure
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


def needs_of(
    session: Session, case_ids: Collection[uuid.UUID], teams: Mapping[uuid.UUID, Iterable[str]]
) -> dict[uuid.UUID, list[str]]:
    """Needs beyond the lead of each case (`teams`: the actor types on its team): actor
    types the plan's measures call for, overdue reviews, the child missing now, and the
    open "no guardian" flag that the guardian rule raises for an unaccompanied or
    separated child. Read for all the cases together: three statements, however many."""
    day = clock.today()
    measures: dict[uuid.UUID, list[SupportMeasure]] = defaultdict(list)
    for m in session.scalars(select(SupportMeasure).where(SupportMeasure.case_id.in_(case_ids))):
        measures[m.case_id].append(m)
    # The kind of a flag is sealed: the open automatic ones are read and opened here.
    open_automatic = session.scalars(
        select(CaseFlag).where(
            CaseFlag.case_id.in_(case_ids),
            CaseFlag.automatic.is_(True),
            CaseFlag.resolved_at.is_(None),
        )
    )
    guardian_needed = {f.case_id for f in open_automatic if f.kind == GUARDIAN_NEEDED}
    missing = missing_now(session, case_ids)
    found: dict[uuid.UUID, list[str]] = {}
    for case_id in case_ids:
        present = set(teams.get(case_id, ()))
        plan = measures.get(case_id, [])
        wanted = {MEASURE_ACTOR_TYPES.get(m.measure_type) for m in plan}
        needs = [f"missing:{t}" for t in sorted(t for t in wanted if t and t not in present)]
        if any(review_overdue(m, day) for m in plan):
            needs.append("review_overdue")
        if case_id in missing:
            needs.append("missing")
        if case_id in guardian_needed:
            needs.append("no_guardian")
        found[case_id] = needs
    return found


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
    for case_id in missing_now(session, case_ids):
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
        plans = session.scalars(select(SupportMeasure).where(SupportMeasure.case_id.in_(case_ids)))
        for case_id in {m.case_id for m in plans if review_overdue(m, day)}:
            marks[case_id].append("review_overdue")
    if policy.level(caller.role, FieldGroup.CHILD_VIEWS) >= AccessLevel.READ:
        for case_id, found in reoffers(session, case_ids).items():
            if any(r.due for r in found):
                marks[case_id].append("reoffer_due")
    return {i: tuple(v) for i, v in marks.items()}
