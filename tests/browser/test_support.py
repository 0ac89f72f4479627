"""Multi-professional support, walked as people would: the coordinator assembles a team,
referrals are accepted and declined, the NGO records a declined measure and sees the
re-offer flag when it is due, and the prosecutor cannot decide before the assessment."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from casework import casefile, clock, db
from casework.audit.events import Actor, RequestContext
from casework.auth.passwords import hash_password
from casework.casefile.support.membership import add_member
from casework.models import Organisation, User
from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TOTP_SECRET, sealed_totp

pytestmark = pytest.mark.browser

PASSWORD = "support browser passphrase"
TODAY = clock.today()


def _demo_user(username: str) -> User:
    user = db.session().scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _new_user(username: str, role: str, organisation: Organisation) -> User:
    session = db.session()
    user = User(
        username=username,
        display_name=f"{username.title()} Tester",
        password_hash=hash_password(PASSWORD),
        role=role,
        organisation_id=organisation.id,
    )
    user.totp_secret_enc = sealed_totp(user.id)
    session.add(user)
    session.commit()
    return user


def _open(opener: str, given: str) -> uuid.UUID:
    caller = casefile.Caller(user=_demo_user(opener), context=RequestContext())
    child = casefile.NewChild(
        given_name=given, family_name="Testinen", date_of_birth=None, sex="unknown"
    )
    return casefile.open_case(db.session(), caller, child)


def _join(case_id: uuid.UUID, user: User, actor_type: str) -> None:
    add_member(db.session(), Actor(username="test"), case_id, user, actor_type, starts_on=TODAY)


@pytest.fixture(scope="module")
def shelter(browser_app: Flask) -> tuple[str, str]:
    """A receiving organisation in the coordinator's region, with one worker."""
    with browser_app.app_context():
        org = Organisation(name="Riga Youth Shelter (test)", kind="ngo", region="Riga")
        db.session().add(org)
        db.session().commit()
        _new_user("tove", "ngo_worker", org)
        return org.name, "Tove Tester"


def _demo(page: Page, live_server: str, username: str) -> None:
    sign_in(page, live_server, username, DEMO_PASSWORD)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_coordinator_assembles_a_team_for_a_new_case(
    page: Page, live_server: str, browser_app: Flask
) -> None:
    with browser_app.app_context():
        case_id = _open("socialworker", "Assembled")
    _demo(page, live_server, "coordinator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Region overview").click()
    link = page.locator(f"a[href='/cases/{case_id}/team']")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support team of CW-")
    assert_accessible(page)

    page.get_by_label("Person").select_option(
        label="Peeter Police — Tallinn Police Prefecture (demo)"
    )
    page.get_by_label("Actor type").select_option("police")
    page.get_by_label("Role in the team").select_option("lead")
    page.get_by_label("From").fill(TODAY.isoformat())
    page.get_by_role("button", name="Add to the team").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator("#role_in_team-error")).to_contain_text("The team has a lead")
    assert_accessible(page)

    page.get_by_label("Role in the team").select_option("member")
    page.get_by_label("Until (optional)").fill((TODAY - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Add to the team").click()
    expect(page.locator("#ends_on-error")).to_contain_text("must end after it starts")

    page.get_by_label("Until (optional)").fill("")
    page.get_by_role("button", name="Add to the team").click()
    expect(page.get_by_role("status")).to_contain_text("The person is on the team")
    expect(page.get_by_role("cell", name="Peeter Police", exact=True)).to_be_visible()

    _sign_out(page)
    _demo(page, live_server, "police")
    news = page.get_by_role("region", name="New since you last looked")
    expect(news).to_contain_text("You were added to the team of a case")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    expect(page.get_by_role("status")).to_contain_text("You were added to the support team")
    page.locator(f"a[href='/cases/{case_id}']").click()
    expect(page.get_by_role("heading", name="Support team")).to_be_visible()
    expect(page.get_by_role("cell", name="Peeter Police", exact=True)).to_be_visible()


def _refer(page: Page, live_server: str, case_id: uuid.UUID, to: str, reason: str) -> None:
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("link", name="Refer to another organisation").click()
    page.get_by_label("Refer to").select_option(label=to)
    page.get_by_label("Reason for the referral").fill(reason)
    page.get_by_label("Consent given by").select_option("guardian")
    page.get_by_role("button", name="Send the referral").click()


def test_one_referral_is_accepted_and_one_declined(
    page: Page, live_server: str, browser_app: Flask, shelter: tuple[str, str]
) -> None:
    shelter_name, shelter_worker = shelter
    with browser_app.app_context():
        case_id = _open("socialworker", "Referred")
    _demo(page, live_server, "socialworker")
    # One's own organisation is not offered (the door refuses a hand-made post of it).
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("link", name="Refer to another organisation").click()
    receivers = page.get_by_label("Refer to").locator("option")
    expect(receivers.filter(has_text="Baltic Harbour Children's Support (demo)")).to_have_count(1)
    expect(receivers.filter(has_text="Riga City Social Services (demo)")).to_have_count(0)
    _refer(page, live_server, case_id, shelter_name, "Needs a safe bed tonight.")
    _refer(page, live_server, case_id, "Baltic Harbour Children's Support (demo)", "Peer group.")
    expect(page.get_by_role("status")).to_contain_text("The referral is sent")
    _sign_out(page)

    _demo(page, live_server, "coordinator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    rows = page.get_by_role("row").filter(has_text=shelter_name)
    rows.first.get_by_role("link").click()
    expect(page.get_by_text("Needs a safe bed tonight.")).to_be_visible()
    expect(page.get_by_text("Referred")).to_have_count(0)  # the child's name is not revealed
    assert_accessible(page)
    page.get_by_label(shelter_worker).check()
    page.get_by_role("button", name="Accept the referral").click()
    expect(page.get_by_role("status")).to_contain_text("The referral is accepted")

    page.get_by_role("row").filter(has_text="Baltic Harbour").filter(
        has_text="Waiting for a decision"
    ).first.get_by_role("link").click()
    page.get_by_role("button", name="Decline the referral").click()
    expect(page.locator("#decline-reason-error")).to_contain_text("Say why")
    page.get_by_label("Why the referral is declined").fill("No group starts before spring.")
    page.get_by_role("button", name="Decline the referral").click()
    _sign_out(page)

    _demo(page, live_server, "socialworker")
    page.goto(f"{live_server}/cases/{case_id}")
    referrals = page.get_by_role("region", name="Referrals")
    expect(referrals).to_contain_text("Accepted")
    expect(referrals).to_contain_text("Declined: No group starts before spring.")
    expect(page.get_by_role("cell", name=shelter_worker, exact=True)).to_be_visible()


def test_ngo_records_a_declined_measure_and_the_reoffer_is_flagged_when_due(
    page: Page, live_server: str, browser_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with browser_app.app_context():
        case_id = _open("socialworker", "Declining")
        org = db.session().scalar(select(Organisation).where(Organisation.kind == "ngo"))
        assert org is not None
        worker = _new_user("ulla", "ngo_worker", org)
        _join(case_id, worker, "ngo")
        days = browser_app.config["CASEWORK"].reoffer_days
    sign_in(page, live_server, "ulla", PASSWORD, totp_secret=TOTP_SECRET)
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("link", name="Add a support measure").click()
    page.get_by_label("Measure", exact=True).select_option("psychological")
    page.get_by_label("Provider").select_option(label=org.name)
    page.get_by_label("Starts").fill(TODAY.isoformat())
    page.get_by_role("button", name="Save the measure").click()
    expect(page.get_by_role("status")).to_contain_text("The measure is in the support plan")

    page.get_by_role("link", name="Record the child's views").click()
    assert_accessible(page)
    page.get_by_label("Date", exact=True).fill(TODAY.isoformat())
    page.get_by_label("Language used").fill("Ukrainian")
    page.get_by_label("How the child was informed").select_option("interpreter")
    page.get_by_label("The child's views, in the child's words").fill("They look after me.")
    page.get_by_label("Psychological support: the child").select_option("declines")
    page.get_by_label("Psychological support: reasons").fill("Does not trust adults yet.")
    page.get_by_label("Does the child see a benefit from the exploiter?").select_option("yes")
    page.get_by_role("button", name="Save the child's views").click()
    due = TODAY + timedelta(days=days)
    views = page.get_by_role("region", name="The child's views")
    expect(views).to_contain_text(f"planned for {due.isoformat()}")
    expect(views).not_to_contain_text("Re-offer due")

    monkeypatch.setattr(clock, "today", lambda: due)
    page.reload()
    expect(views).to_contain_text("Re-offer due")
    # The case stays open.
    expect(page.get_by_role("region", name="Case status")).to_contain_text("Open")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    expect(page.get_by_role("row").filter(has_text="Re-offer due")).to_have_count(1)
    assert_accessible(page)


def test_prosecutor_cannot_decide_before_the_assessment(
    page: Page, live_server: str, browser_app: Flask
) -> None:
    with browser_app.app_context():
        case_id = _open("police", "Suspected")
        _join(case_id, _demo_user("prosecutor"), "prosecutor")
        police = casefile.Caller(user=_demo_user("police"), context=RequestContext())
        casefile.add_consideration(
            db.session(),
            police,
            case_id,
            casefile.ConsiderationInput(
                "theft", "arrest", "yes", "Sent to steal by the owner.", None, ""
            ),
        )
    _demo(page, live_server, "prosecutor")
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Decided on").fill(TODAY.isoformat())
    page.get_by_label("Decision-maker").fill("Paulina Prosecutor")
    page.get_by_label("Outcome").select_option("not_prosecuted")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#override_reason-error")).to_contain_text(
        "No trafficking assessment is recorded"
    )
    assert_accessible(page)

    # The assessment is the police's to record, not the prosecutor's.
    _sign_out(page)
    _demo(page, live_server, "police")
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("link", name="Change or record the assessment").click()
    page.get_by_label("Trafficking assessment completed on").fill(TODAY.isoformat())
    page.get_by_label("Assessor").fill("National referral mechanism")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The non-punishment consideration is saved")
    _sign_out(page)
    _demo(page, live_server, "prosecutor")
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("link", name="Record the decision").click()
    expect(page.get_by_label("Why the decision cannot wait for the assessment")).to_have_count(0)
    page.get_by_label("Decided on").fill(TODAY.isoformat())
    page.get_by_label("Decision-maker").fill("Paulina Prosecutor")
    page.get_by_label("Outcome").select_option("not_prosecuted")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("The decision is recorded")
    expect(page.get_by_role("region", name="Non-punishment")).to_contain_text("Not prosecuted")
