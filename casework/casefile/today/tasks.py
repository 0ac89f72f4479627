"""Tasks: something a team member is to do for a case by a date. Created by team
members (or by a reminder rule), assigned to a member of the case's team, done or
cancelled with a reason. Every change is audited and keeps the values before in the
case's history; only the team sees tasks (break-glass readers do not)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput, StaleEdit
from casework.access.permissions import Permission
from casework.access.reach import active_membership, reach
from casework.audit.events import Action
from casework.casefile.readouts import TaskReadout
from casework.casefile.today.notify import TASK_ASSIGNED, notify
from casework.casefile.today.readouts import task_readout
from casework.casefile.work import Work, changing
from casework.clock import utcnow
from casework.models.case import Case
from casework.models.task import CaseTask, TaskState
from casework.models.team import TeamMembership
from casework.models.user import User

TASK_GROUP = "tasks"
TITLE_MAX = 200
NOTES_MAX = 2000
REASON_MAX = 1000
# A due date further out than this is a typing mistake, not a plan.
FURTHEST_DUE_DAYS = 3 * 366


@dataclass(frozen=True)
class TaskInput:
    title: str
    assignee_id: uuid.UUID | None
    due_on: date | None
    notes: str = ""


@dataclass(frozen=True)
class Assignee:
    id: uuid.UUID
    display_name: str


def assignees(session: Session, caller: Caller, case_id: uuid.UUID) -> list[Assignee]:
    """The case's team today: who a task may be given to (for a caller who may add one)."""
    reach(session, caller, case_id, Permission.CASE_UPDATE)
    day = clock.today()
    members = session.scalars(select(TeamMembership).where(TeamMembership.case_id == case_id))
    users = {m.user_id: m.user for m in members if m.is_active_on(day) and m.user.active}
    return sorted(
        (Assignee(u.id, u.display_name) for u in users.values()), key=lambda a: a.display_name
    )


def _checked(session: Session, case: Case, task: TaskInput) -> tuple[str, User, date, str]:
    title = (task.title or "").strip()
    notes = (task.notes or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput(
            "title", _l("Give the task a title of at most %(max)d characters.", max=TITLE_MAX)
        )
    if len(notes) > NOTES_MAX:
        raise InvalidInput("notes", _l("Use at most %(max)d characters.", max=NOTES_MAX))
    if task.due_on is None:
        raise InvalidInput("due_on", _l("Give the date the task is due."))
    today = clock.today()
    if (
        not today - timedelta(days=FURTHEST_DUE_DAYS)
        <= task.due_on
        <= today + timedelta(days=FURTHEST_DUE_DAYS)
    ):
        raise InvalidInput("due_on", _l("Give a due date within three years of today."))
    user = session.get(User, task.assignee_id) if task.assignee_id else None
    if user is None or not user.active or active_membership(session, case.id, user.id) is None:
        raise InvalidInput("assignee", _l("Choose a member of the case's team."))
    return title, user, task.due_on, notes


def _previous(task: CaseTask) -> dict[str, object]:
    return {
        "record": "case_task",
        "title": task.title,
        "assignee": task.assignee.username,
        "due_on": task.due_on,
        "state": task.state,
        "notes": task.notes,
    }


def add_task(session: Session, caller: Caller, case_id: uuid.UUID, task: TaskInput) -> uuid.UUID:
    """Add a task to the case; the assignee, if someone else, is notified."""
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        work.action = Action.TASK_CREATE
        title, user, due_on, notes = _checked(session, work.case, task)
        row = CaseTask(
            work.case,
            title=title,
            notes=notes or None,
            assignee_id=user.id,
            created_by_id=caller.user.id,
            due_on=due_on,
        )
        session.add(row)
        work.history(
            TASK_GROUP,
            {"record": "case_task"},
            "create",
            {"title": title, "assignee": user.username, "due_on": due_on, "notes": notes or None},
        )
        notify(session, TASK_ASSIGNED.code, work.case, [user.id], skip=caller.user.id)
    return row.id


def ensure_may_work_on(session: Session, caller: Caller, case_id: uuid.UUID) -> None:
    """Refuse (audited) unless the caller may add tasks and record episodes now: an
    active team member whose role changes cases, on a case that is not closed."""
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        work.unchanged()


def _open_task(work: Work, task_id: uuid.UUID, expected_version: int | None) -> CaseTask:
    task = work.record_of(CaseTask, task_id)
    work.check_version(task.version, expected_version)
    if not task.is_open:
        raise StaleEdit(task.version)
    return task


def task_for_edit(
    session: Session, caller: Caller, case_id: uuid.UUID, task_id: uuid.UUID
) -> TaskReadout:
    """An open task, for its edit form; refusals as for a change (audited)."""
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        task = work.record_of(CaseTask, task_id)
        readout = task_readout(task, clock.today(), caller.user.id)
        work.unchanged()
    return readout


def update_task(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    change: TaskInput,
    expected_version: int | None,
) -> None:
    """Change an open task's title, assignee, due date or notes."""
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        work.action = Action.TASK_UPDATE
        task = _open_task(work, task_id, expected_version)
        title, user, due_on, notes = _checked(session, work.case, change)
        previous = _previous(task)
        if (title, user.id, due_on, notes or None) == (
            task.title,
            task.assignee_id,
            task.due_on,
            task.notes,
        ):
            work.unchanged()
            return
        work.history(
            TASK_GROUP,
            previous,
            "update",
            {"title": title, "assignee": user.username, "due_on": due_on, "notes": notes or None},
        )
        reassigned = user.id != task.assignee_id
        task.title, task.assignee_id, task.due_on, task.notes = (
            title,
            user.id,
            due_on,
            notes or None,
        )
        if reassigned:
            notify(session, TASK_ASSIGNED.code, work.case, [user.id], skip=caller.user.id)


def close_task(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    expected_version: int | None,
    *,
    cancel_reason: str | None = None,
) -> None:
    """Mark an open task done, or (with a reason) cancelled."""
    reason = None if cancel_reason is None else cancel_reason.strip()
    if reason is not None and (not reason or len(reason) > REASON_MAX):
        raise InvalidInput(
            "reason",
            _l("Say why the task is cancelled, in at most %(max)d characters.", max=REASON_MAX),
        )
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        work.action = Action.TASK_UPDATE
        task = _open_task(work, task_id, expected_version)
        state = TaskState.CANCELLED if reason else TaskState.DONE
        work.history(
            TASK_GROUP,
            _previous(task),
            "cancel" if reason else "done",
            {"state": state, "cancel_reason": reason},
        )
        task.state = state
        task.cancel_reason = reason
        task.closed_at = utcnow()
        task.closed_by_id = caller.user.id


def case_tasks(session: Session, case: Case, user_id: uuid.UUID) -> tuple[TaskReadout, ...]:
    """The case's tasks, open ones first by due date, then the last closed ones."""
    rows = list(session.scalars(select(CaseTask).where(CaseTask.case_id == case.id)))
    day = clock.today()
    open_rows = sorted((t for t in rows if t.is_open), key=lambda t: t.due_on)
    closed = sorted((t for t in rows if not t.is_open), key=lambda t: t.closed_at or t.recorded_at)
    return tuple(task_readout(t, day, user_id) for t in [*open_rows, *reversed(closed)])
