"""Flags: what every member of the team must notice. Some are raised by rules:

- an identification in the context "arrested or suspected of an offence" raises a
  non-punishment flag (Directive 2011/36/EU Art. 8; CoE Convention Art. 26), resolved
  by a person once the principle has been considered;
- an unaccompanied or separated child without an active guardian raises a "no guardian"
  flag, resolved by the rule itself once a guardian is recorded or the child is no
  longer unaccompanied or separated (Directive 2011/36/EU Art. 14 and 16).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import CaseClosed, RecordNotFound, StaleEdit
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.reach import reach
from casework.audit.events import Action, record
from casework.casefile.editing import AfterSave
from casework.casefile.saving import add_history, check_version, commit
from casework.clock import utcnow
from casework.codes import CodeList, is_code
from casework.models.case import Case, CaseStatus
from casework.models.flag import CaseFlag
from casework.models.identity import Guardian
from casework.models.migration import MigrationStatus

NON_PUNISHMENT = "non_punishment"
GUARDIAN_NEEDED = "guardian_needed"
ARRESTED_OR_SUSPECTED = "arrested_or_suspected"
NEEDS_GUARDIAN = frozenset({"unaccompanied", "separated"})
# Raised and resolved only by their rule, never by hand.
AUTOMATIC_ONLY = frozenset({GUARDIAN_NEEDED})
FLAG_GROUP = "flags"
TEXT_MAX = 1000


def case_flags(session: Session, case: Case) -> list[CaseFlag]:
    return list(
        session.scalars(
            select(CaseFlag).where(CaseFlag.case_id == case.id).order_by(CaseFlag.recorded_at)
        )
    )


def _open_flag(session: Session, case: Case, kind: str) -> CaseFlag | None:
    return next((f for f in case_flags(session, case) if f.is_open and f.kind == kind), None)


def _audit(session: Session, caller: Caller, case: Case, action: Action) -> None:
    record(session, action, caller.actor, case_ref=case.reference, context=caller.context)


def _add(session: Session, caller: Caller, case: Case, kind: str, text: str | None) -> CaseFlag:
    flag = CaseFlag(case, kind=kind, text=text, raised_by_id=caller.user.id, automatic=text is None)
    session.add(flag)
    add_history(session, caller, case, FLAG_GROUP, {"record": "case_flag"}, "flag")
    _audit(session, caller, case, Action.FLAG_RAISE)
    return flag


def raise_automatic(session: Session, case: Case, caller: Caller, kind: str) -> None:
    """Raise the rule's flag unless one is open already (within the caller's transaction)."""
    if _open_flag(session, case, kind) is None:
        _add(session, caller, case, kind, None)


def _resolve(session: Session, caller: Caller, flag: CaseFlag, resolution: str | None) -> None:
    flag.resolved_at = utcnow()
    flag.resolved_by_id = caller.user.id
    flag.resolution = resolution
    add_history(session, caller, flag.case, FLAG_GROUP, {"record": "case_flag"}, "resolve")
    _audit(session, caller, flag.case, Action.FLAG_RESOLVE)


def non_punishment_rule(context: str) -> AfterSave:
    """The after-save rule for an identification recorded in `context`."""

    def rule(session: Session, case: Case, caller: Caller) -> None:
        if context == ARRESTED_OR_SUSPECTED:
            raise_automatic(session, case, caller, NON_PUNISHMENT)

    return rule


def guardian_rule(session: Session, case: Case, caller: Caller) -> None:
    """Raise or resolve the "no guardian" flag to match the case as it is now."""
    status = session.scalar(select(MigrationStatus).where(MigrationStatus.case_id == case.id))
    today = clock.today()
    has_guardian = any(
        g.kind == "guardian" and (g.ended_on is None or g.ended_on > today)
        for g in session.scalars(select(Guardian).where(Guardian.case_id == case.id))
    )
    needed = status is not None and status.care_situation in NEEDS_GUARDIAN and not has_guardian
    flag = _open_flag(session, case, GUARDIAN_NEEDED)
    if needed and flag is None:
        _add(session, caller, case, GUARDIAN_NEEDED, None)
    elif flag is not None and not needed:
        _resolve(session, caller, flag, None)


def ensure_may_flag(session: Session, caller: Caller, case_id: uuid.UUID) -> Case:
    """The case, if the caller may raise and resolve its flags; refusals are audited."""
    case = reach(session, caller, case_id, Permission.FLAG_WRITE).case
    if case.status == CaseStatus.CLOSED:
        session.rollback()
        raise CaseClosed(case.reference)
    return case


def may_raise(kind: str) -> bool:
    return is_code(CodeList.FLAG_KIND, kind) and kind not in AUTOMATIC_ONLY


def raise_flag(session: Session, caller: Caller, case_id: uuid.UUID, kind: str, text: str) -> None:
    """Raise a flag by hand. Every member of the team sees it, text included."""
    case = ensure_may_flag(session, caller, case_id)
    text = text.strip()
    if not may_raise(kind) or not text or len(text) > TEXT_MAX:
        session.rollback()
        raise ValueError("flag kind or text")
    _add(session, caller, case, kind, text)
    commit(session)


def resolve_flag(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    flag_id: uuid.UUID,
    resolution: str,
    expected_version: int,
) -> None:
    """Resolve an open flag with a reason; a flag resolved meanwhile raises StaleEdit."""
    case = ensure_may_flag(session, caller, case_id)
    flag = session.get(CaseFlag, flag_id)
    if flag is None or flag.case_id != case.id or flag.kind in AUTOMATIC_ONLY:
        deny(session, caller, case)
        raise RecordNotFound(str(flag_id))
    check_version(session, flag.version, expected_version)
    if not flag.is_open:
        session.rollback()
        raise StaleEdit(flag.version)
    resolution = resolution.strip()
    if not resolution or len(resolution) > TEXT_MAX:
        session.rollback()
        raise ValueError("resolution")
    _resolve(session, caller, flag, resolution)
    commit(session)
