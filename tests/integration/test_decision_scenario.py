"""The record in an appeal: police assess, the prosecutor decides, police try to change
the assessment afterwards. The change is refused and recorded as a dated correction;
the original, the decision and the override reason stay visible to the prosecutor and
the case lead, and the history shows every step."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import NonPunishment
from tests.conftest import login, new_client, post_form
from tests.digest import database_digest
from tests.factories import make_user, open_case
from tests.supporting import TODAY, join

RATIONALE = "Sold drugs on the orders of the man who held her passport."
OVERRIDE = "Custody time limit expires today; the assessment is booked for next week."
CORRECTION = "The assessment was completed after the decision: the link is found."


def _history(page: str) -> str:
    return page[page.index('id="history-title"') :]


def test_police_assess_the_prosecutor_decides_police_cannot_rewrite(
    app: Flask, db_session: Session
) -> None:
    lead_user = make_user(username="sofia", display_name="Sofia Social")
    police_user = make_user(username="peeter", display_name="Peeter Police", police=True)
    prosecutor_user = make_user(
        username="paulina", display_name="Paulina Prosecutor", prosecutor=True
    )
    with app.app_context():
        case_id = open_case(db_session, lead_user)
    join(app, db_session, case_id, police_user, "police")
    join(app, db_session, case_id, prosecutor_user, "prosecutor")
    case_url = f"/cases/{case_id}"
    police, prosecutor, lead = new_client(app), new_client(app), new_client(app)
    login(police, "peeter")
    login(prosecutor, "paulina")
    login(lead, "sofia")

    # 1. Police record the alleged offence; the trafficking assessment is not complete.
    offence = {"offence": "drugs", "stage": "charge", "link": "unclear", "rationale": RATIONALE}
    assert post_form(police, f"{case_url}/non-punishment/new", offence).status_code == 302
    entry = db_session.scalars(select(NonPunishment)).one()

    # 2. The prosecutor decides without the assessment, giving the reason.
    decision_url = f"{case_url}/non-punishment/{entry.id}/decision"
    decision = {
        "decided_on": TODAY.isoformat(),
        "decision_maker": "Paulina Prosecutor",
        "outcome": "discontinued",
        "override_reason": OVERRIDE,
        "version": "1",
    }
    assert post_form(prosecutor, decision_url, decision).status_code == 302

    # 3. Police try to change the assessment the decision rested on: refused.
    before = database_digest(db_session)
    edit_url = f"{case_url}/non-punishment/{entry.id}"
    changed = {
        **offence,
        "link": "yes",
        "assessed_on": TODAY.isoformat(),
        "assessor": "National referral mechanism",
        "version": "2",
    }
    refused = post_form(police, edit_url, changed, form_url=case_url)
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/correction")
    assert database_digest(db_session) == before

    # 4. ... and recorded as a dated correction beside the original instead.
    correction_url = f"{edit_url}/correction"
    corrected = post_form(police, correction_url, {**changed, "correction_reason": CORRECTION})
    assert corrected.status_code == 302

    db_session.expire_all()
    original, correction = db_session.scalars(
        select(NonPunishment).order_by(NonPunishment.created_at)
    ).all()
    assert original.assessed_on is None and original.decided_without_assessment
    assert correction.corrects_id == original.id and correction.assessed_on == TODAY

    prosecutor_page = prosecutor.get(case_url).text
    for shown in (
        RATIONALE,
        OVERRIDE,
        CORRECTION,
        "Discontinued",
        "Not completed",
        "Decided without a completed trafficking assessment.",
    ):
        assert shown in prosecutor_page, shown
    lead_page = lead.get(case_url).text
    for shown in (
        OVERRIDE,
        "Discontinued",
        "Not completed",
        "Correction recorded on",
        "Decided without a completed trafficking assessment.",
    ):
        assert shown in lead_page, shown

    # Every step is in the history: who, what, and (for the prosecutor) the values.
    steps = _history(prosecutor_page)
    assert "Peeter Police — Non-punishment: recorded" in steps
    assert "Paulina Prosecutor — Non-punishment: decided" in steps
    assert "Peeter Police — Non-punishment: corrected by a new entry" in steps
    assert OVERRIDE in steps and CORRECTION in steps
    lead_steps = _history(lead_page)
    for step in (
        "Non-punishment: recorded",
        "Non-punishment: decided",
        "Non-punishment: corrected by a new entry",
    ):
        assert step in lead_steps
