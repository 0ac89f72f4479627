"""Two administrators decide the same request at the same moment, one approving and one
refusing: one decision wins, the other finds the request decided, and the account ends
as the winner said. Run against a database of its own with real commits (PostgreSQL
when CASEWORK_TEST_DATABASE_URL names one), the second decision on another thread."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from casework import create_app, db
from casework.audit.events import RequestContext
from casework.auth import approvals
from casework.auth.accounts import AccountError
from casework.casefile import Caller
from casework.db import database
from casework.models import AuditEvent, Organisation, OrganisationKind, PendingApproval, User
from casework.models.approval import ApprovalKind, ApprovalState
from tests.conftest import app_config
from tests.databases import fresh_database, migrate
from tests.factories import _PASSWORD_HASH


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with fresh_database(tmp_path, "approval_race") as url:
        migrate(url)
        application = create_app(app_config(url, tmp_path))
        try:
            yield application
        finally:
            database(application).dispose()


def _seed(app: Flask) -> uuid.UUID:
    """Three unrelated administrators and an auditor; the first asks to make the auditor
    an administrator."""
    with app.app_context():
        session = db.session()
        org = Organisation(name="Operations", kind=OrganisationKind.OPERATIONS, region="Riga")
        session.add(org)
        people = (("asker", "admin"), ("one", "admin"), ("two", "admin"), ("liga", "auditor"))
        users = {
            name: User(
                username=name,
                display_name=name,
                role=role,
                organisation=org,
                password_hash=_PASSWORD_HASH,
            )
            for name, role in people
        }
        session.add_all(users.values())
        session.flush()
        asker = Caller(user=users["asker"], context=RequestContext())
        row = approvals.request(
            session, asker, ApprovalKind.ROLE_CHANGE, users["liga"], role="admin"
        )
        session.commit()
        return row.id


def _caller(app: Flask, username: str) -> Caller:
    user = db.session().scalar(select(User).where(User.username == username))
    assert user is not None
    return Caller(user=user, context=RequestContext())


def test_an_approval_and_a_refusal_at_once_decide_once(app: Flask) -> None:
    approval_id = _seed(app)
    outcome: dict[str, object] = {}

    def refuse_meanwhile() -> None:
        with app.app_context():
            try:
                approvals.refuse(db.session(), _caller(app, "two"), approval_id)
                outcome["two"] = "refused"
            except AccountError as refused:
                outcome["two"] = str(refused)

    with app.app_context():
        session = db.session()
        # "one" has read the request (and holds it) when "two" refuses it.
        row = approvals._pending(session, _caller(app, "one"), approval_id)
        second = threading.Thread(target=refuse_meanwhile)
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive(), "the refusal did not wait for the approval under way"
        row.subject.role = row.role
        approvals._decide(session, _caller(app, "one"), row, ApprovalState.APPROVED)
        session.commit()
    second.join(timeout=30)
    assert outcome == {"two": "decided"}
    with app.app_context():
        session = db.session()
        decided = session.get_one(PendingApproval, approval_id)
        assert decided.state == ApprovalState.APPROVED
        liga = session.scalar(select(User).where(User.username == "liga"))
        assert liga is not None and liga.role == "admin"
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("approval.%"))
        ).all()
        assert sorted(events) == ["approval.decide", "approval.request"]
