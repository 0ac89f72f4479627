"""Recording audit events in the caller's transaction.

Appends are serialised so concurrent writers never fork the chain: PostgreSQL takes a
transaction-scoped advisory lock; SQLite transactions begin IMMEDIATE (see db.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from casework.audit.chain import FIELDS, GENESIS_HASH, event_hash
from casework.audit.checkpoints import Head, after_append
from casework.clock import utcnow
from casework.models.audit import AuditCheckpoint, AuditEvent
from casework.models.field_groups import FieldGroup

# An arbitrary constant naming the audit-append lock among advisory locks.
AUDIT_LOCK_KEY = 0x0CA5E_A0D17
# Pseudonymous case references (CW-2026-7KX4QM): the only way an event names a case.
CASE_REF_PATTERN = re.compile(r"[A-Z0-9]{1,12}-[0-9]{4}-[0-9A-Z]{6}")


class Action(StrEnum):
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_LIST = "case.list"
    CASE_UPDATE = "case.update"
    CASE_ERASE = "case.erase"
    SEARCH = "search"
    EXPORT = "export"
    ACCESS_DENIED = "access.denied"
    BREAKGLASS_OPEN = "breakglass.open"
    # An auditor's review of one break-glass use (justified or not).
    BREAKGLASS_REVIEW = "breakglass.review"
    TEAM_CHANGE = "team.change"
    REFERRAL_CREATE = "referral.create"
    REFERRAL_DECIDE = "referral.decide"
    # A prosecution decision recorded without a completed trafficking assessment.
    NONPUNISHMENT_OVERRIDE = "nonpunishment.override"
    LOGIN_SUCCESS = "login.success"
    LOGIN_FAILURE = "login.failure"
    LOGOUT = "logout"
    LOGIN_LOCKOUT = "login.lockout"
    REAUTH = "reauth"
    SESSION_END = "session.end"
    SECOND_FACTOR_CHANGE = "second_factor.change"
    ENROLMENT_ISSUE = "enrolment.issue"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_PREFERENCES = "user.preferences"
    KEY_ROTATE = "key.rotate"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_CHECKPOINT = "audit.checkpoint"
    CASE_STATUS = "case.status"
    FLAG_RAISE = "flag.raise"
    FLAG_RESOLVE = "flag.resolve"
    TASK_CREATE = "task.create"
    TASK_UPDATE = "task.update"
    MISSING_REPORT = "missing.report"
    MISSING_UPDATE = "missing.update"
    MISSING_FOUND = "missing.found"
    # A run of the reminder rules: the tasks and marks it made name their cases.
    REMINDERS_RUN = "reminders.run"
    STATS_READ = "stats.read"
    # The duplicate check when a case is opened, on the new case and on each case of
    # another team it may duplicate; the decision on such an item (link or dismiss).
    DUPLICATE_CHECK = "duplicate.check"
    DUPLICATE_DECIDE = "duplicate.decide"
    CASE_LINK = "case.link"
    # A lead's agreement to merge, and the merge itself, on both cases.
    MERGE_AGREE = "case.merge_agree"
    CASE_MERGE = "case.merge"
    # A change of an account that waits for a second administrator; its approval, and
    # its refusal (or withdrawal by the requester). An attempt the caller may not make is
    # the same action, denied.
    APPROVAL_REQUEST = "approval.request"
    APPROVAL_DECIDE = "approval.decide"
    APPROVAL_REFUSE = "approval.refuse"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"  # the action ran and found a fault (a chain verification that failed)


@dataclass(frozen=True)
class Actor:
    """Who acts, as the log records it: names of staff and organisations, no child data."""

    username: str = ""
    role: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_addr: str = ""


def locked_head(session: Session) -> Head | None:
    """Take the chain lock, held until the transaction ends, and read the head.

    Everything done under the lock delays every other writer, so it is one round trip:
    on PostgreSQL a function from migration 0009 takes the advisory lock and then reads
    the head with a fresh snapshot; on SQLite the transaction's BEGIN IMMEDIATE is the
    lock and the head is read directly.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        row = connection.execute(_LOCK_AND_HEAD, {"key": AUDIT_LOCK_KEY}).first()
    else:
        row = connection.execute(_HEAD).first()
    return Head(row[0], bytes(row[1]), row[2], row[3]) if row else None


def record(
    session: Session,
    action: Action,
    actor: Actor,
    *,
    outcome: Outcome = Outcome.ALLOWED,
    case_ref: str = "",
    field_groups: Iterable[str] = (),
    context: RequestContext | None = None,
    subject: str = "",
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (not committed)."""
    context = context or RequestContext()
    groups = _field_group_names(field_groups)
    if case_ref and not CASE_REF_PATTERN.fullmatch(case_ref):
        raise ValueError("an audit event names a case by its reference only")
    session.flush()  # the caller's pending changes go first, before the lock is taken
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _append_in_one_trip(
            session, action, actor, outcome, case_ref, groups, context, subject
        )
    head = locked_head(session)
    event = _unchained(action, actor, outcome, case_ref, groups, context, subject)
    event.seq = head.seq + 1 if head else 1
    event.prev_hash = head.hash if head else GENESIS_HASH
    event.hash = event_hash(event)
    # A plain INSERT: the event is never changed, so it needs no place in the session.
    session.connection().execute(_INSERT, {c: getattr(event, c) for c in _COLUMNS})
    after_append(session, event.seq, event.hash, head)
    return event


def _unchained(
    action: Action,
    actor: Actor,
    outcome: Outcome,
    case_ref: str,
    groups: str,
    context: RequestContext,
    subject: str,
) -> AuditEvent:
    """The event's own fields, before the chain gives it a place and a hash."""
    return AuditEvent(
        occurred_at=utcnow(),
        actor=actor.username,
        actor_role=actor.role,
        organisation=actor.organisation,
        action=str(action),
        case_ref=case_ref,
        field_groups=groups,
        outcome=str(outcome),
        request_id=context.request_id,
        client_addr=context.client_addr,
        subject=subject,
    )


def _append_in_one_trip(
    session: Session,
    action: Action,
    actor: Actor,
    outcome: Outcome,
    case_ref: str,
    groups: str,
    context: RequestContext,
    subject: str,
) -> AuditEvent:
    """PostgreSQL: lock, head, encoding, hash and INSERT in one call of
    casework_audit_append() (migration 0011), so the lock is held for that call and the
    commit only. The hash the database computed is checked against the chain's own
    encoding here; a difference aborts the transaction."""
    event = _unchained(action, actor, outcome, case_ref, groups, context, subject)
    values = {c: getattr(event, c) for c in _APPEND_FIELDS}
    row = session.connection().execute(_APPEND, {"key": AUDIT_LOCK_KEY, **values}).one()
    event.seq, event.prev_hash, event.hash = row[0], bytes(row[1]), bytes(row[2])
    if event_hash(event) != event.hash:
        raise RuntimeError("the database hashed an audit event differently from the chain")
    before = Head(event.seq - 1, event.prev_hash, row[3], row[4]) if event.seq > 1 else None
    after_append(session, event.seq, event.hash, before)
    return event


# Built once: statements under the chain lock should cost the server, not Python.
_LOCK_AND_HEAD = text("SELECT * FROM casework_audit_lock_head(:key)")
_NEWEST_CHECKPOINT = select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
_HEAD = (
    select(
        AuditEvent.seq,
        AuditEvent.hash,
        _NEWEST_CHECKPOINT.with_only_columns(AuditCheckpoint.seq).scalar_subquery(),
        _NEWEST_CHECKPOINT.with_only_columns(AuditCheckpoint.signed_at).scalar_subquery(),
    )
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)
_INSERT = insert(AuditEvent)
# The encoded fields the database does not choose itself (the chain gives seq).
_APPEND_FIELDS = tuple(f for f in FIELDS if f != "seq")
_APPEND = text(
    "SELECT * FROM casework_audit_append(:key, CAST(:occurred_at AS timestamp),"
    " CAST(:actor AS text), CAST(:actor_role AS text), CAST(:organisation AS text),"
    " CAST(:action AS text), CAST(:case_ref AS text), CAST(:field_groups AS text),"
    " CAST(:outcome AS text), CAST(:request_id AS text), CAST(:client_addr AS text),"
    " CAST(:subject AS text))"
)
_COLUMNS = tuple(c.key for c in AuditEvent.__table__.columns)


def _field_group_names(field_groups: Iterable[str]) -> str:
    """Names from the closed list of field groups, never a value: no free text can
    carry a child's data into the log, which must outlive an erased case."""
    names = sorted({str(g) for g in field_groups})
    unknown = [n for n in names if n not in FieldGroup._value2member_map_]
    if unknown:
        raise ValueError(f"not field group names: {len(unknown)} refused")
    return ",".join(names)
