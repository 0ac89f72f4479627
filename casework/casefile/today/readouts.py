"""What the Today page, the notifications and the tasks of a case read back as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from casework.casefile.readouts import UNREADABLE, OverviewRow, TaskReadout, Unreadable
from casework.casefile.samechild.duplicates import SameChildItem
from casework.crypto.aead import FieldIntegrityError
from casework.models.task import CaseTask


def _read(task: CaseTask, name: str) -> object:
    try:
        return getattr(task, name)
    except FieldIntegrityError:
        return UNREADABLE


def task_readout(task: CaseTask, day: date, user_id: uuid.UUID) -> TaskReadout:
    title = _read(task, "title")
    notes = _read(task, "notes")
    reason = _read(task, "cancel_reason")
    return TaskReadout(
        id=task.id,
        case_id=task.case_id,
        title=title if isinstance(title, str | Unreadable) else UNREADABLE,
        notes=notes if isinstance(notes, str | Unreadable) or notes is None else UNREADABLE,
        assignee_id=task.assignee_id,
        assignee_name=task.assignee.display_name,
        due_on=task.due_on,
        state=task.state,
        rule=task.rule,
        version=task.version,
        overdue=task.is_open and task.due_on < day,
        mine=task.assignee_id == user_id,
        cancel_reason=reason
        if isinstance(reason, str | Unreadable) or reason is None
        else UNREADABLE,
    )


@dataclass(frozen=True)
class CaseItem:
    """One line of the Today page about a case: what (a mark, a rule, a notification's
    kind), which case (by reference only) and when."""

    kind: str
    case_id: uuid.UUID | None
    reference: str
    due_on: date | None = None
    at: datetime | None = None
    count: int = 0


@dataclass(frozen=True)
class TodayPage:
    week_end: date
    missing: tuple[CaseItem, ...] = ()
    tasks: tuple[TaskReadout, ...] = ()
    task_references: dict[uuid.UUID, str] = field(default_factory=dict)
    # Coordinators: tasks of the region's cases, as counts per case.
    task_counts: tuple[CaseItem, ...] = ()
    marks: tuple[CaseItem, ...] = ()
    news: tuple[CaseItem, ...] = ()
    referrals: tuple[CaseItem, ...] = ()
    region: str | None = None
    # Possible same child: a case that may be about the child of a case the reader
    # leads, or one opened in the region they coordinate (the two references only).
    same_child: tuple[SameChildItem, ...] = ()
    # Coordinators: the region overview's rows that need attention (references only).
    attention: tuple[OverviewRow, ...] = ()


@dataclass(frozen=True)
class NotificationReadout:
    id: uuid.UUID
    kind: str
    case_id: uuid.UUID | None
    reference: str
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class NotificationSettings:
    email_address: str
    # (kind, label, takes e-mail)
    choices: tuple[tuple[str, object, bool], ...]
