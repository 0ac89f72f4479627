"""Helpers for the support tests: callers, team members, the form fields' errors."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import TypedDict, Unpack

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import clock
from casework.audit.events import Actor, RequestContext
from casework.casefile import Caller
from casework.casefile.statistics.record import Stat
from casework.casefile.support.membership import add_member
from casework.keys.statistics import current_statistics_key
from casework.models import AuditEvent, StatisticalRecord, User

TODAY = clock.today()
YESTERDAY = TODAY - timedelta(days=1)


class MemberOptions(TypedDict, total=False):
    """The keyword options of casework.casefile.support.membership.add_member."""

    starts_on: date
    ends_on: date | None
    role_in_team: str
    context: RequestContext | None


def as_caller(user: User) -> Caller:
    return Caller(user=user, context=RequestContext())


def join(
    app: Flask,
    db_session: Session,
    case_id: uuid.UUID,
    user: User,
    actor_type: str = "ngo",
    **kw: Unpack[MemberOptions],
) -> None:
    with app.app_context():
        kw.setdefault("starts_on", YESTERDAY)
        add_member(db_session, Actor(username="test"), case_id, user, actor_type, **kw)


def field_error(html: str, field_id: str) -> str:
    """The error shown beside the field with this id ("" if none)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def count(db_session: Session, model: type) -> int:
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


def events(db_session: Session, action: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def statistical_record(app: Flask, session: Session, case_id: uuid.UUID) -> Stat:
    """The case's de-identified statistical record, opened with the statistics key."""
    row = session.scalars(
        select(StatisticalRecord).where(StatisticalRecord.case_id == case_id)
    ).one()
    with app.app_context():
        return Stat.loads(current_statistics_key().open(row.id, row.sealed))
