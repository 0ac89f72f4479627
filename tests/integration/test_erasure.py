"""Erasure by crypto-shredding, from the command line and from the admin screens."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework.audit.events import Actor, RequestContext
from casework.casefile.casewide.erasure import erase
from casework.crypto.aead import KeyDestroyed
from casework.models import (
    AuditEvent,
    BlindIndexEntry,
    Case,
    CaseErasure,
    Child,
    ErasureReason,
    PreviousCaseKey,
    User,
)
from tests.conftest import csrf_token, login, post_form, search
from tests.databases import as_migration
from tests.factories import make_user, open_case
from tests.keys import assert_chain_verifies

NAMES = ("Šarūnas", "Petrauskas")


@pytest.fixture
def sofia(db_session: Session) -> User:
    return make_user(username="sofia")


@pytest.fixture
def case(app: Flask, db_session: Session, sofia: User) -> Case:
    with app.app_context():
        case_id = open_case(db_session, sofia, given_name=NAMES[0], family_name=NAMES[1])
        open_case(db_session, sofia, given_name="Liis", family_name="Jõgi")
    return db_session.get_one(Case, case_id)


def _erase(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=["cases", "erase", *args], input=input)


def _assert_erased(app: Flask, db_session: Session, case: Case, by: str) -> None:
    db_session.expire_all()
    stored = db_session.get_one(Case, case.id)
    assert stored.status == "erased" and stored.wrapped_dek == b""
    child = db_session.scalars(select(Child).where(Child.case_id == case.id)).one()
    assert child.given_name_enc  # the ciphertext stays, and can never be opened
    with app.app_context(), pytest.raises(KeyDestroyed):
        _ = child.given_name
    entries = select(func.count()).where(BlindIndexEntry.case_id == case.id)
    assert db_session.scalar(entries) == 0
    others = select(func.count()).select_from(BlindIndexEntry)
    assert db_session.scalars(others).one() > 0  # others'
    erasure = db_session.get_one(CaseErasure, case.id)
    assert erasure.erased_by == by and erasure.reason == "opened_in_error"
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "case.erase")).all()
    assert [(e.case_ref, e.actor) for e in events] == [(case.reference, by)]
    assert_chain_verifies(db_session)


def test_the_command_line_erases_a_case_for_good(
    app: Flask, client: FlaskClient, db_session: Session, case: Case
) -> None:
    result = _erase(app, case.reference, "--reason", "opened_in_error", "--yes")
    assert result.exit_code == 0, result.output
    assert f"erased {case.reference}" in result.output
    _assert_erased(app, db_session, case, by="cli")
    login(client, "sofia")
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert "This case was erased" in page.text and "Erased" in page.text
    assert case.reference in page.text
    for name in NAMES:
        assert name not in page.text
    found = search(client, {"name": "sarunas petrauskas", "date_of_birth": ""})
    assert case.reference not in found.text
    assert "Jõgi" in search(client, {"name": "jogi", "date_of_birth": ""}).text
    assert case.reference in client.get("/cases/").text


def test_the_reference_must_be_typed_again_unless_told_otherwise(
    app: Flask, db_session: Session, case: Case
) -> None:
    wrong = _erase(app, case.reference, "--reason", "opened_in_error", input="CW-2026-OTHER1\n")
    assert wrong.exit_code != 0 and "nothing was erased" in wrong.output
    assert db_session.get_one(Case, case.id).wrapped_dek != b""
    right = _erase(
        app, case.reference, "--reason", "opened_in_error", input=case.reference.lower() + "\n"
    )
    assert right.exit_code == 0, right.output
    _assert_erased(app, db_session, case, by="cli")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["CW-2026-NOSUCH", "--reason", "duplicate", "--yes"], "no case has the reference"),
        (["{ref}", "--reason", "because", "--yes"], "Invalid value for '--reason'"),
        (["{ref}", "--yes"], "Missing option '--reason'"),
    ],
)
def test_bad_erasure_requests_are_refused_plainly(
    app: Flask, db_session: Session, case: Case, args: list[str], message: str
) -> None:
    result = _erase(app, *(a.format(ref=case.reference) for a in args))
    assert result.exit_code != 0
    assert message in result.output
    assert db_session.get_one(Case, case.id).status != "erased"


def test_erasing_twice_or_rotating_an_erased_case_is_refused(
    app: Flask, db_session: Session, case: Case
) -> None:
    assert _erase(app, case.reference, "--reason", "duplicate", "--yes").exit_code == 0
    again = _erase(app, case.reference, "--reason", "duplicate", "--yes")
    assert again.exit_code != 0 and "erased already" in again.output
    rotate = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--case", case.reference])
    assert rotate.exit_code != 0 and "has no key to rotate" in rotate.output
    everything = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all"])
    assert everything.exit_code == 0 and "rotated the data keys of 1 cases" in everything.output
    db_session.expire_all()
    assert db_session.get_one(Case, case.id).wrapped_dek == b""


def test_erasure_during_a_key_rotation_destroys_the_previous_key_too(
    app: Flask, db_session: Session, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.keys import dek_rotation

    monkeypatch.setattr(
        dek_rotation, "_finish", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt)
    )
    app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--case", case.reference])
    assert db_session.scalar(select(func.count()).select_from(PreviousCaseKey)) == 1
    assert _erase(app, case.reference, "--reason", "opened_in_error", "--yes").exit_code == 0
    assert db_session.scalar(select(func.count()).select_from(PreviousCaseKey)) == 0


# --- the admin screens ---------------------------------------------------------------


@pytest.fixture
def admin(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(username="anders", admin=True)
    assert login(client, "anders").status_code == 302
    return client


def _confirm_page(
    admin: FlaskClient, reference: str, reason: str = "opened_in_error"
) -> TestResponse:
    return post_form(admin, "/admin/erase/", {"reference": reference, "reason": reason})


def _confirm(
    admin: FlaskClient, page: TestResponse, reference: str, typed: str, password: str
) -> TestResponse:
    return admin.post(
        "/admin/erase/confirm",
        data={
            "reference": reference,
            "reason": "opened_in_error",
            "confirm_reference": typed,
            "password": password,
            "csrf_token": csrf_token(page.text),
        },
    )


def test_an_admin_erases_a_case_seeing_only_its_reference(
    app: Flask, admin: FlaskClient, db_session: Session, case: Case
) -> None:
    from tests.factories import PASSWORD

    start = admin.get("/admin/erase/")
    assert start.status_code == 200 and 'href="/admin/erase/"' in start.text
    page = _confirm_page(admin, case.reference.lower())
    assert page.status_code == 200
    assert case.reference in page.text and "This cannot be undone" in page.text
    assert "It was opened in error" in page.text
    done = _confirm(admin, page, case.reference, case.reference, PASSWORD)
    assert done.status_code == 302
    landing = admin.get(done.headers["Location"])
    assert f"Case {case.reference} is erased" in landing.text
    for html in (start.text, page.text, landing.text):
        for name in (*NAMES, "2013-05-17", "Liis", "Jõgi"):
            assert name not in html
    _assert_erased(app, db_session, case, by="anders")


def test_a_wrong_reference_or_password_erases_nothing(
    admin: FlaskClient, db_session: Session, case: Case
) -> None:
    page = _confirm_page(admin, case.reference)
    mistyped = _confirm(admin, page, case.reference, "CW-2026-OTHER1", "anything long enough")
    assert mistyped.status_code == 200
    assert "This is not the reference of the case to erase" in mistyped.text
    wrong_password = _confirm(admin, page, case.reference, case.reference, "not my password")
    assert wrong_password.status_code == 200
    assert "The password is not correct." in wrong_password.text
    assert db_session.get_one(Case, case.id).wrapped_dek != b""
    denied = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.denied")
    ).all()
    assert [(e.case_ref, e.outcome) for e in denied] == [(case.reference, "denied")]


def test_wrong_erasure_passwords_count_as_failed_sign_ins_and_lock(
    app: Flask, admin: FlaskClient, db_session: Session, case: Case
) -> None:
    """The password that confirms an erasure is checked as at re-authentication: each
    wrong one is a failed sign-in, five lock the account, and a locked account erases
    nothing even with the right password."""
    from tests.factories import PASSWORD

    page = _confirm_page(admin, case.reference)
    for _ in range(5):
        wrong = _confirm(admin, page, case.reference, case.reference, "not my password")
        assert "The password is not correct." in wrong.text
    failures = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.failure", AuditEvent.actor == "anders")
    ).all()
    assert len(failures) == 5
    assert db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.lockout", AuditEvent.actor == "anders")
    ).all()
    right = _confirm(admin, page, case.reference, case.reference, PASSWORD)
    assert right.status_code == 200
    assert "The password is not correct." in right.text
    db_session.expire_all()
    assert db_session.get_one(Case, case.id).status != "erased"
    assert db_session.get_one(Case, case.id).wrapped_dek != b""


@pytest.mark.parametrize(
    ("reference", "reason", "message"),
    [
        ("CW-2026-NOSUCH", "duplicate", "No case has this reference."),
        ("", "duplicate", "Enter the case reference"),
        ("CW 2026; DROP", "duplicate", "A reference has letters, digits and dashes."),
        ("{ref}", "", "Choose the reason for erasing."),
        ("{ref}", "because", "Not a valid choice"),
    ],
)
def test_bad_input_on_the_erase_page_is_explained(
    admin: FlaskClient, db_session: Session, case: Case, reference: str, reason: str, message: str
) -> None:
    page = _confirm_page(admin, reference.format(ref=case.reference), reason)
    assert page.status_code == 200
    assert message in page.text
    assert "Erase the case for good" not in page.text


def test_altered_hidden_fields_or_a_missing_csrf_token_erase_nothing(
    admin: FlaskClient, db_session: Session, case: Case
) -> None:
    page = _confirm_page(admin, case.reference)
    tampered = admin.post(
        "/admin/erase/confirm",
        data={
            "reference": case.reference,
            "reason": "because I can",
            "confirm_reference": case.reference,
            "password": "x" * 20,
            "csrf_token": csrf_token(page.text),
        },
    )
    assert tampered.status_code == 400
    no_token = admin.post("/admin/erase/confirm", data={"reference": case.reference})
    assert no_token.status_code == 400
    assert db_session.get_one(Case, case.id).wrapped_dek != b""


@pytest.mark.parametrize("role", ["social_worker", "police", "coordinator", "auditor"])
def test_only_admins_may_erase(
    client: FlaskClient, db_session: Session, case: Case, role: str
) -> None:
    make_user(username="someone", role=role)
    login(client, "someone")
    assert client.get("/admin/erase/").status_code == 403
    assert client.post("/admin/erase/confirm", data={}).status_code in (400, 403)
    assert 'href="/admin/erase/"' not in client.get("/").text
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "access.denied" in actions


def test_erasure_makes_every_encrypted_model_of_the_case_unreadable(
    app: Flask, db_session: Session, case: Case
) -> None:
    from tests.integration.test_dek_rotation import CaseNote, OtherBase

    with as_migration(db_session.connection()):
        OtherBase.metadata.create_all(db_session.connection())
    with app.app_context():
        note = CaseNote(case_id=case.id)
        db_session.add(note)
        note.body = "Previous name: Šarūnas Petraitis"
        db_session.commit()
        assert note.body.startswith("Previous name")  # read, and so held in memory
        erase(db_session, case, ErasureReason.DUPLICATE, Actor("test"), RequestContext())
        with pytest.raises(KeyDestroyed):  # not even from this session's memory
            _ = note.body
        db_session.expunge_all()
        with pytest.raises(KeyDestroyed):
            _ = db_session.get_one(CaseNote, note.id).body
