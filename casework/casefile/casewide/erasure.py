"""Erasing a case by crypto-shredding: its data key (replaced by an empty one), any
previous data key and its blind-index tokens are destroyed; its ciphertext stays and
can never be opened again. The case's de-identified statistical record, sealed under
the statistics key, stays and is cut loose from the case (or is deleted, when
STATISTICS_ERASE_WITH_CASE is on; docs/statistics.md).

The case row stays, with its reference and the status "erased", so the audit log's
references still resolve and its chain, which holds no personal data, still verifies.
Its break-glass uses stay reviewable: each reason typed (and any auditor's note) is
sealed again under the key-encryption key before the case's key is destroyed, as a
refused attempt's is.
A KEK rotation running at the same time cannot bring the key back: it rewraps only
where the wrapped key is still the one it read (casework/keys/rotation.py).

Backups taken before the erasure still hold the wrapped key; they become unreadable
once the KEK that wrapped it is rotated away and destroyed (docs/encryption.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework import db
from casework.access.caller import Caller
from casework.access.errors import CaseNotFound, NotPermitted
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, Actor, RequestContext, record
from casework.auth.accounts import confirm_password
from casework.auth.sessions import forget_searches
from casework.casefile.statistics import record as statistics
from casework.models.blind_index import BlindIndexEntry
from casework.models.breakglass import BreakGlassGrant, BreakGlassVerdict
from casework.models.case import KEY_DESTROYED, Case, CaseStatus
from casework.models.case_keys import forget_case_secrets
from casework.models.erasure import CaseErasure, ErasureReason

# Views name the reasons through the door, not the model.
__all__ = ["ErasureReason"]
from casework.models.keys import PreviousCaseKey
from casework.settings import current_settings


class AlreadyErased(Exception):
    """The case was erased before; there is nothing left to destroy."""


class ReauthenticationFailed(NotPermitted):
    """The password given to confirm an erasure is not the caller's."""


@dataclass(frozen=True)
class ErasureTarget:
    """What an administrator is shown before erasing: the reference, nothing else."""

    reference: str


def normalise_reference(reference: str) -> str:
    return reference.strip().upper()


def find_case(session: Session, reference: str) -> Case:
    case = session.scalar(select(Case).where(Case.reference == normalise_reference(reference)))
    if case is None:
        raise CaseNotFound(reference)
    if case.status == CaseStatus.ERASED:
        raise AlreadyErased(case.reference)
    return case


def erase(
    session: Session, case: Case, reason: ErasureReason, actor: Actor, context: RequestContext
) -> bool | None:
    """Destroy the case's keys and tokens, record the erasure and its event; commit.

    Then, on SQLite, truncate the write-ahead log so the destroyed key is not left in
    it: True when that was done, False when busy readers left it for a later
    checkpoint; None on PostgreSQL (VACUUM and WAL retention: docs/operations.md)."""
    if case.status == CaseStatus.ERASED:
        raise AlreadyErased(case.reference)
    # Every break-glass use stays reviewable on who, when and reference, with its reason
    # (and a review's note) sealed again under the KEK while the case's key still opens
    # them, as a refused attempt's are.
    for grant in session.scalars(select(BreakGlassGrant).where(BreakGlassGrant.case_id == case.id)):
        grant.keep_for_review()
    for verdict in session.scalars(
        select(BreakGlassVerdict).where(BreakGlassVerdict.case_id == case.id)
    ):
        verdict.keep_for_review()
    case.wrapped_dek = KEY_DESTROYED
    case.status = CaseStatus.ERASED
    # The UPDATE first: on PostgreSQL it waits for a rotation holding the row, so the
    # deletes below see any previous key that rotation committed.
    session.flush()
    session.execute(delete(PreviousCaseKey).where(PreviousCaseKey.case_id == case.id))
    session.execute(delete(BlindIndexEntry).where(BlindIndexEntry.case_id == case.id))
    # The statistical record is sealed under the statistics key, not the case's: it
    # stays, cut loose from the case, unless the setting says erasure deletes it too.
    statistics.forget(session, case.id, delete_record=current_settings().statistics_erase_with_case)
    # A kept search may have found this child by name: every kept search goes (a search
    # is sealed under the KEK, not the case's key, so destroying that key leaves it).
    forget_searches(session)
    session.add(CaseErasure(case_id=case.id, erased_by=actor.username, reason=str(reason)))
    record(session, Action.CASE_ERASE, actor, case_ref=case.reference, context=context)
    session.commit()
    forget_case_secrets(session, case.id)
    return db.truncate_wal(session)


def ensure_may_erase(session: Session, caller: Caller) -> None:
    if not current_policy().allows(caller.role, Permission.CASE_ERASE):
        deny(session, caller)
        raise NotPermitted(Permission.CASE_ERASE)


def erasure_target(session: Session, caller: Caller, reference: str) -> ErasureTarget:
    """The case to erase, as its reference only. CaseNotFound, AlreadyErased."""
    ensure_may_erase(session, caller)
    return ErasureTarget(reference=find_case(session, reference).reference)


def erase_case(
    session: Session, caller: Caller, reference: str, reason: ErasureReason, password: str
) -> None:
    """Erase a case for an administrator who has confirmed with their password, checked
    as at re-authentication: a locked account is refused whatever is typed, and a wrong
    password counts as a failed sign-in."""
    ensure_may_erase(session, caller)
    case = find_case(session, reference)
    if not confirm_password(session, current_settings(), caller.user, password, caller.context):
        deny(session, caller, case)
        raise ReauthenticationFailed(Permission.CASE_ERASE)
    erase(session, case, reason, caller.actor, caller.context)
