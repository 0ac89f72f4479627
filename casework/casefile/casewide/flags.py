"""Flags: what every member of the team must notice. Some are raised by rules:

- an identification in the context "arrested or suspected of an offence" raises a
  non-punishment flag (Directive 2011/36/EU Art. 8; CoE Convention Art. 26), resolved
  by a person once the principle has been considered;

A kind with resolution rules in the policy ([flags.<kind>]) is raised by hand only by
the roles that may resolve it, besides its rule: anyone else is not offered the kind
and is refused in the door.
- an unaccompanied or separated child without an active guardian raises a "no guardian"
  flag, resolved by the rule itself once a guardian is recorded or the child is no
  longer unaccompanied or separated (Directive 2011/36/EU Art. 14 and 16).
"""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput, RecordNotFound, StaleEdit
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, record
from casework.casefile.saving import AfterSave
from casework.casefile.today.notify import FLAG_RAISED, SEES_FLAGS, notify, team_user_ids
from casework.casefile.work import Work, changing
from casework.clock import utcnow
from casework.codes import CodeList, is_code
from casework.models.case import Case
from casework.models.flag import CaseFlag
from casework.models.identity import Guardian
from casework.models.migration import MigrationStatus
from casework.models.nonpunishment import NonPunishment

NON_PUNISHMENT = "non_punishment"
GUARDIAN_NEEDED = "guardian_needed"
# Raised while a missing-child episode is open (casework/casefile/casewide/missing.py).
MISSING = "missing"
ARRESTED_OR_SUSPECTED = "arrested_or_suspected"
NEEDS_GUARDIAN = frozenset({"unaccompanied", "separated"})
# Raised and resolved only by their rule, never by hand.
AUTOMATIC_ONLY = frozenset({GUARDIAN_NEEDED, MISSING})
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


def _event(work: Work, action: Action) -> None:
    """An event of its own for a flag a rule raised or resolved within another change."""
    record(
        work.session,
        action,
        work.caller.actor,
        case_ref=work.case.reference,
        context=work.caller.context,
    )


def _add(work: Work, kind: str, text: str | None) -> CaseFlag:
    flag = CaseFlag(
        work.case, kind=kind, text=text, raised_by_id=work.caller.user.id, automatic=text is None
    )
    work.session.add(flag)
    work.history(FLAG_GROUP, {"record": "case_flag"}, "flag", {"flag_kind": kind, "text": text})
    # A missing child is announced by its own notification (casewide/missing.py).
    if kind != MISSING:
        team = team_user_ids(work.session, work.case.id, seeing=SEES_FLAGS)
        notify(work.session, FLAG_RAISED.code, work.case, team, skip=work.caller.user.id)
    return flag


def raise_automatic(work: Work, kind: str) -> None:
    """Raise the rule's flag unless one is open already (within the caller's change)."""
    if _open_flag(work.session, work.case, kind) is None:
        _add(work, kind, None)
        _event(work, Action.FLAG_RAISE)


def _resolve(work: Work, flag: CaseFlag, resolution: str | None) -> None:
    flag.resolved_at = utcnow()
    flag.resolved_by_id = work.caller.user.id
    flag.resolution = resolution
    work.history(
        FLAG_GROUP,
        {"record": "case_flag", "flag_kind": flag.kind},
        "resolve",
        {"flag_kind": flag.kind, "resolution": resolution},
    )


def resolve_automatic(work: Work, kind: str) -> None:
    """Resolve the rule's open flag, if any (within the caller's change)."""
    flag = _open_flag(work.session, work.case, kind)
    if flag is not None:
        _resolve(work, flag, None)
        _event(work, Action.FLAG_RESOLVE)


def non_punishment_rule(context: str) -> AfterSave:
    """The after-save rule for an identification recorded in `context`."""

    def rule(work: Work) -> None:
        if context == ARRESTED_OR_SUSPECTED:
            raise_automatic(work, NON_PUNISHMENT)

    return rule


def guardian_rule(work: Work) -> None:
    """Raise or resolve the "no guardian" flag to match the case as it is now."""
    session, case = work.session, work.case
    status = session.scalar(select(MigrationStatus).where(MigrationStatus.case_id == case.id))
    today = clock.today()
    has_guardian = any(
        g.kind == "guardian" and (g.ended_on is None or g.ended_on > today)
        for g in session.scalars(select(Guardian).where(Guardian.case_id == case.id))
    )
    needed = status is not None and status.care_situation in NEEDS_GUARDIAN and not has_guardian
    flag = _open_flag(session, case, GUARDIAN_NEEDED)
    if needed and flag is None:
        _add(work, GUARDIAN_NEEDED, None)
        _event(work, Action.FLAG_RAISE)
    elif flag is not None and not needed:
        _resolve(work, flag, None)
        _event(work, Action.FLAG_RESOLVE)


def may_resolve(role: str, kind: str) -> bool:
    """Whether `role` resolves flags of `kind` by hand (the policy's flag rules)."""
    return kind not in AUTOMATIC_ONLY and current_policy().may_resolve(role, kind)


def _requirement_met(work: Work, kind: str) -> bool:
    rule = current_policy().flag_rules.get(kind)
    if rule is None or rule.requires is None:
        return True
    # The only requirement known (FLAG_REQUIREMENTS): a non-punishment consideration.
    found = work.session.scalar(
        select(NonPunishment.id).where(NonPunishment.case_id == work.case.id).limit(1)
    )
    return found is not None


def may_raise(role: str, kind: str) -> bool:
    """Whether `role` raises flags of `kind` by hand: never a rule's own kind, and a kind
    with resolution rules in the policy only by the roles that may resolve it (a flag
    nobody who raised it may act on is noise that waits on others)."""
    if not is_code(CodeList.FLAG_KIND, kind) or kind in AUTOMATIC_ONLY:
        return False
    rule = current_policy().flag_rules.get(kind)
    return rule is None or role in rule.resolved_by


def ensure_may_flag(session: Session, caller: Caller, case_id: uuid.UUID) -> None:
    """Refuse (audited) unless the caller may raise and resolve the case's flags now."""
    with changing(session, caller, case_id, permission=Permission.FLAG_WRITE) as work:
        work.unchanged()


def raise_flag(session: Session, caller: Caller, case_id: uuid.UUID, kind: str, text: str) -> None:
    """Raise a flag by hand. Every member of the team sees it, text included."""
    text = text.strip()
    if not may_raise(caller.role, kind):
        raise InvalidInput("kind", _l("Choose a kind of flag from the list."))
    if not text or len(text) > TEXT_MAX:
        raise InvalidInput(
            "text", _l("Describe the flag in at most %(max)d characters.", max=TEXT_MAX)
        )
    with changing(session, caller, case_id, permission=Permission.FLAG_WRITE) as work:
        work.action = Action.FLAG_RAISE
        _add(work, kind, text)


def ensure_may_resolve(
    session: Session, caller: Caller, case_id: uuid.UUID, flag_id: uuid.UUID
) -> None:
    """Refuse (audited) unless the caller may resolve this flag of the case now."""
    with changing(session, caller, case_id, permission=Permission.FLAG_WRITE) as work:
        flag = work.record_of(CaseFlag, flag_id)
        if not may_resolve(caller.role, flag.kind):
            raise work.refuse(Permission.FLAG_WRITE)
        work.unchanged()


def resolve_flag(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    flag_id: uuid.UUID,
    resolution: str,
    expected_version: int,
) -> None:
    """Resolve an open flag with a reason; a flag resolved meanwhile raises StaleEdit."""
    resolution = resolution.strip()
    with changing(session, caller, case_id, permission=Permission.FLAG_WRITE) as work:
        work.action = Action.FLAG_RESOLVE
        flag = work.record_of(CaseFlag, flag_id)
        if flag.kind in AUTOMATIC_ONLY:
            deny(session, caller, work.case)
            raise RecordNotFound(str(flag_id))
        if not may_resolve(caller.role, flag.kind):
            raise work.refuse(Permission.FLAG_WRITE)
        work.check_version(flag.version, expected_version)
        if not flag.is_open:
            raise StaleEdit(flag.version)
        if not _requirement_met(work, flag.kind):
            raise InvalidInput(
                "resolution",
                _l(
                    "Record the non-punishment consideration first: this flag is resolved "
                    "once it is considered."
                ),
            )
        if not resolution or len(resolution) > TEXT_MAX:
            raise InvalidInput(
                "resolution",
                _l("Say how it was resolved, in at most %(max)d characters.", max=TEXT_MAX),
            )
        _resolve(work, flag, resolution)
