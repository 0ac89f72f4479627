"""Reading a case: only the field groups the caller's role may see."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from casework import clock
from casework.access.caller import Caller
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import Reach, Via, reach
from casework.audit.events import Action, record
from casework.casefile import readable
from casework.casefile.casewide.missing import missing_summary
from casework.casefile.readouts import (
    CaseReadout,
    EmergencyAccess,
    IdentityReadout,
    MissingSummary,
    TaskReadout,
)
from casework.casefile.record.details import read_details
from casework.casefile.record.readouts import CaseDetails
from casework.casefile.samechild.links import merged_into
from casework.casefile.support.reading import support_readout
from casework.casefile.support.team import mark_seen
from casework.casefile.today.tasks import case_tasks
from casework.crypto.aead import FieldIntegrityError
from casework.models.breakglass import BreakGlassGrant
from casework.models.case import Case, CaseStatus

log = logging.getLogger(__name__)
NO_TASKS: tuple[TaskReadout, ...] = ()
T = TypeVar("T")


def read_case(session: Session, caller: Caller, case_id: uuid.UUID) -> CaseReadout:
    """The case as the caller's role may see it. Unknown and unreachable cases look alike."""
    route = reach(session, caller, case_id, Permission.CASE_READ)
    policy = current_policy()
    groups = policy.readable_groups(caller.role)
    case = route.case
    # A closed case shows no way to change it until its lead reopens it.
    writable = [
        g
        for g in FieldGroup
        if policy.level(caller.role, g) == AccessLevel.WRITE and case.status != CaseStatus.CLOSED
    ]
    if case.status in (CaseStatus.ERASED, CaseStatus.MERGED):
        return _erased(session, caller, route)
    full_missing = policy.level(caller.role, FieldGroup.LOCATION) >= AccessLevel.READ
    # Tasks name the team and say what it does; a missing episode is what the flags say.
    # A role that sees neither (an interpreter) sees none of them.
    role = policy.role(caller.role)
    failed: list[str] = []
    readout = CaseReadout(
        id=case.id,
        reference=case.reference,
        status=case.status,
        created_at=case.created_at,
        role_in_team=str(route.via),
        field_groups=tuple(str(g) for g in groups),
        identity=identity_readout(
            case,
            policy.level(caller.role, FieldGroup.IDENTITY),
            policy.role(caller.role).minimal_identity,
        ),
        writable_groups=tuple(str(g) for g in writable),
        emergency_until=route.until,
        emergency_accesses=_section(failed, _emergency_accesses, (), session, route),
        details=_section(failed, read_details, CaseDetails(), session, route, caller),
        support=_section(failed, support_readout, None, session, caller, route),
        missing=_section(failed, missing_summary, MissingSummary(), session, case.id, full_missing)
        if role.sees_flags
        else None,
        tasks=None
        if route.read_only or not role.sees_team
        else _section(failed, case_tasks, NO_TASKS, session, case, caller.user.id),
        damaged=bool(failed),
    )
    if readout.support is not None and readout.support.is_health_member:
        # Clinical notes follow the member's profession on the team, not the role.
        groups = [*groups, FieldGroup.HEALTH]
    mark_seen(session, route, caller.user.id)
    record(
        session,
        Action.CASE_READ,
        caller.actor,
        case_ref=case.reference,
        field_groups=groups,
        context=caller.context,
    )
    session.commit()
    return readout


def _section(failed: list[str], build: Callable[..., T], fallback: T, *args: Any) -> T:
    """One section of the case page. A section whose ciphertext fails its integrity
    check (tampered, moved, or under a destroyed key) is left out and named in `failed`;
    the rest of the case still reads. The descriptor has logged which field, never what."""
    try:
        return build(*args)
    except FieldIntegrityError:
        log.error("a section of a case failed its integrity check: %s", build.__name__)
        failed.append(build.__name__)
        return fallback


def _erased(session: Session, caller: Caller, route: Reach) -> CaseReadout:
    """An erased case, or a merged one (a stub): its reference and status, and where it
    was merged into; nothing else can be read here any more."""
    case = route.case
    readout = CaseReadout(
        id=case.id,
        reference=case.reference,
        status=case.status,
        created_at=case.created_at,
        role_in_team=str(route.via),
        field_groups=(),
        identity=None,
        emergency_until=route.until,
        erased=case.status == CaseStatus.ERASED,
        merged_into=merged_into(session, case.id),
    )
    record(session, Action.CASE_READ, caller.actor, case_ref=case.reference, context=caller.context)
    session.commit()
    return readout


def identity_readout(
    case: Case, level: AccessLevel, minimal: frozenset[str]
) -> IdentityReadout | None:
    if level == AccessLevel.NONE or case.child is None:
        return None
    return readable.identity_readout(case.child, level, clock.today(), minimal)


def _emergency_accesses(session: Session, route: Reach) -> tuple[EmergencyAccess, ...]:
    """Break-glass accesses to the case, for its lead only."""
    if route.via is not Via.LEAD:
        return ()
    grants = session.scalars(
        select(BreakGlassGrant)
        .options(joinedload(BreakGlassGrant.user))
        .where(BreakGlassGrant.case_id == route.case.id)
        .order_by(BreakGlassGrant.opened_at.desc())
    )
    return tuple(
        EmergencyAccess(
            username=g.user.username,
            display_name=g.user.display_name,
            opened_at=g.opened_at,
            expires_at=g.expires_at,
            reason=g.reason,
        )
        for g in grants
    )
