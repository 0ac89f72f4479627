"""The accountable record, walked on a 390 px phone screen: the prosecutor corrects a
decided non-punishment entry beside the original, and the auditor reviews a break-glass
use from the queue."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy import select

from casework import db
from casework.models import NonPunishment
from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


# Elements running past the screen's right edge (scrolling tables are meant to).
WIDEST = """() => {
  const limit = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')].filter(
    (e) => e.getBoundingClientRect().right > limit + 1 && !e.closest('.table-scroll'));
  return wide.slice(0, 5).map((e) => e.tagName + ' ' + e.textContent.slice(0, 40));
}"""


def _fits(page: Page) -> None:
    """Nothing is wider than the phone's screen."""
    assert page.evaluate(WIDEST) == []


def test_a_decided_entry_is_corrected_beside_the_original(
    page: Page, live_server: str, browser_app: Flask
) -> None:
    with browser_app.app_context():
        decided = (
            db.session()
            .scalars(select(NonPunishment).where(NonPunishment.decided_on.is_not(None)))
            .first()
        )
        assert decided is not None
        case_id = decided.case_id
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "prosecutor", DEMO_PASSWORD)
    page.goto(f"{live_server}/cases/{case_id}")
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Non-punishment"))
    expect(section.get_by_role("link", name="Record the decision")).to_have_count(0)
    section.get_by_role("link", name="Record a correction").first.click()
    expect(page.get_by_role("heading", name="Record a correction")).to_be_visible()
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Record the correction").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what is corrected and why.")
    page.get_by_label("What is corrected, and why").fill("The stage was the trial, not the charge.")
    page.get_by_label("Stage reached").select_option(label="Trial")
    page.get_by_role("button", name="Record the correction").click()
    expect(
        page.get_by_text("The correction is recorded beside the original entry.")
    ).to_be_visible()
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Non-punishment"))
    expect(section).to_contain_text("Correction recorded on")
    expect(section).to_contain_text("The stage was the trial, not the charge.")
    history = page.locator("section").filter(has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("Paulina Prosecutor — Non-punishment: corrected by a new entry")
    _fits(page)
    assert_accessible(page)


def test_the_auditor_reviews_a_break_glass_use_from_the_queue(page: Page, live_server: str) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "auditor", DEMO_PASSWORD)
    page.goto(f"{live_server}/audit/break-glass/queue")
    expect(page.get_by_role("heading", name="Break-glass uses to review")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("table").get_by_role("link", name="Review").first.click()
    expect(page.get_by_role("heading", name="Review a break-glass use")).to_be_visible()
    _fits(page)
    page.get_by_label("Justified", exact=True).check()
    page.get_by_label("Note").fill("Called the duty officer: a real emergency that night.")
    assert_accessible(page)
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("status").first).to_contain_text("is recorded")
    _fits(page)
