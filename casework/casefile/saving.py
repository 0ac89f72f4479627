"""The steps every change of a case shares: the version check, the values before in the
history (encrypted), the audit event, and one commit for the change and its event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casework.audit.events import Action, record
from casework.casefile.caller import Caller
from casework.casefile.errors import StaleEdit
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
