"""A real server on a loopback port and headless Debian Chromium driven by Playwright.

Browser tests skip only when Chromium is missing and CASEWORK_REQUIRE_BROWSER is unset;
CI sets it, so there they fail instead of skipping.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from casework import create_app
from casework.db import database
from tests.conftest import app_config
from tests.databases import fresh_database, migrate

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
    with fresh_database(tmp_path_factory.mktemp("browserdb"), "browser") as url:
        migrate(url)
        app = create_app(app_config(url, tmp_path_factory.mktemp("browserinstance")))
        yield app
        database(app).dispose()


@pytest.fixture(scope="session")
def live_server(browser_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
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
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    """No axe-core violations of serious or critical impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()


def sign_in(page: Any, live_server: str, username: str, password: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
