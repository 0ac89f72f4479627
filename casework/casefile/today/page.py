"""The Today page: what needs doing across the caller's cases, first thing after sign-in.

Case-working roles see the children recorded missing on their cases, open tasks overdue
or due within the week (with titles: they are on the team), the marks of their cases
(new to them, reviews overdue, re-offers due, what the reminder rules left) and their
unread notifications, and the "possible same child" items of the cases they lead.
Coordinators see the same for their region's cases by reference only (task counts, never
titles), the cases the region overview says need attention (the same rows), plus
referrals waiting on them and the region's possible same child items.
The page is a case list: one `case.list` audit event per view.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.guard import require
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, record
from casework.casefile.casewide.attention import my_case_marks
from casework.casefile.casewide.overview import region_rows
from casework.casefile.samechild.duplicates import open_items
from casework.casefile.today.inbox import unread
from casework.casefile.today.readouts import CaseItem, TodayPage, task_readout
from casework.models.case import Case, CaseStatus
from casework.models.missing import MissingEpisode
from casework.models.organisation import Organisation
from casework.models.referral import Referral, ReferralState
from casework.models.reminder import ReminderMark
from casework.models.task import CaseTask, TaskState
from casework.models.team import TeamMembership

WEEK = timedelta(days=7)
# Marks the reminder rules leave for coordinators; team members see the rest as tasks.
COORDINATOR_RULES = ("referral_waiting", "no_lead")
# Closed cases change no more (their open tasks wait for a reopening); erased ones are gone.
GONE = (CaseStatus.CLOSED, CaseStatus.ERASED)


def _my_case_refs(session: Session, caller: Caller) -> dict[uuid.UUID, str]:
    day = clock.today()
    rows = session.execute(
        select(Case.id, Case.reference, TeamMembership)
        .join(TeamMembership, TeamMembership.case_id == Case.id)
        .where(TeamMembership.user_id == caller.user.id, Case.status.not_in(GONE))
    ).all()
    return {case_id: ref for case_id, ref, m in rows if m.is_active_on(day)}


def _missing(session: Session, refs: dict[uuid.UUID, str]) -> tuple[CaseItem, ...]:
    rows = session.scalars(
        select(MissingEpisode)
        .where(MissingEpisode.case_id.in_(list(refs)), MissingEpisode.found_recorded_at.is_(None))
        .order_by(MissingEpisode.recorded_at)
    )
    return tuple(CaseItem("missing", e.case_id, refs[e.case_id], at=e.recorded_at) for e in rows)


def _open_tasks(session: Session, refs: dict[uuid.UUID, str]) -> list[CaseTask]:
    horizon = clock.today() + WEEK
    return list(
        session.scalars(
            select(CaseTask)
            .where(
                CaseTask.case_id.in_(list(refs)),
                CaseTask.state == TaskState.OPEN,
                CaseTask.due_on <= horizon,
            )
            .order_by(CaseTask.due_on)
        )
    )


def _rule_marks(
    session: Session, refs: dict[uuid.UUID, str], rules: tuple[str, ...] | None = None
) -> list[CaseItem]:
    query = select(ReminderMark).where(
        ReminderMark.case_id.in_(list(refs)), ReminderMark.resolved_at.is_(None)
    )
    if rules is not None:
        query = query.where(ReminderMark.rule.in_(rules))
    rows = session.scalars(query.order_by(ReminderMark.due_on))
    return [CaseItem(m.rule, m.case_id, refs[m.case_id], due_on=m.due_on) for m in rows]


def _news(session: Session, caller: Caller) -> tuple[CaseItem, ...]:
    return tuple(
        CaseItem(n.kind, n.case_id, n.reference, at=n.created_at) for n in unread(session, caller)
    )


def today_page(session: Session, caller: Caller) -> TodayPage:
    """The caller's Today page (roles that work on cases; others: NotPermitted, audited)."""
    require(session, caller, Permission.CASE_READ)
    if current_policy().allows(caller.role, Permission.CASE_OVERVIEW):
        page = _coordinator_page(session, caller)
    else:
        page = _member_page(session, caller)
    record(session, Action.CASE_LIST, caller.actor, context=caller.context)
    session.commit()
    return page


def _member_page(session: Session, caller: Caller) -> TodayPage:
    refs = _my_case_refs(session, caller)
    day = clock.today()
    tasks = _open_tasks(session, refs)
    # The caller's own tasks first, each group by due date.
    tasks.sort(key=lambda t: (t.assignee_id != caller.user.id, t.due_on))
    marks = [
        CaseItem(mark, case_id, refs[case_id])
        for case_id, found in my_case_marks(session, caller, list(refs)).items()
        for mark in found
    ]
    marks += _rule_marks(session, refs)
    # A role that sees neither the team nor the flags (an interpreter) sees its own
    # tasks only, and no missing children or marks.
    role = current_policy().role(caller.role)
    if not role.sees_team:
        tasks = [t for t in tasks if t.assignee_id == caller.user.id]
    if not role.sees_flags:
        marks = []
    return TodayPage(
        week_end=day + WEEK,
        missing=_missing(session, refs) if role.sees_flags else (),
        tasks=tuple(task_readout(t, day, caller.user.id) for t in tasks),
        task_references={t.case_id: refs[t.case_id] for t in tasks},
        marks=tuple(marks),
        news=_news(session, caller),
        same_child=tuple(open_items(session, caller)),
    )


def _coordinator_page(session: Session, caller: Caller) -> TodayPage:
    # What the region overview shows: the same rows, those that need attention here.
    rows = region_rows(session, caller.user.organisation.region)
    refs = {row.case_id: row.reference for row in rows if row.case_id is not None}
    day = clock.today()
    tasks = _open_tasks(session, refs)
    overdue = Counter(t.case_id for t in tasks if t.due_on < day)
    due = Counter(t.case_id for t in tasks)
    counts = tuple(
        CaseItem("overdue" if overdue[case_id] else "due", case_id, refs[case_id], count=n)
        for case_id, n in due.items()
    )
    waiting = session.execute(
        select(Referral.case_id, Case.reference, Referral.created_at)
        .join(Case, Case.id == Referral.case_id)
        .join(Organisation, Organisation.id == Referral.to_organisation_id)
        .where(
            Organisation.region == caller.user.organisation.region,
            Referral.state == ReferralState.PENDING,
        )
        .order_by(Referral.created_at)
    ).all()
    return TodayPage(
        week_end=day + WEEK,
        missing=_missing(session, refs),
        task_counts=counts,
        marks=tuple(_rule_marks(session, refs, COORDINATOR_RULES)),
        news=_news(session, caller),
        referrals=tuple(CaseItem("referral", c, r, at=at) for c, r, at in waiting),
        region=caller.user.organisation.region,
        same_child=tuple(open_items(session, caller)),
        attention=tuple(row for row in rows if row.needs),
    )
