"""What a merge keeps as it was: the dates of the memberships that join the survivor's
team, the statistics (one child, one statistical record) and the child's open missing
episode."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.audit.events import Actor
from casework.casefile.support.membership import add_member
from casework.models import TeamMembership
from tests.factories import make_user
from tests.integration.test_merge import Pair, _merge, pair

__all__ = ["pair"]


def _members(session: Session, case_id: object) -> dict[str, tuple[object, object]]:
    rows = session.scalars(select(TeamMembership).where(TeamMembership.case_id == case_id))
    return {m.user.username: (m.starts_on, m.ends_on) for m in rows}


def test_joining_members_keep_their_start_and_end(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    day = clock.today()
    dates = {
        "short": (day - timedelta(days=3), day + timedelta(days=10)),
        "later": (day + timedelta(days=5), None),
        "ended": (day - timedelta(days=9), day),
    }
    for username, (starts_on, ends_on) in dates.items():
        user = make_user(username=username, role="ngo_worker")
        with app.app_context():  # the notifications read the access policy
            add_member(
                db_session, Actor("anna", "social_worker"), pair.merged, user, "ngo",
                starts_on=starts_on, ends_on=ends_on,
            )  # fmt: skip
    _merge(app, pair)
    db_session.expire_all()
    joined = _members(db_session, pair.survivor)
    assert joined["short"] == dates["short"]  # still ends when it would have
    assert joined["later"] == dates["later"]  # begins when it would have
    assert "ended" not in joined
