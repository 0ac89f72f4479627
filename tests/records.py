"""Helpers for tests of the child's record: forms as a person would fill them in, and
cases set up through the door."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import clock
from casework.audit.events import Actor, RequestContext
from casework.casefile import Caller, IdentificationChange
from casework.casefile.support.membership import add_member
from casework.models import Case, User
from tests.conftest import csrf_token

TODAY = clock.today()

IDENTIFICATION = {
    "identified_on": (TODAY - timedelta(days=3)).isoformat(),
    "jurisdiction": "LV",
    "actor_type": "police",
    "context": "police_operation",
    "indicators": ["intimidated", "no_schooling"],
    "exploitation_types": ["forced_criminality", "sexual"],
    "ict_facilitated": "y",
    "recruitment_method": "online_grooming",
    "narrative": "Found in a flat used for online streaming; says an older friend brought her.",
}


def identification_change(**overrides: Any) -> IdentificationChange:
    values: dict[str, Any] = {
        "identified_on": TODAY - timedelta(days=3),
        "jurisdiction": "LV",
        "actor_type": "police",
        "context": "police_operation",
        "indicators": ("intimidated",),
        "exploitation_types": ("labour",),
        "ict_facilitated": False,
        "recruitment_method": "unknown",
        "narrative": None,
        **overrides,
    }
    return IdentificationChange(**values)


def caller_of(user: User) -> Caller:
    return Caller(user=user, context=RequestContext())


def join(
    app: Flask, db_session: Session, case_id: uuid.UUID, user: User, actor_type: str = "ngo"
) -> None:
    with app.app_context():
        add_member(
            db_session,
            Actor(username="test"),
            case_id,
            user,
            actor_type,
            starts_on=TODAY - timedelta(days=1),
        )


def post(client: FlaskClient, url: str, data: dict[str, Any]) -> TestResponse:
    """POST `data` with a CSRF token taken from any signed-in page."""
    token = csrf_token(client.get("/cases/").text)
    return client.post(url, data={**data, "csrf_token": token})


def fresh_case(app: Flask, db_session: Session, case_id: uuid.UUID) -> Case:
    db_session.expire_all()
    with app.app_context():
        return db_session.get_one(Case, case_id)


def user_named(db_session: Session, username: str) -> User:
    user = db_session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user
