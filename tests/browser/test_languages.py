"""Casework in the reader's language and on a phone: a person chooses Latvian, Finnish or
Ukrainian before signing in, and reads the case page, a form's error and the audit log in
it, with local times; the child's summary is in the child's language, not the worker's;
the main pages fit a 390 px screen without sideways scrolling."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from casework import casefile, db
from casework.audit.events import RequestContext
from casework.locales import day_text, moment_text
from casework.models import Case, TeamMembership, User
from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible
from tests.i18n import translated

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "phone"
# The demo organisations are in Latvia and Estonia (casework/demo): Riga's time.
RIGA = "Europe/Riga"
TALLINN = "Europe/Tallinn"


@pytest.fixture(autouse=True)
def _languages_reset(browser_app: Flask) -> Iterator[None]:
    """A language saved on a demo account here must not follow it into other tests."""
    yield
    with browser_app.app_context():
        session = db.session()
        session.execute(update(User).values(language=None, time_zone=None))
        session.commit()


def _user(username: str) -> User:
    user = db.session().scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _led_case(username: str) -> Case:
    """A case the demo user leads."""
    case = db.session().scalar(
        select(Case)
        .join(TeamMembership, TeamMembership.case_id == Case.id)
        .join(User, User.id == TeamMembership.user_id)
        .where(User.username == username, TeamMembership.role_in_team == "lead")
        .where(Case.status == "open")
        .order_by(Case.created_at)
        .limit(1)
    )
    assert case is not None
    return case


def _switch(page: Page, language: str) -> None:
    """Choose a language with the switcher in the page header, as a person would."""
    page.locator("#language-switch").select_option(language)
    page.locator("form.language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _text(language: str, message: str) -> str:
    return message if language == "en" else translated(language, message)


def _sign_in(page: Page, live_server: str, username: str, language: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label(_text(language, "User name")).fill(username)
    page.get_by_label(_text(language, "Password"), exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=_text(language, "Sign in"), exact=True).click()
    expect(page.locator("form.language-switch")).to_be_visible()
    expect(page).not_to_have_url(f"{live_server}/login")


@pytest.mark.parametrize("language", ["lv", "fi", "uk"])
def test_a_person_works_in_their_language(
    page: Page, live_server: str, browser_app: Flask, language: str
) -> None:
    with browser_app.app_context():
        case = _led_case("socialworker")
        case_id, opened = case.id, case.created_at

    # Before signing in: the switcher on the sign-in page.
    page.goto(f"{live_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _switch(page, language)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(translated(language, "Sign in to Casework"))
    assert_accessible(page)
    _sign_in(page, live_server, "socialworker", language)

    # The case page, with the date it was opened written for the language in Riga's time.
    page.goto(f"{live_server}/cases/{case_id}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text(translated(language, "Opened"))
    expect(facts).to_contain_text(day_text(opened, language, RIGA))
    assert_accessible(page)

    # A form with an error: the summary says so in the language, and takes the focus.
    page.goto(f"{live_server}/cases/{case_id}/tasks/new")
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(translated(language, "There is a problem"))
    expect(summary).to_be_focused()
    assert_accessible(page)

    # The audit log, as the auditor, in the same language: local time with UTC beside it.
    page.get_by_role("button", name=translated(language, "Sign out")).click()
    # Signing out forgets the switcher's choice: the next person starts from the browser's.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _switch(page, language)
    _sign_in(page, live_server, "auditor", language)
    page.goto(f"{live_server}/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(language, "Audit log"))
    first = page.locator("table time").first
    stamp = first.get_attribute("datetime")
    assert stamp is not None
    moment = datetime.fromisoformat(stamp.removesuffix("Z"))
    expect(first).to_have_text(moment_text(moment, language, RIGA))
    cell = page.locator("table td").filter(has=page.locator("time")).first
    expect(cell).to_contain_text(f"{moment:%Y-%m-%d %H:%M:%S} UTC")
    assert_accessible(page)


def test_the_browser_language_is_used_before_sign_in(page: Page, live_server: str) -> None:
    context = page.context.browser.new_context(locale="lv-LV")  # type: ignore[union-attr]
    latvian = context.new_page()
    try:
        latvian.goto(f"{live_server}/login")
        expect(latvian.locator("html")).to_have_attribute("lang", "lv")
        heading = latvian.get_by_role("heading", level=1)
        expect(heading).to_have_text(translated("lv", "Sign in to Casework"))
    finally:
        context.close()


def test_the_account_keeps_its_language_and_zone(
    page: Page, live_server: str, browser_app: Flask
) -> None:
    _sign_in(page, live_server, "police", "en")
    page.get_by_role("link", name="Language and time").click()
    page.locator("main").get_by_label("Language", exact=True).select_option("fi")
    page.get_by_label("Time zone").select_option("Europe/Helsinki")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("status")).to_have_text(
        translated("fi", "Your language and time zone are saved.")
    )
    assert_accessible(page)
    with browser_app.app_context():
        police = _user("police")
        assert (police.language, police.time_zone) == ("fi", "Europe/Helsinki")


def test_the_childs_summary_is_in_the_childs_language(
    page: Page, live_server: str, browser_app: Flask
) -> None:
    with browser_app.app_context():
        worker = _user("socialworker")
        caller = casefile.Caller(user=worker, context=RequestContext())
        case_id = casefile.open_case(
            db.session(),
            caller,
            casefile.NewChild(
                given_name="Oksana", family_name="Bondar", date_of_birth=None, sex="female"
            ),
        )
        casefile.update_identity(
            db.session(),
            caller,
            case_id,
            casefile.IdentityChange(
                given_name="Oksana",
                family_name="Bondar",
                date_of_birth=None,
                sex="female",
                languages=("uk",),
            ),
            1,
        )
    page.goto(f"{live_server}/login")
    _switch(page, "sv")
    _sign_in(page, live_server, "socialworker", "sv")
    page.goto(f"{live_server}/cases/{case_id}")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.get_by_role(
        "link", name=translated("sv", "A summary for the child, in their language")
    ).click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translated("uk", "Your support, %(name)s", name="Oksana")
    )
    expect(page.get_by_role("heading", name=translated("uk", "Your rights"))).to_be_visible()
    expect(page.get_by_text("Bondar")).to_have_count(0)
    assert_accessible(page)


WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => !e.parentElement.closest('.table-scroll'))
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
    .slice(0, 8)"""


def _fits_a_phone(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (name, width, page.evaluate(WIDER_THAN_THE_SCREEN))


def test_the_main_pages_fit_a_phone(page: Page, live_server: str, browser_app: Flask) -> None:
    with browser_app.app_context():
        case_id: uuid.UUID = _led_case("socialworker").id
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "socialworker", "en")
    page.goto(f"{live_server}/cases/{case_id}")
    _fits_a_phone(page, "case-page")
    page.goto(f"{live_server}/cases/")
    _fits_a_phone(page, "my-cases")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, "coordinator", "en")
    page.goto(f"{live_server}/cases/overview")
    _fits_a_phone(page, "region-overview")
    page.goto(f"{live_server}/cases/{case_id}/team")
    _fits_a_phone(page, "team-page")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, "auditor", "en")
    page.goto(f"{live_server}/audit/")
    _fits_a_phone(page, "audit-log")
    page.goto(f"{live_server}/audit/break-glass")
    _fits_a_phone(page, "break-glass")
    page.goto(f"{live_server}/audit/break-glass/queue")
    _fits_a_phone(page, "break-glass-queue")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, "admin", "en")
    page.goto(f"{live_server}/admin/approvals")
    _fits_a_phone(page, "approvals")
