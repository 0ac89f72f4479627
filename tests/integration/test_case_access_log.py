"""The case lead sees who accessed their case; nobody else finds the page."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import today
from casework.models import AuditEvent, Case, TeamMembership, User
from tests.conftest import csrf_token, login, new_client
from tests.factories import add_member, make_organisation, make_user, open_case


def _last(session: Session) -> tuple[str, str, str, str]:
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None
    return event.action, event.actor, event.case_ref, event.outcome


@pytest.fixture
def case(app: Flask, db_session: Session) -> Case:
    lead = make_user(username="sofia")
    with app.app_context():
        case_id = open_case(db_session, lead)
    found = db_session.get(Case, case_id)
    assert found is not None
    member = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    add_member(db_session, found.id, member)
    return found


def test_the_lead_sees_who_read_the_case(
    client: FlaskClient, db_session: Session, case: Case
) -> None:
    login(client, "nora")
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert "Who has accessed this case" not in client.get(f"/cases/{case.id}").text
    client.post("/logout", data={"csrf_token": _token(client)})
    login(client, "sofia")
    show = client.get(f"/cases/{case.id}")
    assert f'href="/cases/{case.id}/access-log"' in show.text
    page = client.get(f"/cases/{case.id}/access-log")
    assert page.status_code == 200
    assert case.reference in page.text
    rows = page.text[page.text.index("<tbody>") :]
    assert "nora" in rows and "Case read" in rows and "Case opened" in rows
    assert "Request" not in page.text and "127.0.0.1" not in rows  # no addresses for leads
    assert _last(db_session) == ("audit.read", "sofia", case.reference, "allowed")


def _token(client: FlaskClient) -> str:
    return csrf_token(client.get("/cases/").text)


@pytest.mark.parametrize("who", ["nora", "stranger", "aino"])
def test_anyone_but_the_lead_finds_no_such_page(
    client: FlaskClient, db_session: Session, case: Case, who: str
) -> None:
    make_user(username="stranger")
    make_user(username="aino", auditor=True)
    login(client, who)
    response = client.get(f"/cases/{case.id}/access-log")
    assert response.status_code == 404
    assert case.reference not in response.text
    assert _last(db_session) == ("access.denied", who, case.reference, "denied")


def test_an_unknown_case_looks_the_same(
    client: FlaskClient, db_session: Session, case: Case
) -> None:
    login(client, "sofia")
    response = client.get(f"/cases/{uuid.uuid4()}/access-log")
    assert response.status_code == 404
    assert _last(db_session) == ("access.denied", "sofia", "", "denied")


def test_a_lead_whose_membership_ended_is_refused(
    client: FlaskClient, db_session: Session, case: Case
) -> None:
    lead = db_session.scalars(select(User).where(User.username == "sofia")).one()
    membership = db_session.scalars(
        select(TeamMembership).where(TeamMembership.user_id == lead.id)
    ).one()
    membership.ends_on = today()
    db_session.commit()
    login(client, "sofia")
    assert client.get(f"/cases/{case.id}/access-log").status_code == 404


def test_an_auditors_review_of_the_case_is_not_shown_to_the_lead(
    app: Flask, client: FlaskClient, db_session: Session, case: Case
) -> None:
    """An insider under investigation must not be tipped off; the log keeps it all."""
    make_user(username="aila", auditor=True)
    auditor = new_client(app)
    login(auditor, "aila")
    assert auditor.get(f"/audit/?case_ref={case.reference}").status_code == 200
    assert auditor.get(f"/audit/events.csv?case_ref={case.reference}").status_code == 200
    reviews = db_session.scalars(
        select(AuditEvent).where(AuditEvent.actor == "aila", AuditEvent.case_ref == case.reference)
    ).all()
    assert {e.action for e in reviews} == {"audit.read", "export"}
    login(client, "sofia")
    page = client.get(f"/cases/{case.id}/access-log")
    assert page.status_code == 200
    rows = page.text[page.text.index("<tbody>") :]
    assert "aila" not in rows and "Audit log reviewed" not in rows and "Export" not in rows
    assert "sofia" in rows  # the lead's own accesses still show
    review = auditor.get(f"/audit/?case_ref={case.reference}&user=aila").text
    assert "Audit log reviewed" in review
