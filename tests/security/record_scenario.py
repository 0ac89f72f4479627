"""The child's record for the authorization matrix: one of each record on the case, the
URLs that reach them, valid posts for them, and the texts only some roles may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.audit.events import Actor
from casework.casefile.support.membership import add_member
from casework.models import (
    Case,
    CaseFlag,
    Guardian,
    IdentificationDecision,
    IdentificationEvent,
    IdentityDocument,
    InvestigationDetail,
    Placement,
    User,
)
from tests.factories import make_user
from tests.records import caller_of, identification_change

# Texts of one group each; _check_names looks for them where they may not be.
NARRATIVE = "Narrative-marker: found selling flowers at the harbour"
INVESTIGATION = "INV-MARKER-0042"
ADDRESS = "Address-marker: Mežaparka iela 7"
GUARDIAN_NAME = "Guardian-marker Ruta Kalnina"
DOCUMENT_NUMBER = "DOC-MARKER-99"

DAY = (clock.today() - timedelta(days=2)).isoformat()
IDENTIFICATION_FORM = {
    "identified_on": DAY,
    "jurisdiction": "EE",
    "actor_type": "border_guard",
    "context": "border_control",
    "indicators": "travels_with_non_relatives",
    "exploitation_types": "begging",
    "recruitment_method": "unknown",
    "narrative": NARRATIVE,
}
GUARDIAN_FORM = {
    "kind": "guardian",
    "name": GUARDIAN_NAME,
    "appointing_authority": "Orphan's court",
    "appointed_on": DAY,
    "reason": "unaccompanied",
}


@dataclass(frozen=True)
class Records:
    identification: uuid.UUID
    decision: uuid.UUID
    guardian: uuid.UUID
    document: uuid.UUID
    flag: uuid.UUID


def add_records(app: Flask, db_session: Session, case_id: uuid.UUID, lead: User) -> Records:
    """One record of each kind, made through the door by the lead and a police officer."""
    officer = make_user(username="recorder", police=True)
    add_member(
        db_session, Actor(username="test"), case_id, officer, "police", starts_on=clock.today()
    )
    police, social = caller_of(officer), caller_of(lead)
    identification = casefile.record_identification(
        db_session, police, case_id, identification_change(narrative=NARRATIVE)
    )
    casefile.save_investigation(
        db_session,
        police,
        case_id,
        identification,
        casefile.InvestigationChange(reference=INVESTIGATION, suspects=None, evidence_notes=None),
        None,
    )
    decision = casefile.record_decision(
        db_session,
        police,
        case_id,
        casefile.DecisionChange("presumed", "Police", clock.today(), "positive", True),
    )
    guardian = casefile.save_guardian(
        db_session,
        social,
        case_id,
        casefile.GuardianChange("guardian", GUARDIAN_NAME, "Court", clock.today(), "other", None),
    )
    document = casefile.add_document(
        db_session,
        social,
        case_id,
        casefile.DocumentChange("passport", DOCUMENT_NUMBER, "LV", None, "not_checked"),
    )
    casefile.save_placement(
        db_session, social, case_id, casefile.PlacementChange("foster_family", ADDRESS, None), None
    )
    casefile.raise_flag(db_session, social, case_id, "safety_risk", "Seen near the harbour.")
    flag = db_session.scalars(select(CaseFlag.id).where(CaseFlag.case_id == case_id)).one()
    return Records(identification, decision, guardian, document, flag)


ITEM = {
    "identification.edit": "identification",
    "identification.investigation": "identification",
    "identification.decision_edit": "decision",
    "record.guardian_edit": "guardian",
    "record.document_remove": "document",
    "lifecycle.resolve_flag": "flag",
}


def record_url(endpoint: str, case_id: uuid.UUID, records: Records) -> str:
    if endpoint == "identification.intake":
        return url_for(endpoint)
    if endpoint in ITEM:
        item = getattr(records, ITEM[endpoint])
        return url_for(endpoint, case_id=case_id, item_id=item)
    return url_for(endpoint, case_id=case_id)


def _version(db_session: Session, model: Any, **where: Any) -> str:
    db_session.expire_all()
    query = select(model.version)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return str(db_session.scalars(query).first() or "")


def record_payload(
    endpoint: str, case_id: uuid.UUID, records: Records, db_session: Session
) -> dict[str, Any]:
    """A valid post for `endpoint`, with the records' current versions."""
    lead = db_session.scalar(select(User.id).where(User.username == "lead"))
    case_version = _version(db_session, Case, id=case_id)
    payloads: dict[str, dict[str, Any]] = {
        "identification.intake": {
            **IDENTIFICATION_FORM,
            "given_name": "Mart",
            "family_name": "Tamm",
            "sex": "male",
            "lead": str(lead),
        },
        "identification.record_new": IDENTIFICATION_FORM,
        "identification.edit": {
            **IDENTIFICATION_FORM,
            "version": _version(db_session, IdentificationEvent, id=records.identification),
        },
        "identification.investigation": {
            "reference": INVESTIGATION,
            "suspects": "Two adults",
            "version": _version(
                db_session, InvestigationDetail, identification_id=records.identification
            ),
        },
        "identification.decision_new": {
            "stage": "reasonable_grounds",
            "decided_on": DAY,
            "decision_maker": "Migration board",
            "outcome": "positive",
            "assistance_unconditional": "y",
        },
        "record.document_new": {"kind": "birth_certificate", "check": "appears_genuine"},
        "record.document_remove": {
            "version": _version(db_session, IdentityDocument, id=records.document)
        },
        "record.age": {"status": "disputed"},
        "record.guardian_new": GUARDIAN_FORM,
        "record.guardian_edit": {
            **GUARDIAN_FORM,
            "version": _version(db_session, Guardian, id=records.guardian),
        },
        "record.placement": {
            "kind": "residential_care",
            "address": ADDRESS,
            "version": _version(db_session, Placement, case_id=case_id),
        },
        "record.migration": {"care_situation": "separated", "residence_status": "asylum_seeker"},
        "lifecycle.take_on": {"version": case_version},
        "lifecycle.activate": {"version": case_version},
        "lifecycle.close": {"reason": "duplicate", "confirmed": "yes", "version": case_version},
        "lifecycle.reopen": {"reason": "returned", "version": case_version},
        "lifecycle.raise_flag": {"kind": "safety_risk", "text": "Missed the appointment."},
        "lifecycle.resolve_flag": {
            "resolution": "Came back.",
            "version": _version(db_session, CaseFlag, id=records.flag),
        },
    }
    payloads["identification.decision_edit"] = {
        **payloads["identification.decision_new"],
        "correction_reason": "The stage was recorded wrongly.",
        "version": _version(db_session, IdentificationDecision, id=records.decision),
    }
    return payloads[endpoint]
