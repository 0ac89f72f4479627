"""A closed case is closed: no new members, referrals, measures or flags until its lead
reopens it, and no edit links. Closing names what is still open and is refused while
the child is recorded missing. Flags follow the policy's rules for who resolves them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.models import Case, CaseFlag, Organisation, User
from tests.conftest import login, new_client
from tests.digest import database_digest
from tests.factories import make_organisation, make_user, open_case
from tests.records import post
from tests.supporting import TODAY, YESTERDAY, as_caller, join


@dataclass
class World:
    case_id: uuid.UUID
    lead: User
    police: User
    ngo: User
    provider: Organisation


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    lead = make_user(username="sofia")
    police = make_user(username="peeter", police=True)
    ngo = make_user(username="nora", ngo_worker=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, police, "police")
    join(app, db_session, case_id, ngo, "ngo")
    return World(case_id, lead, police, ngo, make_organisation(ngo=True, name="Shelter"))


def _version(db_session: Session, case_id: uuid.UUID) -> str:
    db_session.expire_all()
    return str(db_session.get_one(Case, case_id).version)


def _close(client: FlaskClient, db_session: Session, case_id: uuid.UUID) -> str:
    form = {"reason": "duplicate", "confirmed": "yes", "version": _version(db_session, case_id)}
    response = post(client, f"/cases/{case_id}/close", form)
    return str(response.status_code) if response.status_code != 200 else response.text


def _flag(
    app: Flask,
    db_session: Session,
    w: World,
    kind: str,
    text: str | None = None,
    by: User | None = None,
) -> None:
    with app.app_context():
        casefile.raise_flag(db_session, as_caller(by or w.lead), w.case_id, kind, text or kind)


def test_closing_names_what_is_still_open(
    app: Flask, db_session: Session, world: World, client: FlaskClient
) -> None:
    with app.app_context():
        casefile.add_measure(
            db_session,
            as_caller(world.lead),
            world.case_id,
            casefile.MeasureInput("legal", world.provider.id, "active", YESTERDAY, None, None, ""),
        )
    _flag(app, db_session, world, "safety_risk")
    login(client, "sofia")
    form = {"reason": "duplicate", "version": _version(db_session, world.case_id)}
    page = post(client, f"/cases/{world.case_id}/close", form).text
    assert "Still open on this case" in page
    assert "1 support measure is planned or active." in page
    assert "1 flag is open." in page
    assert "Yes, close the case" in page


def test_a_case_is_not_closed_while_the_child_is_missing(
    app: Flask, db_session: Session, world: World, client: FlaskClient
) -> None:
    # Recording the episode raises the automatic "missing" flag (nobody raises it by hand).
    with app.app_context():
        casefile.report_missing(
            db_session,
            as_caller(world.ngo),
            world.case_id,
            casefile.MissingReport(
                last_seen_at=datetime.combine(YESTERDAY, time(18)),
                circumstances="Did not come back to the shelter.",
            ),
        )
    login(client, "sofia")
    form = {"reason": "duplicate", "version": _version(db_session, world.case_id)}
    asked = post(client, f"/cases/{world.case_id}/close", form).text
    assert "The child is recorded missing" in asked and "Yes, close the case" not in asked
    before = database_digest(db_session)
    refused = _close(client, db_session, world.case_id)
    assert "The child is recorded missing" in refused
    assert database_digest(db_session) == before
    assert db_session.get_one(Case, world.case_id).status == "open"


def test_a_closed_case_takes_no_members_referrals_measures_or_flags(
    app: Flask, db_session: Session, world: World, client: FlaskClient
) -> None:
    coordinator = make_user(username="cora", coordinator=True)
    receiver = make_user(username="rita", ngo_worker=True, organisation=world.provider)
    with app.app_context():
        referral = casefile.refer(
            db_session,
            as_caller(world.lead),
            world.case_id,
            casefile.NewReferral(world.provider.id, "Needs a bed", "child"),
        )
    login(client, "sofia")
    assert _close(client, db_session, world.case_id) == "302"
    newcomer = make_user(username="nils")
    elsewhere = make_organisation()
    before = database_digest(db_session)
    with app.app_context():
        lead = as_caller(world.lead)
        with pytest.raises(casefile.CaseClosed):
            casefile.add_to_team(
                db_session,
                lead,
                world.case_id,
                casefile.TeamChange(newcomer.id, "social_services", "member", TODAY, None),
            )
        with pytest.raises(casefile.CaseClosed):
            casefile.refer(
                db_session,
                lead,
                world.case_id,
                casefile.NewReferral(elsewhere.id, "Another", "child"),
            )
        with pytest.raises(casefile.InvalidInput):
            casefile.accept_referral(db_session, as_caller(coordinator), referral, [receiver.id])
        with pytest.raises(casefile.CaseClosed):
            casefile.add_measure(
                db_session,
                lead,
                world.case_id,
                casefile.MeasureInput("legal", world.provider.id, "planned", TODAY, None, None, ""),
            )
        with pytest.raises(casefile.CaseClosed):
            casefile.raise_flag(db_session, lead, world.case_id, "safety_risk", "x")
    assert database_digest(db_session) == before
    page = client.get(f"/cases/{world.case_id}").text
    for link in (
        "Change the team",
        "Refer to another organisation",
        "Raise a flag",
        "Add a measure",
        "Correct",
        "Record an alleged offence",
    ):
        assert link not in page, link
    assert "Reopen the case" in page
    team = client.get(f"/cases/{world.case_id}/team")
    assert team.status_code == 200 and "This case is closed." in team.text
    assert "Add to the team" not in team.text


def test_the_non_punishment_flag_follows_the_policy(
    app: Flask, db_session: Session, world: World
) -> None:
    # Raised by hand by police, who may resolve it (the lead may not raise it).
    _flag(app, db_session, world, "non_punishment", "Arrested for theft", by=world.police)
    flag = db_session.scalars(select(CaseFlag)).one()
    url = f"/cases/{world.case_id}/flags/{flag.id}/resolve"
    ngo = new_client(app)
    login(ngo, "nora")
    police = new_client(app)
    login(police, "peeter")
    flags = ngo.get(f"/cases/{world.case_id}").text.split('id="flags-title"')[1]
    assert "Resolve" not in flags[: flags.index("</section>")]
    before = database_digest(db_session)
    assert ngo.get(url).status_code == 403
    assert post(ngo, url, {"resolution": "Fine", "version": "1"}).status_code == 403
    assert database_digest(db_session) == before
    refused = post(police, url, {"resolution": "Considered", "version": "1"})
    assert "Record the non-punishment consideration first" in refused.text
    assert database_digest(db_session) == before
    with app.app_context():
        casefile.add_consideration(
            db_session,
            as_caller(world.police),
            world.case_id,
            casefile.ConsiderationInput("theft", "arrest", "yes", "Compelled", None, ""),
        )
    done = post(police, url, {"resolution": "Considered: see the entry.", "version": "1"})
    assert done.status_code == 302
    db_session.expire_all()
    assert db_session.get_one(CaseFlag, flag.id).resolved_at is not None
