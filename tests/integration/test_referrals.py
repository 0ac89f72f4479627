"""Referrals: sent by a team member with reason and consent; accepted (choosing members)
or declined with a reason by a coordinator of the receiving region; the sender sees the
outcome; until accepted the receiver sees only what the referral reveals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from casework import casefile
from casework.models import Organisation, Referral, User
from tests.conftest import login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import TODAY, as_caller, count, events, field_error

REASON = "Needs a safe place to talk and help to go back to school."


@dataclass
class World:
    case_id: uuid.UUID
    sender: User
    coordinator: User
    ngo: Organisation
    ngo_worker: User


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    sender = make_user(username="sofia")
    ngo = make_organisation(ngo=True, name="Harbour NGO")
    with app.app_context():
        case_id = open_case(db_session, sender, given_name="Gintarė", family_name="Kazlauskaitė")
    return World(
        case_id=case_id,
        sender=sender,
        coordinator=make_user(username="kārlis", coordinator=True),
        ngo=ngo,
        ngo_worker=make_user(username="nora", ngo_worker=True, organisation=ngo),
    )


def _refer(app: Flask, db_session: Session, w: World) -> uuid.UUID:
    with app.app_context():
        return casefile.refer(
            db_session,
            as_caller(w.sender),
            w.case_id,
            casefile.NewReferral(w.ngo.id, REASON, "guardian"),
        )


def test_a_referral_to_the_senders_own_organisation_is_refused(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    login(client, "sofia")
    # The form offers only possible receivers; a hand-made post is refused by the door.
    offered = client.get(f"/cases/{world.case_id}/referrals/new").text
    assert f'value="{world.sender.organisation_id}"' not in offered
    response = post_form(
        client,
        f"/cases/{world.case_id}/referrals/new",
        {
            "to_organisation": str(world.sender.organisation_id),
            "reason": REASON,
            "consent": "child",
        },
    )
    assert field_error(response.text, "to_organisation") == (
        "Your own organisation cannot receive your referral."
    )
    assert count(db_session, Referral) == 0


def test_a_referral_without_consent_is_refused(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    login(client, "sofia")
    response = post_form(
        client,
        f"/cases/{world.case_id}/referrals/new",
        {"to_organisation": str(world.ngo.id), "reason": REASON, "consent": ""},
    )
    assert field_error(response.text, "consent") == "Record whose consent was given."
    assert count(db_session, Referral) == 0


def test_the_receiver_sees_only_what_the_referral_reveals_until_accepted(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    referral_id = _refer(app, db_session, world)
    assert events(db_session, "referral.create")[-1].field_groups == "support_plan"
    login(client, "kārlis")
    page = client.get(f"/referrals/{referral_id}")
    assert page.status_code == 200
    assert REASON in page.text
    assert "Gintarė" not in page.text and "Kazlauskaitė" not in page.text
    assert client.get(f"/cases/{world.case_id}").status_code == 404
    nora = new_client(app)
    login(nora, "nora")
    assert nora.get(f"/cases/{world.case_id}").status_code == 404


def test_accepting_adds_the_chosen_members_and_the_sender_sees_it(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    referral_id = _refer(app, db_session, world)
    login(client, "kārlis")
    response = post_form(
        client,
        f"/referrals/{referral_id}",
        {"decision": "accept", "accept-members": str(world.ngo_worker.id)},
    )
    assert response.status_code == 302
    nora = new_client(app)
    login(nora, "nora")
    assert nora.get(f"/cases/{world.case_id}").status_code == 200
    sender = new_client(app)
    login(sender, "sofia")
    assert "Accepted" in sender.get(f"/cases/{world.case_id}").text


def test_accepting_without_members_is_refused(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    referral_id = _refer(app, db_session, world)
    login(client, "kārlis")
    response = post_form(client, f"/referrals/{referral_id}", {"decision": "accept"})
    assert field_error(response.text, "accept-members") == (
        "Choose at least one person to join the team."
    )
    db_session.expire_all()
    assert db_session.get_one(Referral, referral_id).state == "pending"


def test_declining_needs_a_reason_which_the_sender_then_sees(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    referral_id = _refer(app, db_session, world)
    login(client, "kārlis")
    response = post_form(
        client, f"/referrals/{referral_id}", {"decision": "decline", "decline-reason": ""}
    )
    assert field_error(response.text, "decline-reason") == (
        "Say why the referral is declined; the sender sees it."
    )
    response = post_form(
        client,
        f"/referrals/{referral_id}",
        {"decision": "decline", "decline-reason": "No places this month."},
    )
    assert response.status_code == 302
    sender = new_client(app)
    login(sender, "sofia")
    page = sender.get(f"/cases/{world.case_id}").text
    assert "Declined" in page and "No places this month." in page
    assert events(db_session, "referral.decide")[-1].actor == "kārlis"


def test_a_coordinator_of_another_region_cannot_open_the_referral(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    referral_id = _refer(app, db_session, world)
    make_user(username="far", coordinator=True, organisation=make_organisation(region="Far"))
    login(client, "far")
    assert client.get(f"/referrals/{referral_id}").status_code == 404
    assert "Referrals to your region" in client.get("/referrals").text
    assert REASON not in client.get("/referrals").text


def test_a_police_sender_sees_why_but_not_the_support_plan_reason(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    officer = make_user(username="peeter", police=True)
    with app.app_context():
        casefile.add_to_team(
            db_session,
            as_caller(world.sender),
            world.case_id,
            casefile.TeamChange(officer.id, "police", "member", TODAY, None),
        )
        referral_id = casefile.refer(
            db_session,
            as_caller(officer),
            world.case_id,
            casefile.NewReferral(world.ngo.id, REASON, "child"),
        )
        casefile.decline_referral(
            db_session, as_caller(world.coordinator), referral_id, "Full until March."
        )
    login(client, "peeter")
    page = client.get(f"/cases/{world.case_id}").text
    assert "Declined: Full until March." in page
    assert REASON not in page


def test_organisations_that_give_no_support_are_not_offered_nor_accepted(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    auditors = make_organisation(name="Audit Office", kind="oversight")
    login(client, "sofia")
    offered = client.get(f"/cases/{world.case_id}/referrals/new").text
    assert "Audit Office" not in offered and f'value="{auditors.id}"' not in offered
    response = post_form(
        client,
        f"/cases/{world.case_id}/referrals/new",
        {"to_organisation": str(auditors.id), "reason": REASON, "consent": "child"},
    )
    assert field_error(response.text, "to_organisation") == "Choose an organisation from the list."
    assert count(db_session, Referral) == 0
