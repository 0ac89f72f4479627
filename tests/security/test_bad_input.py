"""Bad input never produces a server error and changes nothing: huge integers in any
field or paging cursor, control characters in `next=`, oversized bodies while signed
in, and writes to an erased case."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from casework.models import Case, CaseStatus
from tests.conftest import csrf_token, login, new_client, totp_code
from tests.digest import database_digest
from tests.factories import PASSWORD, make_user, open_case

HUGE = [str(2**63), str(2**64 + 1), "9" * 40, "-" + "9" * 40]
CONTROL = [
    "/cases/\r\nSet-Cookie: x=1",
    "/cases/\n",
    "/\x00",
    "/cases/\x7f",
    "/\t/evil.example",
    "/\\evil.example",
]


@pytest.fixture
def auditor(app: Flask, db_session: Session) -> FlaskClient:
    make_user(username="aino", auditor=True)
    client = new_client(app)
    login(client, "aino")
    return client


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("cursor", ["before", "after"])
def test_a_huge_paging_cursor_is_ignored(auditor: FlaskClient, cursor: str, value: str) -> None:
    for path in ("/audit/", "/audit/events.csv"):
        response = auditor.get(f"{path}?{cursor}={value}")
        assert response.status_code == 200, (path, response.status_code)


@pytest.mark.parametrize("target", CONTROL)
def test_control_characters_in_next_go_home(app: Flask, db_session: Session, target: str) -> None:
    make_user(username="lead")
    client = new_client(app)
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "lead", "password": "x", "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code < 500
    login(client, "lead")
    reauth = client.get("/reauth", query_string={"next": target})
    assert reauth.status_code == 200
    confirmed = client.post(
        "/reauth",
        query_string={"next": target},
        data={
            "password": PASSWORD,
            "code": totp_code(client, "lead"),
            "csrf_token": csrf_token(reauth.text),
        },
    )
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/"


def test_an_oversized_body_while_signed_in_is_a_413_page_with_the_headers(
    app: Flask, db_session: Session
) -> None:
    make_user(username="lead")
    client = new_client(app)
    login(client, "lead")
    token = csrf_token(client.get("/cases/new").text)
    before = database_digest(db_session)
    response = client.post(
        "/cases/new",
        data={"given_name": "x" * (2 * 1024 * 1024), "csrf_token": token},
    )
    assert response.status_code == 413
    assert "Too much data" in response.text
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert database_digest(db_session) == before


def _erase(db_session: Session, case_id: uuid.UUID) -> None:
    case = db_session.get_one(Case, case_id)
    case.status = CaseStatus.ERASED
    db_session.commit()


def test_every_write_to_an_erased_case_is_a_clear_page(app: Flask, db_session: Session) -> None:
    lead = make_user(username="lead")
    with app.app_context():
        case_id = open_case(db_session, lead)
    client = new_client(app)
    login(client, "lead")
    token = csrf_token(client.get(f"/cases/{case_id}").text)
    _erase(db_session, case_id)
    before = database_digest(db_session)
    problems = []
    ids = {
        "item_id": uuid.uuid4(),
        "entry_id": uuid.uuid4(),
        "measure_id": uuid.uuid4(),
        "membership_id": uuid.uuid4(),
        "task_id": uuid.uuid4(),
        "episode_id": uuid.uuid4(),
        "other_id": uuid.uuid4(),
    }
    for rule in app.url_map.iter_rules():
        if "case_id" not in rule.arguments or "POST" not in (rule.methods or set()):
            continue
        with app.test_request_context():
            from flask import url_for

            values: dict[str, Any] = {k: v for k, v in ids.items() if k in rule.arguments}
            url = url_for(rule.endpoint, case_id=case_id, **values)
        response = client.post(url, data={"csrf_token": token, "version": "1"})
        if response.status_code >= 500 or response.status_code == 200:
            problems.append(f"{rule.endpoint}: {response.status_code}")
    assert " | ".join(problems) == ""
    assert database_digest(db_session) == before
