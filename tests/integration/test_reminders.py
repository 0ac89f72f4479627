"""The reminder rules and `casework reminders run`: each rule fires when it should and
not before, a second run creates nothing, a second run at the same time does nothing,
and marks end when their rule no longer holds."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.casefile.today.reminders import REMINDERS_LOCK_KEY, one_run, working_days_between
from casework.casefile.today.rules import load_rules
from casework.db import database
from casework.models import (
    AuditEvent,
    Case,
    CaseTask,
    Guardian,
    MigrationStatus,
    Notification,
    Referral,
    ReminderMark,
    User,
)
from casework.settings import ConfigError
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import as_caller, join

TODAY = clock.today()


def _run(app: Flask, db_session: Session) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()  # the command changed rows through a session of its own
    return result.output


def _tasks(db_session: Session) -> dict[str, int]:
    found: dict[str, int] = {}
    for task in db_session.scalars(select(CaseTask)):
        found[task.rule or ""] = found.get(task.rule or "", 0) + 1
    return found


@pytest.fixture
def lead(db_session: Session) -> User:
    return make_user(username="lead")


def _case(app: Flask, db_session: Session, lead: User, **child: date | None) -> uuid.UUID:
    with app.app_context():
        return open_case(db_session, lead, **child)  # type: ignore[arg-type]


def _reflection(app: Flask, db_session: Session, case_id: uuid.UUID, end: date) -> None:
    with app.app_context():
        case = db_session.get_one(Case, case_id)
        db_session.add(
            MigrationStatus(
                case,
                care_situation="unaccompanied",
                residence_status="asylum_seeker",
                origin_countries=["VN"],
                transit_countries=[],
                reflection_end=end,
            )
        )
        db_session.commit()


def test_reflection_period_fires_seven_days_before_and_once(
    app: Flask, db_session: Session, lead: User
) -> None:
    soon = _case(app, db_session, lead)
    later = _case(app, db_session, lead)
    _reflection(app, db_session, soon, TODAY + timedelta(days=7))
    _reflection(app, db_session, later, TODAY + timedelta(days=8))
    assert "1 tasks" in _run(app, db_session)
    task = db_session.scalars(select(CaseTask)).one()
    assert task.case_id == soon and task.due_on == TODAY + timedelta(days=7)
    assert task.assignee_id == lead.id and task.rule == "reflection_period_ends"
    assert "0 tasks and 0 marks created" in _run(app, db_session)
    assert _tasks(db_session) == {"reflection_period_ends": 1}
    notes = db_session.scalars(select(Notification).where(Notification.kind == "reminder")).all()
    assert [n.user_id for n in notes] == [lead.id]
    events = [e for e in db_session.scalars(select(AuditEvent)) if e.actor == "reminders"]
    assert [e.action for e in events].count("task.create") == 1
    assert [e.action for e in events].count("reminders.run") == 2


def test_guardian_turning_18_and_closed_cases(
    app: Flask, db_session: Session, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    born = TODAY.replace(year=TODAY.year - 18) + timedelta(days=60)
    adult = _case(app, db_session, lead, date_of_birth=born)
    guarded = _case(app, db_session, lead, date_of_birth=date(2015, 1, 1))
    with app.app_context():
        case = db_session.get_one(Case, guarded)
        db_session.add(
            Guardian(
                case,
                kind="guardian",
                name="Mari Tamm",
                appointing_authority="Tartu district court",
                appointed_on=TODAY - timedelta(days=300),
                reason="unaccompanied",
                ended_on=TODAY + timedelta(days=14),
            )
        )
        db_session.commit()
    closed = _case(app, db_session, lead, date_of_birth=born)
    db_session.get_one(Case, closed).status = "closed"
    db_session.commit()
    # A month earlier, 18 is 91 days away and the appointment ends in 45: not yet.
    monkeypatch.setattr(clock, "today", lambda: TODAY - timedelta(days=31))
    assert "0 tasks" in _run(app, db_session)
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    _run(app, db_session)
    rules = {(t.case_id, t.rule) for t in db_session.scalars(select(CaseTask))}
    assert rules == {(adult, "turns_18"), (guarded, "guardian_appointment_ends")}


def test_a_review_and_a_reoffer_due(app: Flask, db_session: Session, lead: User) -> None:
    case_id = _case(app, db_session, lead)
    with app.app_context():
        measure = casefile.add_measure(
            db_session,
            as_caller(lead),
            case_id,
            casefile.MeasureInput(
                measure_type="psychological",
                provider_id=lead.organisation_id,
                status="active",
                starts_on=TODAY - timedelta(days=60),
                ends_on=None,
                review_on=TODAY - timedelta(days=1),
                details="Weekly sessions.",
            ),
        )
        casefile.record_views(
            db_session,
            as_caller(lead),
            case_id,
            casefile.ViewsInput(
                heard_on=TODAY - timedelta(days=40),
                language="Latvian",
                informed_format="conversation",
                views="No.",
                perceives_benefit="no",
                engagement="",
                trusted_adult="",
                responses=(casefile.Response(measure, "declines", "Scared."),),
            ),
        )
    _run(app, db_session)
    assert _tasks(db_session) == {"support_plan_review": 1, "reoffer_due": 1}
    _run(app, db_session)
    assert _tasks(db_session) == {"support_plan_review": 1, "reoffer_due": 1}


def test_a_referral_waiting_five_working_days_and_a_case_without_lead(
    app: Flask, db_session: Session, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case(app, db_session, lead)
    ngo = make_organisation(ngo=True)
    with app.app_context():
        casefile.refer(
            db_session, as_caller(lead), case_id, casefile.NewReferral(ngo.id, "Shelter.", "child")
        )
    referral = db_session.scalars(select(Referral)).one()
    sent = clock.local(referral.created_at).date()
    four = sent
    while working_days_between(sent, four) < 4:
        four += timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: four)
    _run(app, db_session)
    assert db_session.scalars(select(ReminderMark)).all() == []
    five = four + timedelta(days=1)
    while five.weekday() >= 5:
        five += timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: five)
    _run(app, db_session)
    mark = db_session.scalars(select(ReminderMark)).one()
    assert mark.rule == "referral_waiting" and mark.resolved_at is None
    cora = make_user(username="cora", coordinator=True)
    with app.app_context():
        casefile.decline_referral(db_session, as_caller(cora), referral.id, "No place free.")
    assert "1 marks resolved" in _run(app, db_session)
    # A case opened three days ago whose lead left: a mark for the coordinators.
    nora = make_user(username="nora", ngo_worker=True, organisation=ngo)
    join(app, db_session, case_id, nora)
    from casework.models import TeamMembership

    for m in db_session.scalars(select(TeamMembership).where(TeamMembership.user_id == lead.id)):
        m.ends_on = m.starts_on + timedelta(days=1)
    db_session.commit()
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=3))
    _run(app, db_session)
    rules = {m.rule for m in db_session.scalars(select(ReminderMark)) if m.resolved_at is None}
    assert rules == {"no_lead"}


def test_working_days() -> None:
    friday = date(2026, 12, 4)
    assert working_days_between(friday, friday + timedelta(days=3)) == 1  # to Monday
    assert working_days_between(friday, friday + timedelta(days=7)) == 5


def test_one_run_at_a_time(app: Flask, db_session: Session, lead: User, tmp_path: Path) -> None:
    case_id = _case(app, db_session, lead)
    _reflection(app, db_session, case_id, TODAY + timedelta(days=1))
    settings = app.config["CASEWORK"]
    with one_run(database(app).engine, settings.instance_path, REMINDERS_LOCK_KEY) as mine:
        assert mine
        assert "in progress; nothing done" in _run(app, db_session)
        assert db_session.scalars(select(CaseTask)).all() == []
    assert "1 tasks" in _run(app, db_session)


def test_the_rules_file_is_checked(tmp_path: Path) -> None:
    good = Path("config/reminders.toml").read_text()
    path = tmp_path / "reminders.toml"
    path.write_text(good.replace("days_before = 90", "days_before = -1"))
    with pytest.raises(ConfigError, match="turns_18"):
        load_rules(path)
    path.write_text(good + "\n[tea_time]\nenabled = true\n")
    with pytest.raises(ConfigError, match=r"reminders.toml:\d+: unknown reminder rule 'tea_time'"):
        load_rules(path)
    path.write_text(good.replace("[no_lead]\nenabled = true\ndays = 2\n", ""))
    with pytest.raises(ConfigError, match="no_lead"):
        load_rules(path)
    path.write_text(good.replace("working_days = 5", "working_days = 5\nhours = 3"))
    with pytest.raises(ConfigError, match="hours"):
        load_rules(path)
