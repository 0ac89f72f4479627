"""Access that nobody grants to themselves: no self-assignment by anyone, in the door
as well as the form; a coordinator neither leads nor replaces the lead; clinical actor
types follow the person's recorded profession; the lead sees a coordinator's additions."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.access.errors import InvalidInput, NotPermitted
from casework.models import TeamMembership, User
from tests.conftest import login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import TODAY, as_caller, events, field_error, join


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead", display_name="Lea Lead")
    with app.app_context():
        return open_case(db_session, lead, given_name="Gintarė", family_name="Kazlauskaitė")


def _add(client: FlaskClient, case_id: uuid.UUID, user: User, **data: str):  # type: ignore[no-untyped-def]
    fields = {
        "user": str(user.id),
        "actor_type": "ngo",
        "role_in_team": "member",
        "starts_on": TODAY.isoformat(),
    }
    return post_form(client, f"/cases/{case_id}/team", {**fields, **data})


def _memberships(db_session: Session, user: User) -> list[TeamMembership]:
    db_session.expire_all()
    return list(db_session.scalars(select(TeamMembership).where(TeamMembership.user_id == user.id)))


@pytest.mark.parametrize("actor_type", ["ngo", "health", "social_services"])
def test_a_coordinator_cannot_add_themselves_even_by_a_forged_post(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID, actor_type: str
) -> None:
    coordinator = make_user(username="kārlis", coordinator=True, profession="health")
    login(client, "kārlis")
    page = client.get(f"/cases/{case_id}/team")
    assert str(coordinator.id) not in page.text  # not offered
    denied = len(events(db_session, "access.denied"))
    response = _add(client, case_id, coordinator, actor_type=actor_type)
    assert response.status_code == 403
    assert _memberships(db_session, coordinator) == []
    assert len(events(db_session, "access.denied")) == denied + 1
    assert client.get(f"/cases/{case_id}").status_code == 404


def test_a_coordinator_cannot_make_themselves_lead(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    coordinator = make_user(username="kārlis", coordinator=True)
    login(client, "kārlis")
    assert _add(client, case_id, coordinator, role_in_team="lead").status_code == 403
    assert _memberships(db_session, coordinator) == []


def test_the_lead_cannot_add_themselves_a_second_time(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    lead = db_session.scalar(select(User).where(User.username == "lead"))
    assert lead is not None
    login(client, "lead")
    assert _add(client, case_id, lead, actor_type="health").status_code == 403
    assert len(_memberships(db_session, lead)) == 1


def test_the_door_refuses_self_assignment_whatever_the_screen(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    coordinator = make_user(coordinator=True)
    change = casefile.TeamChange(coordinator.id, "ngo", "member", TODAY, None)
    with app.app_context(), pytest.raises(NotPermitted):
        casefile.add_to_team(db_session, as_caller(coordinator), case_id, change)
    assert _memberships(db_session, coordinator) == []


def test_a_coordinator_cannot_accept_a_referral_with_themselves(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    lead = db_session.scalar(select(User).where(User.username == "lead"))
    assert lead is not None
    ngo = make_organisation(ngo=True, name="Harbour NGO")
    coordinator = make_user(coordinator=True, organisation=ngo)
    with app.app_context():
        referral = casefile.refer(
            db_session,
            as_caller(lead),
            case_id,
            casefile.NewReferral(ngo.id, "Needs support at school.", "guardian"),
        )
        page = casefile.read_referral(db_session, as_caller(coordinator), referral)
        assert str(coordinator.id) not in {c.value for c in page.candidates}
        with pytest.raises(NotPermitted):
            casefile.accept_referral(db_session, as_caller(coordinator), referral, [coordinator.id])
    assert _memberships(db_session, coordinator) == []


def test_a_coordinator_cannot_put_another_coordinator_in_as_lead(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    """Nor anyone else whose role may not close cases: a coordinator is not even a
    candidate, an NGO worker is refused as lead."""
    make_user(username="kārlis", coordinator=True)
    other = make_user(coordinator=True)
    nora = make_user(ngo_worker=True)
    lead = db_session.scalar(select(TeamMembership).where(TeamMembership.case_id == case_id))
    assert lead is not None
    lead.ends_on = TODAY  # no lead from today
    db_session.commit()
    login(client, "kārlis")
    response = _add(client, case_id, other, role_in_team="lead")
    assert response.status_code == 200
    assert field_error(response.text, "user") == "Choose a person from the list."
    assert _memberships(db_session, other) == []
    response = _add(client, case_id, nora, role_in_team="lead")
    assert response.status_code == 200
    assert "Only a person whose role may close cases" in field_error(response.text, "role_in_team")
    assert _memberships(db_session, nora) == []


def _end_lead(client: FlaskClient, db_session: Session, case_id: uuid.UUID) -> int:
    lead = db_session.scalar(select(TeamMembership).where(TeamMembership.case_id == case_id))
    assert lead is not None
    response = post_form(
        client,
        f"/cases/{case_id}/team/{lead.id}/end",
        {f"end-{lead.id.hex}-ends_on": TODAY.isoformat()},
        form_url=f"/cases/{case_id}/team",
    )
    return response.status_code


def test_a_coordinator_cannot_end_an_active_leads_membership(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", coordinator=True)
    login(client, "kārlis")
    assert _end_lead(client, db_session, case_id) == 403
    db_session.expire_all()
    lead = db_session.scalar(select(TeamMembership).where(TeamMembership.case_id == case_id))
    assert lead is not None and lead.ends_on is None


def test_a_coordinator_ends_the_membership_of_a_lead_who_left(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    lead_user = db_session.scalar(select(User).where(User.username == "lead"))
    assert lead_user is not None
    lead_user.active = False
    db_session.commit()
    make_user(username="kārlis", coordinator=True)
    login(client, "kārlis")
    assert _end_lead(client, db_session, case_id) == 302


def test_health_needs_the_profession_on_the_account(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", coordinator=True)
    nora = make_user(username="nora", ngo_worker=True)
    login(client, "kārlis")
    for actor_type in ("health", "child_psychiatry"):
        response = _add(client, case_id, nora, actor_type=actor_type)
        assert "ask an administrator" in field_error(response.text, "actor_type")
    assert _memberships(db_session, nora) == []
    doctor = make_user(username="dr", health_professional=True)
    assert _add(client, case_id, doctor, actor_type="child_psychiatry").status_code == 200
    assert _memberships(db_session, doctor) == []
    assert _add(client, case_id, doctor, actor_type="health").status_code == 302
    with app.app_context():
        support = casefile.read_case(db_session, as_caller(doctor), case_id).support
    assert support is not None and support.is_health_member


def test_the_door_checks_the_profession_on_every_path(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    nora = make_user(ngo_worker=True)
    with app.app_context(), pytest.raises(InvalidInput):
        join(app, db_session, case_id, nora, "health")
    assert _memberships(db_session, nora) == []


def test_the_lead_sees_what_a_coordinator_added_and_a_member_does_not(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="kārlis", display_name="Kārlis Coordinator", coordinator=True)
    nora = make_user(username="nora", display_name="Nora Helper", ngo_worker=True)
    login(client, "kārlis")
    assert _add(client, case_id, nora).status_code == 302
    membership = _memberships(db_session, nora)[0]
    assert membership.added_by_role == "coordinator"
    lead = new_client(app)
    login(lead, "lead")
    page = lead.get(f"/cases/{case_id}").text
    assert "Added to the team by a coordinator" in page
    assert "Nora Helper" in page and "Kārlis Coordinator" in page
    assert "(coordinator)" in lead.get(f"/cases/{case_id}/team").text
    member = new_client(app)
    login(member, "nora")
    assert "Added to the team by a coordinator" not in member.get(f"/cases/{case_id}").text


def test_the_lead_adding_a_member_is_not_flagged_as_a_coordinators_addition(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    nora = make_user(ngo_worker=True)
    login(client, "lead")
    assert _add(client, case_id, nora).status_code == 302
    assert "Added to the team by a coordinator" not in client.get(f"/cases/{case_id}").text


def test_coordinators_are_never_offered_or_added_by_anyone(
    app: Flask, client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    """A coordinator's way to a case is break-glass: another coordinator does not offer
    them, nor does the lead, and the door refuses a forged post or a referral's
    acceptance naming them."""
    make_user(username="kārlis", coordinator=True)
    other = make_user(username="inese", coordinator=True, display_name="Inese Coordinator")
    login(client, "kārlis")
    page = client.get(f"/cases/{case_id}/team").text
    assert str(other.id) not in page and "Inese Coordinator" not in page
    response = _add(client, case_id, other)
    assert field_error(response.text, "user") == "Choose a person from the list."
    assert _memberships(db_session, other) == []
    lead_client = new_client(app)
    login(lead_client, "lead")
    assert str(other.id) not in lead_client.get(f"/cases/{case_id}/team").text
    assert field_error(_add(lead_client, case_id, other).text, "user") == (
        "Choose a person from the list."
    )
    lead = db_session.scalar(select(User).where(User.username == "lead"))
    assert lead is not None
    change = casefile.TeamChange(other.id, "ngo", "member", TODAY, None)
    with app.app_context(), pytest.raises(InvalidInput):
        casefile.add_to_team(db_session, as_caller(lead), case_id, change)
    # A referral to the coordinator's organisation cannot be accepted with them.
    ngo = make_organisation(ngo=True, name="Harbour NGO")
    colleague = make_user(coordinator=True, organisation=ngo)
    deciding = make_user(coordinator=True, organisation=make_organisation(name="Region office"))
    with app.app_context():
        referral = casefile.refer(
            db_session,
            as_caller(lead),
            case_id,
            casefile.NewReferral(ngo.id, "Needs support at school.", "guardian"),
        )
        offered = casefile.read_referral(db_session, as_caller(deciding), referral).candidates
        assert str(colleague.id) not in {c.value for c in offered}
        with pytest.raises(InvalidInput):
            casefile.accept_referral(db_session, as_caller(deciding), referral, [colleague.id])
    assert _memberships(db_session, colleague) == []
    assert _memberships(db_session, other) == []
