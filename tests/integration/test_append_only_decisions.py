"""Legal decisions are append-only: once decided, a non-punishment entry and the
assessment it rested on never change; a second decision is refused; a correction is a
new, dated entry beside the original; a decision without an assessment stays flagged
with its reason. Formal identification decisions are corrected the same way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.models import AuditEvent, IdentificationDecision, NonPunishment, User
from tests.conftest import login, new_client, post_form
from tests.digest import changed_tables, database_digest, table_digests
from tests.factories import make_user, open_case
from tests.supporting import TODAY, as_caller, join

RATIONALE = "Carried parcels for the man who housed him."
OVERRIDE = "Custody time limit expires today."


@dataclass
class World:
    case_id: uuid.UUID
    police: User
    prosecutor: User
    lead: User


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    lead = make_user(username="sofia")
    police = make_user(username="peeter", police=True)
    prosecutor = make_user(username="paulina", prosecutor=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, police, "police")
    join(app, db_session, case_id, prosecutor, "prosecutor")
    return World(case_id, police, prosecutor, lead)


def _consider(app: Flask, db_session: Session, w: World, assessed: bool) -> uuid.UUID:
    with app.app_context():
        return casefile.add_consideration(
            db_session,
            as_caller(w.police),
            w.case_id,
            casefile.ConsiderationInput(
                "drugs",
                "charge",
                "yes",
                RATIONALE,
                TODAY - timedelta(days=2) if assessed else None,
                "National referral mechanism" if assessed else "",
            ),
        )


def _decide(app: Flask, db_session: Session, w: World, entry: uuid.UUID, override: str) -> None:
    with app.app_context():
        casefile.record_prosecution_decision(
            db_session,
            as_caller(w.prosecutor),
            w.case_id,
            entry,
            casefile.DecisionInput(TODAY, "Paulina", "not_prosecuted", "", override, ""),
            1,
        )


def _allowed_changes(db_session: Session) -> int:
    return len(
        db_session.scalars(
            select(AuditEvent).where(
                AuditEvent.outcome == "allowed",
                AuditEvent.action.in_(["case.update", "nonpunishment.override"]),
            )
        ).all()
    )


def test_a_decided_entry_never_changes(app: Flask, db_session: Session, world: World) -> None:
    entry = _consider(app, db_session, world, assessed=False)
    _decide(app, db_session, world, entry, OVERRIDE)
    before, changes = database_digest(db_session), _allowed_changes(db_session)
    client = new_client(app)
    login(client, "peeter")
    url = f"/cases/{world.case_id}/non-punishment/{entry}"
    # The edit page of a decided entry offers the correction instead.
    assert client.get(url).headers["Location"].endswith(f"{url}/correction")
    response = post_form(
        client,
        url,
        {
            "offence": "drugs",
            "stage": "charge",
            "link": "no",
            "rationale": "Changed",
            "assessed_on": (TODAY - timedelta(days=3)).isoformat(),
            "assessor": "Late",
            "version": "2",
        },
        form_url=f"/cases/{world.case_id}",
    )
    assert response.status_code in (200, 302)
    with app.app_context(), pytest.raises(casefile.InvalidInput):
        casefile.update_consideration(
            db_session,
            as_caller(world.police),
            world.case_id,
            entry,
            casefile.ConsiderationInput("drugs", "charge", "no", "Changed", TODAY, "Late"),
            2,
        )
    assert database_digest(db_session) == before
    assert _allowed_changes(db_session) == changes


def test_a_second_decision_is_refused_and_the_first_stays(
    app: Flask, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=False)
    _decide(app, db_session, world, entry, OVERRIDE)
    before = database_digest(db_session)
    client = new_client(app)
    login(client, "paulina")
    url = f"/cases/{world.case_id}/non-punishment/{entry}/decision"
    # The decision page of a decided entry leads to the correction instead.
    assert client.get(url).headers["Location"].endswith("/correction")
    posted = post_form(
        client,
        url,
        {
            "decided_on": TODAY.isoformat(),
            "decision_maker": "Someone else",
            "outcome": "prosecuted",
            "departure_reasons": "Because",
            "version": "2",
        },
        form_url=f"/cases/{world.case_id}",
    )
    assert posted.headers["Location"].endswith("/correction")
    # The door itself refuses a second decision, whatever is posted.
    with app.app_context(), pytest.raises(casefile.InvalidInput) as refused:
        casefile.record_prosecution_decision(
            db_session,
            as_caller(world.prosecutor),
            world.case_id,
            entry,
            casefile.DecisionInput(TODAY, "Someone else", "prosecuted", "Because", "", ""),
            2,
        )
    assert "can no longer change" in str(refused.value.message)
    assert database_digest(db_session) == before
    db_session.expire_all()
    stored = db_session.get_one(NonPunishment, entry)
    with app.app_context():
        assert stored.outcome == "not_prosecuted"
        assert stored.override_reason == OVERRIDE
    assert stored.decided_without_assessment is True


def test_a_correction_shows_beside_the_original_and_the_override_stays(
    app: Flask, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=False)
    _decide(app, db_session, world, entry, OVERRIDE)
    client = new_client(app)
    login(client, "peeter")
    url = f"/cases/{world.case_id}/non-punishment/{entry}/correction"
    assert "Record a correction" in client.get(f"/cases/{world.case_id}").text
    missing_reason = post_form(
        client,
        url,
        {
            "offence": "drugs",
            "stage": "charge",
            "link": "yes",
            "rationale": RATIONALE,
            "assessed_on": TODAY.isoformat(),
            "assessor": "NRM",
            "version": "2",
        },
    )
    assert "Say what is corrected and why." in missing_reason.text
    done = post_form(
        client,
        url,
        {
            "offence": "drugs",
            "stage": "charge",
            "link": "yes",
            "rationale": RATIONALE,
            "assessed_on": TODAY.isoformat(),
            "assessor": "NRM",
            "version": "2",
            "correction_reason": "The assessment was completed after the decision.",
        },
    )
    assert done.status_code == 302
    rows = db_session.scalars(select(NonPunishment).order_by(NonPunishment.created_at)).all()
    assert len(rows) == 2
    original, correction = rows
    assert correction.corrects_id == original.id and correction.decided_on is None
    assert original.decided_without_assessment is True and original.assessed_on is None
    for username in ("paulina", "sofia"):
        reader = new_client(app)
        login(reader, username)
        page = reader.get(f"/cases/{world.case_id}").text
        assert "Decided without a completed trafficking assessment." in page
        assert OVERRIDE in page
        assert "Correction recorded on" in page


def test_a_formal_identification_decision_is_corrected_beside_the_original(
    app: Flask, db_session: Session, world: World
) -> None:
    with app.app_context():
        decision = casefile.record_decision(
            db_session,
            as_caller(world.police),
            world.case_id,
            casefile.DecisionChange("presumed", "Police chief", TODAY, "positive", True),
        )
    client = new_client(app)
    login(client, "peeter")
    url = f"/cases/{world.case_id}/decisions/{decision}"
    form = {
        "stage": "reasonable_grounds",
        "decision_maker": "Police chief",
        "decided_on": TODAY.isoformat(),
        "outcome": "positive",
        "assistance_unconditional": "y",
    }
    without_version = post_form(client, url, {**form, "correction_reason": "Wrong stage"})
    assert without_version.status_code == 200
    assert len(db_session.scalars(select(IdentificationDecision)).all()) == 1
    done = post_form(client, url, {**form, "correction_reason": "Wrong stage", "version": "1"})
    assert done.status_code == 302
    rows = db_session.scalars(
        select(IdentificationDecision).order_by(IdentificationDecision.recorded_at)
    ).all()
    assert len(rows) == 2
    with app.app_context():
        assert rows[0].stage == "presumed" and rows[0].version == 1
        assert rows[1].stage == "reasonable_grounds" and rows[1].corrects_id == rows[0].id
        assert rows[1].correction_reason == "Wrong stage"
    page = client.get(f"/cases/{world.case_id}").text
    assert "Correction recorded on" in page and "Wrong stage" in page


def test_the_decision_form_without_its_version_is_refused(
    app: Flask, db_session: Session, world: World, client: FlaskClient
) -> None:
    entry = _consider(app, db_session, world, assessed=True)
    login(client, "paulina")
    before = table_digests(db_session)
    response = post_form(
        client,
        f"/cases/{world.case_id}/non-punishment/{entry}/decision",
        {"decided_on": TODAY.isoformat(), "decision_maker": "P", "outcome": "not_prosecuted"},
    )
    assert response.status_code == 200
    assert changed_tables(before, table_digests(db_session)) == []
