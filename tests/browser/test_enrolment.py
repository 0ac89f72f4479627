"""An administrator creates a user whose role reads cases; a second administrator
approves it; the new user enrols from the link (the approver's) with the enrolment code
(the creator's) and signs in with a password and a code from an authenticator app."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "amber lighthouse on a cold morning"


def test_new_user_enrols_and_signs_in_with_totp(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "admin", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("User name").fill("ilze")
    page.get_by_label("Full name").fill("Ilze Kalniņa")
    page.get_by_label("Role").select_option("ngo_worker")
    page.get_by_label("Organisation").select_option(
        label="Baltic Harbour Children's Support (demo)"
    )
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", name="Waiting for a second administrator")).to_be_visible()
    assert_accessible(page)
    code_for_ilze = page.locator(".secret").inner_text().strip()
    assert page.get_by_role("link", name="/enrol/").count() == 0
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "admin2", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Waiting for approval").click()
    assert_accessible(page)
    page.get_by_role("button", name="Approve ilze").click()
    link = page.get_by_role("link", name="/enrol/")
    enrolment_url = link.get_attribute("href")
    assert enrolment_url and "/enrol/" in enrolment_url
    page.get_by_role("button", name="Sign out").click()

    page.goto(enrolment_url)
    expect(page.get_by_role("heading", name="Set up your account, ilze")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Enrolment code").fill(code_for_ilze)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    secret = page.locator(".secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    enrolment_code = totp.now()
    page.get_by_label("The 6-digit code").fill(enrolment_code)
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )

    page.get_by_role("link", name="sign in").click()
    page.get_by_label("User name").fill("ilze")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The enrolment used the current code; the next one is accepted, a reuse is not.
    code = page.get_by_label("Code from your authenticator app")
    code.fill(enrolment_code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#code-error")).to_contain_text("has been used already")
    code = page.get_by_label("Code from your authenticator app")
    code.fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    assert_accessible(page)

    page.goto(enrolment_url)
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_text("has been used already")).to_be_visible()
