"""A child goes missing, walked as people would: a police officer on the team records it; the lead
signs in and sees it first on Today and on My cases; closing the case is refused; the
coordinator sees it on the region overview without the child's name; the child is
found and a return-interview task appears. Today and the case page on a phone too."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from casework import casefile, clock, db
from casework.audit.events import Actor, RequestContext
from casework.casefile.support.membership import add_member
from casework.models import Case, User
from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

GIVEN = "Viktorija"
FAMILY = "Missingtest"


def _moment(hours_ago: int) -> str:
    moment = clock.local(clock.utcnow()) - timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(scope="module")
def case(browser_app: Flask) -> tuple[uuid.UUID, str]:
    with browser_app.app_context():
        session = db.session()
        lead = session.scalars(select(User).where(User.username == "socialworker")).one()
        police = session.scalars(select(User).where(User.username == "police")).one()
        case_id = casefile.open_case(
            session,
            casefile.Caller(user=lead, context=RequestContext()),
            casefile.NewChild(
                given_name=GIVEN, family_name=FAMILY, date_of_birth=None, sex="female"
            ),
        )
        add_member(
            session, Actor(username="test"), case_id, police, "police", starts_on=clock.today()
        )
        return case_id, session.get_one(Case, case_id).reference


def _as(page: Page, live_server: str, username: str) -> None:
    # Leave the page first: a response still on its way could set the cookie again.
    page.goto("about:blank")
    page.context.clear_cookies()
    sign_in(page, live_server, username, DEMO_PASSWORD)


WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
    .slice(0, 8)"""


def _fits_a_phone(page: Page) -> None:
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, page.evaluate(WIDER_THAN_THE_SCREEN)


def test_a_missing_child_from_report_to_return(
    page: Page, live_server: str, case: tuple[uuid.UUID, str]
) -> None:
    case_id, reference = case
    url = f"{live_server}/cases/{case_id}"
    _as(page, live_server, "police")
    page.goto(url)
    page.get_by_role("link", name="Record that the child is missing").click()
    page.get_by_label("Last seen", exact=True).fill(_moment(6))
    page.get_by_label("Circumstances").fill("Left the shelter with an older man.")
    page.get_by_role("button", name="Record the child missing").click()
    expect(page.get_by_role("alert").filter(has_text="The child is missing")).to_be_visible()

    _as(page, live_server, "socialworker")
    expect(page).to_have_url(f"{live_server}/today")
    missing = page.get_by_role("region", name="Children missing now")
    expect(missing.get_by_role("link", name=reference)).to_be_visible()
    expect(page.get_by_text("A child was recorded missing").first).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    _fits_a_phone(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="My cases").first.click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row.get_by_text("Child missing")).to_be_visible()

    # Closing while the child is missing is refused: the confirmation says why and
    # offers no way to close.
    page.goto(f"{url}/close")
    page.get_by_label("Why the case is closed").select_option("other")
    page.get_by_label("Note").fill("Trying to close.")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_text("A case is not closed while the child is missing").first
    ).to_be_visible()
    expect(page.get_by_role("button", name="Yes, close the case")).to_have_count(0)
    page.goto(url)
    expect(page.locator("#status")).not_to_contain_text("Closed")

    _as(page, live_server, "coordinator")
    page.goto(f"{live_server}/cases/overview")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row.get_by_text("Child missing")).to_be_visible()
    assert GIVEN not in page.content() and FAMILY not in page.content()

    _as(page, live_server, "socialworker")
    page.goto(url)
    page.get_by_role("link", name="Record that the child was found").click()
    page.get_by_label("Found", exact=True).fill(_moment(1))
    page.get_by_label("Where found").fill("A flat in Jūrmala")
    page.get_by_role("button", name="Record the child found").click()
    tasks = page.get_by_role("region", name="Tasks")
    expect(
        tasks.locator("strong", has_text="Return interview after the child was found")
    ).to_be_visible()
    expect(page.get_by_text("Recorded missing 1 time,")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    _fits_a_phone(page)
    assert_accessible(page)
