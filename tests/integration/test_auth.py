from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import AuditEvent
from casework.security import PUBLIC_ENDPOINTS
from tests.conftest import csrf_token, login
from tests.factories import make_user

WRONG = "The user name or password is not correct."


def _events(db_session: Session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_login_and_logout(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    response = login(client, "liga")
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200
    page = client.get("/cases/")
    response = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert client.get("/cases/").status_code == 302
    assert [e.actor for e in _events(db_session, "logout")] == ["liga"]


def test_user_name_is_case_insensitive(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    assert login(client, "  LIGA ").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(username="liga")
    wrong_password = login(client, "liga", "not the password at all")
    unknown_user = login(client, "nobody", "not the password at all")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG in response.text
    failures = _events(db_session, "login.failure")
    assert [e.actor for e in failures] == ["liga", ""]
    assert all(e.outcome == "denied" for e in failures)


def test_inactive_user_cannot_sign_in(client: FlaskClient, db_session: Session) -> None:
    make_user(username="gone", inactive=True)
    response = login(client, "gone")
    assert WRONG in response.text
    assert client.get("/cases/").status_code == 302


def test_successful_login_is_audited_without_the_password(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(username="liga")
    login(client, "liga")
    [event] = _events(db_session, "login.success")
    assert (event.actor, event.actor_role, event.outcome) == ("liga", "social_worker", "allowed")


def test_login_without_csrf_token_is_refused(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    response = client.post("/login", data={"username": "liga", "password": "x" * 20})
    assert response.status_code == 400
    assert "not sent from Casework" in response.text
    assert _events(db_session, "login.success") == []


def test_logout_needs_post_with_csrf(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    login(client, "liga")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/cases/").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    response = login(client, "liga")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", rule.rule)
        url = url.replace("<path:filename>", "css/casework.css")
        url = url.replace("<token>", "not-a-real-token")
        url = url.replace("<uuid:user_id>", "00000000-0000-4000-8000-000000000000")
        # Records inside a case (memberships, measures, referrals ...) by their id.
        url = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def test_every_route_needs_login_unless_allow_listed(app: Flask, db_session: Session) -> None:
    client = app.test_client()
    for endpoint, method, url in _routes(app):
        # A POST without a token is refused by CSRF protection before anything else.
        response = client.open(url, method=method)
        if endpoint in PUBLIC_ENDPOINTS:
            # 302: the code step without a password step goes back to sign-in;
            # 410: an enrolment link that does not exist.
            assert response.status_code in (200, 302, 400, 410), (endpoint, method)
            if response.status_code == 302:
                assert response.headers["Location"].endswith("/login"), endpoint
        elif method == "GET":
            assert response.status_code == 302, (endpoint, method)
            assert response.headers["Location"].endswith("/login"), endpoint
        else:
            assert response.status_code in (302, 400), (endpoint, method)


@pytest.mark.parametrize("endpoint", sorted(PUBLIC_ENDPOINTS))
def test_allow_list_names_real_endpoints(app: Flask, endpoint: str) -> None:
    assert endpoint in {rule.endpoint for rule in app.url_map.iter_rules()}


def test_health_check_is_public_and_says_nothing_else(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
