"""The last steps every change and read of a record in a case share: the audit event
in the same transaction, the commit, and finding a record that must belong to the case."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casework.audit.events import Action, record
from casework.casefile.caller import Caller
from casework.casefile.errors import CaseNotFound, StaleEdit
from casework.models.case import Case


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


def record_of(session: Session, model: type[R], row_id: uuid.UUID, case: Case) -> R:
    """The record with `row_id` in this case; any other id looks like a missing one."""
    row = session.get(model, row_id)
    if row is None or row.case_id != case.id:
        session.rollback()
        raise CaseNotFound(str(row_id))
    return row
