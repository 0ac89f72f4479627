"""The support plan and the child's views: measures with a known provider, overdue
reviews on the lead's and coordinator's lists, clinical notes for health members only,
and a decline that schedules a re-offer, flagged when due (time moved by the clock)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TypedDict, Unpack

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.models import Case, ChildViews, SupportMeasure, User
from tests.conftest import login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import TODAY, as_caller, count, events, field_error, join


@pytest.fixture
def lead(db_session: Session) -> User:
    return make_user(username="sofia")


@pytest.fixture
def case_id(app: Flask, db_session: Session, lead: User) -> uuid.UUID:
    with app.app_context():
        return open_case(db_session, lead)


class MeasureOptions(TypedDict, total=False):
    """The fields of casefile.MeasureInput but its provider."""

    measure_type: str
    status: str
    starts_on: date
    ends_on: date | None
    review_on: date | None
    details: str
    clinical_notes: str | None


class MeasureFields(MeasureOptions, total=False):
    """The fields of casefile.MeasureInput."""

    provider_id: uuid.UUID | None


def _measure(**kw: Unpack[MeasureFields]) -> casefile.MeasureInput:
    fields: MeasureFields = {
        "measure_type": "psychological",
        "provider_id": None,
        "status": "active",
        "starts_on": TODAY - timedelta(days=30),
        "ends_on": None,
        "review_on": None,
        "details": "Weekly sessions.",
    }
    fields.update(kw)
    return casefile.MeasureInput(**fields)


def _add(
    app: Flask, db_session: Session, user: User, case_id: uuid.UUID, **kw: Unpack[MeasureOptions]
) -> uuid.UUID:
    with app.app_context():
        return casefile.add_measure(
            db_session, as_caller(user), case_id, _measure(provider_id=user.organisation_id, **kw)
        )


def test_an_unknown_provider_is_refused_beside_the_field(
    client: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    login(client, "sofia")
    response = post_form(
        client,
        f"/cases/{case_id}/measures/new",
        {
            "measure_type": "health",
            "provider": str(uuid.uuid4()),
            "status": "planned",
            "starts_on": TODAY.isoformat(),
        },
    )
    assert field_error(response.text, "provider") == "Choose a provider from the list."
    assert count(db_session, SupportMeasure) == 0


def test_a_measure_ending_before_it_starts_is_refused(
    client: FlaskClient, db_session: Session, lead: User, case_id: uuid.UUID
) -> None:
    login(client, "sofia")
    response = post_form(
        client,
        f"/cases/{case_id}/measures/new",
        {
            "measure_type": "health",
            "provider": str(lead.organisation_id),
            "status": "planned",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert field_error(response.text, "ends_on") == "The measure cannot end before it starts."
    assert count(db_session, SupportMeasure) == 0


def test_an_overdue_review_shows_on_the_leads_and_coordinators_lists(
    app: Flask, client: FlaskClient, db_session: Session, lead: User, case_id: uuid.UUID
) -> None:
    _add(app, db_session, lead, case_id, review_on=TODAY - timedelta(days=1))
    login(client, "sofia")
    assert "A support measure's review is overdue" in client.get("/cases/").text
    make_user(username="kārlis", coordinator=True)
    coordinator = new_client(app)
    login(coordinator, "kārlis")
    overview = coordinator.get("/cases/overview").text
    assert "A support measure's review is overdue" in overview
    assert "No child psychiatry for a psychological measure" in overview


def test_a_review_not_yet_due_is_not_flagged(
    app: Flask, client: FlaskClient, db_session: Session, lead: User, case_id: uuid.UUID
) -> None:
    _add(app, db_session, lead, case_id, review_on=TODAY)
    login(client, "sofia")
    assert "review is overdue" not in client.get("/cases/").text


def test_clinical_notes_are_for_health_members_only(
    app: Flask, client: FlaskClient, db_session: Session, lead: User, case_id: uuid.UUID
) -> None:
    with app.app_context(), pytest.raises(casefile.InvalidInput) as refused:
        casefile.add_measure(
            db_session,
            as_caller(lead),
            case_id,
            _measure(provider_id=lead.organisation_id, clinical_notes="Sleeps badly."),
        )
    assert refused.value.field == "clinical_notes"
    assert count(db_session, SupportMeasure) == 0
    doctor = make_user(
        username="doctor", organisation=make_organisation(kind="health"), profession="health"
    )
    join(app, db_session, case_id, doctor, "health")
    _add(app, db_session, doctor, case_id, clinical_notes="Sleeps badly.")
    login(client, "doctor")
    assert "Sleeps badly." in client.get(f"/cases/{case_id}").text
    assert "health" in events(db_session, "case.read")[-1].field_groups.split(",")
    others = new_client(app)
    login(others, "sofia")
    page = others.get(f"/cases/{case_id}").text
    assert "Sleeps badly." not in page
    assert "Clinical notes are recorded" in page  # the social worker's health summary
    join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    ngo = new_client(app)
    login(ngo, "nora")
    page = ngo.get(f"/cases/{case_id}").text
    assert "Weekly sessions." in page
    assert "Clinical notes" not in page  # no health group at all for the NGO


def _views(measure_id: uuid.UUID, acceptance: str, heard_on: date) -> casefile.ViewsInput:
    return casefile.ViewsInput(
        heard_on=heard_on,
        language="Latvian",
        informed_format="conversation",
        views="I do not need anybody.",
        perceives_benefit="yes",
        engagement="",
        trusted_adult="",
        responses=(casefile.Response(measure_id, acceptance, "Scared."),),
    )


def test_a_decline_schedules_a_reoffer_flagged_when_due_and_keeps_the_case_open(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    lead: User,
    case_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measure = _add(app, db_session, lead, case_id)
    with app.app_context():
        casefile.record_views(
            db_session, as_caller(lead), case_id, _views(measure, "declines", TODAY)
        )
    login(client, "sofia")
    page = client.get(f"/cases/{case_id}").text
    assert "Re-offer due" not in page
    due = TODAY + timedelta(days=app.config["CASEWORK"].reoffer_days)
    assert f"planned for {due.isoformat()}" in page
    monkeypatch.setattr(clock, "today", lambda: due - timedelta(days=1))
    assert "Re-offer due" not in client.get("/cases/").text
    monkeypatch.setattr(clock, "today", lambda: due)
    assert "Re-offer due" in client.get("/cases/").text
    assert "Re-offer due" in client.get(f"/cases/{case_id}").text
    db_session.expire_all()
    assert db_session.get_one(Case, case_id).status == "open"


def test_hearing_the_child_again_resolves_the_reoffer(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    lead: User,
    case_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measure = _add(app, db_session, lead, case_id)
    earlier = TODAY - timedelta(days=60)
    with app.app_context():
        casefile.record_views(
            db_session, as_caller(lead), case_id, _views(measure, "declines", earlier)
        )
    login(client, "sofia")
    assert "Re-offer due" in client.get("/cases/").text
    with app.app_context():
        casefile.record_views(
            db_session, as_caller(lead), case_id, _views(measure, "accepts", TODAY)
        )
    assert "Re-offer due" not in client.get("/cases/").text


def test_views_heard_in_the_future_are_refused(
    app: Flask, client: FlaskClient, db_session: Session, lead: User, case_id: uuid.UUID
) -> None:
    measure = _add(app, db_session, lead, case_id)
    login(client, "sofia")
    response = post_form(
        client,
        f"/cases/{case_id}/views/new",
        {
            "heard_on": (TODAY + timedelta(days=2)).isoformat(),
            "language": "Latvian",
            "informed_format": "conversation",
            "views": "I want to go home.",
            "perceives_benefit": "no",
            f"acceptance_{measure.hex}": "declines",
        },
    )
    assert field_error(response.text, "heard_on") == "This date is in the future."
    assert count(db_session, ChildViews) == 0


def test_the_coordinator_sees_the_plan_but_not_the_childs_views(
    app: Flask, client: FlaskClient, db_session: Session, lead: User, case_id: uuid.UUID
) -> None:
    measure = _add(app, db_session, lead, case_id)
    with app.app_context():
        casefile.record_views(
            db_session, as_caller(lead), case_id, _views(measure, "declines", TODAY)
        )
    coordinator = make_user(username="kārlis", coordinator=True)
    join(app, db_session, case_id, coordinator, "social_services")
    login(client, "kārlis")
    page = client.get(f"/cases/{case_id}").text
    assert "Weekly sessions." in page
    assert "I do not need anybody." not in page
    assert "Scared." not in page


def test_editing_a_measure_keeps_its_provider_chosen(
    app: Flask, client: FlaskClient, db_session: Session, lead: User, case_id: uuid.UUID
) -> None:
    measure_id = _add(app, db_session, lead, case_id)
    login(client, "sofia")
    page = client.get(f"/cases/{case_id}/measures/{measure_id}").text
    assert f'<option selected value="{lead.organisation_id}">' in page
    saved = post_form(
        client,
        f"/cases/{case_id}/measures/{measure_id}",
        {
            "measure_type": "psychological",
            "provider": str(lead.organisation_id),
            "status": "stopped",
            "starts_on": (TODAY - timedelta(days=30)).isoformat(),
            "details": "Weekly sessions.",
            "version": "1",
        },
    )
    assert saved.status_code == 302
    db_session.expire_all()
    measure = db_session.get_one(SupportMeasure, measure_id)
    assert (measure.status, measure.provider_id) == ("stopped", lead.organisation_id)
