"""A real server on a loopback port and headless Debian Chromium driven by Playwright.

Browser tests skip only when Chromium is missing and CASEWORK_REQUIRE_BROWSER is unset;
CI sets it, so there they fail instead of skipping.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from casework import create_app, db
from casework.db import database
from casework.demo import seed
from tests.conftest import app_config
from tests.databases import fresh_database, migrate

if TYPE_CHECKING:
    # Imported where used at run time, so that collection works without Playwright.
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("CASEWORK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _require_browser() -> bool:
    return os.environ.get("CASEWORK_REQUIRE_BROWSER", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def browser_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A demo-mode app with the demo seed: demo users sign in with a password only,
    every other user needs the second factor, as on a demo server."""
    with fresh_database(tmp_path_factory.mktemp("browserdb"), "browser") as url:
        migrate(url)
        app = create_app(app_config(url, tmp_path_factory.mktemp("browserinstance"), DEMO=True))
        with app.app_context():
            seed(db.session())
        yield app
        database(app).dispose()


@pytest.fixture(scope="session")
def demo(browser_app: Flask) -> None:
    """The fictional demo; `browser_app` seeds it once for every browser test."""


@pytest.fixture(scope="session")
def live_server(browser_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if _require_browser():
            pytest.fail(f"CASEWORK_REQUIRE_BROWSER is set but {CHROMIUM} does not exist")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    _check_every_page(page)
    yield page
    context.close()


def _check_every_page(page: Page) -> None:
    """Every page a test opens by its address is checked with axe-core as it loads, in
    whatever language the test reads it (pages reached by a click are checked where the
    test calls assert_accessible)."""
    opened = page.goto

    def goto(url: str, **options: Any) -> Any:
        response = opened(url, **options)
        html = response is not None and "text/html" in response.headers.get("content-type", "")
        if html:
            assert_accessible(page)
        return response

    page.goto = goto  # type: ignore[method-assign]


def assert_accessible(page: Page) -> None:
    """No axe-core violations of serious or critical impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()


def sign_in(
    page: Page, live_server: str, username: str, password: str, totp_secret: str | None = None
) -> None:
    """Sign in as a person would: by the labels, and the code from the app if asked."""
    page.goto(f"{live_server}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if totp_secret is not None:
        page.get_by_label("Code from your authenticator app").fill(
            _fresh_code(username, totp_secret)
        )
        page.get_by_role("button", name="Continue").click()


_last_steps: dict[str, int] = {}


def _fresh_code(username: str, secret: str) -> str:
    """The next code the server has not accepted from this user (each works once)."""
    import time

    import pyotp

    now = int(time.time() // 30)
    step = max(now, _last_steps.get(username, now - 1) + 1)
    if step > now + 1:
        time.sleep((step - 1) * 30 - time.time() + 0.1)
    _last_steps[username] = step
    return str(pyotp.TOTP(secret).at(step * 30))
