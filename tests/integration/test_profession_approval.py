"""A profession that opens clinical notes (health, child psychiatry) waits for a second
administrator, like a role change; the person and the leads of their cases are told,
and each case's history keeps the change. Withdrawing it takes effect at once: a
member whose account no longer records the profession reads no clinical notes, whatever
the actor type their membership was given."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.models import (
    CaseHistoryEntry,
    Notification,
    PendingApproval,
    User,
    UserNotice,
)
from tests.conftest import csrf_token, login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import TODAY, as_caller, join

NOTES = "Sleeps badly since the move."


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="sofia", display_name="Sofia Lead")
    with app.app_context():
        return open_case(db_session, lead)


def _admin(app: Flask, username: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, username).status_code == 302
    return client


def _set(client: FlaskClient, user: User, profession: str):  # type: ignore[no-untyped-def]
    return post_form(
        client,
        f"/admin/users/{user.id}/profession",
        {"profession": profession},
        form_url=f"/admin/users/{user.id}",
    )


def _user(db_session: Session, user_id: uuid.UUID) -> User:
    db_session.expire_all()
    return db_session.get_one(User, user_id)


def _approval(db_session: Session, user: User) -> PendingApproval:
    db_session.expire_all()
    row = db_session.scalar(select(PendingApproval).where(PendingApproval.subject_id == user.id))
    assert row is not None
    return row


def _decide(client: FlaskClient, approval_id: uuid.UUID):  # type: ignore[no-untyped-def]
    page = client.get("/admin/approvals")
    return client.post(
        f"/admin/approvals/{approval_id}",
        data={"decision": "approve", "csrf_token": csrf_token(page.text)},
    )


def _notifications(db_session: Session, kind: str) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    db_session.expire_all()
    rows = db_session.scalars(select(Notification).where(Notification.kind == kind))
    return [(n.user_id, n.case_id) for n in rows]


def test_a_clinical_profession_waits_for_a_second_administrator(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    """One administrator alone no longer opens the clinical notes: the profession waits,
    the asker cannot approve it, another administrator does; the person is told, the
    lead of their case is notified, and the case's history keeps the change."""
    make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    nurse = make_user(username="nora", display_name="Nora Nurse", health_professional=True)
    nurse.profession = None
    db_session.commit()
    join(app, db_session, case_id, nurse, "ngo")
    root = _admin(app, "root")
    asked = _set(root, nurse, "health")
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/admin/approvals")
    assert _user(db_session, nurse.id).profession is None
    approval = _approval(db_session, nurse)
    assert (approval.kind, approval.role, approval.state) == ("profession", "health", "pending")
    listed = root.get("/admin/approvals").text
    assert "Profession Health, which opens clinical notes" in listed
    # The asker cannot approve it, nor ask again meanwhile.
    _decide(root, approval.id)
    assert _approval(db_session, nurse).state == "pending"
    assert "waiting for approval already" in _set(root, nurse, "child_psychiatry").text
    assert _user(db_session, nurse.id).profession is None
    assert _decide(_admin(app, "other"), approval.id).status_code == 302
    assert _user(db_session, nurse.id).profession == "health"
    assert db_session.scalars(
        select(UserNotice).where(
            UserNotice.user_id == nurse.id, UserNotice.kind == "profession_changed"
        )
    ).all()
    lead = db_session.scalar(select(User).where(User.username == "sofia"))
    assert lead is not None
    assert _notifications(db_session, "member_profession_changed") == [(lead.id, case_id)]
    entries = db_session.scalars(
        select(CaseHistoryEntry).where(
            CaseHistoryEntry.case_id == case_id, CaseHistoryEntry.field_group == "team"
        )
    ).all()
    with app.app_context():
        changes = [(e.previous, e.current) for e in entries if e.change == "update"]
    assert changes == [
        (
            {"record": "team_membership", "member": "Nora Nurse", "profession": None},
            {"member": "Nora Nurse", "profession": "health"},
        )
    ]
    lead_client = new_client(app)
    login(lead_client, "sofia")
    history = lead_client.get(f"/cases/{case_id}").text
    assert "Profession" in history and "Health" in history
    # The person is told at their next sign-in.
    signed_in = new_client(app)
    assert login(signed_in, "nora").status_code == 302
    page = signed_in.get("/", follow_redirects=True)
    assert "An administrator changed your recorded profession" in page.text


def test_a_profession_that_opens_nothing_takes_effect_at_once(
    app: Flask, db_session: Session
) -> None:
    make_user(username="root", admin=True)
    worker = make_user(username="nils", ngo_worker=True)
    assert _set(_admin(app, "root"), worker, "education").status_code == 302
    assert _user(db_session, worker.id).profession == "education"
    assert db_session.scalars(select(PendingApproval)).all() == []


def test_withdrawing_the_profession_closes_the_clinical_notes_at_once(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    """The doctor is on the team as health and reads the notes; the administrator
    withdraws the profession: from that moment the doctor reads no notes, writes none,
    and the lead is told."""
    make_user(username="root", admin=True)
    doctor = make_user(
        username="doctor", organisation=make_organisation(kind="health"), profession="health"
    )
    join(app, db_session, case_id, doctor, "health")
    with app.app_context():
        casefile.add_measure(
            db_session,
            as_caller(doctor),
            case_id,
            casefile.MeasureInput(
                measure_type="psychological",
                provider_id=doctor.organisation_id,
                status="active",
                starts_on=TODAY - timedelta(days=3),
                ends_on=None,
                review_on=None,
                details="Weekly sessions.",
                clinical_notes=NOTES,
            ),
        )
    reader = new_client(app)
    login(reader, "doctor")
    assert NOTES in reader.get(f"/cases/{case_id}").text
    withdrawn = _set(_admin(app, "root"), doctor, "")
    assert withdrawn.status_code == 302
    assert _user(db_session, doctor.id).profession is None
    assert db_session.scalars(select(PendingApproval)).all() == []
    page = reader.get(f"/cases/{case_id}").text
    assert NOTES not in page
    assert "Weekly sessions." in page
    history = reader.get(f"/cases/{case_id}").text
    assert NOTES not in history
    doctor_now = _user(db_session, doctor.id)
    with app.app_context():
        readout = casefile.read_case(db_session, as_caller(doctor_now), case_id)
        assert readout.support is not None and not readout.support.is_health_member
        with pytest.raises(casefile.InvalidInput):
            casefile.add_measure(
                db_session,
                as_caller(doctor_now),
                case_id,
                casefile.MeasureInput(
                    measure_type="health",
                    provider_id=doctor.organisation_id,
                    status="planned",
                    starts_on=TODAY,
                    ends_on=None,
                    review_on=None,
                    details="",
                    clinical_notes="More notes.",
                ),
            )
    lead = db_session.scalar(select(User).where(User.username == "sofia"))
    assert lead is not None
    assert _notifications(db_session, "member_profession_changed") == [(lead.id, case_id)]
    assert db_session.scalars(
        select(UserNotice).where(
            UserNotice.user_id == doctor.id, UserNotice.kind == "profession_changed"
        )
    ).all()
