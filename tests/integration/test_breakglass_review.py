"""Break-glass in the auditor's hands: refused attempts listed as refused with the
reason typed, a second use during a grant with its own reason, and a review of every
use (justified or not, with a note; audited; never of one's own use)."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework.models import AuditEvent, BreakGlassGrant, BreakGlassVerdict, Case, User
from tests.conftest import login, new_client, post_form
from tests.digest import database_digest
from tests.factories import make_user, open_case

FIRST = "The child phoned from the station and asked for her worker."
SECOND = "A second call: the child says she is being moved tonight."
REFUSED = "Looking for Anna Berzina, seen at the harbour, case number unknown."


@pytest.fixture
def case_ref(app: Flask, db_session: Session) -> str:
    lead = make_user(username="sofia")
    with app.app_context():
        case_id = open_case(db_session, lead)
    return db_session.get_one(Case, case_id).reference


def _break_glass(client: FlaskClient, reference: str, reason: str) -> int:
    response = post_form(
        client, "/cases/emergency-access", {"reference": reference, "reason": reason}
    )
    return response.status_code


@pytest.fixture
def police(app: Flask, db_session: Session) -> FlaskClient:
    make_user(username="peeter", police=True, display_name="Peeter Tamm")
    client = new_client(app)
    login(client, "peeter")
    return client


@pytest.fixture
def auditor(app: Flask, db_session: Session) -> FlaskClient:
    make_user(username="aino", auditor=True)
    client = new_client(app)
    login(client, "aino")
    return client


def test_a_refused_attempt_is_listed_as_refused_with_the_reason_typed(
    db_session: Session, police: FlaskClient, auditor: FlaskClient
) -> None:
    assert _break_glass(police, "CW-2026-NOSUCH", REFUSED) == 200
    page = auditor.get("/audit/break-glass").text
    assert "Refused: no such case" in page and REFUSED in page
    raw = db_session.execute(text("SELECT attempt_enc FROM break_glass_refusal")).scalar_one()
    assert b"Berzina" not in bytes(raw)
    assert "Berzina" not in repr(db_session.execute(text("SELECT * FROM audit_event")).all())


def test_a_second_use_during_a_grant_keeps_its_own_reason(
    app: Flask, db_session: Session, police: FlaskClient, auditor: FlaskClient, case_ref: str
) -> None:
    assert _break_glass(police, case_ref, FIRST) == 302
    assert _break_glass(police, case_ref, SECOND) == 302
    with app.app_context():
        reasons = {g.reason for g in db_session.scalars(select(BreakGlassGrant))}
    assert reasons == {FIRST, SECOND}
    page = auditor.get("/audit/break-glass").text
    assert FIRST in page and SECOND in page
    lead = new_client(app)
    login(lead, "sofia")
    case_page = lead.get(f"/cases/{db_session.scalars(select(Case.id)).one()}").text
    assert FIRST in case_page and SECOND in case_page


def test_every_use_waits_for_a_review_and_the_review_is_audited(
    app: Flask, db_session: Session, police: FlaskClient, auditor: FlaskClient, case_ref: str
) -> None:
    assert _break_glass(police, case_ref, FIRST) == 302
    grant = db_session.scalars(select(BreakGlassGrant)).one()
    queue = auditor.get("/audit/break-glass/queue").text
    assert case_ref in queue and FIRST in queue
    url = f"/audit/break-glass/{grant.id}"
    before = database_digest(db_session)
    missing = post_form(auditor, url, {"justified": "yes", "note": ""})
    assert "Write what you checked and found." in missing.text
    assert database_digest(db_session) == before
    done = post_form(auditor, url, {"justified": "no", "note": "No emergency: a routine call."})
    assert done.status_code == 302
    verdict = db_session.scalars(select(BreakGlassVerdict)).one()
    assert verdict.justified is False
    with app.app_context():
        assert verdict.note == "No emergency: a routine call."
    [event] = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "breakglass.review")
    ).all()
    assert event.case_ref == case_ref and event.actor == "aino" and event.outcome == "allowed"
    assert (
        "No break-glass use is waiting for a review."
        in auditor.get("/audit/break-glass/queue").text
    )
    assert "Not justified" in auditor.get("/audit/break-glass").text
    again = post_form(auditor, url, {"justified": "yes", "note": "Changed my mind."})
    assert again.status_code == 200
    assert len(db_session.scalars(select(BreakGlassVerdict)).all()) == 1


def test_nobody_reviews_their_own_use(
    app: Flask, db_session: Session, police: FlaskClient, case_ref: str
) -> None:
    assert _break_glass(police, case_ref, FIRST) == 302
    grant = db_session.scalars(select(BreakGlassGrant)).one()
    # The officer has since become an auditor.
    officer = db_session.scalars(select(User).where(User.username == "peeter")).one()
    officer.role = "auditor"
    db_session.commit()
    former = new_client(app)
    login(former, "peeter")
    assert "Your own use" in former.get("/audit/break-glass/queue").text
    before = database_digest(db_session)
    response = post_form(
        former,
        f"/audit/break-glass/{grant.id}",
        {"justified": "yes", "note": "All fine."},
        form_url="/audit/break-glass/queue",
    )
    assert response.status_code == 403
    assert database_digest(db_session) == before
    denied = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.actor == "peeter")
    ).all()
    assert denied


def test_only_auditors_review(
    app: Flask, db_session: Session, police: FlaskClient, case_ref: str
) -> None:
    assert _break_glass(police, case_ref, FIRST) == 302
    grant = db_session.scalars(select(BreakGlassGrant)).one()
    lead = new_client(app)
    login(lead, "sofia")
    assert lead.get("/audit/break-glass/queue").status_code == 403
    assert lead.get(f"/audit/break-glass/{grant.id}").status_code == 403
    assert lead.get(f"/audit/break-glass/{uuid.uuid4()}").status_code == 403


def test_a_use_stays_reviewable_after_its_case_is_erased(
    app: Flask,
    db_session: Session,
    police: FlaskClient,
    auditor: FlaskClient,
    case_ref: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Erasing the case keeps every use in the queue with who, when, the reference and
    the reason (sealed under the KEK); the desk's count and the queue agree; the review
    page opens and a review is recorded; a review made before the erasure keeps its note;
    nothing is logged as an error, since an erased case is expected."""
    from casework.audit.events import Actor, RequestContext
    from casework.casefile.casewide.erasure import erase
    from casework.models import ErasureReason

    make_user(username="aivar", auditor=True)
    assert _break_glass(police, case_ref, FIRST) == 302
    assert _break_glass(police, case_ref, SECOND) == 302
    first, second = db_session.scalars(
        select(BreakGlassGrant).order_by(BreakGlassGrant.opened_at)
    ).all()
    other = new_client(app)
    login(other, "aivar")
    early = "Checked with the duty officer: a real emergency."
    assert (
        post_form(other, f"/audit/break-glass/{first.id}", {"justified": "yes", "note": early})
    ).status_code == 302
    case = db_session.scalars(select(Case)).one()
    with app.app_context():
        erase(db_session, case, ErasureReason("duplicate"), Actor("admin"), RequestContext())
    caplog.clear()
    caplog.set_level("ERROR")

    desk = auditor.get("/").text
    assert "1 emergency access not yet reviewed." in desk
    queue = auditor.get("/audit/break-glass/queue").text
    assert queue.count(f"/audit/break-glass/{second.id}") == 1
    assert case_ref in queue and SECOND in queue and "Erased" in queue and "Peeter Tamm" in queue
    page = auditor.get(f"/audit/break-glass/{second.id}")
    assert page.status_code == 200 and SECOND in page.text and case_ref in page.text
    listed = auditor.get("/audit/break-glass").text
    assert FIRST in listed and SECOND in listed
    note = "The case was erased as a duplicate; the call log confirms the emergency."
    done = post_form(auditor, f"/audit/break-glass/{second.id}", {"justified": "yes", "note": note})
    assert done.status_code == 302
    assert "1 emergency access" not in auditor.get("/").text
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []

    db_session.expire_all()
    with app.app_context():
        verdicts = {v.grant_id: v for v in db_session.scalars(select(BreakGlassVerdict))}
        assert verdicts[first.id].readable_note() == early
        assert verdicts[second.id].readable_note() == note
        assert verdicts[second.id].note_enc is None
    [event] = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "breakglass.review", AuditEvent.actor == "aino"
        )
    ).all()
    assert event.case_ref == case_ref
    # Sealed, never in clear text.
    for raw in db_session.execute(text("SELECT reason_sealed FROM break_glass_grant")).scalars():
        assert raw is not None and b"station" not in bytes(raw) and b"moved" not in bytes(raw)
    for raw in db_session.execute(text("SELECT note_sealed FROM break_glass_verdict")).scalars():
        assert raw is not None and b"duplicate" not in bytes(raw)
