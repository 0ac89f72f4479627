"""Account and session security: one test per rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from casework import create_app
from casework.auth.passwords import common_passwords, hash_password
from casework.clock import utcnow
from casework.db import database
from casework.models import AuditEvent, RecoveryCode, User, UserSession
from tests.conftest import (
    app_config,
    csrf_token,
    login,
    new_client,
    post_form,
    totp_code,
    without_csrf_token,
)
from tests.factories import PASSWORD, TOTP_SECRET, make_user

LOCKED = "Too many failed attempts"


def _actions(db_session: Session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _password_step(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )


def _code_step(client: FlaskClient, code: str) -> TestResponse:
    page = client.get("/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(page.text)})


# --- second factor -------------------------------------------------------------------


def test_password_alone_does_not_sign_in(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    response = _password_step(client, "liga")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/cases/").status_code == 302
    assert _actions(db_session, "login.success") == []


def test_totp_code_signs_in(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    _password_step(client, "liga")
    response = _code_step(client, pyotp.TOTP(TOTP_SECRET).now())
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200
    assert [e.actor for e in _actions(db_session, "login.success")] == ["liga"]


def test_replayed_totp_code_is_refused(app: Flask, db_session: Session) -> None:
    make_user(username="liga")
    code = pyotp.TOTP(TOTP_SECRET).now()
    first = new_client(app)
    _password_step(first, "liga")
    assert _code_step(first, code).status_code == 302
    second = new_client(app)
    _password_step(second, "liga")
    replay = _code_step(second, code)
    assert replay.status_code == 200
    assert "has been used already" in replay.text
    assert second.get("/cases/").status_code == 302


@pytest.mark.parametrize("code", ["", "abc", "12345", "1234567", "12 34 5x", "9" * 20, "\x00" * 6])
def test_malformed_codes_are_answered_plainly(
    client: FlaskClient, db_session: Session, code: str
) -> None:
    make_user(username="liga")
    _password_step(client, "liga")
    response = _code_step(client, code)
    assert response.status_code == 200
    assert "code" in response.text.lower()
    assert client.get("/cases/").status_code == 302


def test_recovery_code_works_once(app: Flask, db_session: Session) -> None:
    from casework.auth import mfa

    user = make_user(username="liga")
    with app.app_context():
        [code, *_] = mfa.new_recovery_codes(db_session, user)
    db_session.commit()
    stored = db_session.scalars(select(RecoveryCode.code_hash)).all()
    assert code.encode() not in b"".join(stored)
    first = new_client(app)
    _password_step(first, "liga")
    assert _code_step(first, code.upper()).status_code == 302
    second = new_client(app)
    _password_step(second, "liga")
    assert _code_step(second, code).status_code == 200


def test_totp_secret_is_stored_sealed(db_session: Session) -> None:
    user = make_user(username="liga")
    assert user.totp_secret_enc is not None
    assert TOTP_SECRET.encode() not in user.totp_secret_enc


@pytest.fixture
def both_modes(database_url: str, tmp_path: Path) -> Iterator[dict[bool, Flask]]:
    """Apps in and out of demo mode, made before the test's transaction starts (their
    start-up key check reads the database)."""
    apps = {
        demo: create_app(app_config(database_url, tmp_path / str(demo), DEMO=demo))
        for demo in (True, False)
    }
    yield apps
    for each in apps.values():
        database(each).dispose()


def test_demo_users_are_exempt_only_in_demo_mode(
    both_modes: dict[bool, Flask], db_session: Session
) -> None:
    make_user(username="socialworker")
    for demo, expected in ((True, "/"), (False, "/login/code")):
        app = both_modes[demo]
        database(app).sessionmaker = database_session_factory(db_session)
        client = new_client(app)
        response = _password_step(client, "socialworker")
        assert response.headers["Location"].endswith(expected), demo
        if demo:
            assert "without a second factor" in client.get("/cases/").text


def database_session_factory(db_session: Session) -> sessionmaker[Session]:

    return sessionmaker(
        bind=db_session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


# --- passwords -------------------------------------------------------------------------


def test_argon2id_parameters_meet_owasp() -> None:
    from argon2 import extract_parameters

    params = extract_parameters(hash_password("a long enough passphrase"))
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism >= 1


def test_password_is_rehashed_at_sign_in_when_parameters_change(
    client: FlaskClient, db_session: Session
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user = make_user(username="liga", password_hash=weak)
    login(client, "liga")
    db_session.refresh(user)
    assert user.password_hash != weak
    assert not PasswordHasher().check_needs_rehash(user.password_hash)


def test_common_password_list_is_large() -> None:
    assert len(common_passwords()) >= 10_000
    assert "password123" in common_passwords() or "password1" in common_passwords()


# --- enrolment links and password rules ------------------------------------------------


def _issue_link(app: Flask, db_session: Session, user: User) -> str:
    from casework.audit.events import Actor
    from casework.auth import enrolment
    from casework.settings import current_settings

    with app.app_context():
        token = enrolment.issue(db_session, current_settings(), user, Actor(username="admin"))
        db_session.commit()
    return f"/enrol/{token}"


def _enrol(
    client: FlaskClient,
    link: str,
    password: str,
    code: str | None = None,
    enrolment_code: str | None = None,
) -> TestResponse:
    page = client.get(link)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page.text)
    assert secret, page.text
    data = {
        "password": password,
        "confirm": password,
        "code": code if code is not None else pyotp.TOTP(secret.group(1)).now(),
        "csrf_token": csrf_token(page.text),
    }
    if enrolment_code is not None:
        data["enrolment_code"] = enrolment_code
    return client.post(link, data=data)


def test_enrolment_sets_password_and_second_factor_and_shows_recovery_codes(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    user = make_user(username="newbie", not_enrolled=True, password_hash="!unusable")
    link = _issue_link(app, db_session, user)
    first = client.get(link)
    second = client.get(link)
    first_secret = re.search(r'class="secret">(\w+)<', first.text)
    second_secret = re.search(r'class="secret">(\w+)<', second.text)
    assert first_secret is not None and second_secret is not None
    assert first_secret.group(1) == second_secret.group(1)
    assert "<svg" in first.text
    response = _enrol(client, link, "seven orange kites over riga")
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</li>", response.text)
    assert len(codes) == 10
    db_session.refresh(user)
    assert user.password_hash.startswith("$argon2id$") and user.totp_secret_enc is not None
    assert [e.subject for e in _actions(db_session, "second_factor.change")] == ["newbie"]


def test_enrolment_link_works_once(app: Flask, client: FlaskClient, db_session: Session) -> None:
    user = make_user(username="newbie", not_enrolled=True)
    link = _issue_link(app, db_session, user)
    _enrol(client, link, "seven orange kites over riga")
    again = client.get(link)
    assert again.status_code == 410
    assert "has been used already" in again.text


def test_expired_enrolment_link_is_refused(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    from casework.models import Enrolment

    user = make_user(username="newbie", not_enrolled=True)
    link = _issue_link(app, db_session, user)
    row = db_session.scalars(select(Enrolment)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.text
    assert client.get("/enrol/garbage").status_code == 410


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Use 12 to 128 characters"),
        ("x" * 129, "Use 12 to 128 characters"),
        ("password1234", "one of the most common"),
        ("qwertyuiop123", "one of the most common"),
        ("my name is newbie!", "may not contain your user name"),
    ],
)
def test_password_rules_at_enrolment(
    app: Flask, client: FlaskClient, db_session: Session, password: str, message: str
) -> None:
    user = make_user(username="newbie", not_enrolled=True, password_hash="!unusable")
    link = _issue_link(app, db_session, user)
    response = _enrol(client, link, password)
    assert response.status_code == 200
    assert message in response.text
    db_session.refresh(user)
    assert user.totp_secret_enc is None and user.password_hash == "!unusable"


def test_wrong_code_at_enrolment_changes_nothing(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    user = make_user(username="newbie", not_enrolled=True, password_hash="!unusable")
    link = _issue_link(app, db_session, user)
    response = _enrol(client, link, "seven orange kites over riga", code="000000")
    assert "The code is not correct" in response.text
    db_session.refresh(user)
    assert user.totp_secret_enc is None


# --- throttling --------------------------------------------------------------------------


def test_account_locks_after_failures_with_the_same_message_as_unknown_names(
    app: Flask, db_session: Session
) -> None:
    make_user(username="liga")
    answers = {}
    for name in ("liga", "nobody-here"):
        client = new_client(app)
        for _ in range(5):
            _password_step(client, name, "wrong password entirely")
        answers[name] = _password_step(client, name, PASSWORD if name == "liga" else "x" * 12)
    assert LOCKED in answers["liga"].text
    assert LOCKED in answers["nobody-here"].text
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", without_csrf_token(answers["liga"].text)) == strip.sub(
        "", without_csrf_token(answers["nobody-here"].text)
    )
    assert len(_actions(db_session, "login.lockout")) == 2


def test_admin_unlocks_an_account(app: Flask, db_session: Session) -> None:
    user = make_user(username="liga")
    make_user(username="root", admin=True)
    client = new_client(app)
    for _ in range(5):
        _password_step(client, "liga", "wrong password entirely")
    assert LOCKED in _password_step(client, "liga").text
    admin = new_client(app)
    login(admin, "root")
    page = admin.get(f"/admin/users/{user.id}")
    admin.post(f"/admin/users/{user.id}/unlock", data={"csrf_token": csrf_token(page.text)})
    assert login(new_client(app), "liga").status_code == 302
    assert [e.subject for e in _actions(db_session, "user.update")] == ["liga"]


def test_an_admin_cannot_unlock_their_own_account(app: Flask, db_session: Session) -> None:
    """Signed in before the lock: the admin's own unlock is refused, the lock stays."""
    root = make_user(username="root", admin=True)
    admin = new_client(app)
    assert login(admin, "root").status_code == 302
    for _ in range(5):
        _password_step(new_client(app), "root", "wrong password entirely")
    assert LOCKED in _password_step(new_client(app), "root").text
    page = admin.get("/admin/users/")
    refused = admin.post(
        f"/admin/users/{root.id}/unlock",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )
    assert "You cannot do this to your own account." in refused.text
    assert LOCKED in _password_step(new_client(app), "root").text
    assert _actions(db_session, "user.update") == []


def test_failed_sign_ins_per_address_are_limited(app: Flask, db_session: Session) -> None:
    client = new_client(app)
    statuses = []
    for n in range(1000):
        page_token = csrf_token(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "username": f"someone{n}",
                "password": "wrong password here",
                "csrf_token": page_token,
            },
        )
        statuses.append(response.status_code)
    assert set(statuses) == {200, 429}
    assert statuses.index(429) == 20
    assert all(s == 429 for s in statuses[20:])
    assert "too many failed sign-ins" in response.text.lower()
    # Another address is unaffected.
    make_user(username="liga")
    assert login(new_client(app), "liga").status_code == 302


def test_successful_sign_ins_do_not_use_up_the_address_limit(
    app: Flask, db_session: Session
) -> None:
    make_user(username="liga")
    client = new_client(app)
    for _ in range(25):
        response = _password_step(client, "liga")
        assert response.status_code == 302


# --- sessions ----------------------------------------------------------------------------


def _cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("casework_session")
    return cookie.value if cookie else None


def _open_sessions(db_session: Session, user: User) -> list[UserSession]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(UserSession).where(
                UserSession.user_id == user.id, UserSession.ended_at.is_(None)
            )
        )
    )


def test_session_id_changes_at_sign_in(client: FlaskClient, db_session: Session) -> None:
    user = make_user(username="liga")
    client.get("/login")
    before = _cookie(client)
    login(client, "liga")
    after = _cookie(client)
    assert before and after and before != after
    [row] = _open_sessions(db_session, user)
    assert row.token_hash not in (before.encode(), after.encode())


def test_sign_out_ends_the_session_on_the_server(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    user = make_user(username="liga")
    login(client, "liga")
    stolen = _cookie(client)
    page = client.get("/cases/")
    client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert _open_sessions(db_session, user) == []
    thief = new_client(app)
    thief.environ_base["REMOTE_ADDR"] = client.environ_base["REMOTE_ADDR"]
    thief.set_cookie("casework_session", stolen or "")
    assert thief.get("/cases/").status_code == 302


@pytest.mark.parametrize(("field", "minutes"), [("last_seen_at", 16), ("created_at", 12 * 60 + 1)])
def test_idle_and_absolute_timeouts(
    client: FlaskClient, db_session: Session, field: str, minutes: int
) -> None:
    user = make_user(username="liga")
    login(client, "liga")
    [row] = _open_sessions(db_session, user)
    setattr(row, field, utcnow() - timedelta(minutes=minutes))
    db_session.commit()
    response = client.get("/cases/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    db_session.expire_all()
    ended = db_session.scalars(select(UserSession)).one()
    assert ended.end_reason == ("idle" if field == "last_seen_at" else "lifetime")
    assert [e.subject for e in _actions(db_session, "session.end")] == ["liga"]


def test_pages_carry_the_idle_warning(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    login(client, "liga")
    page = client.get("/cases/")
    assert 'data-idle-seconds="900"' in page.text
    assert 'data-warning-seconds="120"' in page.text
    assert 'id="idle-warning"' in page.text and "session-timeout.js" in page.text
    assert (
        client.post(
            "/session/keepalive", headers={"X-CSRFToken": csrf_token(page.text)}
        ).status_code
        == 204
    )


def test_a_changed_password_ends_other_sessions(app: Flask, db_session: Session) -> None:
    user = make_user(username="liga")
    laptop, phone = new_client(app), new_client(app)
    assert login(laptop, "liga").status_code == 302
    assert login(phone, "liga").status_code == 302
    assert phone.get("/cases/").status_code == 200
    response = post_form(
        laptop,
        "/account/password",
        {
            "current": PASSWORD,
            "password": "a new and longer passphrase",
            "confirm": "a new and longer passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/cases/").status_code == 200
    assert phone.get("/cases/").status_code == 302
    assert len(_open_sessions(db_session, user)) == 1


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("deactivate", {}),
        ("reset-second-factor", {}),
    ],
)
def test_admin_changes_end_the_users_sessions(
    app: Flask, db_session: Session, action: str, data: dict[str, str]
) -> None:
    user = make_user(username="liga")
    make_user(username="root", admin=True)
    victim = new_client(app)
    assert login(victim, "liga").status_code == 302
    assert victim.get("/cases/").status_code == 200
    admin = new_client(app)
    assert login(admin, "root").status_code == 302
    page = admin.get(f"/admin/users/{user.id}")
    response = admin.post(
        f"/admin/users/{user.id}/{action}", data={**data, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code in (200, 302)
    assert victim.get("/cases/").status_code == 302
    assert _open_sessions(db_session, user) == []


def test_role_change_ends_sessions(app: Flask, db_session: Session) -> None:
    """A role that reads cases takes effect when a second administrator approves it;
    then the person's sessions end."""
    user = make_user(username="liga")
    root = make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    victim = new_client(app)
    assert login(victim, "liga").status_code == 302
    assert victim.get("/cases/").status_code == 200
    admin = new_client(app)
    assert login(admin, "root").status_code == 302
    response = post_form(
        admin,
        f"/admin/users/{user.id}",
        {"role": "police", "organisation": str(root.organisation_id)},
    )
    assert response.status_code == 302
    db_session.refresh(user)
    assert user.role == "social_worker"
    second = new_client(app)
    assert login(second, "other").status_code == 302
    page = second.get("/admin/approvals")
    approval = re.search(r'action="/admin/approvals/([0-9a-f-]+)"', page.text)
    assert approval, page.text
    second.post(
        f"/admin/approvals/{approval.group(1)}",
        data={"decision": "approve", "csrf_token": csrf_token(page.text)},
    )
    db_session.refresh(user)
    assert user.role == "police"
    assert victim.get("/cases/").status_code == 302


# --- re-authentication -------------------------------------------------------------------


def test_sensitive_action_asks_again_after_five_minutes(
    client: FlaskClient, db_session: Session
) -> None:
    user = make_user(username="peeter", police=True)
    login(client, "peeter")
    assert client.get("/cases/emergency-access").status_code == 200
    [row] = _open_sessions(db_session, user)
    row.verified_at = utcnow() - timedelta(minutes=6)
    db_session.commit()
    response = client.get("/cases/emergency-access")
    assert response.status_code == 302
    assert "/reauth?next=/cases/emergency-access" in response.headers["Location"]
    wrong = post_form(
        client,
        "/reauth?next=/cases/emergency-access",
        {"password": "not it at all", "code": "123456"},
    )
    assert "not correct" in wrong.text
    right = post_form(
        client,
        "/reauth?next=/cases/emergency-access",
        {"password": PASSWORD, "code": totp_code(client, "peeter")},
    )
    assert right.status_code == 302
    assert right.headers["Location"].endswith("/cases/emergency-access")
    assert client.get("/cases/emergency-access").status_code == 200
    assert [e.actor for e in _actions(db_session, "reauth")] == ["peeter"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_reauth_never_redirects_elsewhere(
    client: FlaskClient, db_session: Session, target: str
) -> None:
    make_user(username="peeter", police=True)
    login(client, "peeter")
    response = post_form(
        client,
        f"/reauth?next={target}",
        {"password": PASSWORD, "code": totp_code(client, "peeter")},
    )
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


# --- administration ----------------------------------------------------------------------


def test_admin_creates_a_user_who_enrols_and_signs_in(app: Flask, db_session: Session) -> None:
    """A case-reading account: one administrator creates it and hands over the
    enrolment code, a second approves it and hands over the link."""
    root = make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    admin = new_client(app)
    login(admin, "root")
    created = post_form(
        admin,
        "/admin/users/new",
        {
            "username": "ilze",
            "display_name": "Ilze Kalniņa",
            "role": "ngo_worker",
            "organisation": str(root.organisation_id),
        },
    )
    assert created.status_code == 200
    code = re.search(r'class="secret">([A-Z0-9-]+)<', created.text)
    assert code and "/enrol/" not in created.text
    second = new_client(app)
    login(second, "other")
    page = second.get("/admin/approvals")
    approval = re.search(r'action="/admin/approvals/([0-9a-f-]+)"', page.text)
    assert approval, page.text
    approved = second.post(
        f"/admin/approvals/{approval.group(1)}",
        data={"decision": "approve", "csrf_token": csrf_token(page.text)},
    )
    link = re.search(r'href="http://localhost(/enrol/[^"]+)"', approved.text)
    assert link
    newcomer = new_client(app)
    _enrol(newcomer, link.group(1), "seven orange kites over riga", enrolment_code=code.group(1))
    user = db_session.scalar(select(User).where(User.username == "ilze"))
    assert user is not None and user.role == "ngo_worker"
    _password_step(newcomer, "ilze", "seven orange kites over riga")
    assert _code_step(newcomer, "000000").status_code == 200
    assert {"user.create", "enrolment.issue"} <= {
        e.action for e in db_session.scalars(select(AuditEvent).where(AuditEvent.subject == "ilze"))
    }


def test_admin_cannot_change_own_role_or_deactivate_self(app: Flask, db_session: Session) -> None:
    root = make_user(username="root", admin=True)
    admin = new_client(app)
    login(admin, "root")
    response = post_form(
        admin,
        f"/admin/users/{root.id}",
        {"role": "social_worker", "organisation": str(root.organisation_id)},
        form_url="/admin/users/new",
    )
    assert "cannot change your own role" in response.text
    page = admin.get("/admin/users")
    admin.post(f"/admin/users/{root.id}/deactivate", data={"csrf_token": csrf_token(page.text)})
    db_session.refresh(root)
    assert root.role == "admin" and root.active


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "Bad Name!", "lower-case letters"),
        ("username", "root", "taken"),
        ("display_name", "", "full name"),
        ("role", "superuser", "Not a valid choice"),
        ("organisation", "00000000-0000-4000-8000-000000000000", "Not a valid choice"),
    ],
)
def test_new_user_bad_input(
    app: Flask, db_session: Session, field: str, value: str, message: str
) -> None:
    root = make_user(username="root", admin=True)
    admin = new_client(app)
    login(admin, "root")
    data = {
        "username": "ilze",
        "display_name": "Ilze",
        "role": "police",
        "organisation": str(root.organisation_id),
        field: value,
    }
    response = post_form(admin, "/admin/users/new", data)
    assert response.status_code == 200
    assert message in response.text
    assert db_session.scalar(select(User).where(User.username == "ilze")) is None


def test_admins_get_no_case_access(client: FlaskClient, db_session: Session) -> None:
    make_user(username="root", admin=True)
    login(client, "root")
    assert client.get("/cases/").status_code == 403
    assert client.get("/cases/new").status_code == 403
    assert client.get("/cases/emergency-access").status_code == 403


def test_reauthentication_honours_the_account_lock(app: Flask, db_session: Session) -> None:
    user = make_user(username="peeter", police=True)
    client = new_client(app)
    assert login(client, "peeter").status_code == 302
    [row] = _open_sessions(db_session, user)
    row.verified_at = utcnow() - timedelta(minutes=6)
    db_session.commit()
    attacker = new_client(app)
    for _ in range(5):
        _password_step(attacker, "peeter", "wrong password entirely")
    assert LOCKED in _password_step(attacker, "peeter").text
    response = post_form(
        client,
        "/reauth?next=/cases/emergency-access",
        {"password": PASSWORD, "code": totp_code(client, "peeter")},
    )
    assert response.status_code == 200 and "not correct" in response.text
    assert _actions(db_session, "reauth") == []
    assert client.get("/cases/emergency-access").status_code == 302
