"""The Today page and notifications: what each role sees first, the count on every page,
read only by a POST, e-mail settings, and the small API other areas notify through."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.casefile.today.notify import KINDS, notify, register_kind, team_user_ids
from casework.models import Case, Notification, OutboxMessage, User
from tests.conftest import csrf_token, login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import as_caller, field_error, join

GIVEN = "Ērika"


def _client(app: Flask, username: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, username).status_code == 302
    return client


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead")
    with app.app_context():
        return open_case(db_session, lead, given_name=GIVEN)


def test_sign_in_lands_on_today_for_case_roles(app: Flask, db_session: Session) -> None:
    make_user(username="sofia")
    client = new_client(app)
    login(client, "sofia")
    assert client.get("/").headers["Location"].endswith("/today")
    page = client.get("/today").text
    assert "Nothing is due this week" in page and "No new notifications" in page


def test_joining_a_team_and_a_flag_notify_and_reading_needs_a_post(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    join(app, db_session, case_id, nora)
    client = _client(app, "nora")
    page = client.get("/today").text
    assert "You were added to the team of a case" in page
    assert '<span class="count">1</span>' in page
    lead = db_session.scalars(select(User).where(User.username == "lead")).one()
    with app.app_context():
        casefile.raise_flag(
            db_session, as_caller(lead), case_id, "safety_risk", "A man waits outside."
        )
    assert "A flag was raised on a case" in client.get("/notifications").text
    # Seeing the lists marks nothing read: only the form's POST does.
    client.get("/today")
    client.get("/notifications")
    unread = [n for n in db_session.scalars(select(Notification)) if n.user_id == nora.id]
    assert len(unread) == 2 and all(n.read_at is None for n in unread)
    assert client.get("/notifications/read").status_code == 405
    refused = client.post("/notifications/read", data={})
    assert refused.status_code in (302, 400)
    db_session.expire_all()
    assert all(n.read_at is None for n in db_session.scalars(select(Notification)))
    post_form(client, "/notifications/read", {}, form_url="/notifications")
    db_session.expire_all()
    mine = [n for n in db_session.scalars(select(Notification)) if n.user_id == nora.id]
    assert all(n.read_at is not None for n in mine)
    # The lead learnt of the new member (not of their own flag), still unread.
    leads = [n for n in db_session.scalars(select(Notification)) if n.user_id == lead.id]
    assert [(n.kind, n.read_at) for n in leads] == [("member_added", None)]


def test_break_glass_tells_the_lead(app: Flask, db_session: Session, case_id: uuid.UUID) -> None:
    police = make_user(username="paul", police=True, organisation=make_organisation(police=True))
    reference = db_session.get_one(Case, case_id).reference
    with app.app_context():
        casefile.open_break_glass(
            db_session, as_caller(police), reference, "The child was found at night by a patrol."
        )
    lead = db_session.scalars(select(User).where(User.username == "lead")).one()
    kinds = [(n.user_id, n.kind) for n in db_session.scalars(select(Notification))]
    assert (lead.id, "break_glass") in kinds


def test_e_mail_settings(app: Flask, db_session: Session, case_id: uuid.UUID) -> None:
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    client = _client(app, "nora")
    bad = post_form(client, "/notifications/settings", {"email_address": "nora@@example"})
    assert "e-mail address" in field_error(bad.text, "email_address")
    ok = post_form(
        client,
        "/notifications/settings",
        {"email_address": "nora@example.org", "email_child_missing": "y"},
    )
    assert ok.status_code == 302
    page = client.get("/notifications/settings").text
    assert 'value="nora@example.org"' in page
    # case_handed is on by default, switched off here: no e-mail for it.
    join(app, db_session, case_id, nora)
    assert db_session.scalars(select(OutboxMessage)).all() == []
    lead = db_session.scalars(select(User).where(User.username == "lead")).one()
    with app.app_context():
        casefile.report_missing(
            db_session,
            as_caller(lead),
            case_id,
            casefile.MissingReport(last_seen_at=_an_hour_ago()),
        )
    assert [r.user_id for r in db_session.scalars(select(OutboxMessage))] == [nora.id]
    # A kind nobody offered is refused, not stored.
    with app.app_context(), pytest.raises(casefile.InvalidInput):
        casefile.save_notification_settings(
            db_session, as_caller(nora), "nora@example.org", {"made_up": True}
        )


def _an_hour_ago() -> datetime:
    from datetime import timedelta

    from casework import clock

    return (clock.local(clock.utcnow()) - timedelta(hours=1)).replace(tzinfo=None, microsecond=0)


def test_the_notify_api(app: Flask, db_session: Session, case_id: uuid.UUID) -> None:
    kind = register_kind(
        "possible_same_child_test", _l("A possible same child"), email_default=True
    )
    assert KINDS[kind.code] is kind
    with app.app_context():
        team = team_user_ids(db_session, case_id)
        case = db_session.get_one(Case, case_id)
        assert notify(db_session, kind.code, case, team, key="pair-1") == 1
        assert notify(db_session, kind.code, case, team, key="pair-1") == 0  # once per key
        with pytest.raises(ValueError, match="unknown notification kind"):
            notify(db_session, "no_such_kind", case, team)
        db_session.commit()
    del KINDS[kind.code]
    assert len(db_session.scalars(select(Notification)).all()) == 1


def test_coordinators_see_their_region_by_reference(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="cora", coordinator=True)
    lead = db_session.scalars(select(User).where(User.username == "lead")).one()
    ngo = make_organisation(ngo=True)
    with app.app_context():
        casefile.refer(
            db_session, as_caller(lead), case_id, casefile.NewReferral(ngo.id, "Shelter.", "child")
        )
        casefile.add_task(
            db_session,
            as_caller(lead),
            case_id,
            casefile.TaskInput(title="Secret title", assignee_id=lead.id, due_on=_today()),
        )
    page = _client(app, "cora").get("/today").text
    reference = db_session.get_one(Case, case_id).reference
    assert "Referrals waiting for your decision" in page and reference in page
    assert "1 open task due this week" in page
    assert GIVEN not in page and "Secret title" not in page


def _today() -> date:
    from casework import clock

    return clock.today()


def test_auditors_and_administrators_see_their_own_work(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    make_user(username="aino", auditor=True)
    make_user(username="adam", admin=True)
    make_user(username="newbie", not_enrolled=True)
    police = make_user(username="paul", police=True, organisation=make_organisation(police=True))
    reference = db_session.get_one(Case, case_id).reference
    with app.app_context():
        casefile.open_break_glass(
            db_session, as_caller(police), reference, "The child was found at night by a patrol."
        )
    auditor = _client(app, "aino")
    home = auditor.get("/").text
    assert "1 emergency access not yet reviewed." in home and "Last verified" in home
    admin = _client(app, "adam").get("/").text
    assert "Waiting to enrol" in admin and "newbie" in admin
    assert "No account is locked." in admin


NEXT = re.compile(r'<input id="read-next" name="next" type="hidden" value="([^"]*)">')


def test_mark_as_read_returns_to_the_page_it_was_on_and_only_there(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    """Back to Today or the notifications, whichever the form was on; a `next` naming
    another site, or none, goes to Today: never an open redirect."""
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    join(app, db_session, case_id, nora)
    client = _client(app, "nora")

    def news() -> None:
        with app.app_context():
            notify(db_session, "flag_raised", db_session.get_one(Case, case_id), [nora.id])
        db_session.commit()

    def unread() -> int:
        db_session.expire_all()
        mine = db_session.scalars(select(Notification).where(Notification.user_id == nora.id))
        return sum(n.read_at is None for n in mine)

    for page in ("/today", "/notifications"):
        html = client.get(page).text
        back = NEXT.search(html)
        assert back is not None and back.group(1) == page
        response = client.post(
            "/notifications/read", data={"next": back.group(1), "csrf_token": csrf_token(html)}
        )
        assert response.status_code == 302 and response.headers["Location"] == page
        assert unread() == 0
        assert "Your notifications are marked as read." in client.get(page).text
        news()
        assert unread() == 1
    token = csrf_token(client.get("/today").text)
    for elsewhere in (
        "https://evil.example/today",
        "//evil.example/today",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "today",
        "/today\r\nSet-Cookie: x=1",
        "",
    ):
        response = client.post("/notifications/read", data={"next": elsewhere, "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] == "/today", elsewhere
    # Without its token it is refused, marks nothing and sends nobody elsewhere.
    news()
    refused = client.post("/notifications/read", data={"next": "https://evil.example/"})
    assert refused.status_code == 400 and "evil.example" not in str(refused.headers)
    assert unread() == 1


def _overview_needs(html: str) -> dict[str, tuple[str, str]]:
    """Reference -> (link, needs as shown) of the overview's rows that need attention."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        needs = re.search(r'<td class="needs">(.*?)</td>', row, re.DOTALL)
        link = re.search(r'<a href="([^"]+)">([^<]+)</a>', cells[0]) if cells else None
        if link and needs and needs.group(1).strip() != "—":
            found[link.group(2)] = (link.group(1), " ".join(needs.group(1).split()))
    return found


def _today_attention(html: str) -> dict[str, tuple[str, str]]:
    listed = re.search(r'<ul class="attention">(.*?)</ul>', html, re.DOTALL)
    assert listed is not None
    return {
        reference: (link, " ".join(needs.split()))
        for link, reference, needs in re.findall(
            r'<li><a href="([^"]+)">([^<]+)</a>:(.*?)</li>', listed.group(1), re.DOTALL
        )
    }


def test_the_coordinators_today_lists_what_the_overview_says_needs_attention(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    """The same rows as the region overview, by reference and with the same needs, the
    count, a link to the overview, and links to each team page (never the child)."""
    make_user(username="cora", coordinator=True)
    lead = db_session.scalars(select(User).where(User.username == "lead")).one()
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    with app.app_context():
        missing = open_case(db_session, lead, given_name="Mirjam")
        complete = open_case(db_session, lead, given_name="Kadri")
    join(app, db_session, complete, nora)  # social services and an NGO: nothing missing
    with app.app_context():
        casefile.report_missing(
            db_session, as_caller(lead), missing, casefile.MissingReport(_an_hour_ago())
        )
    client = _client(app, "cora")
    overview = _overview_needs(client.get("/cases/overview").text)
    page = client.get("/today").text
    listed = _today_attention(page)
    references = {i: db_session.get_one(Case, i).reference for i in (case_id, missing, complete)}
    assert set(listed) == {references[case_id], references[missing]}
    assert listed == overview
    assert "Child missing" in listed[references[missing]][1]
    assert "2 cases need attention." in page and 'href="/cases/overview"' in page
    for name in (GIVEN, "Mirjam", "Kadri"):
        assert name not in page
    for link, _needs in listed.values():
        assert link.endswith("/team") and client.get(link).status_code == 200
    # Every reference on the page (the missing child, the tasks, the marks) leads where
    # the coordinator may go: the team page, not a case page that answers 404.
    with app.app_context():
        casefile.add_task(
            db_session,
            as_caller(lead),
            case_id,
            casefile.TaskInput(title="Call the school", assignee_id=lead.id, due_on=_today()),
        )
    page = client.get("/today").text
    assert "Children missing now" in page and "1 open task due this week" in page
    links = set(re.findall(r'href="(/cases/[0-9a-f-]{36}[^"]*)"', page))
    assert links == {f"/cases/{i}/team" for i in (case_id, missing)}
    assert all(client.get(link).status_code == 200 for link in links)
    # Members see their own cases' marks, not the region's rows.
    assert '<ul class="attention">' not in _client(app, "lead").get("/today").text
