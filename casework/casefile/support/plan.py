"""The support plan: measures with provider, dates, status and review date.

Clinical notes belong to the health field group: only team members whose actor type is
health or child psychiatry, and whose account's profession is that actor type now, read
or write them, whatever their role's other rights.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.permissions import FieldGroup
from casework.access.reach import active_membership
from casework.audit.events import Action
from casework.casefile.support.readouts import MeasureReadout
from casework.casefile.work import Work, changing
from casework.codes import CodeList, is_offered
from casework.models.organisation import NOT_SUPPORT, Organisation
from casework.models.support import MeasureStatus, SupportMeasure
from casework.models.team import CLINICAL_ACTOR_TYPES, TeamMembership

HEALTH_ACTOR_TYPES = CLINICAL_ACTOR_TYPES
OPEN_STATUSES = frozenset({MeasureStatus.PLANNED, MeasureStatus.ACTIVE})


@dataclass(frozen=True)
class MeasureInput:
    measure_type: str
    provider_id: uuid.UUID | None
    status: str
    starts_on: date
    ends_on: date | None
    review_on: date | None
    details: str
    clinical_notes: str | None = None


def is_health_member(session: Session, case_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    return health_membership(active_membership(session, case_id, user_id))


def health_membership(membership: TeamMembership | None) -> bool:
    """Whether an (active) membership is as a health professional whose account's
    profession still fits it."""
    return membership is not None and membership.opens_clinical_notes()


def review_overdue(measure: SupportMeasure, day: date) -> bool:
    return (
        measure.status in OPEN_STATUSES
        and measure.review_on is not None
        and measure.review_on < day
    )


def measure_readout(
    measure: SupportMeasure, full: bool, health: bool, notes_exist: bool = False
) -> MeasureReadout:
    """`health`: the caller reads clinical notes; `notes_exist`: the caller may know that
    there are notes (the health group at summary level)."""
    return MeasureReadout(
        id=measure.id,
        measure_type=measure.measure_type,
        provider=measure.provider.name,
        provider_id=measure.provider_id,
        status=measure.status,
        starts_on=measure.starts_on,
        ends_on=measure.ends_on,
        review_on=measure.review_on,
        version=measure.version,
        review_overdue=review_overdue(measure, clock.today()),
        details=(measure.details or "") if full else None,
        clinical_notes=(measure.clinical_notes or "") if health else None,
        has_clinical_notes=(health or notes_exist) and measure.clinical_notes_enc is not None,
    )


def case_measures(session: Session, case_id: uuid.UUID) -> list[SupportMeasure]:
    return list(
        session.scalars(
            select(SupportMeasure)
            .where(SupportMeasure.case_id == case_id)
            .order_by(SupportMeasure.starts_on, SupportMeasure.id)
        )
    )


def _check(session: Session, measure: MeasureInput) -> None:
    if not is_offered(CodeList.MEASURE_TYPE, measure.measure_type):
        raise InvalidInput("measure_type", _l("Choose a type of measure from the list."))
    provider = session.get(Organisation, measure.provider_id) if measure.provider_id else None
    if provider is None or provider.kind in NOT_SUPPORT:
        raise InvalidInput("provider", _l("Choose a provider from the list."))
    if measure.status not in set(MeasureStatus):
        raise InvalidInput("status", _l("Choose a status from the list."))
    if measure.ends_on is not None and measure.ends_on < measure.starts_on:
        raise InvalidInput("ends_on", _l("The measure cannot end before it starts."))
    if measure.review_on is not None and measure.review_on < measure.starts_on:
        raise InvalidInput("review_on", _l("The review cannot come before the start."))


def _check_for(work: Work, m: MeasureInput) -> None:
    """The input checks, before any change."""
    _check(work.session, m)
    if m.clinical_notes and not is_health_member(work.session, work.case.id, work.caller.user.id):
        raise InvalidInput(
            "clinical_notes", _l("Only health professionals on the team write clinical notes.")
        )


def _apply(measure: SupportMeasure, m: MeasureInput, health: bool) -> None:
    measure.measure_type = m.measure_type
    if m.provider_id is not None:  # always, after _check
        measure.provider_id = m.provider_id
    measure.status = m.status
    measure.starts_on = m.starts_on
    measure.ends_on = m.ends_on
    measure.review_on = m.review_on
    measure.details = m.details
    if health and m.clinical_notes is not None:
        measure.clinical_notes = m.clinical_notes or None


def _values(session: Session, measure: SupportMeasure) -> dict[str, object]:
    """What the history keeps of a measure [support_plan]; clinical notes go apart."""
    provider = session.get(Organisation, measure.provider_id) if measure.provider_id else None
    return {
        "measure_type": measure.measure_type,
        "provider": provider.name if provider else None,
        "status": measure.status,
        "starts_on": measure.starts_on,
        "ends_on": measure.ends_on,
        "review_on": measure.review_on,
        "details": measure.details,
    }


def _keep_history(
    work: Work,
    measure: SupportMeasure,
    before: tuple[dict[str, object], str | None] | None,
) -> None:
    """The plan's values before and after; the clinical notes in the health group."""
    previous, notes = before if before is not None else ({"record": "support_measure"}, None)
    change = "update" if before is not None else "create"
    current = _values(work.session, measure)
    if previous != current:
        work.history(FieldGroup.SUPPORT_PLAN, previous, change, current)
    if notes != measure.clinical_notes:
        work.history(
            FieldGroup.HEALTH,
            {"record": "support_measure", "clinical_notes": notes},
            change,
            {"clinical_notes": measure.clinical_notes},
        )


def _groups(m: MeasureInput, health: bool) -> list[FieldGroup]:
    wrote_health = health and m.clinical_notes is not None
    return [FieldGroup.SUPPORT_PLAN] + ([FieldGroup.HEALTH] if wrote_health else [])


def add_measure(session: Session, caller: Caller, case_id: uuid.UUID, m: MeasureInput) -> uuid.UUID:
    with changing(session, caller, case_id, FieldGroup.SUPPORT_PLAN) as work:
        _check_for(work, m)
        health = is_health_member(session, case_id, caller.user.id)
        measure = SupportMeasure(work.case, created_by=caller.user.username, starts_on=m.starts_on)
        _apply(measure, m, health)
        session.add(measure)
        _keep_history(work, measure, None)
        work.touch(*_groups(m, health))
    return measure.id


def update_measure(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    measure_id: uuid.UUID,
    m: MeasureInput,
    expected_version: int | None,
) -> None:
    with changing(session, caller, case_id, FieldGroup.SUPPORT_PLAN) as work:
        _check_for(work, m)
        measure = work.record_of(SupportMeasure, measure_id)
        work.check_version(measure.version, expected_version)
        health = is_health_member(session, case_id, caller.user.id)
        before = (_values(session, measure), measure.clinical_notes)
        _apply(measure, m, health)
        _keep_history(work, measure, before)
        work.touch(*_groups(m, health))


def measure_for_edit(
    session: Session, caller: Caller, case_id: uuid.UUID, measure_id: uuid.UUID
) -> MeasureReadout:
    """One measure, for its edit form; only for those who may change the plan."""
    with changing(session, caller, case_id, FieldGroup.SUPPORT_PLAN) as work:
        measure = work.record_of(SupportMeasure, measure_id)
        health = is_health_member(session, case_id, caller.user.id)
        readout = measure_readout(measure, full=True, health=health)
        work.action = Action.CASE_READ
        work.touch(*([FieldGroup.HEALTH] if health else []))
    return readout
