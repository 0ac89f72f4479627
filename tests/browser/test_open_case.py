"""A social worker signs in, opens a case by filling the form by label, and finds it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from casework import db
from casework.auth.passwords import hash_password
from casework.models import Organisation
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TOTP_SECRET, sealed_totp

pytestmark = pytest.mark.browser

PASSWORD = "browser test passphrase"


@pytest.fixture(scope="module")
def social_worker(browser_app: Flask) -> str:
    from casework.models import User

    with browser_app.app_context():
        session = db.session()
        org = Organisation(name="Riga City Social Services", kind="social_services", region="Riga")
        session.add(org)
        session.flush()
        user = User(
            username="sofia",
            display_name="Sofia Example",
            password_hash=hash_password(PASSWORD),
            role="social_worker",
            organisation_id=org.id,
        )
        user.totp_secret_enc = sealed_totp(user.id)
        session.add(user)
        session.commit()
    return "sofia"


def _sign_in(page: Page, live_server: str, username: str, password: str) -> None:
    sign_in(
        page,
        live_server,
        username,
        password,
        totp_secret=TOTP_SECRET if password == PASSWORD else None,
    )


def test_wrong_password_is_announced(page: Page, live_server: str, social_worker: str) -> None:
    sign_in(page, live_server, social_worker, "not the right password")
    expect(page.get_by_role("alert")).to_contain_text("The user name or password is not correct")
    assert_accessible(page)


def test_social_worker_opens_a_case_and_finds_it_in_my_cases(
    page: Page, live_server: str, social_worker: str
) -> None:
    _sign_in(page, live_server, social_worker, PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    assert_accessible(page)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Open a case").click()
    expect(page.get_by_role("heading", name="Open a case")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Given name").fill("Łucja")
    page.get_by_label("Family name").fill("Wiśniewska")
    page.get_by_label("Date of birth (as claimed)").fill("2011-06-15")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Open the case").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"CW-\d{4}-[0-9A-Z]{6}"))
    found = re.search(r"CW-\d{4}-[0-9A-Z]{6}", heading.inner_text())
    assert found is not None
    reference = found.group(0)
    expect(page.get_by_text("Wiśniewska")).to_be_visible()
    assert "Wiśniewska" not in page.url and "Łucja" not in page.url
    assert_accessible(page)

    nav.get_by_role("link", name="My cases").click()
    link = page.get_by_role("link", name=reference)
    expect(link).to_be_visible()
    expect(page.get_by_text("Łucja")).to_have_count(0)
    link.click()
    expect(page.get_by_text("Łucja")).to_be_visible()


def test_errors_are_shown_beside_the_field(
    page: Page, live_server: str, social_worker: str
) -> None:
    _sign_in(page, live_server, social_worker, PASSWORD)
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Given name").fill("Liis")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    family = page.get_by_label("Family name")
    expect(family).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#family_name-error")).to_contain_text("Enter the child")
    assert_accessible(page)


def test_keyboard_user_can_skip_to_content(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()


def test_accessibility_check_catches_an_unlabelled_input(page: Page) -> None:
    page.set_content('<html lang="en"><body><main><input type="text"></main></body></html>')
    with pytest.raises(AssertionError):
        assert_accessible(page)
