"""Reading the child's record: each group at the level the caller's role has for it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import Reach, Via
from casework.casefile.casewide.closing import open_items
from casework.casefile.casewide.flags import case_flags, may_resolve
from casework.casefile.casewide.lifecycle import TRANSITIONS, Step, status_changes, steps_open_to
from casework.casefile.identification.readouts import decision_readouts, identification_readouts
from casework.casefile.record.aliases import alias_names
from casework.casefile.record.child import ADULT_AGE
from casework.casefile.record.history import history_readouts
from casework.casefile.record.readouts import (
    AgeReadout,
    CaseDetails,
    ChildRecordReadout,
    DocumentReadout,
    FlagReadout,
    GuardianReadout,
    MigrationReadout,
    PlacementReadout,
    StatusChangeReadout,
)
from casework.models.case import Case, CaseStatus
from casework.models.identity import AgeAssessment, Guardian, IdentityDocument
from casework.models.migration import MigrationStatus, Placement


def read_details(session: Session, route: Reach, caller: Caller) -> CaseDetails:
    policy = current_policy()
    case = route.case
    role = caller.role

    def level(group: FieldGroup) -> AccessLevel:
        return policy.level(role, group)

    identity = level(FieldGroup.IDENTITY)
    identification = level(FieldGroup.IDENTIFICATION)
    age, migration, placement = _singles(session, case)
    flags = case_flags(session, case)
    steps = _steps(route, role)
    sees_history = policy.role(role).sees_history
    history = history_readouts(session, route, caller) if sees_history else ()
    return CaseDetails(
        presumed_child=presumed_child(session, case, age) if identity else None,
        record=child_record(session, case, age) if identity >= AccessLevel.READ else None,
        identifications=identification_readouts(
            session, case, identification, level(FieldGroup.INVESTIGATION)
        ),
        decisions=decision_readouts(session, case, identification),
        migration=migration_readout(level(FieldGroup.MIGRATION), migration),
        placement=placement_readout(level(FieldGroup.LOCATION), placement),
        flags=tuple(
            flag_readout(f, _may_flag(route, role) and may_resolve(role, f.kind)) for f in flags
        )
        if policy.role(role).sees_flags
        else (),
        flags_visible=policy.role(role).sees_flags,
        status_changes=tuple(
            StatusChangeReadout(
                changed_at=c.recorded_at,
                changed_by=c.changed_by.display_name,
                from_status=c.from_status,
                to_status=c.to_status,
                reason=c.reason,
                note=c.note,
            )
            for c in (status_changes(session, case) if policy.role(role).sees_history else ())
        ),
        # A role that does not see the history (an interpreter) gets none.
        history=history,
        history_visible=sees_history,
        steps=steps,
        open_items=(
            open_items(session, case, flags, migration, placement) if Step.CLOSE in steps else None
        ),
        may_flag=_may_flag(route, role),
        case_version=case.version,
    )


def _steps(route: Reach, role: str) -> tuple[str, ...]:
    if route.via is not Via.LEAD:
        return ()
    policy = current_policy()
    return tuple(
        str(step)
        for step in steps_open_to(route.case.status)
        if policy.allows(role, TRANSITIONS[step].permission)
    )


def _may_flag(route: Reach, role: str) -> bool:
    return (
        not route.read_only
        and route.case.status != CaseStatus.CLOSED
        and current_policy().allows(role, Permission.FLAG_WRITE)
    )


def _singles(
    session: Session, case: Case
) -> tuple[AgeAssessment | None, MigrationStatus | None, Placement | None]:
    """The records a case has at most one of, in one statement."""
    row = session.execute(
        select(Case.id, AgeAssessment, MigrationStatus, Placement)
        .outerjoin(AgeAssessment, AgeAssessment.case_id == Case.id)
        .outerjoin(MigrationStatus, MigrationStatus.case_id == Case.id)
        .outerjoin(Placement, Placement.case_id == Case.id)
        .where(Case.id == case.id)
    ).one()
    return row[1], row[2], row[3]


def _all(session: Session, model: Any, case: Case) -> list[Any]:
    return list(
        session.scalars(select(model).where(model.case_id == case.id).order_by(model.recorded_at))
    )


def presumed_child(session: Session, case: Case, assessment: AgeAssessment | None) -> bool:
    """True while the child's age is uncertain: then the child is presumed a child and
    protected at once (CoE Convention Art. 10(3); Directive 2011/36/EU Art. 13(2))."""
    if assessment is None or assessment.status == "claimed":
        return case.child.date_of_birth is None
    if assessment.status == "disputed":
        return True
    low, high = assessment.age_min, assessment.age_max
    certain_child = high is not None and high < ADULT_AGE
    certain_adult = low is not None and low >= ADULT_AGE
    return not (certain_child or certain_adult)


def child_record(session: Session, case: Case, age: AgeAssessment | None) -> ChildRecordReadout:
    child = case.child
    today = clock.today()
    return ChildRecordReadout(
        aliases=tuple(alias_names(session, case)),
        nationalities=tuple(child.nationalities or ()),
        languages=tuple(child.languages or ()),
        documents=tuple(_document(d) for d in _all(session, IdentityDocument, case)),
        age=None if age is None else _age(age),
        guardians=tuple(_guardian(g, today) for g in _all(session, Guardian, case)),
    )


def _document(d: IdentityDocument) -> DocumentReadout:
    return DocumentReadout(
        id=d.id,
        version=d.version,
        kind=d.kind,
        number=d.number,
        issuing_country=d.issuing_country,
        expires_on=d.expires_on,
        check=d.check,
    )


def _age(a: AgeAssessment) -> AgeReadout:
    return AgeReadout(
        version=a.version,
        status=a.status,
        method=a.method,
        assessor=a.assessor,
        assessed_on=a.assessed_on,
        age_min=a.age_min,
        age_max=a.age_max,
    )


def _guardian(g: Guardian, today: date) -> GuardianReadout:
    ended: date | None = g.ended_on
    return GuardianReadout(
        id=g.id,
        version=g.version,
        kind=g.kind,
        name=g.name,
        appointing_authority=g.appointing_authority,
        appointed_on=g.appointed_on,
        reason=g.reason,
        ended_on=ended,
        active=ended is None or ended > today,
    )


def migration_readout(
    level: AccessLevel, status: MigrationStatus | None
) -> MigrationReadout | None:
    if not level:
        return None
    if status is None:
        return None
    end: date | None = status.reflection_end
    full = level >= AccessLevel.READ
    return MigrationReadout(
        version=status.version,
        care_situation=status.care_situation,
        residence_status=status.residence_status,
        reflection_start=status.reflection_start,
        reflection_end=end,
        days_left=None if end is None else max((end - clock.today()).days, 0),
        summary_only=not full,
        reflection_country=status.reflection_country if full else None,
        origin_countries=tuple(status.origin_countries) if full else None,
        transit_countries=tuple(status.transit_countries) if full else None,
    )


def placement_readout(level: AccessLevel, placement: Placement | None) -> PlacementReadout | None:
    if not level:
        return None
    if placement is None:
        return None
    full = level >= AccessLevel.READ
    return PlacementReadout(
        version=placement.version,
        kind=placement.kind,
        since=placement.since,
        address=placement.address if full else None,
    )


def flag_readout(f: Any, may_resolve: bool = False) -> FlagReadout:
    return FlagReadout(
        id=f.id,
        version=f.version,
        kind=f.kind,
        text=f.text,
        automatic=f.automatic,
        raised_at=f.recorded_at,
        raised_by=f.raised_by.display_name,
        resolved_at=f.resolved_at,
        resolved_by=f.resolved_by.display_name if f.resolved_by else None,
        resolution=f.resolution,
        may_resolve=may_resolve,
    )
