from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casework import clock
from casework.models import AuditEvent, Case, Child
from tests.conftest import login, post_form, without_csrf_token
from tests.factories import make_user, open_case

VALID = {
    "given_name": "Šarūnas",
    "family_name": "Petrauskas",
    "date_of_birth": "2012-03-04",
    "sex": "male",
}


def _cases(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Case)) or 0


def _actions(db_session: Session) -> list[tuple[str, str]]:
    rows = db_session.execute(
        select(AuditEvent.action, AuditEvent.outcome).order_by(AuditEvent.seq)
    )
    return [(a, o) for a, o in rows]


@pytest.fixture
def social_worker(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(username="sofia")
    assert login(client, "sofia").status_code == 302
    return client


def test_social_worker_opens_a_case_and_finds_it_under_my_cases(
    social_worker: FlaskClient, db_session: Session
) -> None:
    response = post_form(social_worker, "/cases/new", VALID)
    assert response.status_code == 302
    location = response.headers["Location"]
    case_id = uuid.UUID(location.rsplit("/", 1)[-1])
    page = social_worker.get(location)
    assert page.status_code == 200
    assert "Šarūnas" in page.text and "Petrauskas" in page.text
    case = db_session.get(Case, case_id)
    assert case is not None
    assert case.reference in page.text
    assert case.reference.startswith(f"CW-{clock.today().year}-")
    listing = social_worker.get("/cases/")
    assert case.reference in listing.text
    assert "Šarūnas" not in listing.text  # lists show references, never names
    assert "Petrauskas" not in location


def test_opening_and_reading_are_audited_without_child_data(
    social_worker: FlaskClient, db_session: Session
) -> None:
    response = post_form(social_worker, "/cases/new", VALID)
    social_worker.get(response.headers["Location"])
    events = list(db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    create = next(e for e in events if e.action == "case.create")
    read = next(e for e in events if e.action == "case.read")
    assert create.case_ref == read.case_ref
    assert create.field_groups == "identity"
    assert "identity" in read.field_groups.split(",")
    for event in events:
        for value in vars(event).values():
            assert "Petrauskas" not in str(value) and "Šarūnas" not in str(value)


def test_audit_events_form_an_unbroken_chain(
    social_worker: FlaskClient, db_session: Session
) -> None:
    from casework.audit.chain import GENESIS_HASH, event_hash

    post_form(social_worker, "/cases/new", VALID)
    social_worker.get("/cases/")
    events = list(db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert len(events) >= 3
    previous = GENESIS_HASH if events[0].seq == 1 else events[0].prev_hash
    for expected_seq, event in enumerate(events, start=events[0].seq):
        assert event.seq == expected_seq
        assert event.prev_hash == previous
        assert event.hash == event_hash(event)
        previous = event.hash


def test_child_identity_is_not_stored_in_clear_text(
    social_worker: FlaskClient, db_session: Session
) -> None:
    post_form(social_worker, "/cases/new", VALID)
    row = db_session.execute(text("SELECT * FROM child")).mappings().one()
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
    for value in ("Šarūnas", "Petrauskas", "2012-03-04", "male"):
        assert value.encode() not in stored


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_name", "", "Enter the child"),
        ("family_name", "   ", "Enter the child"),
        ("given_name", "A" * 10_000, "at most 100 characters"),
        ("family_name", "Jõgi\x00", "letters, digits and punctuation only"),
        ("given_name", "Liis\u202e", "letters, digits and punctuation only"),
        ("date_of_birth", (clock.today() + timedelta(days=1)).isoformat(), "in the future"),
        ("date_of_birth", "1950-01-01", "years ago"),
        ("date_of_birth", "31/02/2014", "Not a valid date"),
        ("sex", "", "Choose one"),
        ("sex", "robot", "not one of the answers offered"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_stored(
    social_worker: FlaskClient, db_session: Session, field: str, value: str, message: str
) -> None:
    before = _cases(db_session)
    response = post_form(social_worker, "/cases/new", {**VALID, field: value})
    assert response.status_code == 200
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert f'aria-describedby="{field}-error"' in response.text or (
        f'aria-describedby="{field}-hint {field}-error"' in response.text
    )
    assert _cases(db_session) == before


def test_unknown_date_of_birth_is_allowed(social_worker: FlaskClient, db_session: Session) -> None:
    response = post_form(social_worker, "/cases/new", {**VALID, "date_of_birth": ""})
    assert response.status_code == 302
    page = social_worker.get(response.headers["Location"])
    assert "Not known" in page.text


def test_post_without_csrf_changes_nothing(social_worker: FlaskClient, db_session: Session) -> None:
    before = _cases(db_session)
    response = social_worker.post("/cases/new", data=VALID)
    assert response.status_code == 400
    assert _cases(db_session) == before


def test_unknown_case_is_404(social_worker: FlaskClient, db_session: Session) -> None:
    response = social_worker.get(f"/cases/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "Not found" in response.text
    assert social_worker.get("/cases/CW-2026-0001").status_code == 404
    assert ("access.denied", "denied") in _actions(db_session)


def test_a_case_of_another_team_looks_exactly_like_a_missing_one(
    app: Flask, social_worker: FlaskClient, db_session: Session
) -> None:
    other = make_user(username="other")
    with app.app_context():
        case_id = open_case(db_session, other)
    theirs = social_worker.get(f"/cases/{case_id}")
    missing = social_worker.get(f"/cases/{uuid.uuid4()}")
    assert theirs.status_code == missing.status_code == 404
    assert without_csrf_token(theirs.text).replace(str(case_id), "") == without_csrf_token(
        missing.text
    ).replace(missing.request.path.rsplit("/", 1)[-1], "")
    assert "Jõgi" not in theirs.text
    assert db_session.scalar(select(func.count()).select_from(Child)) == 1


@pytest.mark.parametrize("role", ["ngo_worker", "prosecutor", "coordinator", "auditor", "admin"])
def test_roles_without_case_create_cannot_open_cases(
    client: FlaskClient, db_session: Session, role: str
) -> None:
    make_user(username="someone", role=role)
    login(client, "someone")
    assert client.get("/cases/new").status_code == 403
    before = _cases(db_session)
    response = client.post("/cases/new", data=VALID)
    assert response.status_code in (400, 403)
    assert _cases(db_session) == before


def test_my_cases_has_a_helpful_empty_state(
    social_worker: FlaskClient, db_session: Session
) -> None:
    page = social_worker.get("/cases/")
    assert "not on the support team of any case yet" in page.text
    assert 'href="/cases/new"' in page.text


def test_police_opening_a_case_becomes_its_lead(client: FlaskClient, db_session: Session) -> None:
    make_user(username="peeter", police=True)
    login(client, "peeter")
    response = post_form(client, "/cases/new", VALID)
    page = client.get(response.headers["Location"])
    assert "Team lead" in page.text


def test_roles_without_case_read_get_a_home_page(client: FlaskClient, db_session: Session) -> None:
    make_user(username="aino", auditor=True)
    login(client, "aino")
    home = client.get("/")
    assert home.status_code == 200
    assert "does not give access to case content" in home.text
    assert client.get("/cases/").status_code == 403
