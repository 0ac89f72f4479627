"""The police demo user records an identification that opens a case and hands it to
social services; the social worker takes it on and sees the presumption of childhood
and the flags."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from casework import clock
from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _sign_in(page: Page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _record_identification(page: Page) -> str:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Record an identification"
    ).click()
    expect(page.get_by_role("heading", name="Record an identification")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Given name").fill("Anastasia")
    page.get_by_label("Family name").fill("Volkova")
    page.get_by_label("Sex", exact=True).select_option(label="Female")
    page.get_by_label("Date of identification").fill(
        (clock.today() - timedelta(days=1)).isoformat()
    )
    page.get_by_label("Country where the child was identified").select_option(label="Latvia")
    page.get_by_label("Who identified the child").select_option(label="Police")
    page.get_by_label("Context of the identification").select_option(
        label="Arrested or suspected of an offence"
    )
    page.get_by_label("How the child was recruited").select_option(label="Online grooming")
    page.get_by_label("Looks intimidated or behaves unlike a child of that age").check()
    page.get_by_label("Exploitation of criminal activities", exact=True).check()
    page.get_by_label("What happened").fill("Caught carrying parcels for an older man.")
    page.get_by_label("Investigation reference").fill("RIGA-2026-1177")
    lead = page.get_by_label("Social worker who takes on the case")
    lead.select_option(label="Sofia Social-Worker — Riga City Social Services (demo) (Riga)")
    page.get_by_role("button", name="Open the case and hand it over").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"CW-\d{4}-[0-9A-Z]{6}"))
    found = re.search(r"CW-\d{4}-[0-9A-Z]{6}", heading.inner_text())
    assert found is not None
    return found.group(0)


def test_police_hand_an_identified_child_to_the_social_worker(
    page: Page, live_server: str, demo: None
) -> None:
    _sign_in(page, live_server, "police")
    reference = _record_identification(page)
    expect(page.get_by_text("The case is open and handed to social services.")).to_be_visible()
    expect(page.locator("#flags")).to_contain_text("Non-punishment")
    expect(page.get_by_text("RIGA-2026-1177")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, "socialworker")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    page.get_by_role("link", name=reference).click()
    notice = page.get_by_role("note").filter(has_text="Presumed to be a child")
    expect(notice).to_be_visible()
    flags = page.locator("#flags")
    expect(flags).to_contain_text("Non-punishment")
    expect(flags).to_contain_text("must not be prosecuted or punished")
    expect(page.get_by_text("RIGA-2026-1177")).to_have_count(0)  # police and prosecutors only
    narrative = page.get_by_role("article").get_by_text("Caught carrying parcels for an older man.")
    expect(narrative).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Take on this case").click()
    expect(page.get_by_text("The case is yours: you lead its support team.")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Open")

    page.get_by_role("link", name="Record the migration status").click()
    assert_accessible(page)
    page.get_by_label("Care situation").select_option(label="Unaccompanied")
    page.get_by_label("Residence status").select_option(
        label="Temporary protection (displaced from Ukraine)"
    )
    page.get_by_label("Countries of origin").select_option(["UA"])
    page.get_by_label("Country granting the period").select_option(label="Latvia")
    page.get_by_label("Recovery and reflection period starts").fill(
        (clock.today() - timedelta(days=1)).isoformat()
    )
    page.get_by_role("button", name="Save").click()
    expect(flags).to_contain_text("No guardian")
    expect(page.get_by_text("29 days left")).to_be_visible()
    assert_accessible(page)


def test_closing_a_case_asks_for_confirmation(page: Page, live_server: str, demo: None) -> None:
    _sign_in(page, live_server, "socialworker")
    page.get_by_role("table").get_by_role("link").first.click()
    page.get_by_role("link", name="Close the case").click()
    page.get_by_label("Why the case is closed").select_option(label="Duplicate of another case")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Close case")
    assert_accessible(page)
    page.get_by_role("link", name="No, keep it open").click()
    expect(page.locator("#status")).not_to_contain_text("Closed")
