"""What a merge keeps as it was: the dates of the memberships that join the survivor's
team, the statistics (one child, one statistical record) and the child's open missing
episode."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.audit.events import Actor
from casework.casefile.statistics.record import Stat
from casework.casefile.support.membership import add_member
from casework.keys.statistics import current_statistics_key
from casework.models import (
    CaseFlag,
    CaseHistoryEntry,
    MissingEpisode,
    StatisticalRecord,
    TeamMembership,
    User,
)
from tests.factories import make_user
from tests.integration.test_merge import Pair, _merge, pair
from tests.records import caller_of

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


def _missing(app: Flask, db_session: Session, user: User, case_id: uuid.UUID, days: int) -> None:
    with app.app_context():
        casefile.report_missing(
            db_session,
            caller_of(user),
            case_id,
            casefile.MissingReport(last_seen_at=_now() - timedelta(days=days)),
        )


def _now() -> datetime:
    return datetime.now().replace(second=0, microsecond=0)


def _open_flags(db_session: Session, case_id: uuid.UUID) -> list[str]:
    rows = db_session.scalars(select(CaseFlag).where(CaseFlag.case_id == case_id))
    return [f.kind for f in rows if f.is_open]


def test_a_child_missing_in_both_cases_is_missing_once_after_the_merge(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    _missing(app, db_session, pair.anna, pair.merged, days=3)
    _missing(app, db_session, pair.berta, pair.survivor, days=1)
    _merge(app, pair)  # not "someone else changed this"
    db_session.expire_all()
    episodes = db_session.scalars(
        select(MissingEpisode).where(MissingEpisode.case_id == pair.survivor)
    ).all()
    with app.app_context():
        assert len(episodes) == 1 and episodes[0].is_open
        # The episode that began first stays; the other is in the survivor's history.
        assert episodes[0].last_seen_at == _now() - timedelta(days=3)
        noted = [
            h.previous
            for h in db_session.scalars(
                select(CaseHistoryEntry).where(
                    CaseHistoryEntry.case_id == pair.survivor, CaseHistoryEntry.change == "merge"
                )
            )
            if h.previous.get("record") == "missing_episode"
        ]
        assert [n["last_seen_at"] for n in noted] == [str(_now() - timedelta(days=1))]
    assert _open_flags(db_session, pair.survivor).count("missing") == 1
    with app.app_context():
        casefile.record_found(
            db_session,
            caller_of(pair.berta),
            pair.survivor,
            episodes[0].id,
            casefile.FoundReport(found_at=_now()),
            episodes[0].version,
        )
    assert "missing" not in _open_flags(db_session, pair.survivor)


def _records(db_session: Session, case_id: uuid.UUID) -> int:
    rows = db_session.scalars(
        select(StatisticalRecord).where(StatisticalRecord.case_id == case_id)
    ).all()
    return len(rows)


def test_a_merged_child_is_counted_once(app: Flask, db_session: Session, pair: Pair) -> None:
    assert _records(db_session, pair.merged) == 1
    total = len(db_session.scalars(select(StatisticalRecord)).all())
    _merge(app, pair)
    db_session.expire_all()
    assert _records(db_session, pair.merged) == 0
    assert _records(db_session, pair.survivor) == 1
    assert len(db_session.scalars(select(StatisticalRecord)).all()) == total - 1
    for args in (["stats", "backfill"], ["stats", "backfill", "--all"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output
        db_session.expire_all()
        assert _records(db_session, pair.merged) == 0


def test_the_backfill_removes_a_record_an_earlier_merge_left_behind(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    _merge(app, pair)
    with app.app_context():
        sealer = current_statistics_key()
        left = StatisticalRecord(case_id=pair.merged, sealed=b"", key_version=sealer.version)
        db_session.add(left)
        db_session.flush()
        left.sealed = sealer.seal(left.id, Stat(key=1).dumps())
        db_session.commit()
    result = app.test_cli_runner().invoke(args=["stats", "backfill"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert _records(db_session, pair.merged) == 0
