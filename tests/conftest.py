"""Shared fixtures: one migrated database per run, each test in a rolled-back
transaction, CSRF switched on as in production."""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from casework import create_app
from casework.cli.translations import compile_catalogues
from casework.db import database
from tests import factories
from tests.databases import fresh_database, migrate

TEST_SECRET_KEY = "test-secret-key-not-for-production-use-0123456789"
TEST_KEK = factories.TEST_KEK
TEST_SIGNING_KEY = base64.b64encode(bytes(range(100, 132))).decode()


def pytest_sessionstart(session: pytest.Session) -> None:
    """The app reads compiled catalogues; `make test` compiles them, and so does a bare
    `pytest`, so that pages in other languages are what the tests read."""
    compile_catalogues()


def app_config(url: str, instance: Path, **extra: Any) -> dict[str, Any]:
    return {
        "ENV": "testing",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": TEST_SECRET_KEY,
        "KEK": TEST_KEK,
        "SIGNING_KEY": TEST_SIGNING_KEY,
        **extra,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db"), "tests") as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app(app_config(database_url, tmp_path_factory.mktemp("instance")))
    assert application.config.get("WTF_CSRF_ENABLED", True) is True
    yield application
    database(application).dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session whose every commit lands in a savepoint of an outer transaction that
    is rolled back after the test. The app's requests use the same connection."""
    db = database(app)
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.sessionmaker
    db.sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    session = db.sessionmaker()
    factories.bind(session)
    try:
        yield session
    finally:
        session.close()
        db.sessionmaker = original
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for calling operations directly (not around requests)."""
    with app.app_context():
        yield


def new_client(app: Flask) -> FlaskClient:
    """A test client from its own address, as a separate person's browser would be."""
    address = f"127.{secrets.randbelow(250) + 1}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return new_client(app)


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


CSRF_META_RE = re.compile(r'(<meta name="csrf-token" content=")[^"]*(")')


def without_csrf_token(html: str) -> str:
    """The page with its signed CSRF token left out: the token carries the second it was
    signed in, so two pages compared across a second boundary differ only there."""
    return CSRF_RE.sub("", CSRF_META_RE.sub(r"\1\2", html))


# The last time step used per user name in the running test (codes work once).
_TOTP_STEPS: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _fresh_totp_steps() -> None:
    # Each test's database starts without any accepted code.
    _TOTP_STEPS.clear()


def totp_code(client: FlaskClient, username: str, secret: str = factories.TOTP_SECRET) -> str:
    """A code the server has not accepted from this user yet in this test."""
    steps = _TOTP_STEPS
    now = int(time.time() // 30)
    step = max(now, steps.get(username, now - 1) + 1)
    if step > now + 1:
        time.sleep((step - 1) * 30 - time.time() + 0.1)
    steps[username] = step
    return pyotp.TOTP(secret).at(step * 30)


def login(client: FlaskClient, username: str, password: str = factories.PASSWORD) -> TestResponse:
    """Sign in with password and, when asked, the second factor; the last response."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
    if response.status_code != 302 or not response.headers["Location"].endswith("/login/code"):
        return response
    page = client.get("/login/code")
    return client.post(
        "/login/code",
        data={"code": totp_code(client, username), "csrf_token": csrf_token(page.text)},
    )


def post_form(
    client: FlaskClient, url: str, data: dict[str, str], form_url: str | None = None
) -> TestResponse:
    """GET the form page for its CSRF token, then POST `data` to `url`."""
    page = client.get(form_url or url)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text)})


def search(client: FlaskClient, data: dict[str, str]) -> TestResponse:
    """Search as the page does: POST the form, then follow it to the results page (a
    refused search answers the POST itself, with its errors)."""
    posted = post_form(client, "/search/", data)
    if posted.status_code != 302:
        return posted
    assert posted.headers["Location"] == "/search/results"
    return client.get("/search/results")


@pytest.fixture
def count_statements(db_session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    bind = db_session.get_bind()
    event.listen(bind, "before_cursor_execute", _record)
    yield statements
    event.remove(bind, "before_cursor_execute", _record)
