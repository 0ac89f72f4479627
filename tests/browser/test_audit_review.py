"""An auditor signs in, filters the audit log, finds a break-glass access, is told
plainly about a bad filter, and verifies the chain."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from casework import db
from casework.audit.events import Action, Actor, Outcome, RequestContext, record
from casework.auth.passwords import hash_password
from casework.models import Organisation, User
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TOTP_SECRET, sealed_totp

pytestmark = pytest.mark.browser

PASSWORD = "auditor browser passphrase"
BREAK_GLASS_CASE = "CW-2026-BRK6LS"


@pytest.fixture(scope="module")
def auditor(browser_app: Flask) -> str:
    with browser_app.app_context():
        session = db.session()
        office = Organisation(name="Audit Office (browser)", kind="oversight", region="Riga")
        police = Organisation(name="Harju Police (browser)", kind="police", region="Harju")
        session.add_all([office, police])
        session.flush()
        user = User(
            username="aino-browser",
            display_name="Aino Auditor",
            password_hash=hash_password(PASSWORD),
            role="auditor",
            organisation_id=office.id,
        )
        user.totp_secret_enc = sealed_totp(user.id)
        session.add(user)
        peeter = Actor(username="peeter-browser", role="police", organisation=str(police.id))
        context = RequestContext(request_id="b" * 32, client_addr="192.0.2.10")
        record(session, Action.CASE_READ, peeter, case_ref="CW-2026-AAAAAA", context=context)
        record(session, Action.BREAKGLASS_OPEN, peeter, case_ref=BREAK_GLASS_CASE, context=context)
        record(session, Action.ACCESS_DENIED, peeter, outcome=Outcome.DENIED, context=context)
        session.commit()
    return "aino-browser"


def test_auditor_filters_events_and_sees_the_break_glass_entry(
    page: Page, live_server: str, auditor: str
) -> None:
    sign_in(page, live_server, auditor, PASSWORD, totp_secret=TOTP_SECRET)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Action").select_option(label="Break-glass access")
    page.get_by_label("User name").fill("peeter-browser")
    page.get_by_role("button", name="Show events").click()
    expect(page.get_by_role("status")).to_have_text("1 event matches.")
    row = page.get_by_role("row").filter(has_text=BREAK_GLASS_CASE)
    expect(row).to_contain_text("Break-glass access")
    expect(row).to_contain_text("Harju Police (browser)")
    expect(page.get_by_text("CW-2026-AAAAAA")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("navigation", name="Audit").get_by_role("link", name="Break-glass").click()
    expect(page.get_by_role("heading", name="Break-glass accesses")).to_be_visible()
    entry = page.get_by_role("row").filter(has_text=BREAK_GLASS_CASE)
    expect(entry).to_contain_text("peeter-browser")
    expect(entry).to_contain_text("No reason found")
    assert_accessible(page)


def test_a_bad_date_is_explained_beside_the_filter(
    page: Page, live_server: str, auditor: str
) -> None:
    sign_in(page, live_server, auditor, PASSWORD, totp_secret=TOTP_SECRET)
    page.goto(f"{live_server}/audit/")
    page.get_by_label("From (UTC)").fill("last Tuesday")
    page.get_by_role("button", name="Show events").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("From (UTC)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#since-error")).to_contain_text("Enter a date like 2026-11-29")
    expect(page.get_by_role("table")).to_have_count(0)
    assert_accessible(page)


def test_auditor_verifies_the_chain(page: Page, live_server: str, auditor: str) -> None:
    sign_in(page, live_server, auditor, PASSWORD, totp_secret=TOTP_SECRET)
    page.goto(f"{live_server}/audit/chain")
    expect(page.get_by_role("heading", name="Integrity of the audit log")).to_be_visible()
    page.get_by_role("button", name="Verify the whole log now").click()
    expect(page.get_by_role("status").first).to_contain_text("The audit log is intact")
    expect(page.get_by_text("intact", exact=True)).to_be_visible()
    assert_accessible(page)
