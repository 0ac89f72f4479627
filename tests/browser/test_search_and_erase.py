"""A social worker is warned before opening a second case for the same child and finds
cases by a name typed without accents; an administrator erases a case, seeing only its
reference. Everything by label and role, as a person would."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from casework import db
from casework.auth.passwords import hash_password
from casework.models import Organisation, User
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TOTP_SECRET, sealed_totp

pytestmark = pytest.mark.browser

PASSWORD = "browser test passphrase"
REFERENCE = re.compile(r"CW-\d{4}-[0-9A-Z]{6}")


@pytest.fixture(scope="module")
def users(browser_app: Flask) -> dict[str, str]:
    with browser_app.app_context():
        session = db.session()
        social = Organisation(name="Tallinn Child Welfare", kind="social_services", region="Harju")
        ops = Organisation(name="Casework Operations", kind="operations", region="Harju")
        session.add_all([social, ops])
        session.flush()
        for username, role, org in (("karin", "social_worker", social), ("anders", "admin", ops)):
            user = User(
                username=username,
                display_name=username.title(),
                password_hash=hash_password(PASSWORD),
                role=role,
                organisation_id=org.id,
            )
            user.totp_secret_enc = sealed_totp(user.id)
            session.add(user)
        session.commit()
    return {"social_worker": "karin", "admin": "anders"}


def _sign_in(page: Page, live_server: str, username: str) -> None:
    sign_in(page, live_server, username, PASSWORD, totp_secret=TOTP_SECRET)


def _open_case(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Given name").fill("Šarūnas")
    page.get_by_label("Family name").fill("Petrauskas")
    page.get_by_label("Date of birth (as claimed)").fill("2012-03-04")
    page.get_by_label("Sex").select_option("male")
    page.get_by_role("button", name="Open the case").click()


def test_a_second_case_for_the_same_child_is_offered_the_first_and_search_finds_both(
    page: Page, live_server: str, users: dict[str, str]
) -> None:
    _sign_in(page, live_server, users["social_worker"])
    _open_case(page, live_server)
    first = REFERENCE.search(page.get_by_role("heading", level=1).inner_text())
    assert first is not None
    _open_case(page, live_server)
    expect(page.get_by_role("heading", name="This child may have a case already")).to_be_visible()
    expect(page.get_by_role("link", name=first.group(0))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("None of these is the same child: open a new case").check()
    page.get_by_role("button", name="Open the case").click()
    second = REFERENCE.search(page.get_by_role("heading", level=1).inner_text())
    assert second is not None and second.group(0) != first.group(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a case").click()
    page.get_by_label("Name").fill("s")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter at least 2 letters of a name")
    assert_accessible(page)
    page.get_by_label("Name").fill("sarunas")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text(re.compile(r"^\d+ cases match\."))).to_be_visible()
    for reference in (first.group(0), second.group(0)):
        expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert "sarunas" not in page.url
    assert_accessible(page)


def test_an_administrator_erases_a_case_after_confirming(
    browser: Browser, page: Page, live_server: str, users: dict[str, str]
) -> None:
    _sign_in(page, live_server, users["social_worker"])
    _open_case(page, live_server)
    page.get_by_label("None of these is the same child: open a new case").check()
    page.get_by_role("button", name="Open the case").click()
    case_url = page.url
    reference = REFERENCE.search(page.get_by_role("heading", level=1).inner_text())
    assert reference is not None

    admin = browser.new_context(locale="en-GB").new_page()
    _sign_in(admin, live_server, users["admin"])
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Erase a case").click()
    assert_accessible(admin)
    admin.get_by_label("Case reference").fill(reference.group(0))
    admin.get_by_label("Reason for erasing").select_option("opened_in_error")
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(reference.group(0))
    expect(admin.get_by_text("This cannot be undone")).to_be_visible()
    assert "Petrauskas" not in admin.content()
    assert_accessible(admin)
    admin.get_by_label("Type the case reference again").fill(reference.group(0))
    admin.get_by_label("Your password").fill("not the password at all")
    admin.get_by_role("button", name="Erase the case for good").click()
    expect(admin.locator("#password-error")).to_contain_text("The password is not correct.")
    admin.get_by_label("Your password").fill(PASSWORD)
    admin.get_by_role("button", name="Erase the case for good").click()
    expect(admin.get_by_role("status")).to_contain_text(f"Case {reference.group(0)} is erased")
    admin.context.close()

    page.goto(case_url)
    expect(page.get_by_role("heading", name="This case was erased")).to_be_visible()
    expect(page.get_by_text("Petrauskas")).to_have_count(0)
    assert_accessible(page)
