"""Running behind a proxy: trusted hops, HTTPS, the Origin and Referer checks, health
and readiness, the request log, and `casework serve`."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from casework import create_app
from casework.cli.serve import gunicorn_options
from casework.db import database, head_revision, make_engine
from casework.logs import REQUEST_LOGGER, JsonFormatter
from tests.conftest import app_config, csrf_token, login
from tests.databases import fresh_database, migrate, owner_url
from tests.factories import PASSWORD, make_user

NAME = "Šarūnas Kazlauskas"


RequestLines = Callable[[], list[dict[str, object]]]


@pytest.fixture
def request_lines(caplog: pytest.LogCaptureFixture) -> RequestLines:
    """The request log so far, as the JSON lines production writes."""
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    formatter = JsonFormatter()

    def lines() -> list[dict[str, object]]:
        return [
            json.loads(formatter.format(record))
            for record in caplog.records
            if record.name == REQUEST_LOGGER
        ]

    return lines


def _proxied_app(database_url: str, tmp_path: Path, hops: int) -> Flask:
    return create_app(app_config(database_url, tmp_path, PROXY_HOPS=hops))


def test_no_proxy_trusted_by_default(database_url: str, tmp_path: Path) -> None:
    app = _proxied_app(database_url, tmp_path, 0)
    client = app.test_client()
    response = client.get(
        "/login",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert "Strict-Transport-Security" not in response.headers
    database(app).dispose()


def test_one_trusted_proxy_gives_https_hsts_and_the_client_address(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _proxied_app(database_url, tmp_path, 1)
    client = app.test_client()
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = client.get(
        "/health",
        headers={
            "X-Forwarded-Proto": "https",
            # A client may send its own X-Forwarded-For; the proxy appends the real one.
            "X-Forwarded-For": "198.51.100.1, 203.0.113.9",
            "X-Forwarded-Host": "casework.example",
        },
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert "max-age=63072000" in response.headers["Strict-Transport-Security"]
    clients = [r.__dict__["client"] for r in caplog.records if r.name == REQUEST_LOGGER]
    assert clients == ["203.0.113.9"]
    database(app).dispose()


def test_referrer_policy_keeps_the_referer_on_own_pages(client: FlaskClient) -> None:
    assert client.get("/login").headers["Referrer-Policy"] == "same-origin"


def test_post_from_another_origin_is_refused_and_changes_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(username="liga")
    page = client.get("/login")
    for origin in ("https://evil.example", "null", "http://localhost:1"):
        response = client.post(
            "/login",
            data={"username": "liga", "password": "x", "csrf_token": csrf_token(page.text)},
            headers={"Origin": origin},
        )
        assert response.status_code == 400, origin
        assert "not sent from Casework" in response.text
    # Still signed out: the refused posts did nothing.
    assert client.get("/cases/").status_code == 302


def test_post_from_own_origin_signs_in(client: FlaskClient, db_session: Session) -> None:
    make_user(username="liga")
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "liga",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code in (200, 302)
    assert "not sent from Casework" not in response.text


def _https_login(client: FlaskClient, referer: str | None) -> int:
    page = client.get("/login", base_url="https://casework.example")
    headers = {"Origin": "https://casework.example"}
    if referer:
        headers["Referer"] = referer
    response = client.post(
        "/login",
        base_url="https://casework.example",
        data={"username": "liga", "password": "x" * 20, "csrf_token": csrf_token(page.text)},
        headers=headers,
    )
    return response.status_code


def test_https_forms_work_with_a_same_origin_referer(
    app: Flask, client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Production's strict check: over HTTPS a form needs a Referer from the same site,
    which `Referrer-Policy: same-origin` lets the browser send."""
    monkeypatch.setitem(app.config, "WTF_CSRF_SSL_STRICT", True)
    make_user(username="liga")
    assert _https_login(client, "https://casework.example/login") == 200
    assert _https_login(client, None) == 400
    assert _https_login(client, "https://elsewhere.example/login") == 400


def test_health_and_readiness_say_nothing_else(client: FlaskClient) -> None:
    health = client.get("/health")
    ready = client.get("/ready")
    assert (health.status_code, health.json) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json) == (200, {"status": "ok"})
    assert "Set-Cookie" not in ready.headers


def test_not_ready_on_an_old_schema(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "oldschema") as url:
        migrate(url)
        app = create_app(app_config(url, tmp_path))
        migrate_down(url, "0008_crypto")
        response = app.test_client().get("/ready")
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "check": "migrations"}
        assert head_revision() not in response.text
        assert app.test_client().get("/health").status_code == 200
        database(app).dispose()


def migrate_down(url: str, revision: str) -> None:
    from alembic import command

    from casework.cli import alembic_config

    command.downgrade(alembic_config(owner_url(url)), revision)


def test_not_ready_without_the_database(database_url: str, tmp_path: Path) -> None:
    app = create_app(app_config(database_url, tmp_path))
    database(app).dispose()
    # The database goes away after start-up.
    gone = (
        "sqlite:////nonexistent/dir/casework.sqlite3"
        if database_url.startswith("sqlite")
        else "postgresql+psycopg://nobody@127.0.0.1:1/none"
    )
    database(app).sessionmaker = sessionmaker(bind=make_engine(gone))
    assert app.test_client().get("/ready").json == {"status": "unavailable", "check": "database"}
    assert app.test_client().get("/health").status_code == 503


def test_request_log_has_no_path_query_or_form_values(
    client: FlaskClient, db_session: Session, request_lines: RequestLines
) -> None:
    make_user(username="liga")
    client.get(f"/cases/search?q={NAME}")
    page = client.get("/login")
    client.post(
        f"/login?next={NAME}",
        data={"username": NAME, "password": NAME, "csrf_token": csrf_token(page.text)},
    )
    client.get(f"/no/such/{NAME}")
    lines = request_lines()
    text = json.dumps(lines, ensure_ascii=False)
    assert NAME not in text and "Kazlauskas" not in text and "%C5" not in text
    routes = [(line["method"], line["route"], line["status"]) for line in lines]
    assert ("POST", "/login", 200) in routes
    assert ("GET", None, 404) in routes
    for line in lines:
        assert set(line) >= {"time", "request_id", "status", "duration_ms", "client"}
        assert line["request_id"]


def test_request_log_names_the_signed_in_user_by_id(
    client: FlaskClient, db_session: Session, request_lines: RequestLines
) -> None:
    user = make_user(username="liga")
    login(client, "liga")
    client.get("/cases/")
    last = request_lines()[-1]
    assert (last["route"], last["user_id"]) == ("/cases/", str(user.id))


def test_error_log_lines_carry_no_exception_message() -> None:
    formatter = JsonFormatter()
    try:
        raise ValueError(f"could not parse {NAME}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = json.loads(formatter.format(record))
    assert line["exception"] == "builtins.ValueError"
    assert "test_error_log_lines_carry_no_exception_message" in line["traceback"]
    assert NAME not in json.dumps(line, ensure_ascii=False)


def test_serve_options_come_from_the_settings(database_url: str, tmp_path: Path) -> None:
    app = create_app(
        app_config(
            database_url,
            tmp_path,
            SERVE_WORKERS=5,
            SERVE_TIMEOUT=17,
            SERVE_BIND="unix:/run/casework/casework.sock",
        )
    )
    options = gunicorn_options(app.config["CASEWORK"])
    assert options["workers"] == 5
    assert options["timeout"] == 17
    assert options["bind"] == ["unix:/run/casework/casework.sock"]
    assert options["accesslog"] is None
    database(app).dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_casework_serve_answers_and_logs_json(database_url: str, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        **{f"CASEWORK_{k}": str(v) for k, v in app_config(database_url, tmp_path).items()},
        "CASEWORK_SERVE_WORKERS": "2",
        "CASEWORK_LOG_FORMAT": "json",
    }
    log_file = tmp_path / "serve.log"
    with log_file.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - our own command
            [str(Path(sys.executable).parent / "casework"), "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/ready?who={quote(NAME)}")
        assert json.loads(body) == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == REQUEST_LOGGER]
    assert [(r["route"], r["status"]) for r in requests] == [("/ready", 200)]
    assert any("Booting worker" in line["message"] for line in lines)
    assert "Kazlauskas" not in log_file.read_text()
    assert "who=" not in log_file.read_text()


def _wait_for(url: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 - a test URL
                return str(reply.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
