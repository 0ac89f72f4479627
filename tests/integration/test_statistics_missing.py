"""Missing-child episodes in statistics: the door writes each episode's length into the
case's statistical record in the same transaction as the report or the finding, and the
statistics page's missing table and medians count them (suppression and noise as for
every table)."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.casefile import (
    FoundReport,
    InvalidInput,
    MissingReport,
    Selection,
    record_found,
    report_missing,
    statistics_page,
)
from casework.models import StatisticalRecord, User
from tests.conftest import login, new_client
from tests.factories import make_user, open_case
from tests.supporting import as_caller, statistical_record

K = 5


def _now() -> datetime:
    return clock.local(clock.utcnow()).replace(second=0, microsecond=0, tzinfo=None)


def _sealed(session: Session, case_id: uuid.UUID) -> bytes:
    return session.scalars(
        select(StatisticalRecord.sealed).where(StatisticalRecord.case_id == case_id)
    ).one()


@pytest.fixture
def small_k(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """k = 5 (the lowest allowed), so a handful of children make a table."""
    settings = app.config["CASEWORK"]
    monkeypatch.setitem(app.config, "CASEWORK", replace(settings, statistics_min_cell=K))


def _go_missing(
    app: Flask, session: Session, user: User, case_id: uuid.UUID, days_ago: int
) -> uuid.UUID:
    seen = _now() - timedelta(days=days_ago)
    with app.app_context():
        return report_missing(
            session,
            as_caller(user),
            case_id,
            MissingReport(last_seen_at=seen, last_seen_where="Tallinn bus station"),
        )


def _found(
    app: Flask, session: Session, user: User, case_id: uuid.UUID, episode: uuid.UUID, at: datetime
) -> None:
    with app.app_context():
        record_found(session, as_caller(user), case_id, episode, FoundReport(found_at=at), 1)


def test_an_episode_is_in_the_record_from_report_to_finding(
    app: Flask, db_session: Session
) -> None:
    sofia = make_user(username="sofia")
    with app.app_context():
        case_id = open_case(db_session, sofia)
    assert statistical_record(app, db_session, case_id).missing == []
    episode = _go_missing(app, db_session, sofia, case_id, days_ago=10)
    # Missing now: no length yet.
    assert statistical_record(app, db_session, case_id).missing == [None]
    # A finding refused (found before last seen) changes nothing, in statistics neither.
    before = _sealed(db_session, case_id)
    with pytest.raises(InvalidInput):
        _found(app, db_session, sofia, case_id, episode, _now() - timedelta(days=11))
    db_session.rollback()
    assert _sealed(db_session, case_id) == before
    _found(app, db_session, sofia, case_id, episode, _now() - timedelta(days=6, hours=12))
    assert statistical_record(app, db_session, case_id).missing == [3]  # 3.5 days: whole days
    # A second episode, still open, comes after the first.
    _go_missing(app, db_session, sofia, case_id, days_ago=1)
    assert statistical_record(app, db_session, case_id).missing == [3, None]


def test_backfill_counts_the_episodes_of_existing_cases(app: Flask, db_session: Session) -> None:
    sofia = make_user(username="sofia")
    with app.app_context():
        case_id = open_case(db_session, sofia)
    episode = _go_missing(app, db_session, sofia, case_id, days_ago=4)
    _found(app, db_session, sofia, case_id, episode, _now() - timedelta(days=2))
    db_session.query(StatisticalRecord).filter(StatisticalRecord.case_id == case_id).delete()
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["stats", "backfill"])
    assert result.exit_code == 0, result.output
    assert statistical_record(app, db_session, case_id).missing == [2]


def test_the_statistics_page_shows_missing_children_and_medians(
    app: Flask, db_session: Session, small_k: None
) -> None:
    sofia = make_user(username="sofia")
    analyst = make_user(username="ilze", role="analyst")
    cases = []
    with app.app_context():
        for n in range(19):
            cases.append(open_case(db_session, sofia, given_name=f"Child{n}"))
    # Nine children go missing: eight are found after 0 to 7 days, one is missing now.
    for n, case_id in enumerate(cases[:9]):
        episode = _go_missing(app, db_session, sofia, case_id, days_ago=20)
        if n < 8:
            found = _now() - timedelta(days=20 - n) + timedelta(hours=1)
            _found(app, db_session, sofia, case_id, episode, found)
    with app.test_request_context():
        readout = statistics_page(db_session, as_caller(analyst), Selection())
    medians = {m.measure: m for m in readout.tables.missing_medians}
    assert medians["duration"].median == 3.5  # the median of 0 … 7 days, exactly
    assert medians["duration"].base is not None and abs(medians["duration"].base - 8) <= 2
    assert medians["episodes"].median == 1.0
    table = readout.tables.missing
    assert table.rows == ("missing",) and table.cols == ("yes", "no")
    went, stayed = table.cells[0]
    # "yes" carries noise of at most 2; "no" is the perturbed number of children (noise
    # of at most 2) less "yes", so it is within 4, and the two add up to the children
    # shown. A suppressed cell is None, never a wrong number.
    assert went is None or abs(went - 9) <= 2
    assert stayed is None or abs(stayed - 10) <= 4
    if went is not None and stayed is not None:
        assert went + stayed == readout.tables.children
    # The page shows the median beside its row.
    client = new_client(app)
    login(client, "ilze")
    html = client.get("/statistics/").text
    row = re.search(
        r"Length of a missing episode \(days\)</th><td>(\d+)</td><td>([\d.]+)</td>", html
    )
    assert row is not None and row.group(2) == "3.5"
