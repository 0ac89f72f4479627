"""The auditor's door to the log. Like the casefile door for case data: each function
checks the `audit:read` permission (a refusal is itself recorded), reads, records what
was reviewed, and commits both together. Auditors see the log, never case content."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import NotPermitted
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit import queries
from casework.audit.checkpoint_file import CheckpointFileError
from casework.audit.checkpoints import current_checkpointer
from casework.audit.events import Action, record
from casework.audit.maintenance import verify_and_record
from casework.audit.queries import ChainStatus, EventFilter, EventPage, EventRow, PageRequest
from casework.audit.verify import Report

EXPORT_LIMIT = 50_000


class TooManyToExport(ValueError):
    def __init__(self, matching: int) -> None:
        super().__init__(matching)
        self.matching = matching


@dataclass(frozen=True)
class BreakGlassReview:
    page: EventPage
    uses: dict[int, queries.BreakGlassUse]


def _authorise(session: Session, caller: Caller) -> None:
    if not current_policy().allows(caller.role, Permission.AUDIT_READ):
        deny(session, caller)
        raise NotPermitted(Permission.AUDIT_READ)


# The subject of the audit.read event a review of break-glass accesses records: the
# auditor's first page counts the accesses since the last such review as unreviewed.
BREAKGLASS_REVIEW = "break-glass"


@dataclass(frozen=True)
class AuditorDesk:
    """What an auditor's first page shows: the chain's state, and the break-glass
    uses no auditor has given a verdict on yet."""

    chain: ChainStatus
    unreviewed_breakglass: int


def _reviewed(
    session: Session, caller: Caller, action: Action, case_ref: str = "", subject: str = ""
) -> None:
    record(
        session, action, caller.actor, case_ref=case_ref, context=caller.context, subject=subject
    )
    session.commit()


def ensure_may_review(session: Session, caller: Caller) -> None:
    """For pages that show nothing of the log yet (a filter with errors)."""
    _authorise(session, caller)


def review_events(
    session: Session, caller: Caller, where: EventFilter, request: PageRequest
) -> EventPage:
    _authorise(session, caller)
    result = queries.page(session, where, request)
    _reviewed(session, caller, Action.AUDIT_READ, where.case_ref)
    return result


def export_events(session: Session, caller: Caller, where: EventFilter) -> list[EventRow]:
    """Every matching event, oldest first; refuses more than EXPORT_LIMIT."""
    _authorise(session, caller)
    matching = queries.count(session, where)
    if matching > EXPORT_LIMIT:
        session.rollback()
        raise TooManyToExport(matching)
    rows = queries.matching(session, where, EXPORT_LIMIT)
    _reviewed(session, caller, Action.EXPORT, where.case_ref)
    return rows


def review_breakglass(session: Session, caller: Caller, request: PageRequest) -> BreakGlassReview:
    _authorise(session, caller)
    where = EventFilter(action=Action.BREAKGLASS_OPEN)
    result = queries.page(session, where, request)
    uses = queries.breakglass_uses(session, result.rows)
    _reviewed(session, caller, Action.AUDIT_READ, subject=BREAKGLASS_REVIEW)
    return BreakGlassReview(result, uses)


def review_chain(session: Session, caller: Caller) -> ChainStatus:
    _authorise(session, caller)
    status = queries.chain_status(session, current_checkpointer().signer.public_key.key_id)
    _reviewed(session, caller, Action.AUDIT_READ)
    return status


def auditor_desk(session: Session, caller: Caller) -> AuditorDesk:
    """The auditor's first page; recorded as a review of the chain's state."""
    _authorise(session, caller)
    status = queries.chain_status(session, current_checkpointer().signer.public_key.key_id)
    unreviewed = queries.breakglass_unreviewed(session)
    _reviewed(session, caller, Action.AUDIT_READ)
    return AuditorDesk(status, unreviewed)


class CheckpointFileUnusable(Exception):
    """AUDIT_CHECKPOINT_FILE does not verify or cannot be read; recorded as a failed
    verification."""


def verify_now(session: Session, caller: Caller) -> Report:
    """Verify the whole chain within this request, against the database's checkpoints
    and AUDIT_CHECKPOINT_FILE's; recorded as `audit.verify`."""
    _authorise(session, caller)
    try:
        return verify_and_record(session, caller.actor, caller.context)
    except CheckpointFileError:
        current_app.logger.exception("the audit checkpoint file cannot be used")
        raise CheckpointFileUnusable from None


def organisation_names(session: Session, caller: Caller) -> dict[str, str]:
    """Names of organisations for the filter and the tables (no log content)."""
    _authorise(session, caller)
    return queries.organisation_names(session)
