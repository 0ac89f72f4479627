"""The child's views: what the child said about the help offered, in the child's words.

A decline is recorded with its reasons and schedules a re-offer; it never closes the case
and never ends a measure. The re-offer flag is computed when read (see reoffers.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.permissions import FieldGroup
from casework.casefile.support.readouts import ChildViewsReadout, ResponseReadout
from casework.casefile.work import changing
from casework.codes import CodeList, is_offered
from casework.codes.named import Acceptance
from casework.models.case import Case
from casework.models.support import ChildViews, MeasureResponse, SupportMeasure

BENEFIT_ANSWERS = ("yes", "no", "unsure")


@dataclass(frozen=True)
class Response:
    measure_id: uuid.UUID
    acceptance: str
    reasons: str


@dataclass(frozen=True)
class ViewsInput:
    heard_on: date
    language: str
    informed_format: str
    views: str
    perceives_benefit: str
    engagement: str
    trusted_adult: str
    responses: tuple[Response, ...]


def _check(session: Session, case: Case, v: ViewsInput) -> list[tuple[SupportMeasure, Response]]:
    if v.heard_on > clock.today():
        raise InvalidInput("heard_on", _l("This date is in the future."))
    if v.perceives_benefit not in BENEFIT_ANSWERS:
        raise InvalidInput("perceives_benefit", _l("Choose one of the answers."))
    pairs = []
    for response in v.responses:
        measure = session.get(SupportMeasure, response.measure_id)
        if measure is None or measure.case_id != case.id:
            raise InvalidInput("views", _l("A measure on this form is not in the plan."))
        if response.acceptance and not is_offered(CodeList.ACCEPTANCE, response.acceptance):
            raise InvalidInput(f"acceptance_{measure.id.hex}", _l("Choose one of the answers."))
        if response.acceptance:
            pairs.append((measure, response))
    return pairs


def _values(v: ViewsInput, pairs: list[tuple[SupportMeasure, Response]]) -> dict[str, object]:
    """What the history keeps of the child's views [child_views]."""
    return {
        "heard_on": v.heard_on,
        "language": v.language,
        "informed_format": v.informed_format,
        "views": v.views,
        "perceives_benefit": v.perceives_benefit,
        "engagement": v.engagement or None,
        "trusted_adult": v.trusted_adult or None,
        "responses": [[m.measure_type, r.acceptance, r.reasons or ""] for m, r in pairs],
    }


def record_views(session: Session, caller: Caller, case_id: uuid.UUID, v: ViewsInput) -> None:
    days = current_app.config["CASEWORK"].reoffer_days
    with changing(session, caller, case_id, FieldGroup.CHILD_VIEWS) as work:
        case = work.case
        pairs = _check(session, case, v)
        heard = ChildViews(
            case,
            heard_on=v.heard_on,
            created_by=caller.user.username,
            language=v.language,
            informed_format=v.informed_format,
            views=v.views,
            perceives_benefit=v.perceives_benefit,
            engagement=v.engagement or None,
            trusted_adult=v.trusted_adult or None,
        )
        session.add(heard)
        work.history(FieldGroup.CHILD_VIEWS, {"record": "child_views"}, "create", _values(v, pairs))
        for measure, response in pairs:
            declined = response.acceptance == Acceptance.DECLINES
            session.add(
                MeasureResponse(
                    heard,
                    measure,
                    acceptance=response.acceptance,
                    reasons=response.reasons or None,
                    reoffer_on=v.heard_on + timedelta(days=days) if declined else None,
                )
            )


def latest_views(session: Session, case_id: uuid.UUID) -> ChildViewsReadout | None:
    heard = session.scalars(
        select(ChildViews)
        .options(selectinload(ChildViews.responses).joinedload(MeasureResponse.measure))
        .where(ChildViews.case_id == case_id)
        .order_by(ChildViews.heard_on.desc(), ChildViews.created_at.desc())
        .limit(1)
    ).first()
    if heard is None:
        return None
    return ChildViewsReadout(
        heard_on=heard.heard_on,
        language=heard.language,
        informed_format=heard.informed_format,
        views=heard.views,
        perceives_benefit=heard.perceives_benefit,
        engagement=heard.engagement,
        trusted_adult=heard.trusted_adult,
        responses=tuple(
            ResponseReadout(
                measure_type=r.measure.measure_type,
                acceptance=r.acceptance,
                reasons=r.reasons,
                reoffer_on=r.reoffer_on,
            )
            for r in heard.responses
        ),
    )
