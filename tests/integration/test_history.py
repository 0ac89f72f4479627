"""Every change keeps history: support measures, the child's views, non-punishment,
referrals, team memberships and flags, with the values before and after encrypted under
the case's key, shown with readable labels and display names, and only to those who
read the group."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework import casefile
from casework.casefile.record.readouts import HistoryReadout
from casework.models import CaseHistoryEntry, Organisation, User
from tests.conftest import login, new_client
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import TODAY, YESTERDAY, as_caller, join

DETAILS_BEFORE = "Weekly sessions with Dr Kask"
DETAILS_AFTER = "Twice-weekly sessions with Dr Kask"
NOTES = "Sleeps badly since the move"
VIEWS = "I want to stay with my cousin"
RATIONALE = "Carried parcels for the man who housed him."


@dataclass
class World:
    case_id: uuid.UUID
    lead: User
    police: User
    prosecutor: User
    doctor: User
    ngo: User
    provider: Organisation


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    lead = make_user(username="sofia", display_name="Sofia Social")
    police = make_user(username="peeter", display_name="Peeter Police", police=True)
    prosecutor = make_user(username="paulina", display_name="Paulina Prosecutor", prosecutor=True)
    doctor = make_user(username="dora", display_name="Dora Doctor", profession="health")
    ngo = make_user(username="nora", display_name="Nora NGO", ngo_worker=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, police, "police")
    join(app, db_session, case_id, prosecutor, "prosecutor")
    join(app, db_session, case_id, doctor, "health")
    join(app, db_session, case_id, ngo, "ngo")
    provider = make_organisation(ngo=True, name="Harbour Shelter")
    return World(case_id, lead, police, prosecutor, doctor, ngo, provider)


def _measure(app: Flask, db_session: Session, w: World) -> uuid.UUID:
    with app.app_context():
        measure = casefile.add_measure(
            db_session,
            as_caller(w.doctor),
            w.case_id,
            casefile.MeasureInput(
                "health", w.provider.id, "planned", YESTERDAY, None, None, DETAILS_BEFORE, NOTES
            ),
        )
        casefile.update_measure(
            db_session,
            as_caller(w.lead),
            w.case_id,
            measure,
            casefile.MeasureInput(
                "health", w.provider.id, "active", YESTERDAY, None, None, DETAILS_AFTER
            ),
            1,
        )
    return measure


def _history(app: Flask, db_session: Session, w: World, user: User) -> tuple[HistoryReadout, ...]:
    with app.app_context():
        return casefile.read_case(db_session, as_caller(user), w.case_id).details.history


def _of(history: tuple[HistoryReadout, ...], group: str) -> list[HistoryReadout]:
    return [e for e in history if e.group == group]


def test_a_measure_keeps_its_values_before_and_after(
    app: Flask, db_session: Session, world: World
) -> None:
    _measure(app, db_session, world)
    plan = _of(_history(app, db_session, world, world.lead), "support_plan")
    assert [e.change for e in plan] == ["update", "create"]
    update = dict(plan[0].previous or ()), dict(plan[0].current or ())
    assert update[0]["status"] == "planned" and update[1]["status"] == "active"
    assert update[0]["details"] == DETAILS_BEFORE and update[1]["details"] == DETAILS_AFTER
    assert plan[0].changed_by == "Sofia Social"
    assert dict(plan[1].current or ())["provider"] == "Harbour Shelter"


def test_the_values_are_encrypted_under_the_case_key(
    app: Flask, db_session: Session, world: World
) -> None:
    _measure(app, db_session, world)
    rows = db_session.execute(text("SELECT previous_enc, current_enc FROM case_history")).all()
    assert rows
    for previous, current in rows:
        for raw in (previous, current):
            if raw is not None:
                assert DETAILS_BEFORE.encode() not in bytes(raw)
                assert DETAILS_AFTER.encode() not in bytes(raw)
                assert NOTES.encode() not in bytes(raw)


def test_clinical_notes_history_is_for_health_members_only(
    app: Flask, db_session: Session, world: World
) -> None:
    _measure(app, db_session, world)
    doctor = _of(_history(app, db_session, world, world.doctor), "health")
    assert doctor and dict(doctor[0].current or ())["clinical_notes"] == NOTES
    lead = _of(_history(app, db_session, world, world.lead), "health")
    assert lead and all(e.previous is None and e.current is None for e in lead)


def test_the_page_shows_labels_and_display_names(
    app: Flask, db_session: Session, world: World, client: FlaskClient
) -> None:
    _measure(app, db_session, world)
    login(client, "sofia")
    page = client.get(f"/cases/{world.case_id}").text
    history = page[page.index('id="history-title"') :]
    assert "Sofia Social — Support plan: changed" in history
    assert "Status before" in history and "Planned" in history
    assert "Status now" in history and "Active" in history
    assert DETAILS_AFTER in history
    assert "Dora Doctor — Support plan: recorded" in history
    # Codes never show as such.
    assert ">planned<" not in history and ">health<" not in history


def test_views_referrals_team_and_flags_keep_history(
    app: Flask, db_session: Session, world: World
) -> None:
    measure = _measure(app, db_session, world)
    coordinator = make_user(username="cora", coordinator=True)
    with app.app_context():
        lead = as_caller(world.lead)
        casefile.record_views(
            db_session,
            lead,
            world.case_id,
            casefile.ViewsInput(
                TODAY,
                "Estonian",
                "conversation",
                VIEWS,
                "no",
                "",
                "",
                (casefile.Response(measure, "declines", "Afraid of doctors"),),
            ),
        )
        referral = casefile.refer(
            db_session,
            lead,
            world.case_id,
            casefile.NewReferral(world.provider.id, "Needs a safe bed", "child"),
        )
        casefile.decline_referral(db_session, as_caller(coordinator), referral, "No beds free")
        casefile.raise_flag(db_session, lead, world.case_id, "safety_risk", "Seen near the flat")
    history = _history(app, db_session, world, world.lead)
    views = _of(history, "child_views")
    assert views and dict(views[0].current or ())["views"] == VIEWS
    responses = dict(views[0].current or ())["responses"]
    assert responses == [["health", "declines", "Afraid of doctors"]]
    [created] = _of(history, "support_plan")[:1]
    assert dict(created.current or ())["reason"] == "Needs a safe bed"
    [decided] = _of(history, "referrals")
    assert dict(decided.current or ())["decision_reason"] == "No beds free"
    assert decided.changed_by == coordinator.display_name
    team = _of(history, "team")
    members = {dict(e.current or ())["member"] for e in team}
    assert {"Sofia Social", "Peeter Police", "Dora Doctor"} <= members
    [flag] = _of(history, "flags")
    assert dict(flag.current or ())["text"] == "Seen near the flat"


def test_ending_a_membership_keeps_the_end_date_before_and_after(
    app: Flask, db_session: Session, world: World
) -> None:
    with app.app_context():
        page = casefile.team_page(db_session, as_caller(world.lead), world.case_id)
        member = next(m for m in page.members if m.username == "nora")
        casefile.end_membership(db_session, as_caller(world.lead), world.case_id, member.id, TODAY)
    [ended] = [
        e for e in _of(_history(app, db_session, world, world.lead), "team") if e.change == "update"
    ]
    assert dict(ended.previous or ())["ends_on"] is None
    assert dict(ended.current or ())["ends_on"] == TODAY.isoformat()


def test_non_punishment_values_follow_who_reads_the_entry(
    app: Flask, db_session: Session, world: World
) -> None:
    other_police = make_user(username="otto", police=True)
    join(app, db_session, world.case_id, other_police, "police")
    with app.app_context():
        casefile.add_consideration(
            db_session,
            as_caller(world.prosecutor),
            world.case_id,
            casefile.ConsiderationInput("drugs", "charge", "yes", RATIONALE, None, ""),
        )
    prosecutor = _of(_history(app, db_session, world, world.prosecutor), "non_punishment")
    assert prosecutor and dict(prosecutor[0].current or ())["rationale"] == RATIONALE
    # Police read their own organisation's entries in full, not the prosecutor's.
    police = _of(_history(app, db_session, world, other_police), "non_punishment")
    assert police and police[0].current is None
    # The lead (summary) sees that an entry changed, without its values.
    entries = _of(_history(app, db_session, world, world.lead), "non_punishment")
    assert entries and all(e.current is None and e.previous is None for e in entries)
    # Below summary (the flag only) the entry does not show at all.
    assert _of(_history(app, db_session, world, world.ngo), "non_punishment") == []
    ngo = new_client(app)
    login(ngo, "nora")
    assert RATIONALE not in ngo.get(f"/cases/{world.case_id}").text


def test_no_history_row_is_written_by_a_refused_change(
    app: Flask, db_session: Session, world: World
) -> None:
    measure = _measure(app, db_session, world)
    before = len(db_session.scalars(select(CaseHistoryEntry)).all())
    with app.app_context(), pytest.raises(casefile.StaleEdit):
        casefile.update_measure(
            db_session,
            as_caller(world.lead),
            world.case_id,
            measure,
            casefile.MeasureInput(
                "health", world.provider.id, "stopped", YESTERDAY, None, None, "x"
            ),
            1,
        )
    assert len(db_session.scalars(select(CaseHistoryEntry)).all()) == before


def test_the_childs_sex_and_a_members_actor_type_read_as_labels(
    app: Flask, db_session: Session, world: World, client: FlaskClient
) -> None:
    with app.app_context():
        change = casefile.IdentityChange("Liis", "Jõgi", None, "unknown")
        casefile.update_identity(db_session, as_caller(world.lead), world.case_id, change, 1)
    login(client, "sofia")
    page = client.get(f"/cases/{world.case_id}").text
    history = page[page.index('id="history-title"') :]
    assert "Sex before" in history and "Female" in history
    assert "Sex now" in history and "Not known" in history
    assert ">female<" not in history and ">unknown<" not in history
    # A member's actor type is not the identifying actor of an identification.
    assert "<dt>Actor type</dt>" in history and "Identified by" not in history
