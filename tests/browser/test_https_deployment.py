"""The deployment of docs/operations.md, for real (tests/deployment.py): nginx with a
throw-away certificate in front of TWO `casework serve` processes in production mode on
PostgreSQL, connected as the least-privilege application role, sharing one Redis for
the sign-in counters. Chromium signs in with the second factor, opens a case, saves a
form and signs out over HTTPS, on a phone-width screen; the per-address and
per-account limits hold across both processes.

Runs in the PostgreSQL run (CASEWORK_TEST_DATABASE_URL) and skips in the SQLite one;
needs nginx and Redis there, and skips without them unless CASEWORK_REQUIRE_BROWSER is
set, as in CI, where it fails instead.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from casework import db
from casework.models import Case
from tests import factories
from tests.browser.conftest import sign_in
from tests.databases import fresh_database, migrate, postgres_base_url
from tests.deployment import Deployment, HttpsClient, Unavailable, deployment, redis_server
from tests.keys import app_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

PER_ADDRESS = 8
MAX_FAILURES = 3
LOCKED = "Too many failed attempts"
WRONG = "not the password at all"


def _missing(what: str) -> None:
    if os.environ.get("CASEWORK_REQUIRE_BROWSER", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CASEWORK_REQUIRE_BROWSER is set but {what}")
    pytest.skip(what)


def _seed(url: str, folder: Path) -> str:
    """Two users and a case, written by the app itself; the case's reference."""
    with app_for(url, folder) as app, app.app_context():
        session = db.session()
        factories.bind(session)
        org = factories.make_organisation(name="Riga City Social Services")
        liga = factories.make_user(username="liga", organisation=org)
        factories.make_user(username="mara", organisation=org)
        case_id = factories.open_case(session, liga, given_name="Anna", family_name="Ozola")
        case = session.get(Case, case_id)
        assert case is not None
        return str(case.reference)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deployment, str]]:
    if postgres_base_url() is None:
        # The SQLite run leaves it to the PostgreSQL run, where it is required.
        pytest.skip("the deployment runs on PostgreSQL: set CASEWORK_TEST_DATABASE_URL")
    folder = tmp_path_factory.mktemp("https")
    try:
        with (
            fresh_database(folder, "https") as url,
            redis_server(folder) as redis_url,
        ):
            migrate(url)
            reference = _seed(url, folder / "seed")
            with deployment(
                url,
                folder,
                redis_url,
                processes=2,
                LOGIN_RATE_LIMIT_PER_ADDRESS=f"{PER_ADDRESS} per hour",
                LOGIN_MAX_FAILURES=str(MAX_FAILURES),
            ) as running:
                yield running, reference
    except Unavailable as exc:
        _missing(str(exc))


def test_headers_and_cookies_over_https(site: tuple[Deployment, str]) -> None:
    running, _ = site
    status, headers, _ = HttpsClient(running.port, running.certificate).get("/login")
    assert status == 200
    assert "max-age=" in headers["Strict-Transport-Security"]
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Server"] == "nginx"  # server_tokens off: no version
    cookie = headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_sign_in_open_a_case_save_a_form_sign_out(
    browser: Browser, site: tuple[Deployment, str]
) -> None:
    from playwright.sync_api import expect

    running, reference = site
    context = browser.new_context(
        locale="en-GB", ignore_https_errors=True, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, running.url, "liga", factories.PASSWORD, factories.TOTP_SECRET)
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        assert page.url.startswith("https://")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
        expect(page.get_by_role("heading", name="My cases")).to_be_visible()

        page.get_by_role("link", name=reference).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
        expect(page.get_by_text("Ozola").first).to_be_visible()

        page.goto(f"{running.url}/cases/new")
        page.get_by_label("Given name").fill("Łucja")
        page.get_by_label("Family name").fill("Wiśniewska")
        page.get_by_label("Date of birth (as claimed)").fill("2011-06-15")
        page.get_by_label("Sex").select_option("female")
        page.get_by_role("button", name="Open the case").click()
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text(re.compile(r"CW-\d{4}-[0-9A-Z]{6}"))
        expect(page.get_by_text("Wiśniewska").first).to_be_visible()

        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["casework_session"]["secure"] is True

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("User name")).to_be_visible()
        page.goto(f"{running.url}/cases/")
        expect(page.get_by_label("User name")).to_be_visible()
    finally:
        context.close()
    lines = running.request_lines()
    assert all(lines), "each app process served part of the session"
    posts = [x for process in lines for x in process if x["method"] == "POST"]
    assert {x["route"] for x in posts} >= {"/login", "/login/code", "/cases/new", "/logout"}
    text = json.dumps(lines, ensure_ascii=False)
    assert "Wiśniewska" not in text and "Łucja" not in text


def _posts_from(running: Deployment, address: str, status: int | None = None) -> list[int]:
    return [
        sum(
            1
            for x in process
            if x["client"] == address
            and x["method"] == "POST"
            and (status is None or x["status"] == status)
        )
        for process in running.request_lines()
    ]


def _attempt(client: HttpsClient, fields: dict[str, str]) -> tuple[int, str]:
    """One sign-in attempt (GET the form, POST it), then one more GET, so that nginx's
    round robin over two servers sends consecutive POSTs to different processes."""
    answer = client.post_form("/login", fields)
    client.get("/ready")
    return answer


def test_account_lock_holds_across_both_processes(site: tuple[Deployment, str]) -> None:
    running, _ = site
    client = HttpsClient(running.port, running.certificate, source="127.0.0.3")
    fields = {"username": "mara", "password": WRONG}
    for _ in range(MAX_FAILURES):
        status, text = _attempt(client, fields)
        assert status == 200 and "Sign in" in text
    # The right password now, twice, one to each process.
    for _ in range(2):
        status, text = _attempt(client, {**fields, "password": factories.PASSWORD})
        assert status == 200 and LOCKED in text, text[:300]
    assert all(_posts_from(running, "127.0.0.3"))


def test_address_limit_holds_across_both_processes(site: tuple[Deployment, str]) -> None:
    running, _ = site
    client = HttpsClient(running.port, running.certificate, source="127.0.0.2")
    fields = {"username": "nobody", "password": WRONG}
    statuses = [_attempt(client, fields)[0] for _ in range(12)]
    # One shared counter: exactly PER_ADDRESS failures, then refusals. Counters kept per
    # process would let about twice as many through.
    assert statuses == [200] * PER_ADDRESS + [429] * (12 - PER_ADDRESS), statuses
    served = _posts_from(running, "127.0.0.2", status=200)
    assert all(served) and sum(served) == PER_ADDRESS, served
    # Another address is not affected.
    other = HttpsClient(running.port, running.certificate, source="127.0.0.4")
    assert other.post_form("/login", fields)[0] == 200
