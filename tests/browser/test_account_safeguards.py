"""The account safeguards as a person meets them, on a 390 px wide phone screen: a
second-factor reset that the person finishes with their own password, the approvals
list, and an interpreter's case page with the child's first name and languages only."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, ViewportSize, expect

from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


def _fits(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than a 390 px screen"


def test_a_reset_is_finished_by_the_person_with_their_own_password(
    page: Page, live_server: str
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server}/admin/users")
    _fits(page)
    page.get_by_role("link", name="interpreter", exact=True).click()
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Reset second factor").click()
    heading = page.get_by_role("heading", name="Second-factor reset link for interpreter")
    expect(heading).to_be_visible()
    _fits(page)
    link = page.get_by_role("link", name="/enrol/").get_attribute("href")
    assert link
    page.get_by_role("button", name="Sign out").click()

    page.goto(link)
    heading = page.get_by_role("heading", name="Set up a new second factor, interpreter")
    expect(heading).to_be_visible()
    expect(page.locator(".secret")).to_have_count(0)  # nothing before the password
    _fits(page)
    assert_accessible(page)
    page.get_by_label("Your current password").fill("a guess by whoever holds the link")
    page.get_by_label("Your current password").press("Enter")
    expect(page.locator("#password-error")).to_contain_text("not correct")
    expect(page.locator(".secret")).to_have_count(0)
    page.get_by_label("Your current password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    secret = page.locator(".secret").inner_text().strip()
    _fits(page)
    assert_accessible(page)
    page.get_by_label("The 6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()


def test_the_approvals_list_on_a_phone(page: Page, live_server: str) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin2", DEMO_PASSWORD)
    page.goto(f"{live_server}/admin/approvals")
    expect(page.get_by_role("heading", name="Waiting for approval")).to_be_visible()
    _fits(page)
    assert_accessible(page)


def test_a_request_is_decided_on_a_phone(page: Page, live_server: str) -> None:
    """The approvals table scrolls in its box beside a fixed first column that never
    covers the buttons: the second administrator turns the request down by touch."""
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin2", DEMO_PASSWORD)
    page.goto(f"{live_server}/admin/users")
    page.get_by_role("link", name="analyst", exact=True).click()
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_role("button", name="Save role and organisation").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server}/admin/approvals")
    _fits(page)
    turn_down = page.get_by_role("button", name="Turn down analyst")
    turn_down.scroll_into_view_if_needed()
    turn_down.click(timeout=5000)  # fails while another cell covers the button
    expect(page.get_by_text("The request is turned down; nothing changed.")).to_be_visible()
    assert_accessible(page)


def test_an_interpreter_sees_the_first_name_and_languages_only(
    page: Page, live_server: str
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "interpreter", DEMO_PASSWORD)
    page.goto(f"{live_server}/cases/")
    _fits(page)
    page.locator("a[href^='/cases/']").filter(has_text="CW-").first.click()
    expect(page.get_by_text("Your role sees the first name and languages only.")).to_be_visible()
    expect(page.get_by_role("heading", name="Support team")).to_have_count(0)
    expect(page.get_by_role("heading", name="Flags")).to_have_count(0)
    expect(page.get_by_text("Languages", exact=True)).to_be_visible()
    _fits(page)
    assert_accessible(page)
