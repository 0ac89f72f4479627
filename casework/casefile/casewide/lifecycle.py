"""The case's lifecycle: identified -> open -> active -> closed -> reopened.

Only the case lead moves a case on. Closing and reopening need `case:close` and a reason;
a child declining help is never a reason to close (the closing reasons leave it out).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import CaseErased, InvalidInput, NotPermitted, WrongStatus
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.reach import Via, reach
from casework.audit.events import Action, record
from casework.casefile.casewide.closing import open_items
from casework.casefile.work import Work, finishing
from casework.codes import CodeList, is_code
from casework.models.case import Case, CaseStatus
from casework.models.lifecycle import CaseStatusChange

NOTE_MAX = 2000
MISSING_REFUSAL = _l(
    "The child is recorded missing. A case is not closed while the child is missing: "
    "record that the child was found first."
)
STATUS_GROUP = "status"


class Step(StrEnum):
    TAKE_ON = "take_on"
    ACTIVATE = "activate"
    CLOSE = "close"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: CaseStatus
    permission: Permission
    reasons: CodeList | None = None


TRANSITIONS = {
    Step.TAKE_ON: Transition(
        frozenset({CaseStatus.IDENTIFIED}), CaseStatus.OPEN, Permission.CASE_UPDATE
    ),
    Step.ACTIVATE: Transition(
        frozenset({CaseStatus.OPEN, CaseStatus.REOPENED}), CaseStatus.ACTIVE, Permission.CASE_UPDATE
    ),
    Step.CLOSE: Transition(
        frozenset({CaseStatus.IDENTIFIED, CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.REOPENED}),
        CaseStatus.CLOSED,
        Permission.CASE_CLOSE,
        CodeList.CLOSING_REASON,
    ),
    Step.REOPEN: Transition(
        frozenset({CaseStatus.CLOSED}),
        CaseStatus.REOPENED,
        Permission.CASE_CLOSE,
        CodeList.REOPENING_REASON,
    ),
}


@dataclass(frozen=True)
class StatusChange:
    step: Step
    expected_version: int
    reason: str | None = None
    note: str | None = None

    def check(self) -> None:
        reasons = TRANSITIONS[self.step].reasons
        if reasons is None:
            return
        if self.reason is None or not is_code(reasons, self.reason):
            raise InvalidInput("reason", _l("Choose a reason from the list."))
        if self.note is not None and len(self.note) > NOTE_MAX:
            raise InvalidInput("note", _l("Use at most %(max)d characters.", max=NOTE_MAX))
        if self.reason == "other" and not self.note:
            raise InvalidInput("note", _l("Say what the other reason is."))


def steps_open_to(status: str) -> list[Step]:
    return [step for step, t in TRANSITIONS.items() if status in t.sources]


def lead_case(session: Session, caller: Caller, case_id: uuid.UUID, step: Step) -> Case:
    """The case, if the caller leads it and may take `step`; refusals are audited."""
    route = reach(session, caller, case_id, TRANSITIONS[step].permission)
    if route.case.status == CaseStatus.ERASED:
        session.rollback()
        raise CaseErased(route.case.reference)
    if route.via is not Via.LEAD:
        deny(session, caller, route.case)
        raise NotPermitted(step)
    return route.case


def change_status(
    session: Session, caller: Caller, case_id: uuid.UUID, change: StatusChange
) -> None:
    """Move the case one step on. A stale form raises StaleEdit; a case that is no longer
    in a status this step starts from raises WrongStatus. Nothing is written then."""
    change.check()
    case = lead_case(session, caller, case_id, change.step)
    with finishing(session):
        work = Work(session, caller, case, [])
        work.check_version(case.version, change.expected_version)
        transition = TRANSITIONS[change.step]
        if case.status not in transition.sources:
            raise WrongStatus(case.status)
        if change.step is Step.CLOSE and open_items(session, case).missing:
            raise InvalidInput("reason", MISSING_REFUSAL)
        session.add(
            CaseStatusChange(
                case,
                changed_by_id=caller.user.id,
                from_status=case.status,
                to_status=transition.target,
                reason=change.reason,
                note=change.note or None,
            )
        )
        work.history(
            STATUS_GROUP,
            {"case_status": case.status},
            "status",
            {"case_status": transition.target},
        )
        case.status = transition.target
        record(
            session,
            Action.CASE_STATUS,
            caller.actor,
            case_ref=case.reference,
            context=caller.context,
        )


def status_changes(session: Session, case: Case) -> list[CaseStatusChange]:
    return list(
        session.scalars(
            select(CaseStatusChange)
            .where(CaseStatusChange.case_id == case.id)
            .order_by(CaseStatusChange.recorded_at.desc())
        )
    )
