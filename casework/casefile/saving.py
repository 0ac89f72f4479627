"""The steps every change of a case shares: the version check, the values before in the
history (encrypted), the audit event, one commit for the change and its event, and
finding a record that must belong to the case."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casework.access.caller import Caller
from casework.access.errors import CaseNotFound, StaleEdit
from casework.access.guard import deny
from casework.audit.events import Action, record
from casework.models.case import Case
from casework.models.history import CaseHistoryEntry


def check_version(session: Session, current: int, expected: int | None) -> None:
    if current != expected:
        session.rollback()
        raise StaleEdit(current)


def add_history(
    session: Session,
    caller: Caller,
    case: Case,
    group: str,
    previous: Mapping[str, Any],
    change: str = "update",
) -> None:
    session.add(
        CaseHistoryEntry(
            case,
            dict(previous),
            changed_by=caller.user.username,
            field_group=group,
            change=change,
        )
    )


def commit(session: Session) -> None:
    """Commit, turning a lost race (a newer version, a second "first" record) into StaleEdit."""
    try:
        session.commit()
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise StaleEdit(None) from None


def audit_change(session: Session, caller: Caller, case: Case, *groups: str) -> None:
    record(
        session,
        Action.CASE_UPDATE,
        caller.actor,
        case_ref=case.reference,
        field_groups=groups,
        context=caller.context,
    )


class CaseRecord(Protocol):
    case_id: uuid.UUID


R = TypeVar("R", bound=CaseRecord)


def save(
    session: Session,
    caller: Caller,
    case: Case,
    groups: Iterable[str],
    action: Action = Action.CASE_UPDATE,
) -> None:
    """Commit the change (or, for a read, nothing but the event) with its audit event;
    a change that lost a race to another is StaleEdit."""
    record(
        session,
        action,
        caller.actor,
        case_ref=case.reference,
        field_groups=groups,
        context=caller.context,
    )
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise StaleEdit(None) from None


def record_of(session: Session, caller: Caller, model: type[R], row_id: uuid.UUID, case: Case) -> R:
    """The record with `row_id` in this case; any other id looks like a missing one, and
    the refusal is audited."""
    row = session.get(model, row_id)
    if row is None or row.case_id != case.id:
        deny(session, caller, case)
        raise CaseNotFound(str(row_id))
    return row
