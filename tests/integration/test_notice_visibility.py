"""Notifications tell nobody what their role does not see: an interpreter (who sees
neither the team nor the flags and missing episodes) is not told that a child went
missing or was found, that a flag was raised or that a member joined; the rest of the
team is."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.audit.events import Actor
from casework.casefile import FoundReport, MissingReport, raise_flag, record_found, report_missing
from casework.casefile.support.membership import add_member
from casework.models import MissingEpisode, Notification, User
from tests.factories import make_user, open_case
from tests.records import caller_of


def _kinds(session: Session, user: User) -> set[str]:
    rows = session.scalars(select(Notification).where(Notification.user_id == user.id))
    return {n.kind for n in rows}


def test_an_interpreter_is_not_told_what_the_role_hides(app: Flask, db_session: Session) -> None:
    anna = make_user(username="anna")
    ivo = make_user(username="ivo", role="interpreter")
    nora = make_user(username="nora", role="ngo_worker")
    carl = make_user(username="carl", role="ngo_worker")
    lead, day = Actor("anna", "social_worker"), clock.today()
    with app.app_context():
        case_id: uuid.UUID = open_case(db_session, anna)
        add_member(db_session, lead, case_id, ivo, "interpreter", starts_on=day)
        add_member(db_session, lead, case_id, nora, "ngo", starts_on=day)
        add_member(db_session, lead, case_id, carl, "ngo", starts_on=day)
        raise_flag(db_session, caller_of(anna), case_id, "safety_risk", "Someone waits outside")
        now = datetime.now().replace(second=0, microsecond=0)
        report_missing(db_session, caller_of(anna), case_id, MissingReport(now - timedelta(days=1)))
        episode = db_session.scalars(select(MissingEpisode)).one()
        record_found(
            db_session, caller_of(anna), case_id, episode.id, FoundReport(now), episode.version
        )
    told = {"member_added", "flag_raised", "child_missing", "child_found"}
    assert told <= _kinds(db_session, nora)
    # The interpreter learns they were added, and nothing the role does not see.
    assert _kinds(db_session, ivo) == {"case_handed"}
