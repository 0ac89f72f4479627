"""Non-punishment: the trafficking assessment comes before any prosecution decision; a
decision without it needs an explicit override with a reason and is flagged; an outcome
departing from the assessment needs reasons; each role sees what DOMAIN.md allows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from casework import casefile
from casework.models import NonPunishment, User
from tests.conftest import login, new_client, post_form
from tests.factories import make_user, open_case
from tests.supporting import TODAY, as_caller, events, field_error, join

RATIONALE = "Carried parcels for the man who housed him."


@dataclass
class World:
    case_id: uuid.UUID
    police: User
    prosecutor: User


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    police = make_user(username="peeter", police=True)
    prosecutor = make_user(username="paulina", prosecutor=True)
    with app.app_context():
        case_id = open_case(db_session, police)
    join(app, db_session, case_id, prosecutor, "prosecutor")
    return World(case_id=case_id, police=police, prosecutor=prosecutor)


def _consider(
    app: Flask, db_session: Session, w: World, assessed: bool, link: str = "yes"
) -> uuid.UUID:
    with app.app_context():
        return casefile.add_consideration(
            db_session,
            as_caller(w.police),
            w.case_id,
            casefile.ConsiderationInput(
                "drugs",
                "charge",
                link,
                RATIONALE,
                TODAY - timedelta(days=2) if assessed else None,
                "National referral mechanism" if assessed else "",
            ),
        )


def _decide(client: FlaskClient, w: World, entry: uuid.UUID, **data: str) -> str:
    fields = {
        "decided_on": TODAY.isoformat(),
        "decision_maker": "Paulina Prosecutor",
        "outcome": "not_prosecuted",
        "version": "1",
    }
    url = f"/cases/{w.case_id}/non-punishment/{entry}/decision"
    response = post_form(client, url, {**fields, **data})
    return str(response.text) if response.status_code == 200 else str(response.status_code)


def _stored(db_session: Session, entry: uuid.UUID) -> NonPunishment:
    db_session.expire_all()
    return db_session.get_one(NonPunishment, entry)


def test_a_decision_before_the_assessment_is_refused(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=False)
    login(client, "paulina")
    html = _decide(client, world, entry)
    assert "No trafficking assessment is recorded" in field_error(html, "override_reason")
    assert _stored(db_session, entry).decided_on is None


def test_only_the_recording_organisation_is_offered_the_assessment_form(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=False)
    form = f"/cases/{world.case_id}/non-punishment/{entry}"
    login(client, "paulina")
    page = client.get(f"/cases/{world.case_id}").text
    assert f'href="{form}/decision"' in page and f'href="{form}"' not in page
    police = new_client(app)
    login(police, "peeter")
    page = police.get(f"/cases/{world.case_id}").text
    assert f'href="{form}"' in page and f'href="{form}/decision"' not in page


def test_an_override_with_a_reason_is_recorded_and_flagged(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=False)
    login(client, "paulina")
    result = _decide(client, world, entry, override_reason="Custody time limit expires today.")
    assert result == "302"
    stored = _stored(db_session, entry)
    assert stored.decided_without_assessment is True
    assert events(db_session, "nonpunishment.override")[-1].actor == "paulina"
    page = client.get(f"/cases/{world.case_id}").text
    assert "Decided without a completed trafficking assessment." in page


def test_after_the_assessment_the_decision_is_recorded_without_a_flag(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=True)
    login(client, "paulina")
    assert _decide(client, world, entry) == "302"
    stored = _stored(db_session, entry)
    with app.app_context():
        assert stored.outcome == "not_prosecuted"
    assert stored.decided_without_assessment is False


def test_departing_from_the_assessment_needs_reasons(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=True, link="yes")
    login(client, "paulina")
    html = _decide(client, world, entry, outcome="prosecuted")
    assert "departs from the assessment" in field_error(html, "departure_reasons")
    assert _stored(db_session, entry).decided_on is None
    result = _decide(
        client,
        world,
        entry,
        outcome="prosecuted",
        departure_reasons="Violence against another child.",
    )
    assert result == "302"


def test_police_do_not_decide_or_change_the_prosecutors_entries(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    with app.app_context():
        entry = casefile.add_consideration(
            db_session,
            as_caller(world.prosecutor),
            world.case_id,
            casefile.ConsiderationInput("theft", "arrest", "unclear", RATIONALE, None, ""),
        )
    login(client, "peeter")
    assert client.get(f"/cases/{world.case_id}/non-punishment/{entry}/decision").status_code == 403
    assert client.get(f"/cases/{world.case_id}/non-punishment/{entry}").status_code == 403
    assert RATIONALE not in client.get(f"/cases/{world.case_id}").text


def test_the_social_worker_sees_flag_and_outcome_the_ngo_the_flag_only(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=True)
    with app.app_context():
        casefile.record_prosecution_decision(
            db_session,
            as_caller(world.prosecutor),
            world.case_id,
            entry,
            casefile.DecisionInput(TODAY, "Paulina", "discontinued", "", "", ""),
            1,
        )
    join(app, db_session, world.case_id, make_user(username="sofia"), "social_services")
    join(app, db_session, world.case_id, make_user(username="nora", ngo_worker=True))
    login(client, "sofia")
    social = client.get(f"/cases/{world.case_id}").text
    assert "Discontinued" in social and RATIONALE not in social
    ngo = new_client(app)
    login(ngo, "nora")
    page = ngo.get(f"/cases/{world.case_id}").text
    assert "non-punishment applies" in page
    assert "Discontinued" not in page and RATIONALE not in page
