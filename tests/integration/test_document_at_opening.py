"""An identity document on the forms that open a case (open a case; record an
identification): kept as an identity document of the new case, encrypted like the others,
and looked up by both doors' duplicate checks however the number is typed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import casefile
from casework.models import (
    AuditEvent,
    Case,
    IdentityDocument,
    Notification,
    PossibleSameChild,
    User,
)
from tests.conftest import login, new_client, post_form
from tests.factories import make_user
from tests.records import IDENTIFICATION, caller_of, post

NUMBER = "AB 123-4567"
CHILD = {
    "given_name": "Iryna",
    "family_name": "Melnyk",
    "date_of_birth": "2012-03-04",
    "sex": "female",
}
PASSPORT = {"document_kind": "passport", "document_number": NUMBER, "document_country": "UA"}
# The same child, under a name the first case does not know and without a date of birth.
OTHER_NAME = {"given_name": "Natasha", "family_name": "Petrova", "date_of_birth": ""}


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = new_client(app)
    assert login(client, user.username).status_code == 302
    return client


def _case_of(response: TestResponse) -> uuid.UUID:
    assert response.status_code == 302, response.text
    return uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])


def _intake(client: FlaskClient, lead: User, **fields: str) -> TestResponse:
    form: dict[str, Any] = {**IDENTIFICATION, **CHILD, **PASSPORT, "lead": str(lead.id)}
    return post(client, "/cases/identify", {**form, **fields})


def _count(db_session: Session, model: Any) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def _documents(app: Flask, db_session: Session, case_id: uuid.UUID) -> list[tuple[Any, ...]]:
    db_session.expire_all()
    with app.app_context():
        rows = db_session.scalars(
            select(IdentityDocument).where(IdentityDocument.case_id == case_id)
        ).all()
        return [(d.kind, d.number, d.issuing_country, d.check) for d in rows]


def test_the_document_is_kept_encrypted_with_the_new_case(app: Flask, db_session: Session) -> None:
    social = make_user(username="sofia")
    case_id = _case_of(post_form(_signed_in(app, social), "/cases/new", {**CHILD, **PASSPORT}))
    assert _documents(app, db_session, case_id) == [("passport", NUMBER, "UA", "not_checked")]
    raw = db_session.scalars(
        select(IdentityDocument.number_enc).where(IdentityDocument.case_id == case_id)
    ).one()
    assert raw is not None and b"1234567" not in raw and b"AB" not in raw
    # The case page lists it among the identity documents.
    page = _signed_in(app, social).get(f"/cases/{case_id}").text
    assert NUMBER in page


@pytest.mark.parametrize("typed", ["ab1234567", "AB-123 4567", " a b 1 2 3 4 5 6 7 "])
def test_a_second_intake_with_the_same_number_is_offered_to_an_officer_on_the_team(
    app: Flask, db_session: Session, typed: str
) -> None:
    social = make_user(username="sofia")
    officer = make_user(username="peeter", role="police")
    client = _signed_in(app, officer)
    first = _case_of(_intake(client, social))
    cases = _count(db_session, Case)
    again = _intake(client, social, document_number=typed, **OTHER_NAME)
    assert again.status_code == 200
    reference = db_session.get_one(Case, first).reference
    assert "This child may have a case already" in again.text
    assert "or with the same document number" in again.text
    assert f"Add the identification to {reference}" in again.text
    assert _count(db_session, Case) == cases


def test_a_second_intake_by_an_officer_off_the_team_leaves_an_item_for_the_lead(
    app: Flask, db_session: Session
) -> None:
    social = make_user(username="sofia")
    first_officer = make_user(username="peeter", role="police")
    second_officer = make_user(username="mari", role="police")
    other_social = make_user(username="olga")
    first = _case_of(_intake(_signed_in(app, first_officer), social))
    new = _case_of(
        _intake(
            _signed_in(app, second_officer), other_social, document_number="ab-1234567",
            **OTHER_NAME,
        )
    )  # fmt: skip
    items = db_session.scalars(select(PossibleSameChild)).all()
    assert [(i.new_case_id, i.existing_case_id) for i in items] == [(new, first)]
    notes = db_session.scalars(select(Notification).where(Notification.user_id == social.id))
    assert [(n.kind, n.case_id) for n in notes if n.kind == "possible_same_child"] == [
        ("possible_same_child", first)
    ]
    # The second officer was told nothing and holds no notification of it.
    assert not db_session.scalars(
        select(Notification).where(Notification.user_id == second_officer.id)
    ).all()


def test_opening_a_case_finds_the_number_in_a_case_of_another_team(
    app: Flask, db_session: Session
) -> None:
    first = make_user(username="anna")
    second = make_user(username="berta")
    existing = _case_of(post_form(_signed_in(app, first), "/cases/new", {**CHILD, **PASSPORT}))
    new = _case_of(
        post_form(
            _signed_in(app, second),
            "/cases/new",
            {**CHILD, **OTHER_NAME, **PASSPORT, "document_number": "AB1234-567"},
        )
    )
    items = db_session.scalars(select(PossibleSameChild)).all()
    assert [(i.new_case_id, i.existing_case_id) for i in items] == [(new, existing)]


def test_another_number_is_not_a_match(app: Flask, db_session: Session) -> None:
    first = make_user(username="anna")
    second = make_user(username="berta")
    _case_of(post_form(_signed_in(app, first), "/cases/new", {**CHILD, **PASSPORT}))
    _case_of(
        post_form(
            _signed_in(app, second),
            "/cases/new",
            {**CHILD, **OTHER_NAME, **PASSPORT, "document_number": "AB 123-4568"},
        )
    )
    assert not db_session.scalars(select(PossibleSameChild)).all()


BAD = [
    ({"document_kind": ""}, "document_kind", "Choose the kind of document."),
    ({"document_kind": "spaceship"}, "document_kind", "This is not one of the answers offered"),
    ({"document_country": "XX"}, "document_country", "This is not one of the answers offered"),
    ({"document_number": "-- / --"}, "document_number", "Enter at least 2 letters or digits"),
    ({"document_number": "A" * 65}, "document_number", "Use at most 64 characters."),
    ({"document_number": "AB\x07123"}, "document_number", ""),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
@pytest.mark.parametrize("door", ["open", "intake"])
def test_bad_document_input_gets_a_clear_message_and_changes_nothing(
    app: Flask, db_session: Session, fields: dict[str, str], field: str, message: str, door: str
) -> None:
    social = make_user(username="sofia")
    officer = make_user(username="peeter", role="police")
    before = (_count(db_session, Case), _count(db_session, IdentityDocument))
    events = _count(db_session, AuditEvent)
    if door == "open":
        page = post_form(_signed_in(app, social), "/cases/new", {**CHILD, **PASSPORT, **fields})
    else:
        page = _intake(_signed_in(app, officer), social, **fields)
    assert page.status_code == 200
    assert f'id="{field}-error"' in page.text
    assert message in page.text
    assert (_count(db_session, Case), _count(db_session, IdentityDocument)) == before
    assert not db_session.scalars(
        select(AuditEvent).where(AuditEvent.seq > events, AuditEvent.action == "case.create")
    ).all()


def test_the_door_refuses_a_document_the_form_would_not_send(
    app: Flask, db_session: Session
) -> None:
    social = make_user(username="sofia")
    cases = _count(db_session, Case)
    for document, field in (
        (casefile.NewDocument(kind="spaceship", number=NUMBER), "document_kind"),
        (casefile.NewDocument(kind="passport", issuing_country="XX"), "document_country"),
        (casefile.NewDocument(kind="passport", number="--"), "document_number"),
        (casefile.NewDocument(kind="passport", number="1" * 65), "document_number"),
    ):
        child = casefile.NewChild("Iryna", "Melnyk", None, "female", documents=(document,))
        with app.app_context(), pytest.raises(casefile.InvalidInput) as refused:
            casefile.open_case(db_session, caller_of(social), child)
        assert refused.value.field == field
    assert _count(db_session, Case) == cases


def test_a_kind_without_a_number_is_kept_like_on_the_record_page(
    app: Flask, db_session: Session
) -> None:
    social = make_user(username="sofia")
    form = {**CHILD, "document_kind": "birth_certificate"}
    case_id = _case_of(post_form(_signed_in(app, social), "/cases/new", form))
    assert _documents(app, db_session, case_id) == [
        ("birth_certificate", None, None, "not_checked")
    ]
    # Without any document field, no document.
    bare = _case_of(post_form(_signed_in(app, social), "/cases/new", {**CHILD, **OTHER_NAME}))
    assert _documents(app, db_session, bare) == []
