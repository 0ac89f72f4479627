"""Support teams: coordinators and leads add and end memberships; one lead at a time;
new members are told on their next visit; bad input is refused beside the field."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import casefile
from casework.models import TeamMembership, User
from tests.conftest import login, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import TODAY, YESTERDAY, as_caller, count, events, field_error, join


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead")
    with app.app_context():
        return open_case(db_session, lead, given_name="Gintarė", family_name="Kazlauskaitė")


def _team_form(client: FlaskClient, case_id: uuid.UUID, **data: str) -> str:
    fields = {"actor_type": "police", "role_in_team": "member", "starts_on": TODAY.isoformat()}
    response = post_form(client, f"/cases/{case_id}/team", {**fields, **data})
    assert response.status_code in (200, 302)
    return str(response.text)


def test_coordinator_adds_a_member_who_then_reaches_the_case(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", coordinator=True)
    officer = make_user(username="peeter", police=True)
    login(client, "kārlis")
    response = post_form(
        client,
        f"/cases/{case_id}/team",
        {
            "user": str(officer.id),
            "actor_type": "police",
            "role_in_team": "member",
            "starts_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    change = events(db_session, "team.change")[-1]
    assert (change.actor, change.subject) == ("kārlis", "peeter")
    with app.app_context():
        assert casefile.read_case(db_session, as_caller(officer), case_id).reference


def test_a_membership_ending_before_it_starts_is_refused_beside_the_field(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", coordinator=True)
    officer = make_user(police=True)
    login(client, "kārlis")
    before = count(db_session, TeamMembership)
    html = _team_form(client, case_id, user=str(officer.id), ends_on=YESTERDAY.isoformat())
    assert field_error(html, "ends_on") == "The membership must end after it starts."
    assert count(db_session, TeamMembership) == before


def test_a_second_lead_is_refused(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", coordinator=True)
    other = make_user()
    login(client, "kārlis")
    before = count(db_session, TeamMembership)
    html = _team_form(client, case_id, user=str(other.id), role_in_team="lead")
    assert "The team has a lead for these dates" in field_error(html, "role_in_team")
    assert count(db_session, TeamMembership) == before


def test_someone_already_on_the_team_is_refused(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", coordinator=True)
    lead = db_session.scalar(select(TeamMembership).where(TeamMembership.case_id == case_id))
    assert lead is not None
    login(client, "kārlis")
    # The form offers only possible choices: not the lead already on the team, not the
    # coordinator choosing; a hand-made post of the lead is refused by the door.
    other = make_user(username="olev", police=True)
    page = client.get(f"/cases/{case_id}/team").text
    offered = set(re.findall(r'<option value="([0-9a-f-]{36})"', page))
    kārlis = db_session.scalar(select(User).where(User.username == "kārlis"))
    assert kārlis is not None
    assert str(other.id) in offered
    assert str(lead.user_id) not in offered and str(kārlis.id) not in offered
    html = _team_form(client, case_id, user=str(lead.user_id))
    assert field_error(html, "user") == "This person is already on the team for these dates."


def test_a_coordinator_of_another_region_cannot_see_the_team(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="far", coordinator=True, organisation=make_organisation(region="Far"))
    login(client, "far")
    assert client.get(f"/cases/{case_id}/team").status_code == 404


def test_the_lead_manages_the_team_a_member_does_not(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    login(client, "lead")
    assert client.get(f"/cases/{case_id}/team").status_code == 200
    join(app, db_session, case_id, make_user(username="member"), "social_services")
    other = new_client_for(app, "member")
    assert other.get(f"/cases/{case_id}/team").status_code == 403


def new_client_for(app: Flask, username: str) -> FlaskClient:
    from tests.conftest import new_client

    client = new_client(app)
    login(client, username)
    return client


def _end_membership(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID, ends_on: date
) -> tuple[User, TeamMembership, str, TestResponse]:
    """The coordinator ends the NGO worker's membership on `ends_on` through the form."""
    make_user(username="kārlis", coordinator=True)
    nora = make_user(username="nora", ngo_worker=True)
    join(app, db_session, case_id, nora)
    membership = db_session.scalar(select(TeamMembership).where(TeamMembership.user_id == nora.id))
    assert membership is not None
    login(client, "kārlis")
    field_name = f"end-{membership.id.hex}-ends_on"
    response = post_form(
        client,
        f"/cases/{case_id}/team/{membership.id}/end",
        {field_name: ends_on.isoformat()},
        form_url=f"/cases/{case_id}/team",
    )
    return nora, membership, field_name, response


def test_ending_a_membership_ends_access(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    nora, _membership, _field, response = _end_membership(app, client, db_session, case_id, TODAY)
    assert response.status_code == 302
    db_session.expire_all()
    with app.app_context(), pytest.raises(casefile.CaseNotFound):
        casefile.read_case(db_session, as_caller(nora), case_id)


def test_an_end_before_the_start_is_refused_when_ending(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    long_ago = YESTERDAY.replace(year=YESTERDAY.year - 1)
    _nora, membership, field_name, response = _end_membership(
        app, client, db_session, case_id, long_ago
    )
    assert field_error(response.text, field_name) == "A membership cannot end before it starts."
    db_session.refresh(membership)
    assert membership.ends_on is None


def test_a_new_member_is_told_on_the_next_visit(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    login(client, "nora")
    page = client.get("/cases/")
    assert "You were added to the support team of 1 case" in page.text
    assert "New to you" in page.text
    client.get(f"/cases/{case_id}")
    assert "New to you" not in client.get("/cases/").text


def test_the_form_proposes_member_not_lead(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", coordinator=True)
    login(client, "kārlis")
    page = client.get(f"/cases/{case_id}/team").text
    assert re.search(r'<option selected value="member">', page)
    assert not re.search(r'<option selected value="lead">', page)


@pytest.mark.parametrize("starts_on", [YESTERDAY, date(2020, 1, 1)])
def test_a_membership_starting_in_the_past_is_refused_beside_the_field(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID, starts_on: date
) -> None:
    """Access is never granted backwards: not from yesterday, nor from before the case
    was opened."""
    make_user(username="kārlis", coordinator=True)
    officer = make_user(username="peeter", police=True)
    login(client, "kārlis")
    html = _team_form(client, case_id, user=str(officer.id), starts_on=starts_on.isoformat())
    assert field_error(html, "starts_on") == "Choose today or a later date."
    assert (
        db_session.scalars(select(TeamMembership).where(TeamMembership.user_id == officer.id)).all()
        == []
    )
    assert events(db_session, "team.change") == []


def test_a_future_start_is_told_to_the_team_when_it_is_made(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    from datetime import timedelta

    from casework.models import Notification

    make_user(username="kārlis", coordinator=True)
    officer = make_user(username="peeter", police=True)
    lead = db_session.scalars(select(User).where(User.username == "lead")).one()
    login(client, "kārlis")
    later = TODAY + timedelta(days=7)
    _team_form(client, case_id, user=str(officer.id), starts_on=later.isoformat())
    [membership] = db_session.scalars(
        select(TeamMembership).where(TeamMembership.user_id == officer.id)
    ).all()
    assert membership.starts_on == later
    db_session.expire_all()
    told = db_session.scalars(select(Notification).where(Notification.case_id == case_id)).all()
    assert (lead.id, "member_added") in {(n.user_id, n.kind) for n in told}
    assert (officer.id, "case_handed") in {(n.user_id, n.kind) for n in told}
