"""What is still open on a case that its lead is about to close: the confirmation page
names each, and a child recorded missing is never closed on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.casefile.casewide.missing import is_missing
from casework.casefile.record.readouts import OpenItems
from casework.codes.named import Acceptance
from casework.models.case import Case
from casework.models.flag import CaseFlag
from casework.models.migration import MigrationStatus, Placement
from casework.models.support import ChildViews, MeasureResponse, MeasureStatus, SupportMeasure

MISSING = "missing"
WHEREABOUTS_UNKNOWN = "whereabouts_unknown"
OPEN_MEASURES = (MeasureStatus.PLANNED, MeasureStatus.ACTIVE)


def open_items(
    session: Session,
    case: Case,
    case_flags: Sequence[CaseFlag] | None = None,
    migration: MigrationStatus | Literal[False] | None = False,
    placement: Placement | Literal[False] | None = False,
) -> OpenItems:
    """`case_flags`, `migration` and `placement` (None: the case has none), when read
    already."""
    # An open episode keeps the automatic "missing" flag open, and only finding the child
    # resolves it: where the page has read the flags, they answer; otherwise the
    # episodes do (the check that refuses closing always asks the episodes).
    missing_known = case_flags is not None
    if case_flags is None:
        case_flags = session.scalars(select(CaseFlag).where(CaseFlag.case_id == case.id)).all()
    flags = [f for f in case_flags if f.is_open]
    missing = (
        any(f.automatic and f.kind == MISSING for f in flags)
        if missing_known
        else is_missing(session, case.id)
    )
    measures = session.scalars(
        select(SupportMeasure).where(
            SupportMeasure.case_id == case.id, SupportMeasure.status.in_(OPEN_MEASURES)
        )
    ).all()
    return OpenItems(
        measures=len(measures),
        reoffers=_pending_reoffers(session, case),
        flags=len(flags),
        reflection_period=_reflection_running(session, case, migration),
        missing=missing or _whereabouts_unknown(session, case, placement),
    )


def _whereabouts_unknown(
    session: Session, case: Case, placement: Placement | Literal[False] | None
) -> bool:
    """The placement says nobody knows where the child is: as good as a missing flag."""
    row = (
        session.scalar(select(Placement).where(Placement.case_id == case.id))
        if placement is False
        else placement
    )
    return row is not None and row.kind == WHEREABOUTS_UNKNOWN


def _pending_reoffers(session: Session, case: Case) -> int:
    """Measures whose latest answer from the child is a decline: help is to be offered
    again, whether or not the day has come."""
    rows = session.execute(
        select(MeasureResponse, ChildViews.heard_on)
        .join(ChildViews, ChildViews.id == MeasureResponse.views_id)
        .where(ChildViews.case_id == case.id)
        .order_by(ChildViews.heard_on, ChildViews.created_at)
    ).all()
    latest: dict[object, str] = {}
    for response, _heard_on in rows:
        latest[response.measure_id] = response.acceptance
    return sum(1 for answer in latest.values() if answer == Acceptance.DECLINES)


def _reflection_running(
    session: Session, case: Case, known: MigrationStatus | Literal[False] | None
) -> bool:
    status = (
        session.scalar(select(MigrationStatus).where(MigrationStatus.case_id == case.id))
        if known is False
        else known
    )
    if status is None or status.reflection_end is None:
        return False
    start = status.reflection_start
    today = clock.today()
    return bool((start is None or start <= today) and today <= status.reflection_end)
