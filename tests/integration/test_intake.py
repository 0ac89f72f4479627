"""Police record an identification that opens a case and hand it to a social worker."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.models import (
    AuditEvent,
    Case,
    CaseFlag,
    IdentificationEvent,
    InvestigationDetail,
    Notification,
    TeamMembership,
    User,
)
from tests.conftest import login
from tests.factories import make_user
from tests.records import IDENTIFICATION, TODAY, fresh_case, post, user_named

CHILD = {"given_name": "Daryna", "family_name": "Shevchenko", "sex": "female"}
INVESTIGATION = {
    "reference": "HARJU-2026-0417",
    "suspects": "A man of about 30 known as 'Sasha'.",
    "evidence_notes": "Phone seized; chats in Russian.",
}


@pytest.fixture
def police(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(username="sofia", display_name="Sofia Social")
    make_user(username="peeter", police=True)
    assert login(client, "peeter").status_code == 302
    return client


def _form(db_session: Session, **overrides: object) -> dict[str, object]:
    lead = user_named(db_session, "sofia")
    return {**CHILD, **IDENTIFICATION, **INVESTIGATION, "lead": str(lead.id), **overrides}


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def test_police_open_a_case_handed_to_social_services(
    app: Flask, police: FlaskClient, db_session: Session
) -> None:
    page = police.get("/cases/identify")
    assert page.status_code == 200
    assert "Sofia Social" in page.text
    response = post(police, "/cases/identify", _form(db_session))
    assert response.status_code == 302
    case_id = uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])
    case = fresh_case(app, db_session, case_id)
    assert case.status == "identified"
    teams = {
        (m.user.username, m.role_in_team, m.actor_type)
        for m in db_session.scalars(select(TeamMembership).where(TeamMembership.case_id == case_id))
    }
    assert teams == {("sofia", "lead", "social_services"), ("peeter", "member", "police")}
    with app.app_context():
        event = db_session.scalars(select(IdentificationEvent)).one()
        assert event.exploitation_types == ["forced_criminality", "sexual"]
        assert event.ict_facilitated is True
        assert db_session.scalars(select(InvestigationDetail)).one().reference == "HARJU-2026-0417"
    created = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "case.create")).one()
    assert created.field_groups == "identification,identity,investigation"
    shown = police.get(f"/cases/{case_id}")
    assert "HARJU-2026-0417" in shown.text and "Take on this case" not in shown.text
    # The social worker is told at once that the case was handed to her; the officer is not.
    told = db_session.execute(
        select(Notification.kind, User.username)
        .join(User, User.id == Notification.user_id)
        .where(Notification.case_id == case_id)
    ).all()
    assert [tuple(row) for row in told] == [("case_handed", "sofia")]


def test_social_worker_takes_the_case_on(
    app: Flask, police: FlaskClient, db_session: Session
) -> None:
    response = post(police, "/cases/identify", _form(db_session))
    case_id = response.headers["Location"].rsplit("/", 1)[-1]
    social = app.test_client()
    login(social, "sofia")
    page = social.get(f"/cases/{case_id}")
    assert "Take on this case" in page.text
    assert "HARJU-2026-0417" not in page.text  # investigation: police and prosecutors only
    assert "online streaming" in page.text  # identification: social workers read it
    version = fresh_case(app, db_session, uuid.UUID(case_id)).version
    taken = post(social, f"/cases/{case_id}/take-on", {"version": str(version)})
    assert taken.status_code == 302
    assert fresh_case(app, db_session, uuid.UUID(case_id)).status == "open"


def test_arrested_child_raises_a_non_punishment_flag(
    app: Flask, police: FlaskClient, db_session: Session
) -> None:
    response = post(police, "/cases/identify", _form(db_session, context="arrested_or_suspected"))
    assert response.status_code == 302
    with app.app_context():
        flag = db_session.scalars(select(CaseFlag)).one()
        assert flag.kind == "non_punishment" and flag.automatic and flag.is_open
    page = police.get(response.headers["Location"])
    assert "Non-punishment" in page.text
    assert "must not be prosecuted or punished" in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("identified_on", (TODAY + timedelta(days=1)).isoformat(), "in the future"),
        ("identified_on", "", "Enter the date the child was identified"),
        ("jurisdiction", "XX", "not one of the answers offered"),
        ("context", "interrogation", "not one of the answers offered"),
        ("indicators", "bogus", "not one of the answers offered"),
        ("exploitation_types", "fishing", "not one of the answers offered"),
        ("narrative", "x" * 5001, "at most 5000 characters"),
        ("narrative", "Bidi \u202e trick", "letters, digits and punctuation only"),
        ("suspects", "y" * 2001, "at most 2000 characters"),
        ("lead", str(uuid.uuid4()), "Choose a social worker from the list"),
        ("given_name", "", "Enter the child"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_stored(
    police: FlaskClient, db_session: Session, field: str, value: str, message: str
) -> None:
    response = post(police, "/cases/identify", _form(db_session, **{field: value}))
    assert response.status_code == 200
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert _count(db_session, Case) == 0
    assert _count(db_session, IdentificationEvent) == 0


def test_the_lead_must_be_one_who_can_lead(police: FlaskClient, db_session: Session) -> None:
    ngo = make_user(username="nora", ngo_worker=True, display_name="Nora NGO")
    assert "Nora NGO" not in police.get("/cases/identify").text
    response = post(police, "/cases/identify", _form(db_session, lead=str(ngo.id)))
    assert response.status_code == 200
    assert _count(db_session, Case) == 0


@pytest.mark.parametrize("role", ["social_worker", "prosecutor", "ngo_worker", "coordinator"])
def test_only_police_record_an_identification_that_opens_a_case(
    client: FlaskClient, db_session: Session, role: str
) -> None:
    make_user(username="someone", role=role)
    login(client, "someone")
    assert client.get("/cases/identify").status_code == 403
    assert "Record an identification" not in client.get("/cases/", follow_redirects=True).text
    assert post(client, "/cases/identify", {**CHILD, **IDENTIFICATION}).status_code == 403
    assert _count(db_session, Case) == 0
