"""Need-to-know access: team membership, field groups, break-glass, stale edits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Unpack

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework import clock
from casework.casefile.support.membership import add_member
from casework.clock import utcnow
from casework.models import AuditEvent, Case, CaseHistoryEntry, TeamMembership, User
from casework.models.breakglass import BreakGlassGrant
from tests.conftest import login, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import MemberOptions

REASON = "The child called the hotline in distress and I need the placement details now."
TODAY = clock.today()


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead")
    with app.app_context():
        return open_case(db_session, lead, given_name="Gintarė", family_name="Kazlauskaitė")


def _join(
    app: Flask, db_session: Session, case_id: uuid.UUID, user: User, **kw: Unpack[MemberOptions]
) -> None:
    from casework.audit.events import Actor

    with app.app_context():
        kw.setdefault("starts_on", TODAY - timedelta(days=1))
        add_member(db_session, Actor(username="test"), case_id, user, "ngo", **kw)


def _child(app: Flask, db_session: Session, case_id: uuid.UUID) -> dict[str, object]:
    """The child's stored identity, decrypted (decryption needs the app's keyring)."""
    db_session.expire_all()
    with app.app_context():
        child = db_session.get_one(Case, case_id).child
        return {"given_name": child.given_name, "family_name": child.family_name}


def _events(db_session: Session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_ngo_member_sees_first_name_and_age_only(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    _join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    login(client, "nora")
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert "Gintarė" in page.text
    assert "Kazlauskaitė" not in page.text
    assert "2013-05-17" not in page.text
    assert "first name and age only" in page.text
    assert "Correct the child" not in page.text


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(TODAY - timedelta(days=30), TODAY), (TODAY + timedelta(days=1), None)],
    ids=["ended", "not-yet-started"],
)
def test_membership_outside_its_dates_gives_no_access(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    case_id: uuid.UUID,
    starts: date,
    ends: date | None,
) -> None:
    _join(
        app,
        db_session,
        case_id,
        make_user(username="nora", ngo_worker=True),
        starts_on=starts,
        ends_on=ends,
    )
    login(client, "nora")
    assert client.get(f"/cases/{case_id}").status_code == 404
    listing = client.get("/cases/")
    reference = db_session.get_one(Case, case_id).reference
    assert reference not in listing.text


def test_forged_identity_change_by_a_role_without_write_is_refused_and_audited(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    _join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    login(client, "nora")
    page = client.get("/cases/")  # any page, for a valid CSRF token
    from tests.conftest import csrf_token

    response = client.post(
        f"/cases/{case_id}/identity",
        data={
            "given_name": "Forged",
            "family_name": "Name",
            "sex": "male",
            "version": "1",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 403
    assert _child(app, db_session, case_id)["given_name"] == "Gintarė"
    denied = [e for e in _events(db_session, "access.denied") if e.actor == "nora"]
    assert denied and denied[-1].field_groups == "identity"


def test_post_to_another_teams_case_is_refused(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="outsider")
    login(client, "outsider")
    response = post_form(
        client,
        f"/cases/{case_id}/identity",
        {"given_name": "X", "family_name": "Y", "sex": "male", "version": "1"},
        form_url="/cases/new",
    )
    assert response.status_code == 404
    assert _child(app, db_session, case_id)["family_name"] == "Kazlauskaitė"


def test_lead_corrects_identity_and_history_is_encrypted(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    login(client, "lead")
    response = post_form(
        client,
        f"/cases/{case_id}/identity",
        {
            "given_name": "Gintarė",
            "family_name": "Kazlauskienė",
            "date_of_birth": "2013-05-17",
            "sex": "female",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert _child(app, db_session, case_id)["family_name"] == "Kazlauskienė"
    # Opening the case kept its team in the history too; the identity change is one entry.
    [entry] = db_session.scalars(
        select(CaseHistoryEntry).where(CaseHistoryEntry.field_group == "identity")
    )
    with app.app_context():
        assert entry.previous["family_name"] == "Kazlauskaitė"
        assert entry.current["family_name"] == "Kazlauskienė"
    raw = db_session.execute(
        text("SELECT previous_enc, current_enc FROM case_history WHERE field_group = 'identity'")
    ).one()
    assert "Kazlauskaitė".encode() not in raw[0]
    assert "Kazlauskienė".encode() not in raw[1]
    assert [e.field_groups for e in _events(db_session, "case.update")] == ["identity"]


def test_stale_edit_is_refused_and_nothing_is_overwritten(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    login(client, "lead")
    form = {"given_name": "Gintarė", "date_of_birth": "2013-05-17", "sex": "female", "version": "1"}
    first = post_form(client, f"/cases/{case_id}/identity", {**form, "family_name": "First"})
    assert first.status_code == 302
    second = post_form(client, f"/cases/{case_id}/identity", {**form, "family_name": "Second"})
    assert second.status_code == 200
    assert "Someone else changed this record" in second.text
    assert 'value="First"' in second.text
    assert _child(app, db_session, case_id)["family_name"] == "First"


def test_break_glass_gives_read_only_time_limited_access(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="peeter", police=True)
    login(client, "peeter")
    reference = db_session.get_one(Case, case_id).reference
    assert client.get(f"/cases/{case_id}").status_code == 404
    response = post_form(
        client, "/cases/emergency-access", {"reference": reference.lower(), "reason": REASON}
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert "Emergency access" in page.text and "Read-only until" in page.text
    assert "Kazlauskaitė" in page.text  # police may read identity
    assert "Correct the child" not in page.text
    edit = post_form(
        client,
        f"/cases/{case_id}/identity",
        {"given_name": "X", "family_name": "Y", "sex": "male", "version": "1"},
        form_url="/cases/emergency-access",
    )
    assert edit.status_code == 403
    [opened] = [e for e in _events(db_session, "breakglass.open") if e.outcome == "allowed"]
    assert opened.case_ref == reference and opened.actor == "peeter"
    assert REASON not in str(vars(opened))
    grant = db_session.scalars(select(BreakGlassGrant)).one()
    assert grant.expires_at - grant.opened_at == timedelta(hours=8)
    grant.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert client.get(f"/cases/{case_id}").status_code == 404


def test_case_lead_sees_emergency_accesses_with_reasons(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="peeter", police=True, display_name="Peeter Tamm")
    login(client, "peeter")
    reference = db_session.get_one(Case, case_id).reference
    post_form(client, "/cases/emergency-access", {"reference": reference, "reason": REASON})
    client = app.test_client()
    login(client, "lead")
    page = client.get(f"/cases/{case_id}")
    assert "Peeter Tamm" in page.text and REASON in page.text
    raw = db_session.execute(text("SELECT reason_enc FROM break_glass_grant")).scalar_one()
    assert REASON.encode() not in raw


@pytest.mark.parametrize(
    ("reference", "reason", "message"),
    [
        ("", REASON, "Enter the case reference"),
        ("CW-2026-NOSUCH", REASON, "no case with this reference"),
        ("not a reference", REASON, "does not look like a case reference"),
        ("CW-2026-ABCDEF", "", "State the emergency"),
        ("CW-2026-ABCDEF", "because", "Write a sentence"),
        ("CW-2026-ABCDEF", "x" * 1001, "Write a sentence"),
    ],
)
def test_break_glass_bad_input(
    client: FlaskClient, db_session: Session, reference: str, reason: str, message: str
) -> None:
    make_user(username="peeter", police=True)
    login(client, "peeter")
    response = post_form(
        client, "/cases/emergency-access", {"reference": reference, "reason": reason}
    )
    assert response.status_code == 200
    assert message in response.text
    assert db_session.scalars(select(BreakGlassGrant)).first() is None


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_and_admins_cannot_break_glass(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID, role: str
) -> None:
    make_user(username="someone", role=role)
    login(client, "someone")
    assert client.get("/cases/emergency-access").status_code == 403
    assert client.get(f"/cases/{case_id}").status_code == 404


def test_coordinator_overview_lists_region_cases_without_names(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    lead = db_session.scalar(select(User).where(User.username == "lead"))
    assert lead is not None
    make_user(
        username="karlis",
        coordinator=True,
        organisation=make_organisation(region=lead.organisation.region),
    )
    far = make_user(username="far", organisation=make_organisation(region="Elsewhere"))
    with app.app_context():
        far_case = open_case(db_session, far, given_name="Mart", family_name="Tamm")
    login(client, "karlis")
    page = client.get("/cases/overview")
    assert page.status_code == 200
    assert db_session.get_one(Case, case_id).reference in page.text
    assert db_session.get_one(Case, far_case).reference not in page.text
    assert "Social services" in page.text
    for name in ("Gintarė", "Kazlauskaitė", "Mart", "Tamm"):
        assert name not in page.text
    assert client.get(f"/cases/{case_id}").status_code == 404


def test_only_coordinators_see_the_overview(client: FlaskClient, db_session: Session) -> None:
    make_user(username="sofia")
    login(client, "sofia")
    assert client.get("/cases/overview").status_code == 403


def test_demo_gives_each_user_cases_on_and_off_their_teams(app: Flask, db_session: Session) -> None:
    from casework.demo import seed

    with app.app_context():
        seed(db_session)
    total = len(db_session.scalars(select(Case.id)).all())
    for username in ("socialworker", "police", "prosecutor", "ngo", "coordinator"):
        user = db_session.scalar(select(User).where(User.username == username))
        assert user is not None
        on = {
            m.case_id
            for m in db_session.scalars(
                select(TeamMembership).where(TeamMembership.user_id == user.id)
            )
            if m.is_active_on(TODAY)
        }
        assert 0 < len(on) < total, username
    assert db_session.scalars(select(BreakGlassGrant)).first() is not None


def test_auditors_see_break_glass_accesses_with_their_reasons(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    from tests.conftest import new_client

    make_user(username="peeter", police=True)
    login(client, "peeter")
    reference = db_session.get_one(Case, case_id).reference
    post_form(client, "/cases/emergency-access", {"reference": reference, "reason": REASON})
    make_user(username="aino", auditor=True)
    auditor = new_client(app)
    login(auditor, "aino")
    page = auditor.get("/audit/break-glass")
    assert page.status_code == 200
    assert reference in page.text and REASON in page.text
    assert "Kazlauskaitė" not in page.text and "Gintarė" not in page.text
