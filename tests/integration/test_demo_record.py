"""The demo shows the child's record at work: every identifying actor and context, the
presumption of childhood, guardians, reflection periods, flags and the lifecycle."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.codes import CodeList, current_codes
from casework.demo import seed
from casework.models import (
    AgeAssessment,
    Case,
    CaseFlag,
    Guardian,
    IdentificationEvent,
    MigrationStatus,
)


def test_demo_covers_the_identification_and_the_record(app: Flask, db_session: Session) -> None:
    with app.app_context():
        seed(db_session)
        lists = current_codes().lists
        events = db_session.scalars(select(IdentificationEvent)).all()
        assert {e.actor_type for e in events} == set(lists.codes(CodeList.IDENTIFYING_ACTOR))
        assert {e.context for e in events} == set(lists.codes(CodeList.IDENTIFICATION_CONTEXT))
        assert any(e.ict_facilitated for e in events)
        assert len({e.case_id for e in events}) < len(events)  # a case with two
        assert {a.status for a in db_session.scalars(select(AgeAssessment))} >= {
            "disputed",
            "assessed",
        }
        statuses = db_session.scalars(select(MigrationStatus)).all()
        alone = {s.case_id for s in statuses if s.care_situation in ("unaccompanied", "separated")}
        guarded = {g.case_id for g in db_session.scalars(select(Guardian)) if g.kind == "guardian"}
        assert alone & guarded and alone - guarded
        assert any(s.residence_status == "temporary_protection_ukraine" for s in statuses)
        assert any(s.reflection_end is not None for s in statuses)
        flags = db_session.scalars(select(CaseFlag)).all()
        kinds = {f.kind for f in flags if f.is_open}
        assert {"non_punishment", "guardian_needed", "safety_risk", "missing"} <= kinds
        needing = {f.case_id for f in flags if f.kind == "guardian_needed" and f.is_open}
        assert needing == alone - guarded
        resolved = {f.case_id for f in flags if f.kind == "guardian_needed" and not f.is_open}
        assert resolved == alone & guarded  # raised, then resolved by the appointment
    assert set(db_session.scalars(select(Case.status))) == {
        "identified",
        "open",
        "active",
        "closed",
        "reopened",
    }


def test_demo_populates_today(app: Flask, db_session: Session) -> None:
    """`make run` shows Today with something in each part: a child missing now, tasks
    overdue and due this week, a re-offer due and a reflection period ending this week."""
    from datetime import timedelta

    from casework import clock
    from casework.models import CaseTask, MissingEpisode

    with app.app_context():
        seed(db_session)
    episodes = db_session.scalars(select(MissingEpisode)).all()
    assert len([e for e in episodes if e.is_open]) == 1 and len(episodes) == 2
    tasks = [t for t in db_session.scalars(select(CaseTask)) if t.is_open]
    today = clock.today()
    assert any(t.due_on < today for t in tasks)
    assert any(today <= t.due_on <= today + timedelta(days=7) for t in tasks)
    rules = {t.rule for t in tasks}
    assert {"reoffer_due", "reflection_period_ends"} <= rules
    from casework.casefile import today_page
    from casework.models import User
    from tests.supporting import as_caller

    social = db_session.scalars(select(User).where(User.username == "socialworker")).one()
    with app.app_context():
        page = today_page(db_session, as_caller(social))
    assert page.missing and any(t.overdue for t in page.tasks)
    assert {"reoffer_due", "reflection_period_ends"} <= {t.rule for t in page.tasks}
