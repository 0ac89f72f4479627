"""One unit of work for every change of a case.

    with changing(session, caller, case_id, FieldGroup.IDENTITY) as work:
        work.check_version(child.version, expected_version)
        work.history(FieldGroup.IDENTITY, previous)
        child.given_name = ...

`changing` reaches the case (CaseNotFound, or NotPermitted for read-only break-glass or
a role without the permission: both audited), checks the write level on the field group
(NotPermitted, audited) and the case's state (CaseClosed, CaseErased), and yields the
work. When the block ends it flushes, records the audit event and commits, all in one
transaction. A stale version or a lost race found at any point — the version check, a
flush, the commit — rolls everything back and becomes StaleEdit, the friendly "someone
else changed this" refusal. Any other exception rolls back too; nothing half-done is
ever committed. A block that calls `work.unchanged()` commits nothing and records
nothing. Before the commit, the statistical records of every case the work touched are
rebuilt in the same transaction (casework/casefile/statistics/record.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casework.access.caller import Caller
from casework.access.errors import (
    CaseClosed,
    CaseErased,
    CaseMerged,
    NotPermitted,
    RecordNotFound,
    StaleEdit,
)
from casework.access.guard import deny
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import Reach, reach
from casework.audit.events import Action, record
from casework.casefile.statistics import record as statistics
from casework.models.case import Case, CaseStatus
from casework.models.history import CaseHistoryEntry

LOST_RACE = (StaleDataError, IntegrityError)


class CaseRecord(Protocol):
    id: Any
    case_id: Any


R = TypeVar("R", bound=CaseRecord)


class Work:
    """What a change of one case may do inside its unit of work."""

    def __init__(self, session: Session, caller: Caller, case: Case, groups: Iterable[str]) -> None:
        self.session = session
        self.caller = caller
        self.case = case
        self.groups: list[str] = list(groups)
        self.action = Action.CASE_UPDATE
        self.changed = True

    def check_version(self, current: int, expected: int | None) -> None:
        """The record is as the caller's form saw it, or StaleEdit."""
        if current != expected:
            raise StaleEdit(current)

    def history(
        self,
        group: str,
        previous: Mapping[str, Any],
        change: str = "update",
        current: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep the values before and after (encrypted under the case's key) in the
        history; `group` decides who may read them."""
        keep_history(
            self.session, self.case, self.caller.user.username, group, previous, change, current
        )

    def touch(self, *groups: str) -> None:
        """Name further field groups in the audit event."""
        self.groups.extend(g for g in groups if g not in self.groups)

    def record_of(self, model: type[R], row_id: uuid.UUID, groups: Iterable[str] = ()) -> R:
        """The record with `row_id` in this case; any other id is answered like a missing
        case, and the denial (naming `groups`) is audited."""
        row = self.session.get(model, row_id)
        if row is None or row.case_id != self.case.id:
            deny(self.session, self.caller, self.case, groups)
            raise RecordNotFound(str(row_id))
        return row

    def refuse(self, reason: object, groups: Iterable[str] = ()) -> NotPermitted:
        """Record a denial naming `groups` (undoing the work); the refusal to raise."""
        deny(self.session, self.caller, self.case, groups)
        return NotPermitted(reason)

    def unchanged(self) -> None:
        """Nothing differs from what is stored: commit nothing, record nothing."""
        self.changed = False


def keep_history(
    session: Session,
    case: Case,
    username: str,
    group: str,
    previous: Mapping[str, Any],
    change: str = "update",
    current: Mapping[str, Any] | None = None,
) -> None:
    """A history entry, for changes made outside `changing()` (a referral decided)."""
    session.add(
        CaseHistoryEntry(
            case,
            dict(previous),
            dict(current) if current is not None else None,
            changed_by=username,
            field_group=group,
            change=change,
        )
    )


def writable(route: Reach, session: Session) -> Case:
    """The case, unless it is closed, erased or merged: none changes (erased and merged:
    never again; a merged case's records are in the case it was merged into)."""
    case = route.case
    if case.status == CaseStatus.ERASED:
        session.rollback()
        raise CaseErased(case.reference)
    if case.status == CaseStatus.MERGED:
        session.rollback()
        raise CaseMerged(case.reference)
    if case.status == CaseStatus.CLOSED:
        session.rollback()
        raise CaseClosed(case.reference)
    return case


def may_write(
    session: Session, caller: Caller, case_id: uuid.UUID, group: FieldGroup | None
) -> Reach:
    """The caller's way into the case for a change of `group`; refusals are audited."""
    route = reach(session, caller, case_id, Permission.CASE_UPDATE)
    if group is not None and current_policy().level(caller.role, group) != AccessLevel.WRITE:
        deny(session, caller, route.case, [group])
        raise NotPermitted(group)
    writable(route, session)
    return route


def ensure_may_write(
    session: Session, caller: Caller, case_id: uuid.UUID, group: FieldGroup
) -> Case:
    """The case, unless the caller may not change `group` of it now (for a form shown
    before the change); refusals are audited."""
    return may_write(session, caller, case_id, group).case


@contextmanager
def changing(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    group: FieldGroup | None = None,
    *,
    permission: Permission | None = None,
) -> Iterator[Work]:
    """The unit of work for one change of a case (see the module's documentation).

    With `group`, the caller needs case:update and write level on it; with `permission`
    instead, that permission (team:assign, flag:write ...) through an active membership.
    """
    if permission is None:
        route = may_write(session, caller, case_id, group)
    else:
        route = reach(session, caller, case_id, permission)
        writable(route, session)
    work = Work(session, caller, route.case, [group] if group else [])
    try:
        yield work
        if not work.changed:
            session.rollback()
            return
        statistics.refresh(session, {work.case.id} | statistics.touched_cases(session))
        session.flush()
        record(
            session,
            work.action,
            caller.actor,
            case_ref=work.case.reference,
            field_groups=work.groups,
            context=caller.context,
        )
        session.commit()
    except LOST_RACE:
        session.rollback()
        raise StaleEdit(None) from None
    except BaseException:
        session.rollback()
        raise


@contextmanager
def finishing(session: Session) -> Iterator[None]:
    """Commit what the block did, for door operations that do not change one existing
    case (opening one, deciding a referral); roll back on any exception, and turn a lost
    race (a newer version, a second "first" record) into StaleEdit."""
    try:
        yield
        statistics.refresh(session, statistics.touched_cases(session))
        session.commit()
    except LOST_RACE:
        session.rollback()
        raise StaleEdit(None) from None
    except BaseException:
        session.rollback()
        raise
