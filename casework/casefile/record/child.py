"""The child's record beyond the names: identity documents, age assessment and
guardians [identity], and the current placement [location]."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.permissions import FieldGroup
from casework.casefile.casewide.flags import guardian_rule
from casework.casefile.saving import Save, by_id, save_record
from casework.casefile.work import changing
from casework.codes import CodeList, is_code
from casework.models.identity import AgeAssessment, Guardian, IdentityDocument
from casework.models.migration import Placement

ADULT_AGE = 18
TEXT_MAX = 200
ADDRESS_MAX = 500


def _require_codes(*pairs: tuple[CodeList, str | None]) -> None:
    if not all(code is None or is_code(name, code) for name, code in pairs):
        raise InvalidInput("", _l("Choose each value from its list."))


@dataclass(frozen=True)
class DocumentChange:
    kind: str
    number: str | None
    issuing_country: str | None
    expires_on: date | None
    check: str


@dataclass(frozen=True)
class AgeChange:
    status: str
    method: str | None
    assessor: str | None
    assessed_on: date | None
    age_min: int | None
    age_max: int | None


@dataclass(frozen=True)
class GuardianChange:
    kind: str
    name: str | None
    appointing_authority: str
    appointed_on: date
    reason: str
    ended_on: date | None


@dataclass(frozen=True)
class PlacementChange:
    kind: str
    address: str | None
    since: date | None


def add_document(
    session: Session, caller: Caller, case_id: uuid.UUID, change: DocumentChange
) -> uuid.UUID:
    _require_codes(
        (CodeList.DOCUMENT_TYPE, change.kind),
        (CodeList.COUNTRY, change.issuing_country),
        (CodeList.DOCUMENT_CHECK, change.check),
    )
    save = Save(group=FieldGroup.IDENTITY, model=IdentityDocument, values=asdict(change))
    return save_record(session, caller, case_id, save)


def remove_document(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    document_id: uuid.UUID,
    expected_version: int,
) -> None:
    """Remove a document recorded by mistake; its values stay in the history."""
    with changing(session, caller, case_id, FieldGroup.IDENTITY) as work:
        document = work.record_of(IdentityDocument, document_id, [FieldGroup.IDENTITY])
        work.check_version(document.version, expected_version)
        previous = {"record": "identity_document", **asdict(_document_values(document))}
        work.history(FieldGroup.IDENTITY, previous, "remove")
        session.delete(document)


def _document_values(document: IdentityDocument) -> DocumentChange:
    return DocumentChange(
        kind=document.kind,
        number=document.number,
        issuing_country=document.issuing_country,
        expires_on=document.expires_on,
        check=document.check,
    )


def save_age_assessment(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    change: AgeChange,
    expected_version: int | None,
) -> uuid.UUID:
    """Record the state of the child's age: one assessment per case, corrected in place."""
    _require_codes((CodeList.AGE_STATUS, change.status), (CodeList.AGE_METHOD, change.method))
    low, high = change.age_min, change.age_max
    if low is not None and high is not None and low > high:
        raise InvalidInput("age_max", _l("The lowest age cannot be above the highest."))
    save = Save(
        group=FieldGroup.IDENTITY,
        model=AgeAssessment,
        values=asdict(change),
        expected_version=expected_version,
        find={},
    )
    return save_record(session, caller, case_id, save)


def save_guardian(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    change: GuardianChange,
    guardian_id: uuid.UUID | None = None,
    expected_version: int | None = None,
) -> uuid.UUID:
    """Record a guardian or representative, or change one (its end, for example)."""
    _require_codes((CodeList.GUARDIAN_TYPE, change.kind), (CodeList.GUARDIAN_REASON, change.reason))
    if change.ended_on is not None and change.ended_on < change.appointed_on:
        raise InvalidInput("ended_on", _l("The appointment cannot end before it starts."))
    save = Save(
        group=FieldGroup.IDENTITY,
        model=Guardian,
        values=asdict(change),
        expected_version=expected_version,
        **by_id(guardian_id),
    )
    return save_record(session, caller, case_id, save, guardian_rule)


def save_placement(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    change: PlacementChange,
    expected_version: int | None,
) -> uuid.UUID:
    """Record where the child lives now [location]; earlier placements stay in the history."""
    _require_codes((CodeList.PLACEMENT_TYPE, change.kind))
    save = Save(
        group=FieldGroup.LOCATION,
        model=Placement,
        values=asdict(change),
        expected_version=expected_version,
        find={},
    )
    return save_record(session, caller, case_id, save)
