"""Identification events and decisions as each level of access sees them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.policy import AccessLevel
from casework.casefile.record.readouts import (
    DecisionReadout,
    IdentificationReadout,
    InvestigationReadout,
)
from casework.models.case import Case
from casework.models.identification import (
    IdentificationDecision,
    IdentificationEvent,
    InvestigationDetail,
)


def identification_readouts(
    session: Session, case: Case, level: AccessLevel, investigation: AccessLevel
) -> tuple[IdentificationReadout, ...]:
    if level < AccessLevel.SUMMARY:
        return ()
    events = session.scalars(
        select(IdentificationEvent)
        .where(IdentificationEvent.case_id == case.id)
        .order_by(IdentificationEvent.recorded_at)
    )
    details: dict[object, InvestigationDetail] = {}
    if investigation >= AccessLevel.READ:
        details = {
            d.identification_id: d
            for d in session.scalars(
                select(InvestigationDetail).where(InvestigationDetail.case_id == case.id)
            )
        }
    return tuple(
        _identification(e, level, details.get(e.id), investigation >= AccessLevel.READ)
        for e in events
    )


def _identification(
    e: IdentificationEvent,
    level: AccessLevel,
    detail: InvestigationDetail | None,
    may_see_investigation: bool,
) -> IdentificationReadout:
    full = level >= AccessLevel.READ
    return IdentificationReadout(
        id=e.id,
        version=e.version,
        identified_on=e.identified_on,
        jurisdiction=e.jurisdiction,
        actor_type=e.actor_type,
        context=e.context,
        exploitation_types=tuple(e.exploitation_types),
        ict_facilitated=e.ict_facilitated,
        summary_only=not full,
        recorded_by=e.recorded_by.display_name if full else None,
        indicators=tuple(e.indicators) if full else None,
        recruitment_method=e.recruitment_method if full else None,
        narrative=e.narrative if full else None,
        may_see_investigation=may_see_investigation,
        investigation=None if detail is None else _investigation(detail),
    )


def _investigation(d: InvestigationDetail) -> InvestigationReadout:
    return InvestigationReadout(
        version=d.version,
        reference=d.reference,
        suspects=d.suspects,
        evidence_notes=d.evidence_notes,
    )


def decision_readouts(
    session: Session, case: Case, level: AccessLevel
) -> tuple[DecisionReadout, ...]:
    if level < AccessLevel.SUMMARY:
        return ()
    decisions = session.scalars(
        select(IdentificationDecision)
        .where(IdentificationDecision.case_id == case.id)
        .order_by(IdentificationDecision.recorded_at)
    )
    full = level >= AccessLevel.READ
    return tuple(
        DecisionReadout(
            id=d.id,
            version=d.version,
            stage=d.stage,
            decided_on=d.decided_on,
            outcome=d.outcome,
            assistance_unconditional=d.assistance_unconditional,
            decision_maker=d.decision_maker if full else None,
            recorded_on=d.recorded_at.date(),
            corrects=d.corrects_id,
            correction_reason=d.correction_reason if full else None,
        )
        for d in decisions
    )
