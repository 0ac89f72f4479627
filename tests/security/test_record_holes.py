"""Insider attacks on the accountable record are refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.access.errors import CaseClosed, InvalidInput
from casework.casefile.casewide.lifecycle import StatusChange, Step, change_status
from casework.casefile.record.child import PlacementChange, save_placement
from casework.casefile.support.team import end_membership
from casework.models import Case, CaseStatus, NonPunishment, TeamMembership, User
from tests.conftest import csrf_token, login, new_client
from tests.digest import database_digest
from tests.factories import make_user, open_case
from tests.supporting import TODAY, as_caller, join


@dataclass
class World:
    case_id: uuid.UUID
    lead: User
    police: User
    prosecutor: User
    ngo: User


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    lead = make_user(username="sofia")
    police = make_user(username="peeter", police=True)
    prosecutor = make_user(username="paulina", prosecutor=True)
    ngo = make_user(username="nora", ngo_worker=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, police, "police")
    join(app, db_session, case_id, prosecutor, "prosecutor")
    join(app, db_session, case_id, ngo, "ngo")
    return World(case_id, lead, police, prosecutor, ngo)


def _version(db_session: Session, case_id: uuid.UUID) -> int:
    db_session.expire_all()
    return db_session.get_one(Case, case_id).version


def _close(app: Flask, db_session: Session, w: World) -> None:
    with app.app_context():
        change_status(
            db_session,
            as_caller(w.lead),
            w.case_id,
            StatusChange(Step.CLOSE, _version(db_session, w.case_id), "duplicate"),
        )
    db_session.expire_all()
    assert db_session.get_one(Case, w.case_id).status == CaseStatus.CLOSED


# --- A closed case: memberships can still end, and access ends with them --------


def test_closed_case_membership_can_be_ended_and_access_ends(
    app: Flask, db_session: Session, world: World
) -> None:
    _close(app, db_session, world)
    membership = db_session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == world.case_id, TeamMembership.user_id == world.ngo.id
        )
    ).one()
    with app.app_context():
        end_membership(db_session, as_caller(world.lead), world.case_id, membership.id, TODAY)
    db_session.expire_all()
    assert db_session.get_one(TeamMembership, membership.id).ends_on == TODAY
    client = new_client(app)
    login(client, "nora")
    assert client.get(f"/cases/{world.case_id}").status_code in (403, 404)


def test_closed_case_team_page_offers_ending_but_not_joining(
    app: Flask, db_session: Session, world: World
) -> None:
    _close(app, db_session, world)
    client = new_client(app)
    login(client, "sofia")
    page = client.get(f"/cases/{world.case_id}/team")
    assert page.status_code == 200
    assert "/end" in page.text
    assert "Add to the team" not in page.text


def test_closed_case_takes_no_new_member(app: Flask, db_session: Session, world: World) -> None:
    from casework.casefile.support.team import TeamChange, add_to_team

    other = make_user(username="olga", ngo_worker=True)
    _close(app, db_session, world)
    before = database_digest(db_session)
    with app.app_context(), pytest.raises(CaseClosed):
        add_to_team(
            db_session,
            as_caller(world.lead),
            world.case_id,
            TeamChange(other.id, "ngo", "member", TODAY, None),
        )
    assert database_digest(db_session) == before


# --- The prosecutor cannot rewrite the police assessment before deciding ----------


def _consider(app: Flask, db_session: Session, w: World, assessed: bool = True) -> uuid.UUID:
    with app.app_context():
        return casefile.add_consideration(
            db_session,
            as_caller(w.police),
            w.case_id,
            casefile.ConsiderationInput(
                "drugs",
                "charge",
                "yes",
                "Carried parcels for the man who housed him.",
                TODAY - timedelta(days=2) if assessed else None,
                "National referral mechanism" if assessed else "",
            ),
        )


def test_prosecutor_cannot_rewrite_police_assessment_link(
    app: Flask, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world)
    before = database_digest(db_session)
    with app.app_context(), pytest.raises(InvalidInput):
        casefile.update_consideration(
            db_session,
            as_caller(world.prosecutor),
            world.case_id,
            entry,
            casefile.ConsiderationInput(
                "drugs",
                "charge",
                "no",
                "No link.",
                TODAY - timedelta(days=2),
                "National referral mechanism",
            ),
            1,
        )
    db_session.rollback()
    assert database_digest(db_session) == before
    with app.app_context():
        # Prosecuting against link=yes still needs departure reasons.
        with pytest.raises(InvalidInput) as refused:
            casefile.record_prosecution_decision(
                db_session,
                as_caller(world.prosecutor),
                world.case_id,
                entry,
                casefile.DecisionInput(TODAY, "Paulina", "prosecuted", "", "", ""),
                1,
            )
        assert refused.value.field == "departure_reasons"
    db_session.expire_all()
    with app.app_context():
        row = db_session.get_one(NonPunishment, entry)
        assert row.link == "yes"
        assert row.outcome is None


def test_prosecutor_cannot_fabricate_an_assessment_to_avoid_the_override(
    app: Flask, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world, assessed=False)
    with app.app_context():
        with pytest.raises(InvalidInput):
            casefile.update_consideration(
                db_session,
                as_caller(world.prosecutor),
                world.case_id,
                entry,
                casefile.ConsiderationInput(
                    "drugs", "charge", "no", "Parcels.", TODAY - timedelta(days=30), "Police"
                ),
                1,
            )
        db_session.rollback()
        casefile.record_prosecution_decision(
            db_session,
            as_caller(world.prosecutor),
            world.case_id,
            entry,
            casefile.DecisionInput(TODAY, "Paulina", "prosecuted", "reasons", "cannot wait", ""),
            1,
        )
    db_session.expire_all()
    row = db_session.get_one(NonPunishment, entry)
    assert row.decided_without_assessment is True
    assert row.assessed_on is None


def test_police_still_change_their_own_assessment(
    app: Flask, db_session: Session, world: World
) -> None:
    entry = _consider(app, db_session, world)
    with app.app_context():
        casefile.update_consideration(
            db_session,
            as_caller(world.police),
            world.case_id,
            entry,
            casefile.ConsiderationInput(
                "drugs", "charge", "unclear", "Unclear.", TODAY - timedelta(days=1), "Police"
            ),
            1,
        )
    db_session.expire_all()
    with app.app_context():
        assert db_session.get_one(NonPunishment, entry).link == "unclear"


# --- Bad input at sign-in ---------------------------------------------------------


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "sofia\x00", "\x1b[31m"])
def test_control_characters_in_login_username_are_refused(
    app: Flask, db_session: Session, value: str
) -> None:
    make_user(username="sofia")
    client = new_client(app)
    page = client.get("/login")
    before = database_digest(db_session)
    response = client.post(
        "/login",
        data={"username": value, "password": "x", "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 200
    assert "Use letters, digits and punctuation only." in response.text
    assert database_digest(db_session) == before


# --- Break-glass into an erased case ----------------------------------------------


def test_break_glass_into_an_erased_case_is_refused(app: Flask, db_session: Session) -> None:
    from sqlalchemy import func

    from casework.models import BreakGlassGrant
    from tests.conftest import totp_code
    from tests.factories import PASSWORD

    lead = make_user(username="sofia")
    make_user(username="peeter", police=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
    case = db_session.get_one(Case, case_id)
    reference = case.reference
    case.status = CaseStatus.ERASED
    db_session.commit()
    client = new_client(app)
    login(client, "peeter")
    reauth = client.get("/reauth", query_string={"next": "/cases/emergency-access"})
    client.post(
        "/reauth",
        query_string={"next": "/cases/emergency-access"},
        data={
            "password": PASSWORD,
            "code": totp_code(client, "peeter"),
            "csrf_token": csrf_token(reauth.text),
        },
    )
    page = client.get("/cases/emergency-access")
    assert page.status_code == 200
    response = client.post(
        "/cases/emergency-access",
        data={
            "reference": reference,
            "reason": "Child in danger, need the address now.",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 410
    grants = db_session.scalar(
        select(func.count()).select_from(BreakGlassGrant).where(BreakGlassGrant.case_id == case_id)
    )
    assert grants == 0


# --- History hides non-punishment below summary -----------------------------------


def test_history_hides_non_punishment_from_minimal_readers(
    app: Flask, db_session: Session, world: World
) -> None:
    coordinator = make_user(username="coco", coordinator=True)
    join(app, db_session, world.case_id, coordinator, "social_services")
    entry = _consider(app, db_session, world)
    with app.app_context():
        casefile.record_prosecution_decision(
            db_session,
            as_caller(world.prosecutor),
            world.case_id,
            entry,
            casefile.DecisionInput(TODAY, "P", "not_prosecuted", "", "", ""),
            1,
        )
    marks = ("Non-punishment: decided", "Non-punishment: recorded")
    for name, shown in (("nora", False), ("coco", False), ("paulina", True), ("peeter", True)):
        client = new_client(app)
        login(client, name)
        text = client.get(f"/cases/{world.case_id}").text
        history = text[text.index('id="history-title"') :]
        assert any(m in history for m in marks) is shown, name


# --- Closing while the child is missing ---------------------------------------------


def _close_refused(app: Flask, db_session: Session, w: World) -> None:
    before = database_digest(db_session)
    with app.app_context(), pytest.raises(InvalidInput):
        change_status(
            db_session,
            as_caller(w.lead),
            w.case_id,
            StatusChange(Step.CLOSE, _version(db_session, w.case_id), "duplicate"),
        )
    db_session.rollback()
    assert database_digest(db_session) == before
    assert db_session.get_one(Case, w.case_id).status != CaseStatus.CLOSED


def test_case_does_not_close_while_whereabouts_are_unknown(
    app: Flask, db_session: Session, world: World
) -> None:
    with app.app_context():
        save_placement(
            db_session,
            as_caller(world.lead),
            world.case_id,
            PlacementChange("whereabouts_unknown", None, TODAY),
            None,
        )
    _close_refused(app, db_session, world)
