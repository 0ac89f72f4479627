"""The child's record: identity beyond the names, age and the presumption of childhood,
documents, guardians and their flag, placement, migration and the reflection period."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.models import (
    AgeAssessment,
    CaseFlag,
    CaseHistoryEntry,
    ChildAlias,
    Guardian,
    IdentityDocument,
    MigrationStatus,
    Placement,
)
from tests.conftest import login
from tests.factories import make_user, open_case
from tests.records import TODAY, join, post

PRESUMED = "Presumed to be a child"
MIGRATION = {
    "care_situation": "unaccompanied",
    "residence_status": "temporary_protection_ukraine",
    "origin_countries": ["UA"],
    "transit_countries": ["PL", "LT"],
    "reflection_country": "LV",
    "reflection_start": (TODAY - timedelta(days=10)).isoformat(),
    "reflection_end": "",
}
GUARDIAN = {
    "kind": "guardian",
    "name": "Anna Bērziņa, Riga Orphan's Court",
    "appointing_authority": "Riga Orphan's Court",
    "appointed_on": (TODAY - timedelta(days=2)).isoformat(),
    "reason": "unaccompanied",
}


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead")
    with app.app_context():
        return open_case(db_session, lead, given_name="Iryna", family_name="Melnyk")


@pytest.fixture
def lead(client: FlaskClient, case_id: uuid.UUID) -> FlaskClient:
    login(client, "lead")
    return client


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def _open_flags(app: Flask, db_session: Session) -> list[str]:
    db_session.expire_all()
    with app.app_context():
        return [f.kind for f in db_session.scalars(select(CaseFlag)) if f.is_open]


def test_aliases_nationalities_and_languages_are_kept_with_history(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    form = {
        "given_name": "Iryna",
        "family_name": "Melnyk",
        "date_of_birth": "2011-02-03",
        "sex": "female",
        "aliases": "Ira\n  Irina   Melnik \n\n",
        "nationalities": ["UA"],
        "languages": ["uk", "ru"],
        "version": "1",
    }
    assert post(lead, f"/cases/{case_id}/identity", form).status_code == 302
    page = lead.get(f"/cases/{case_id}")
    assert "Ira, Irina Melnik" in page.text
    assert "Ukraine" in page.text and "Ukrainian" in page.text
    with app.app_context():
        assert [a.name for a in db_session.scalars(select(ChildAlias))] == ["Ira", "Irina Melnik"]
    changed = post(lead, f"/cases/{case_id}/identity", {**form, "aliases": "Ira", "version": "2"})
    assert changed.status_code == 302
    with app.app_context():
        entry = db_session.scalars(
            select(CaseHistoryEntry).order_by(CaseHistoryEntry.changed_at.desc())
        ).first()
        assert entry is not None and entry.previous["aliases"] == ["Ira", "Irina Melnik"]
    stale = post(lead, f"/cases/{case_id}/identity", {**form, "aliases": "Other", "version": "2"})
    assert "Someone else changed this record" in stale.text
    assert _count(db_session, ChildAlias) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nationalities", "ZZ", "not one of the answers offered"),
        ("languages", "klingon", "not one of the answers offered"),
        ("aliases", "\n".join(f"Name {i}" for i in range(21)), "at most 20"),
        ("aliases", "A" * 101, "at most 100 characters"),
    ],
)
def test_identity_refuses_bad_input_beside_the_field(
    lead: FlaskClient, db_session: Session, case_id: uuid.UUID, field: str, value: str, message: str
) -> None:
    form = {"given_name": "Iryna", "family_name": "Melnyk", "sex": "female", "version": "1"}
    response = post(lead, f"/cases/{case_id}/identity", {**form, field: value})
    assert response.status_code == 200
    assert message in response.text and f'id="{field}-error"' in response.text
    assert _count(db_session, ChildAlias) == 0


def test_a_child_without_a_date_of_birth_is_presumed_a_child(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    lead = make_user(username="lead")
    with app.app_context():
        case_id = open_case(db_session, lead, date_of_birth=None)
    login(client, "lead")
    assert PRESUMED in client.get(f"/cases/{case_id}").text


@pytest.mark.parametrize(
    ("age", "presumed"),
    [
        ({"status": "disputed"}, True),
        ({"status": "claimed"}, False),
        (
            {"status": "assessed", "method": "multidisciplinary", "age_min": "16", "age_max": "19"},
            True,
        ),
        (
            {"status": "assessed", "method": "multidisciplinary", "age_min": "13", "age_max": "15"},
            False,
        ),
        ({"status": "assessed", "method": "medical", "age_min": "19", "age_max": "23"}, False),
    ],
)
def test_the_presumption_of_childhood_follows_the_age_assessment(
    lead: FlaskClient, db_session: Session, case_id: uuid.UUID, age: dict[str, str], presumed: bool
) -> None:
    assert PRESUMED not in lead.get(f"/cases/{case_id}").text  # date of birth as claimed
    assert post(lead, f"/cases/{case_id}/age", age).status_code == 302
    assert (PRESUMED in lead.get(f"/cases/{case_id}").text) is presumed


def test_ngo_worker_with_minimal_identity_sees_the_presumption_but_not_the_assessment(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    post(lead, f"/cases/{case_id}/age", {"status": "disputed", "assessor": "Dr Kask"})
    join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    ngo = app.test_client()
    login(ngo, "nora")
    page = ngo.get(f"/cases/{case_id}")
    assert PRESUMED in page.text
    assert "Dr Kask" not in page.text and "Age disputed" not in page.text
    assert ngo.get(f"/cases/{case_id}/age").status_code == 403


@pytest.mark.parametrize(
    ("age", "field", "message"),
    [
        ({"status": "assessed", "age_min": "17", "age_max": "15"}, "age_max", "cannot be below"),
        ({"status": "assessed"}, "status", "outcome range"),
        ({"status": "disputed", "age_min": "99"}, "age_min", "from 0 to 30"),
        ({"status": "sure"}, "status", "not one of the answers offered"),
        (
            {"status": "disputed", "assessed_on": (TODAY + timedelta(days=2)).isoformat()},
            "assessed_on",
            "in the future",
        ),
    ],
)
def test_age_refuses_bad_input(
    lead: FlaskClient,
    db_session: Session,
    case_id: uuid.UUID,
    age: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = post(lead, f"/cases/{case_id}/age", age)
    assert response.status_code == 200
    assert message in response.text and f'id="{field}-error"' in response.text
    assert _count(db_session, AgeAssessment) == 0


def test_unaccompanied_child_without_guardian_is_flagged_until_one_is_appointed(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    assert post(lead, f"/cases/{case_id}/migration", MIGRATION).status_code == 302
    assert _open_flags(app, db_session) == ["guardian_needed"]
    assert "has no guardian" in lead.get(f"/cases/{case_id}").text
    assert post(lead, f"/cases/{case_id}/guardians/new", GUARDIAN).status_code == 302
    assert _open_flags(app, db_session) == []
    guardian_id = db_session.scalars(select(Guardian.id)).one()
    ended = {**GUARDIAN, "ended_on": TODAY.isoformat(), "version": "1"}
    assert post(lead, f"/cases/{case_id}/guardians/{guardian_id}", ended).status_code == 302
    assert _open_flags(app, db_session) == ["guardian_needed"]
    accompanied = {**MIGRATION, "care_situation": "accompanied", "version": "1"}
    assert post(lead, f"/cases/{case_id}/migration", accompanied).status_code == 302
    assert _open_flags(app, db_session) == []
    assert _count(db_session, CaseFlag) == 2  # one raised, resolved, raised again, resolved


def test_guardian_cannot_end_before_it_starts(
    lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    early = (TODAY - timedelta(days=5)).isoformat()
    response = post(lead, f"/cases/{case_id}/guardians/new", {**GUARDIAN, "ended_on": early})
    assert "cannot end before it starts" in response.text
    assert 'id="ended_on-error"' in response.text
    assert _count(db_session, Guardian) == 0


def test_reflection_period_gets_the_country_default_and_shows_days_left(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    german = {**MIGRATION, "reflection_country": "DE"}
    assert post(lead, f"/cases/{case_id}/migration", german).status_code == 302
    with app.app_context():
        status = db_session.scalars(select(MigrationStatus)).one()
        assert (status.reflection_end - status.reflection_start).days == 90
    assert "80 days left" in lead.get(f"/cases/{case_id}").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"reflection_end": (TODAY + timedelta(days=5)).isoformat()},
            "reflection_end",
            "at least 30 days",
        ),
        (
            {
                "reflection_country": "NO",
                "reflection_end": (TODAY + timedelta(days=60)).isoformat(),
            },
            "reflection_end",
            "at least 180 days",
        ),
        (
            {"reflection_end": (TODAY - timedelta(days=20)).isoformat()},
            "reflection_end",
            "cannot end before it starts",
        ),
        (
            {"reflection_start": (TODAY + timedelta(days=1)).isoformat()},
            "reflection_start",
            "in the future",
        ),
        ({"reflection_start": "", "reflection_end": "2030-01-01"}, "reflection_end", "start"),
        ({"residence_status": "tourist"}, "residence_status", "not one of the answers offered"),
        ({"origin_countries": ["UA", "QQ"]}, "origin_countries", "not one of the answers"),
        ({"reflection_start": "2026-02-30"}, "reflection_start", "Not a valid date"),
    ],
)
def test_migration_refuses_bad_input_beside_the_field(
    lead: FlaskClient,
    db_session: Session,
    case_id: uuid.UUID,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    response = post(lead, f"/cases/{case_id}/migration", {**MIGRATION, **changes})
    assert response.status_code == 200
    assert message in response.text and f'id="{field}-error"' in response.text
    assert _count(db_session, MigrationStatus) == 0
    assert _count(db_session, CaseFlag) == 0


def test_a_stale_migration_save_is_refused_and_nothing_is_overwritten(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    assert post(lead, f"/cases/{case_id}/migration", MIGRATION).status_code == 302
    first = {**MIGRATION, "residence_status": "asylum_seeker", "version": "1"}
    assert post(lead, f"/cases/{case_id}/migration", first).status_code == 302
    second = {**MIGRATION, "residence_status": "irregular", "version": "1"}
    response = post(lead, f"/cases/{case_id}/migration", second)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.text
    assert '<option selected value="asylum_seeker">' in response.text
    with app.app_context():
        db_session.expire_all()
        assert db_session.scalars(select(MigrationStatus)).one().residence_status == "asylum_seeker"
    # Two people recording the first status at once: the second finds the first.
    again = post(
        lead, f"/cases/{case_id}/migration", {**MIGRATION, "residence_status": "irregular"}
    )
    assert "Someone else changed this record" in again.text


def test_placement_address_is_for_social_workers_and_police_only(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    address = "Shelter Kalnciema iela 12, Riga"
    placement = {"kind": "specialised_shelter", "address": address}
    assert post(lead, f"/cases/{case_id}/placement", placement).status_code == 302
    assert address in lead.get(f"/cases/{case_id}").text
    for username, role in (("peeter", "police"), ("nora", "ngo_worker"), ("paula", "prosecutor")):
        join(app, db_session, case_id, make_user(username=username, role=role))
        other = app.test_client()
        login(other, username)
        page = other.get(f"/cases/{case_id}")
        assert (address in page.text) is (role == "police"), role
        assert other.get(f"/cases/{case_id}/placement").status_code == 403
    assert _count(db_session, Placement) == 1


def test_documents_are_added_and_removed_with_history(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    document = {
        "kind": "passport",
        "number": "FX0042137",
        "issuing_country": "UA",
        "check": "suspected_false",
    }
    assert post(lead, f"/cases/{case_id}/documents/new", document).status_code == 302
    assert "FX0042137" in lead.get(f"/cases/{case_id}").text
    document_id = db_session.scalars(select(IdentityDocument.id)).one()
    url = f"/cases/{case_id}/documents/{document_id}/remove"
    assert post(lead, url, {"version": "7"}).status_code == 302  # stale: kept
    assert _count(db_session, IdentityDocument) == 1
    assert post(lead, url, {"version": "1"}).status_code == 302
    assert _count(db_session, IdentityDocument) == 0
    with app.app_context():
        removed = db_session.scalars(
            select(CaseHistoryEntry).where(CaseHistoryEntry.change == "remove")
        ).one()
        assert removed.previous["number"] == "FX0042137"
    bad = post(lead, f"/cases/{case_id}/documents/new", {**document, "kind": "diary"})
    assert "not one of the answers offered" in bad.text


def test_records_of_another_case_cannot_be_reached_through_this_one(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    other_lead = make_user(username="other")
    with app.app_context():
        other_case = open_case(db_session, other_lead)
    other = app.test_client()
    login(other, "other")
    post(other, f"/cases/{other_case}/guardians/new", GUARDIAN)
    guardian_id = db_session.scalars(select(Guardian.id)).one()
    assert lead.get(f"/cases/{case_id}/guardians/{guardian_id}").status_code == 404
    changed = {**GUARDIAN, "name": "Hijacked", "version": "1"}
    assert post(lead, f"/cases/{case_id}/guardians/{guardian_id}", changed).status_code == 404
    with app.app_context():
        db_session.expire_all()
        assert db_session.get_one(Guardian, guardian_id).name == GUARDIAN["name"]


def test_coordinator_overview_shows_a_child_without_guardian(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    from casework.models import User
    from tests.conftest import new_client

    lead_user = db_session.scalars(select(User).where(User.username == "lead")).one()
    make_user(username="karlis", coordinator=True, organisation=lead_user.organisation)
    coordinator = new_client(app)
    login(coordinator, "karlis")
    assert "No guardian" not in coordinator.get("/cases/overview").text
    assert post(lead, f"/cases/{case_id}/migration", MIGRATION).status_code == 302
    page = coordinator.get("/cases/overview")
    assert "No guardian for an unaccompanied or separated child" in page.text
    assert "Iryna" not in page.text and "Melnyk" not in page.text
    assert post(lead, f"/cases/{case_id}/guardians/new", GUARDIAN).status_code == 302
    assert "No guardian" not in coordinator.get("/cases/overview").text
