"""Refusing: `deny()` records an `access.denied` event and commits it before the
refusal is raised, so the denial stays on the record whatever the caller does next;
`require()` refuses a role without a permission."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import NotPermitted
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, Outcome, record
from casework.models.case import Case


def deny(
    session: Session,
    caller: Caller,
    case: Case | None = None,
    groups: Iterable[str] = (),
) -> None:
    """Record a denial and commit it; whatever the request changed so far is undone."""
    session.rollback()
    record(
        session,
        Action.ACCESS_DENIED,
        caller.actor,
        outcome=Outcome.DENIED,
        case_ref=case.reference if case is not None else "",
        field_groups=list(groups),
        context=caller.context,
    )
    session.commit()


def require(session: Session, caller: Caller, permission: Permission) -> None:
    """Raise NotPermitted, after recording the denial, unless the role has `permission`."""
    if not current_policy().allows(caller.role, permission):
        deny(session, caller)
        raise NotPermitted(permission)
