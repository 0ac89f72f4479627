"""The auditor's screens: who may see them, filters, pages, CSV, break-glass, integrity."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import TypedDict, Unpack

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework.audit.events import Action, Actor, Outcome, RequestContext, record
from casework.clock import utcnow
from casework.models import AuditEvent, User
from casework.oversight import review
from tests.audit_support import as_dba, sql
from tests.conftest import csrf_token, login
from tests.factories import make_organisation, make_user, open_case


def _actions(session: Session, since: int = 0) -> list[tuple[str, str, str]]:
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.actor, AuditEvent.outcome)
        .where(AuditEvent.seq > since)
        .order_by(AuditEvent.seq)
    )
    return [(a, u, o) for a, u, o in rows]


def _head(session: Session) -> int:
    return session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0


class EventOptions(TypedDict, total=False):
    """The keyword options of casework.audit.events.record."""

    outcome: Outcome
    case_ref: str
    field_groups: Iterable[str]
    context: RequestContext | None
    subject: str


def _event(
    app: Flask, session: Session, action: Action, user: User, **kw: Unpack[EventOptions]
) -> None:
    actor = Actor(username=user.username, role=user.role, organisation=str(user.organisation_id))
    with app.app_context():
        record(session, action, actor, **kw)
        session.commit()


@pytest.fixture
def auditor(client: FlaskClient, db_session: Session) -> FlaskClient:
    make_user(username="aino", auditor=True, organisation=make_organisation(name="Audit Office"))
    assert login(client, "aino").status_code == 302
    return client


@pytest.fixture
def people(app: Flask, db_session: Session) -> dict[str, User]:
    police_org = make_organisation(name="Harju Police", police=True)
    found = {
        "peeter": make_user(username="peeter", police=True, organisation=police_org),
        "sofia": make_user(username="sofia"),
    }
    _event(app, db_session, Action.CASE_READ, found["sofia"], case_ref="CW-2026-AAAAAA")
    _event(
        app,
        db_session,
        Action.ACCESS_DENIED,
        found["peeter"],
        case_ref="CW-2026-BBBBBB",
        outcome=Outcome.DENIED,
    )
    _event(app, db_session, Action.BREAKGLASS_OPEN, found["peeter"], case_ref="CW-2026-AAAAAA")
    return found


@pytest.mark.parametrize("role", ["social_worker", "police", "coordinator", "admin"])
@pytest.mark.parametrize(
    "url", ["/audit/", "/audit/break-glass", "/audit/chain", "/audit/events.csv"]
)
def test_only_auditors_may_review_and_refusals_are_recorded(
    client: FlaskClient, db_session: Session, role: str, url: str
) -> None:
    make_user(username="someone", role=role)
    login(client, "someone")
    before = _head(db_session)
    response = client.get(url)
    assert response.status_code == 403
    assert _actions(db_session, before) == [("access.denied", "someone", "denied")]
    assert "Audit log" not in client.get("/cases/").text


def test_verify_now_is_refused_to_others(client: FlaskClient, db_session: Session) -> None:
    make_user(username="sofia")
    login(client, "sofia")
    token = csrf_token(client.get("/cases/").text)
    assert client.post("/audit/chain/verify", data={"csrf_token": token}).status_code == 403


def test_the_auditor_reviews_the_log_and_the_review_is_recorded(
    auditor: FlaskClient, db_session: Session, people: dict[str, User]
) -> None:
    before = _head(db_session)
    page = auditor.get("/audit/")
    assert page.status_code == 200
    assert '<a href="/audit/">Audit log</a>' in page.text
    for expected in ("CW-2026-AAAAAA", "Break-glass access", "Harju Police", "Access denied"):
        assert expected in page.text
    assert _actions(db_session, before) == [("audit.read", "aino", "allowed")]


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("user=PEETER", ["CW-2026-BBBBBB"], ["Case read"]),
        ("case_ref=cw-2026-aaaaaa", ["Case read", "Break-glass access"], ["CW-2026-BBBBBB"]),
        ("action=breakglass.open", ["Break-glass access"], ["Case read"]),
        ("outcome=denied", ["CW-2026-BBBBBB"], ["CW-2026-AAAAAA"]),
    ],
)
def test_filters_narrow_the_events(
    auditor: FlaskClient,
    db_session: Session,
    people: dict[str, User],
    query: str,
    present: list[str],
    absent: list[str],
) -> None:
    table = _table(auditor.get(f"/audit/?{query}").text)
    for word in present:
        assert word in table, (query, word)
    for word in absent:
        assert word not in table, (query, word)


def _table(html: str) -> str:
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return match.group(1) if match else ""


def test_organisation_and_time_filters(
    auditor: FlaskClient, db_session: Session, people: dict[str, User]
) -> None:
    police_org = str(people["peeter"].organisation_id)
    table = _table(auditor.get(f"/audit/?organisation={police_org}").text)
    assert "CW-2026-BBBBBB" in table and "sofia" not in table
    today = utcnow().date()  # the audit log is filtered by UTC dates
    assert "CW-2026-AAAAAA" in _table(auditor.get(f"/audit/?since={today}&until={today}").text)
    tomorrow = today + timedelta(days=1)
    empty = auditor.get(f"/audit/?since={tomorrow}")
    assert "0 events match." in empty.text
    assert "No event matches these filters." in empty.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2026-13-01", "since", "Enter a date like 2026-11-29"),
        ("until=yesterday", "until", "Enter a date like 2026-11-29"),
        ("since=2026-11-29+25:00", "since", "Enter a date like 2026-11-29"),
        ("since=2026-11-29&until=2026-11-01", "until", "The end is before the start."),
        ("action=case.delete", "action", "Choose an action from the list."),
        ("outcome=maybe", "outcome", "Choose an outcome from the list."),
        ("organisation=not-an-organisation", "organisation", "Choose an organisation"),
        ("case_ref=Liis+J%C3%B5gi", "case_ref", "Enter a reference like CW-2026-7KX4QM."),
        ("user=%3Cscript%3E", "user", "User names have letters"),
    ],
)
def test_bad_filters_are_explained_beside_the_filter(
    auditor: FlaskClient, db_session: Session, query: str, field: str, message: str
) -> None:
    before = _head(db_session)
    response = auditor.get(f"/audit/?{query}")
    assert response.status_code == 200
    assert f'<p class="field-error" id="{field}-error">{message}' in response.text
    assert f'aria-describedby="{field}-error"' in response.text or (
        f'aria-describedby="{field}-hint {field}-error"' in response.text
    )
    assert "<tbody>" not in response.text
    assert _actions(db_session, before) == []  # nothing of the log was shown


def test_pages_of_fifty_newest_first(app: Flask, auditor: FlaskClient, db_session: Session) -> None:
    sofia = make_user(username="sofia")
    for _ in range(120):
        _event(app, db_session, Action.CASE_LIST, sofia)
    first = auditor.get("/audit/?action=case.list")
    numbers = [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", first.text)]
    assert len(numbers) == 50 and numbers == sorted(numbers, reverse=True)
    assert "120 events match." in first.text
    older = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert older and "action=case.list" in older.group(1) and 'rel="prev"' not in first.text
    second = auditor.get(older.group(1).replace("&amp;", "&"))
    second_numbers = [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", second.text)]
    assert second_numbers[0] == numbers[-1] - 1 and len(second_numbers) == 50
    newer = re.search(r'href="([^"]+)" rel="prev"', second.text)
    assert newer
    back = auditor.get(newer.group(1).replace("&amp;", "&"))
    assert [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", back.text)] == numbers
    assert auditor.get("/audit/?before=nonsense&after=-4").status_code == 200


def test_csv_export_of_the_filtered_view_is_recorded_and_safe(
    app: Flask, auditor: FlaskClient, db_session: Session, people: dict[str, User]
) -> None:
    formula = Actor(username='=HYPERLINK("http://x")', organisation="@SUM(1)")
    with app.app_context():
        record(db_session, Action.LOGIN_FAILURE, formula, outcome=Outcome.DENIED)
        db_session.commit()
    before = _head(db_session)
    response = auditor.get("/audit/events.csv?outcome=denied")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["sequence", "time_utc", "user"]
    assert {r[9] for r in rows[1:]} == {"denied"} and len(rows) == 3
    assert rows[2][2] == '\'=HYPERLINK("http://x")' and rows[2][4] == "'@SUM(1)"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert _actions(db_session, before) == [("export", "aino", "allowed")]


def test_too_large_an_export_asks_for_narrower_filters(
    auditor: FlaskClient,
    db_session: Session,
    people: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(review, "EXPORT_LIMIT", 1)
    before = _head(db_session)
    response = auditor.get("/audit/events.csv?user=peeter", follow_redirects=True)
    assert "2 events match; export at most 1 at a time. Narrow the filters." in response.text
    assert [a for a, _u, _o in _actions(db_session, before)] == ["audit.read"]


def test_break_glass_accesses_are_listed_with_a_place_for_the_reason(
    auditor: FlaskClient, db_session: Session, people: dict[str, User]
) -> None:
    before = _head(db_session)
    page = auditor.get("/audit/break-glass")
    table = _table(page.text)
    assert "CW-2026-AAAAAA" in table and "peeter" in table and "Harju Police" in table
    assert "CW-2026-BBBBBB" not in table
    assert "No reason found" in table
    assert _actions(db_session, before) == [("audit.read", "aino", "allowed")]


def test_no_break_glass_yet(auditor: FlaskClient, db_session: Session) -> None:
    assert "No one has broken the glass." in auditor.get("/audit/break-glass").text


def test_chain_status_and_verify_now(auditor: FlaskClient, db_session: Session) -> None:
    status = auditor.get("/audit/chain")
    assert "Last checkpoint" in status.text and "Event 1, signed" in status.text
    assert "Never" in status.text
    before = _head(db_session)
    token = csrf_token(status.text)
    result = auditor.post("/audit/chain/verify", data={"csrf_token": token}, follow_redirects=True)
    assert "The audit log is intact" in result.text
    assert "intact</strong>" in result.text
    assert _actions(db_session, before)[0] == ("audit.verify", "aino", "allowed")


def test_verify_now_reports_damage(auditor: FlaskClient, db_session: Session) -> None:
    token = csrf_token(auditor.get("/audit/chain").text)
    with as_dba(db_session):
        sql(db_session, "UPDATE audit_event SET actor = 'nobody' WHERE seq = 1")
    result = auditor.post("/audit/chain/verify", data={"csrf_token": token}, follow_redirects=True)
    assert "The audit log is damaged: the first bad event is number 1" in result.text
    assert "an event was changed" in result.text
    assert "damage found" in result.text
    outcome = db_session.execute(
        text("SELECT outcome FROM audit_event WHERE action = 'audit.verify'")
    ).scalar()
    assert outcome == "failed"


def test_verify_now_needs_the_form_token(auditor: FlaskClient, db_session: Session) -> None:
    before = _head(db_session)
    assert auditor.post("/audit/chain/verify").status_code == 400
    assert auditor.get("/audit/chain/verify").status_code == 405
    assert _actions(db_session, before) == []


def test_auditors_see_no_case_content(auditor: FlaskClient, db_session: Session) -> None:
    assert auditor.get("/cases/").status_code == 403
    home = auditor.get("/")
    assert "Review the audit log" in home.text


def test_review_requests_record_request_id_and_address(
    auditor: FlaskClient, db_session: Session
) -> None:
    auditor.get("/audit/", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None and event.action == "audit.read"
    assert event.client_addr == "198.51.100.4" and len(event.request_id) == 32


def test_nothing_of_a_child_reaches_the_auditor(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    sofia = make_user(username="sofia")
    make_user(username="aino", auditor=True)
    with app.app_context():
        case_id = open_case(db_session, sofia, given_name="Gintarė", family_name="Kazlauskaitė")
    login(client, "sofia")
    client.get(f"/cases/{case_id}")
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/cases/").text)})
    login(client, "aino")
    pages = [client.get(url).get_data(as_text=True) for url in ("/audit/", "/audit/events.csv")]
    dump = "".join(pages) + " ".join(
        str(v) for row in db_session.execute(text("SELECT * FROM audit_event")) for v in row
    )
    for value in ("Gintarė", "Kazlauskaitė", "2013-05-17", "female"):
        assert value not in dump, value
    assert "case.read" in pages[1] and "Case read" in pages[0]
