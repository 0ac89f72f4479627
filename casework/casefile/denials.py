"""Recording a refusal: an `access.denied` event, committed before the refusal is raised,
so that the denial stays on the record whatever the caller does next."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.audit.events import Action, Outcome, record
from casework.casefile.caller import Caller


def record_denial(session: Session, caller: Caller, case_ref: str = "") -> None:
    record(
        session,
        Action.ACCESS_DENIED,
        caller.actor,
        outcome=Outcome.DENIED,
        case_ref=case_ref,
        context=caller.context,
    )
    session.commit()
