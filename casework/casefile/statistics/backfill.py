"""Statistical records for cases opened before statistics existed (`casework stats
backfill`): read inside the door, one case per transaction, recorded in the audit log."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework.audit.events import Action, Actor, RequestContext, record
from casework.casefile.statistics.record import refresh
from casework.models.case import Case, CaseStatus
from casework.models.statistics import StatisticalRecord


def backfill(session: Session, actor: Actor, *, rebuild: bool = False) -> int:
    """Write the record of each case without one (every case with `rebuild`); the count."""
    # A merged case's child counts in the survivor's record: a record a merge left behind
    # (before merges removed it) is removed, and none is written.
    merged = select(Case.id).where(Case.status == CaseStatus.MERGED)
    session.execute(delete(StatisticalRecord).where(StatisticalRecord.case_id.in_(merged)))
    session.commit()
    gone = (CaseStatus.ERASED, CaseStatus.MERGED)
    query = select(Case.id).where(Case.status.not_in(gone)).order_by(Case.id)
    if not rebuild:
        has_record = select(StatisticalRecord.case_id).where(StatisticalRecord.case_id.is_not(None))
        query = query.where(Case.id.not_in(has_record))
    done = 0
    for case_id in list(session.scalars(query)):
        try:
            refresh(session, [case_id])
            reference = session.get_one(Case, case_id).reference
            record(
                session,
                Action.CASE_READ,
                actor,
                case_ref=reference,
                context=RequestContext(request_id="cli-stats-backfill"),
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
        done += 1
    return done
