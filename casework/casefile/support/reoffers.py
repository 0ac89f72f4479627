"""Re-offers: after a child declines a measure, it is offered again after REOFFER_DAYS.

The flag is computed on read from the declines and the clock (casework.clock.today), so
no scheduler is needed and tests move time by replacing the clock. It is kept here, on
its own, so that it can feed the general case flags when those exist: a re-offer is
"due" from its date until the child's views on that measure are heard again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.casefile.support.readouts import ReofferReadout
from casework.models.support import ChildViews, MeasureResponse, SupportMeasure


def reoffers(
    session: Session, case_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[ReofferReadout]]:
    """Open re-offers per case: the latest decline of each measure not heard on since."""
    ids = list(case_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(MeasureResponse, ChildViews.heard_on, SupportMeasure)
        .join(ChildViews, ChildViews.id == MeasureResponse.views_id)
        .join(SupportMeasure, SupportMeasure.id == MeasureResponse.measure_id)
        .where(ChildViews.case_id.in_(ids))
        .order_by(ChildViews.heard_on, ChildViews.created_at)
    ).all()
    latest: dict[uuid.UUID, tuple[MeasureResponse, SupportMeasure]] = {}
    for response, _heard_on, measure in rows:
        latest[measure.id] = (response, measure)  # later answers replace earlier ones
    day = clock.today()
    found: dict[uuid.UUID, list[ReofferReadout]] = {}
    for response, measure in latest.values():
        if response.reoffer_on is None:
            continue
        found.setdefault(measure.case_id, []).append(
            ReofferReadout(
                measure_type=measure.measure_type,
                due_on=response.reoffer_on,
                due=response.reoffer_on <= day,
            )
        )
    return found
