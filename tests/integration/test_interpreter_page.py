"""An interpreter sees the child's first name and languages, nothing else of the case:
not the referrals (with their free-text reasons), not the linked cases, not the
history, and no section that says nothing has changed when things have."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.audit.events import Actor
from casework.casefile.samechild.duplicates import link_cases
from casework.casefile.support.membership import add_member
from casework.casefile.work import finishing
from casework.models import AuditEvent, Case
from tests.conftest import login, new_client
from tests.factories import make_organisation, make_user, open_case
from tests.records import caller_of

DECLINED = "Full until March, the waiting list is closed."
REASON = "Needs a safe place to talk and help to go back to school."


def _client(app: Flask, username: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, username).status_code == 302
    return client


def test_an_interpreter_sees_no_referrals_links_or_history(app: Flask, db_session: Session) -> None:
    anna = make_user(username="anna")
    ivo = make_user(username="ivo", role="interpreter")
    nora = make_user(username="nora", role="ngo_worker")
    ngo = make_organisation(ngo=True, name="Harbour NGO")
    coordinator = make_user(username="kārlis", coordinator=True, organisation=ngo)
    day = clock.today()
    with app.app_context():
        case_id: uuid.UUID = open_case(db_session, anna, given_name="Olena")
        other: uuid.UUID = open_case(db_session, anna, given_name="Olena")
        lead = Actor("anna", "social_worker")
        add_member(db_session, lead, case_id, ivo, "interpreter", starts_on=day)
        add_member(db_session, lead, case_id, nora, "ngo", starts_on=day)
        referral = casefile.refer(
            db_session,
            caller_of(anna),
            case_id,
            casefile.NewReferral(ngo.id, REASON, "child"),
        )
        casefile.decline_referral(db_session, caller_of(coordinator), referral, DECLINED)
        with finishing(db_session):
            link_cases(db_session, caller_of(anna), case_id, other)
    reference = db_session.get_one(Case, other).reference

    interpreter = _client(app, "ivo")
    page = interpreter.get(f"/cases/{case_id}").text
    assert "Olena" in page
    for hidden in (
        "Referrals",
        DECLINED,
        REASON,
        "Harbour NGO",
        "Cases linked to this one",
        f"/cases/{case_id}/links",
        'id="history-title"',
        "Nothing has changed since the case was opened.",
    ):
        assert hidden not in page, hidden
    denied = len(
        db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    )
    links = interpreter.get(f"/cases/{case_id}/links")
    assert links.status_code == 403 and reference not in links.text
    assert (
        len(
            db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
        )
        == denied + 1
    )

    # The NGO worker (support plan, identification summary, history) sees all three.
    worker = _client(app, "nora")
    page = worker.get(f"/cases/{case_id}").text
    assert "Referrals" in page and DECLINED in page
    assert f"/cases/{case_id}/links" in page and 'id="history-title"' in page
    assert reference in worker.get(f"/cases/{case_id}/links").text
