"""One child, one case, as people meet it: a second team opens a case for a child known
elsewhere without being told; the first case's lead finds a "possible same child" item,
links the cases, and both leads agree to merge them. On a 390 px wide phone screen."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, ViewportSize, expect

from casework import db
from casework.auth.passwords import hash_password
from casework.models import Organisation, User
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TOTP_SECRET, sealed_totp

pytestmark = pytest.mark.browser

PASSWORD = "browser test passphrase"
REFERENCE = re.compile(r"CW-\d{4}-[0-9A-Z]{6}")
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def leads(browser_app: Flask) -> tuple[str, str]:
    with browser_app.app_context():
        session = db.session()
        names = []
        for username, organisation in (
            ("oksana", "Valga Social Services"),
            ("mihkel", "Narva Social Services"),
        ):
            org = Organisation(name=organisation, kind="social_services", region="Ida-Viru")
            session.add(org)
            session.flush()
            user = User(
                username=username,
                display_name=username.title(),
                password_hash=hash_password(PASSWORD),
                role="social_worker",
                organisation_id=org.id,
            )
            user.totp_secret_enc = sealed_totp(user.id)
            session.add(user)
            names.append(username)
        session.commit()
    return names[0], names[1]


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > 390).slice(0, 5)"
        ".map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 60))"
    )
    assert width <= PHONE["width"], f"the page is {width} px wide: {wide}"


def _open_case(page: Page, live_server: str, given: str, family: str) -> str:
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth (as claimed)").fill("2011-02-03")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Open the case").click()
    found = REFERENCE.search(page.get_by_role("heading", level=1).inner_text())
    assert found is not None
    return found.group(0)


def test_a_hidden_match_reaches_the_other_lead_who_links_and_both_merge(
    page: Page, live_server: str, leads: tuple[str, str]
) -> None:
    first_lead, second_lead = leads
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, first_lead, PASSWORD, totp_secret=TOTP_SECRET)
    first = _open_case(page, live_server, "Олеся", "Ткачук")

    other = page.context.browser.new_context(locale="en-GB", viewport=PHONE).new_page()  # type: ignore[union-attr]
    sign_in(other, live_server, second_lead, PASSWORD, totp_secret=TOTP_SECRET)
    second = _open_case(other, live_server, "Olesia", "Tkachuk")  # no warning: not her team
    expect(other.get_by_text("This child may have a case already")).to_have_count(0)
    expect(other.get_by_text(first)).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Possible same child"
    ).click()
    expect(
        page.get_by_role("heading", name=f"{second} may be about the same child as {first}")
    ).to_be_visible()
    expect(page.get_by_text("Ткачук")).to_have_count(0)
    _fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("button", name="Same child: link the cases").click()
    expect(page.get_by_role("status").first).to_contain_text("The two cases are linked.")
    expect(page.get_by_text("Nothing to check")).to_be_visible()

    page.goto(f"{live_server}/cases/")
    page.get_by_role("link", name=first).click()
    page.get_by_role("link", name="Cases linked to this one (the same child)").click()
    expect(page.get_by_role("heading", name="Linked cases: the same child")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("link", name=f"Merge with {second}").click()
    page.get_by_label(f"The other case, {second}").check()
    page.get_by_role("button", name="Agree to merge").click()
    expect(page.locator("#confirm-error")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)
    page.get_by_label(f"The other case, {second}").check()
    page.get_by_label("I have checked that both cases are about the same child").check()
    page.get_by_role("button", name="Agree to merge").click()
    expect(page.get_by_text("The cases are merged once the other lead agrees.")).to_be_visible()

    other.reload()
    other.get_by_role("link", name="Cases linked to this one (the same child)").click()
    other.get_by_role("link", name=f"Merge with {first}").click()
    expect(
        other.get_by_text(f"The lead of {first} agreed to merge, with {second} going on.")
    ).to_be_visible()
    other.get_by_label(f"This case, {second}").check()
    other.get_by_label("I have checked that both cases are about the same child").check()
    other.get_by_role("button", name="Agree to merge").click()
    expect(other.get_by_text("The cases are merged.")).to_be_visible()
    expect(other.get_by_text("Олеся Ткачук")).to_be_visible()  # an alias of the child now
    _fits_the_screen(other)
    assert_accessible(other)

    page.goto(page.url)
    expect(page.get_by_role("heading", name=f"This case was merged into {second}")).to_be_visible()
    _fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("link", name=f"Open {second}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)
    other.context.close()
