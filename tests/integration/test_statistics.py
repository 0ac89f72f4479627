"""Statistics: the de-identified record written by the door, the page and exports for
analysts and coordinators, and what the record keeps after erasure."""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.permissions import FieldGroup
from casework.audit.events import Actor, RequestContext
from casework.auth.passwords import hash_password
from casework.casefile import Caller, IdentityChange, Selection, update_identity
from casework.casefile.casewide.erasure import erase
from casework.casefile.statistics.query import load_records
from casework.casefile.statistics.record import Stat
from casework.casefile.work import changing
from casework.demo import CHILDREN, seed
from casework.keys.statistics import current_statistics_key
from casework.models import (
    AuditEvent,
    Case,
    Child,
    ErasureReason,
    StatisticalRecord,
    User,
)
from tests.conftest import login
from tests.factories import PASSWORD, make_user, open_case, sealed_totp


def _stat(app: Flask, session: Session, case_id: uuid.UUID) -> Stat | None:
    row = session.scalar(select(StatisticalRecord).where(StatisticalRecord.case_id == case_id))
    if row is None:
        return None
    with app.app_context():
        return Stat.loads(current_statistics_key().open(row.id, row.sealed))


@pytest.fixture
def sofia(db_session: Session) -> User:
    return make_user(username="sofia")


def test_opening_a_case_writes_its_statistical_record(
    app: Flask, db_session: Session, sofia: User
) -> None:
    with app.app_context():
        case_id = open_case(db_session, sofia, date_of_birth=date(2011, 1, 2), sex="female")
    stat = _stat(app, db_session, case_id)
    assert stat is not None
    assert stat.sex == "female" and stat.region == "Riga"
    assert stat.age_band in {"age_12_14", "age_15_17"}
    row = db_session.scalar(select(StatisticalRecord).where(StatisticalRecord.case_id == case_id))
    assert row is not None
    # Sealed: neither the sex nor the region is in the stored bytes.
    assert b"female" not in row.sealed and b"Riga" not in row.sealed


def test_a_change_rolled_back_leaves_no_statistical_trace(
    app: Flask, db_session: Session, sofia: User
) -> None:
    with app.app_context():
        case_id = open_case(db_session, sofia, sex="female")
        before = db_session.scalar(
            select(StatisticalRecord.sealed).where(StatisticalRecord.case_id == case_id)
        )
        caller = Caller(user=sofia, context=RequestContext())
        with (
            pytest.raises(RuntimeError),
            changing(db_session, caller, case_id, FieldGroup.IDENTITY),
        ):
            child = db_session.scalars(select(Child).where(Child.case_id == case_id)).one()
            child.sex = "male"
            db_session.flush()
            raise RuntimeError("the request failed half-way")
        db_session.expire_all()
        assert _stat(app, db_session, case_id).sex == "female"  # type: ignore[union-attr]
        after = db_session.scalar(
            select(StatisticalRecord.sealed).where(StatisticalRecord.case_id == case_id)
        )
        assert after == before
        # The same change, committed, is reflected in the same transaction.
        child = db_session.scalars(select(Child).where(Child.case_id == case_id)).one()
        update_identity(
            db_session,
            caller,
            case_id,
            IdentityChange(
                given_name=child.given_name,
                family_name=child.family_name,
                date_of_birth=child.date_of_birth,
                sex="male",
                nationalities=(),
                languages=(),
            ),
            expected_version=child.version,
        )
    assert _stat(app, db_session, case_id).sex == "male"  # type: ignore[union-attr]


def test_a_case_that_never_commits_gets_no_record(
    app: Flask, db_session: Session, sofia: User
) -> None:
    count = len(db_session.scalars(select(StatisticalRecord.id)).all())
    with app.app_context(), pytest.raises(RuntimeError):
        from casework.casefile.work import finishing

        with finishing(db_session):
            case = Case(
                reference="CW-2026-ABCDEF",
                lead_organisation_id=sofia.organisation_id,
                created_by_id=sofia.id,
            )
            db_session.add(case)
            db_session.flush()
            raise RuntimeError("crash before the commit")
    assert len(db_session.scalars(select(StatisticalRecord.id)).all()) == count


def _erase(app: Flask, session: Session, case_id: uuid.UUID) -> None:
    with app.app_context():
        erase(
            session,
            session.get_one(Case, case_id),
            ErasureReason.RETENTION_EXPIRED,
            Actor(username="admin"),
            RequestContext(),
        )


def _set_sex(session: Session, caller: Caller, case_id: uuid.UUID, sex: str, given: str) -> None:
    child = session.scalars(select(Child).where(Child.case_id == case_id)).one()
    update_identity(
        session,
        caller,
        case_id,
        IdentityChange(
            given_name=given,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            sex=sex,
            nationalities=(),
            languages=(),
        ),
        expected_version=child.version,
    )


def test_a_change_of_what_the_record_says_draws_a_new_record_key(
    app: Flask, db_session: Session, sofia: User
) -> None:
    """Successive releases: the record key (and so every selection's noise) follows the
    record's contents, so a release after a change is not the release before plus
    exactly that change; changing back gives the former key, not a fresh draw."""
    caller = Caller(user=sofia, context=RequestContext())
    with app.app_context():
        case_id = open_case(db_session, sofia, sex="female")
        first = _stat(app, db_session, case_id)
        assert first is not None and first.salt
        _set_sex(db_session, caller, case_id, "female", "Renamed")  # nothing counted changes
        assert _stat(app, db_session, case_id) == first
        _set_sex(db_session, caller, case_id, "male", "Renamed")
        changed = _stat(app, db_session, case_id)
        assert changed is not None and changed.sex == "male"
        assert changed.key != first.key and changed.salt == first.salt
        _set_sex(db_session, caller, case_id, "female", "Renamed")
        assert _stat(app, db_session, case_id) == first
        other = open_case(db_session, sofia, sex="female")
    # Another child with the same answers has a key of its own.
    assert _stat(app, db_session, other).key != first.key  # type: ignore[union-attr]


def test_the_statistical_record_survives_erasure_cut_loose(
    app: Flask, db_session: Session, sofia: User
) -> None:
    with app.app_context():
        case_id = open_case(db_session, sofia, sex="female")
    row_id = db_session.scalar(
        select(StatisticalRecord.id).where(StatisticalRecord.case_id == case_id)
    )
    _erase(app, db_session, case_id)
    row = db_session.get_one(StatisticalRecord, row_id)
    assert row.case_id is None  # no link back to the erased case
    with app.app_context():
        assert Stat.loads(current_statistics_key().open(row.id, row.sealed)).sex == "female"
        assert any(
            s.key == Stat.loads(current_statistics_key().open(row.id, row.sealed)).key
            for s in load_records(db_session)
        )


def test_erasure_deletes_the_record_when_the_setting_says_so(
    app: Flask, db_session: Session, sofia: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    with app.app_context():
        case_id = open_case(db_session, sofia)
    row_id = db_session.scalar(
        select(StatisticalRecord.id).where(StatisticalRecord.case_id == case_id)
    )
    settings = app.config["CASEWORK"]
    monkeypatch.setitem(app.config, "CASEWORK", replace(settings, statistics_erase_with_case=True))
    _erase(app, db_session, case_id)
    assert db_session.get(StatisticalRecord, row_id) is None


@pytest.fixture
def demo(app: Flask, db_session: Session) -> None:
    with app.app_context():
        seed(db_session)
    # The demo's users sign in with the test password and second factor.
    password_hash = hash_password(PASSWORD)
    for user in db_session.scalars(select(User)):
        user.password_hash = password_hash
        user.totp_secret_enc = sealed_totp(user.id)
    db_session.commit()


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_analyst_sees_tables_and_no_child(
    app: Flask, db_session: Session, client: FlaskClient, demo: None
) -> None:
    login(client, "analyst")
    page = client.get("/statistics/")
    assert page.status_code == 200
    html = page.text
    assert "Identifications in" in html and "<svg" in html and "suppressed" in html
    for given, family, _sex in CHILDREN:
        assert given not in html and family not in html
    for case in db_session.scalars(select(Case)):
        assert case.reference not in html and str(case.id) not in html
    events = _events(db_session, "stats.read")
    assert events and events[-1].actor == "analyst" and events[-1].subject.startswith("stats k=10")


def test_the_filter_by_year_is_recorded_and_bad_filters_are_refused(
    app: Flask, db_session: Session, client: FlaskClient, demo: None
) -> None:
    login(client, "analyst")
    year = date.today().year - 1
    page = client.get(f"/statistics/?year={year}&country=LV")
    assert page.status_code == 200
    assert f"Identifications in {year}" in page.text
    assert f"Identifications in {year - 1}" not in page.text
    assert _events(db_session, "stats.read")[-1].subject == f"stats k=10;y={year};c=LV"
    for bad in ("year=abc", "country=ZZ", "sex=%3Cscript%3E", "age_band=1", "region=Nowhere"):
        refused = client.get(f"/statistics/?{bad}")
        assert refused.status_code == 200
        assert "from the list" in refused.text and "<script>" not in refused.text


def test_a_coordinator_sees_their_region_only(
    app: Flask, db_session: Session, client: FlaskClient, demo: None
) -> None:
    login(client, "coordinator")
    page = client.get("/statistics/?region=Harju")
    assert page.status_code == 200
    assert "from the list" in page.text  # another region is not offered
    page = client.get("/statistics/")
    assert page.status_code == 200
    assert _events(db_session, "stats.read")[-1].subject.endswith(";r=Riga")
    with app.app_context():
        records = load_records(db_session)
    riga = [s for s in records if s.region == "Riga"]
    assert 0 < len(riga) < len(records)


def test_roles_without_statistics_are_refused(
    app: Flask, db_session: Session, client: FlaskClient, demo: None
) -> None:
    for username in ("socialworker", "police", "auditor", "admin"):
        c = app.test_client()
        login(c, username)
        assert c.get("/statistics/").status_code == 403
        assert c.get("/statistics/export.csv").status_code in (302, 403)


def test_the_csv_and_json_exports_are_the_tables_as_shown(
    app: Flask, db_session: Session, client: FlaskClient, demo: None
) -> None:
    login(client, "analyst")
    response = client.get("/statistics/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["Casework statistics"]
    assert ["Smallest count shown (k)", "10"] in rows
    assert ["Period", "All"] in rows  # a label in the reader's language; JSON keeps "all"
    assert any(r and r[0] == "Generated (UTC)" for r in rows)
    assert any("suppressed" in r for r in rows)
    assert _events(db_session, "export")[-1].subject.startswith("stats k=10")
    data = json.loads(client.get("/statistics/export.json").text)
    assert data["k"] == 10 and data["period"] == "all"
    assert {t["key"] for t in data["tables"]} >= {"exploitation", "measures", "team"}
    for table in data["tables"]:
        for row in table["rows"]:
            assert all(v is None or v >= 10 or v == 0 for v in row["cells"])
    assert client.get("/statistics/export.xml").status_code == 302


def test_the_export_asks_for_a_fresh_sign_in(
    app: Flask, db_session: Session, client: FlaskClient, demo: None
) -> None:
    from casework.models import UserSession

    login(client, "analyst")
    for row in db_session.scalars(select(UserSession)):
        row.verified_at = datetime(2000, 1, 1)
    db_session.commit()
    response = client.get("/statistics/export.csv")
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]


def test_backfill_writes_records_for_cases_without_one(
    app: Flask, db_session: Session, sofia: User
) -> None:
    with app.app_context():
        case_id = open_case(db_session, sofia)
    db_session.query(StatisticalRecord).filter(StatisticalRecord.case_id == case_id).delete()
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["stats", "backfill"])
    assert result.exit_code == 0, result.output
    assert "1 " in result.output
    assert _stat(app, db_session, case_id) is not None
    again = app.test_cli_runner().invoke(args=["stats", "backfill"])
    assert again.exit_code == 0 and "0 " in again.output


def test_the_command_line_exports_the_tables(
    app: Flask, db_session: Session, demo: None, tmp_path: object
) -> None:
    result = app.test_cli_runner().invoke(args=["stats", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["k"] == 10 and data["tables"]
    assert _events(db_session, "export")[-1].actor == "cli"
    result = app.test_cli_runner().invoke(
        args=["stats", "export", "--format", "csv", "--year", "1999"]
    )
    assert result.exit_code == 0
    assert "Casework statistics" in result.output


def db_session_user(session: Session, username: str) -> User:
    found = session.scalar(select(User).where(User.username == username))
    return found or make_user(username=username, role="analyst")


def _children_counted(app: Flask, session: Session, sofia: User) -> int:
    from casework.casefile.statistics.query import _groups, statistics_page

    analyst = db_session_user(session, "ilze")
    with app.test_request_context():
        statistics_page(session, Caller(user=analyst, context=RequestContext()), Selection())
        return _groups().select(lambda _group: True).count


def test_the_counts_follow_every_change(app: Flask, db_session: Session, sofia: User) -> None:
    with app.app_context():
        open_case(db_session, sofia)
    before = _children_counted(app, db_session, sofia)
    with app.app_context():
        case_id = open_case(db_session, sofia)
    assert _children_counted(app, db_session, sofia) == before + 1
    row = db_session.scalars(
        select(StatisticalRecord).where(StatisticalRecord.case_id == case_id)
    ).one()
    version = row.version
    with app.app_context():
        child = db_session.scalars(select(Child).where(Child.case_id == case_id)).one()
        update_identity(
            db_session,
            Caller(user=sofia, context=RequestContext()),
            case_id,
            IdentityChange(
                given_name="Mia",
                family_name=child.family_name,
                date_of_birth=child.date_of_birth,
                sex="male",
                nationalities=(),
                languages=(),
            ),
            expected_version=child.version,
        )
    db_session.refresh(row)
    assert row.version == version + 1
    assert _children_counted(app, db_session, sofia) == before + 1


def test_a_record_moved_to_another_row_is_not_counted(
    app: Flask, db_session: Session, sofia: User
) -> None:
    with app.app_context():
        first = open_case(db_session, sofia)
        second = open_case(db_session, sofia)
    rows = {
        r.case_id: r
        for r in db_session.scalars(
            select(StatisticalRecord).where(StatisticalRecord.case_id.in_([first, second]))
        )
    }
    rows[second].sealed = rows[first].sealed  # a copy, to count one child twice
    db_session.commit()
    with app.app_context():
        opened = load_records(db_session)
        ids = {Stat.loads(current_statistics_key().open(rows[first].id, rows[first].sealed)).key}
    assert sum(1 for s in opened if s.key in ids) == 1


def test_counting_every_record_at_once_gives_the_counts_record_by_record(
    app: Flask, db_session: Session, demo: None
) -> None:
    from casework.casefile.statistics.groups import Groups

    with app.app_context():
        sealer = current_statistics_key()
        at_once = Groups()
        at_once.warm(db_session, sealer)
        one_by_one = Groups()
        for row in db_session.scalars(select(StatisticalRecord)):
            one_by_one._apply(sealer.open(row.id, row.sealed), +1)
    assert at_once.groups.keys() == one_by_one.groups.keys()
    for group, counted in one_by_one.groups.items():
        assert at_once.groups[group].count == counted.count
        assert at_once.groups[group].key_sum == counted.key_sum
        assert at_once.groups[group].cells == counted.cells
        assert at_once.groups[group].values == counted.values
    assert at_once.select(lambda _g: True).count == 330  # 30 demo cases, 300 records


def test_a_served_worker_counts_the_records_before_the_first_page(
    app: Flask, db_session: Session, sofia: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.casefile.statistics.query import GROUPS, _groups
    from casework.cli.serve import warm_in_background

    with app.app_context():
        open_case(db_session, sofia)
        open_case(db_session, sofia)
    records = len(db_session.scalars(select(StatisticalRecord.id)).all())
    monkeypatch.delitem(app.extensions, GROUPS, raising=False)  # a fresh worker
    warm_in_background(app)
    with app.app_context():
        assert _groups().select(lambda _g: True).count == records

    # The first page then opens no record: nothing changed since the warm-up.
    def no_opening(_raw: bytes) -> Stat:
        raise AssertionError("a record was opened again")

    monkeypatch.setattr(Stat, "loads", staticmethod(no_opening))
    assert _children_counted(app, db_session, sofia) == records


def test_a_failed_warm_up_is_logged_and_leaves_the_counting_to_the_page(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.cli import serve

    def broken(_session: Session) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(serve, "warm_statistics", broken)
    serve.warm_in_background(app)
    assert "counting the statistical records failed" in caplog.text


def test_each_worker_starts_counting_when_it_loads_the_application(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.cli import serve

    warmed: list[Flask] = []
    monkeypatch.setattr(serve, "warm_in_background", warmed.append)
    server = serve.Server(lambda: app, {"bind": ["127.0.0.1:0"]})
    assert server.load() is app
    for thread in threading.enumerate():
        if thread.name == "statistics-warm-up":
            thread.join(5)
    assert warmed == [app]
