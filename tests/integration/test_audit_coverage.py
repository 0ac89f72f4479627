"""Every route of the application, driven as a person would, leaves exactly the audit
events it should: each case read, change, refusal, sign-in and review, and nothing more.

The routes come from app.url_map: a route added without a visit here fails
test_every_route_is_visited, so new routes cannot slip past the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit.checkpoints import current_checkpointer
from casework.audit.verify import verify_database
from casework.models import AuditEvent, Case
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, add_member, make_organisation, make_user, open_case

NEW_CASE = "<the new case>"
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-000000000000")
Event = tuple[str, str, str, str]  # action, actor, case reference, outcome


@dataclass(frozen=True)
class World:
    case_id: uuid.UUID
    ref: str
    lead_id: uuid.UUID


@dataclass(frozen=True)
class Visit:
    endpoint: str
    method: str
    user: str | None  # signed in as, or None for nobody
    url: Callable[[World], str]
    expected: Callable[[World], list[Event]]
    data: dict[str, str] = field(default_factory=dict)
    label: str = ""
    # Form data that names something of the world (a team member's id).
    data_of: Callable[[World], dict[str, str]] | None = None

    @property
    def name(self) -> str:
        return f"{self.endpoint} {self.method} as {self.user or 'nobody'} {self.label}".strip()


def _case(w: World) -> str:
    return f"/cases/{w.case_id}"


def _none(w: World) -> list[Event]:
    return []


def _one(
    action: str, user: str, case: bool = False, outcome: str = "allowed"
) -> Callable[[World], list[Event]]:
    return lambda w: [(action, user, w.ref if case else "", outcome)]


def _denied(user: str, case: bool = False) -> Callable[[World], list[Event]]:
    return _one("access.denied", user, case, "denied")


CHILD = {
    "given_name": "Liis",
    "family_name": "Jõgi",
    "date_of_birth": "2013-05-17",
    "sex": "female",
}

VISITS = [
    Visit("main.index", "GET", "sofia", lambda w: "/", _none),
    Visit("main.health", "GET", None, lambda w: "/health", _none),
    Visit("main.favicon", "GET", None, lambda w: "/favicon.ico", _none),
    Visit("main.ready", "GET", None, lambda w: "/ready", _none),
    Visit("static", "GET", None, lambda w: "/static/css/casework.css", _none),
    Visit("auth.login", "GET", None, lambda w: "/login", _none),
    # The right password alone signs nobody in: login.success waits for the code step.
    Visit("auth.login", "POST", None, lambda w: "/login", _none,
          {"username": "sofia", "password": PASSWORD}, "right password"),
    Visit("auth.login", "POST", None, lambda w: "/login",
          _one("login.failure", "sofia", outcome="denied"),
          {"username": "sofia", "password": "not the password"}, "wrong password"),
    Visit("auth.logout", "POST", "sofia", lambda w: "/logout", _one("logout", "sofia")),
    Visit("cases.my_cases", "GET", "sofia", lambda w: "/cases/", _one("case.list", "sofia")),
    Visit("cases.my_cases", "GET", "aino", lambda w: "/cases/", _denied("aino")),
    Visit("cases.open_case", "GET", "sofia", lambda w: "/cases/new", _none),
    Visit("cases.open_case", "GET", "aino", lambda w: "/cases/new", _denied("aino")),
    Visit("cases.open_case", "POST", "sofia", lambda w: "/cases/new",
          lambda w: [("case.create", "sofia", NEW_CASE, "allowed"),
                     ("duplicate.check", "sofia", NEW_CASE, "allowed")],
          {**CHILD, "not_a_duplicate": "y"}, "valid, confirmed as a new child"),
    # The same child on a team sofia is not on (olga's case): the check is recorded on
    # both cases, and sofia is told nothing.
    Visit("cases.open_case", "POST", "olga", lambda w: "/cases/new",
          lambda w: [("search", "olga", "", "allowed"),
                     ("case.create", "olga", NEW_CASE, "allowed"),
                     ("duplicate.check", "olga", w.ref, "allowed"),
                     ("duplicate.check", "olga", NEW_CASE, "allowed")],
          CHILD, "a child with a case on another team"),
    Visit("duplicates.items", "GET", "sofia", lambda w: "/cases/same-child/",
          _one("case.list", "sofia")),
    Visit("duplicates.items", "GET", "aino", lambda w: "/cases/same-child/", _denied("aino")),
    Visit("duplicates.link", "POST", "sofia", lambda w: f"/cases/same-child/{UNKNOWN}/link",
          _denied("sofia"), {"version": "1"}),
    Visit("duplicates.dismiss", "POST", "sofia",
          lambda w: f"/cases/same-child/{UNKNOWN}/dismiss", _denied("sofia"), {"version": "1"}),
    Visit("merging.merge", "GET", "sofia", lambda w: f"{_case(w)}/merge/{UNKNOWN}",
          _denied("sofia", True)),
    Visit("merging.merge", "POST", "nora", lambda w: f"{_case(w)}/merge/{UNKNOWN}",
          _denied("nora", True), {"survivor": str(UNKNOWN), "confirm": "y"}),
    # The duplicate check finds the world's case of the same child: shown, not opened.
    Visit("cases.open_case", "POST", "sofia", lambda w: "/cases/new",
          _one("search", "sofia", True), CHILD, "possible duplicate"),
    Visit("cases.open_case", "POST", "sofia", lambda w: "/cases/new", _none,
          {**CHILD, "family_name": ""}, "invalid"),
    Visit("cases.show", "GET", "sofia", _case, _one("case.read", "sofia", True), label="lead"),
    Visit("cases.show", "GET", "nora", _case, _one("case.read", "nora", True), label="member"),
    Visit("cases.show", "GET", "olga", _case, _denied("olga", True), label="outsider"),
    Visit("cases.show", "GET", "aino", _case, _denied("aino", True), label="auditor"),
    # The child's summary is a read of the case, as the case page is.
    Visit("cases.for_the_child", "GET", "sofia", lambda w: f"{_case(w)}/for-the-child",
          _one("case.read", "sofia", True), label="lead"),
    Visit("cases.for_the_child", "GET", "olga", lambda w: f"{_case(w)}/for-the-child",
          _denied("olga", True), label="outsider"),
    # The results page with no search kept sends back to the form, reading nothing.
    Visit("search.results", "GET", "sofia", lambda w: "/search/results", _none),
    Visit("cases.show", "GET", "sofia", lambda w: f"/cases/{UNKNOWN}", _denied("sofia"),
          label="unknown case"),
    Visit("case_access.access_log", "GET", "sofia", lambda w: f"{_case(w)}/access-log",
          _one("audit.read", "sofia", True), label="lead"),
    Visit("case_access.access_log", "GET", "nora", lambda w: f"{_case(w)}/access-log",
          _denied("nora", True), label="member"),
    Visit("case_access.access_log", "GET", "olga", lambda w: f"{_case(w)}/access-log",
          _denied("olga", True), label="outsider"),
    Visit("case_access.access_log", "GET", "sofia", lambda w: f"/cases/{UNKNOWN}/access-log",
          _denied("sofia"), label="unknown case"),
    Visit("audit.events", "GET", "aino", lambda w: "/audit/", _one("audit.read", "aino")),
    Visit("audit.events", "GET", "aino", lambda w: f"/audit/?case_ref={w.ref}",
          _one("audit.read", "aino", True), label="one case"),
    Visit("audit.events", "GET", "aino", lambda w: "/audit/?since=yesterday", _none,
          label="bad filter"),
    Visit("audit.events", "GET", "sofia", lambda w: "/audit/", _denied("sofia")),
    Visit("audit.export", "GET", "aino", lambda w: f"/audit/events.csv?case_ref={w.ref}",
          _one("export", "aino", True)),
    Visit("audit.export", "GET", "olga", lambda w: "/audit/events.csv", _denied("olga")),
    Visit("audit.breakglass", "GET", "aino", lambda w: "/audit/break-glass",
          _one("audit.read", "aino")),
    Visit("audit.breakglass", "GET", "nora", lambda w: "/audit/break-glass", _denied("nora")),
    Visit("audit.chain", "GET", "aino", lambda w: "/audit/chain", _one("audit.read", "aino")),
    Visit("audit.chain", "GET", "sofia", lambda w: "/audit/chain", _denied("sofia")),
    Visit("audit.verify", "POST", "aino", lambda w: "/audit/chain/verify",
          _one("audit.verify", "aino")),
    Visit("audit.verify", "POST", "sofia", lambda w: "/audit/chain/verify", _denied("sofia")),
    # Today and notifications: the page is a case list; a person's own settings are a
    # change of their account; reading and marking notifications touch no case.
    Visit("today.today", "GET", "sofia", lambda w: "/today", _one("case.list", "sofia")),
    Visit("today.today", "GET", "aino", lambda w: "/today", _denied("aino")),
    Visit("today.notifications", "GET", "nora", lambda w: "/notifications", _none),
    Visit("today.mark_read", "POST", "nora", lambda w: "/notifications/read", _none),
    Visit("today.settings", "POST", "nora", lambda w: "/notifications/settings",
          _one("user.update", "nora"), {"email_address": "nora@example.org"}),
    Visit("today.settings", "POST", "nora", lambda w: "/notifications/settings", _none,
          {"email_address": "not an address"}, "invalid"),
    # Language and time zone: the switcher, signed in, saves the account's language (a
    # change of the account); before sign-in it only sets a cookie; the settings page
    # reads nothing of a case.
    Visit("language.switch", "POST", "nora", lambda w: "/language",
          _one("user.preferences", "nora"), {"language": "fi", "next": "/today"}),
    Visit("language.switch", "POST", None, lambda w: "/language", _none,
          {"language": "lv", "next": "/login"}, "before sign-in"),
    Visit("language.switch", "POST", "nora", lambda w: "/language", _none,
          {"language": "xx", "next": "/today"}, "invalid"),
    Visit("language.preferences", "GET", "nora", lambda w: "/account/preferences", _none),
    Visit("language.preferences", "POST", "nora", lambda w: "/account/preferences",
          _one("user.preferences", "nora"), {"language": "uk", "time_zone": "Europe/Kyiv"}),
    Visit("language.preferences", "POST", "nora", lambda w: "/account/preferences", _none,
          {"language": "uk", "time_zone": "Mars/Olympus"}, "invalid"),
    # Tasks and missing-child episodes: each change one event naming the case.
    Visit("tasks.new_task", "POST", "nora", lambda w: f"{_case(w)}/tasks/new",
          _one("task.create", "nora", True), label="member",
          data_of=lambda w: {"title": "Ring the school", "assignee": str(w.lead_id),
                             "due_on": "2026-12-24"}),
    Visit("tasks.new_task", "POST", "olga", lambda w: f"{_case(w)}/tasks/new",
          _denied("olga", True), label="outsider",
          data_of=lambda w: {"title": "Ring the school", "assignee": str(w.lead_id),
                             "due_on": "2026-12-24"}),
    # Refused input changes nothing: the form is shown again, with the case it is about.
    Visit("tasks.new_task", "POST", "nora", lambda w: f"{_case(w)}/tasks/new",
          _one("case.read", "nora", True), {"title": "", "due_on": "2026-12-24"}, "invalid"),
    Visit("tasks.report_missing", "POST", "nora", lambda w: f"{_case(w)}/missing/new",
          lambda w: [("flag.raise", "nora", w.ref, "allowed"),
                     ("missing.report", "nora", w.ref, "allowed")],
          {"last_seen_at": "2026-01-02T10:00"}, "member"),
    Visit("tasks.report_missing", "POST", "aino", lambda w: f"{_case(w)}/missing/new",
          _denied("aino", True), {"last_seen_at": "2026-01-02T10:00"}, "auditor"),
]  # fmt: skip


def test_every_route_is_visited(app: Flask) -> None:
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    visited = {(v.endpoint, v.method) for v in VISITS}
    # Routes without a visit here are walked by the authorization matrix for every role
    # and membership, which checks their events generically (a case shown leaves an
    # allowed event naming it, a refusal a denial, no event holds a name).
    from tests.security.test_authorization_matrix import EXPECTATIONS

    assert routes - visited - set(EXPECTATIONS) == set(), "add a visit for each new route"
    assert visited - routes == set(), "visits name routes that do not exist"


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    lead = make_user(username="sofia")
    make_user(username="olga")
    make_user(username="aino", auditor=True)
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    with app.app_context():
        case_id = open_case(db_session, lead)
    case = db_session.get(Case, case_id)
    assert case is not None
    add_member(db_session, case_id, nora)
    return World(case_id=case_id, ref=case.reference, lead_id=lead.id)


@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.name)
def test_each_request_leaves_exactly_its_events(
    app: Flask, client: FlaskClient, db_session: Session, world: World, visit: Visit
) -> None:
    if visit.user is not None:
        assert login(client, visit.user).status_code == 302
    # The login page, or for a signed-in user any page (its sign-out form), gives the
    # CSRF token without touching the log.
    token = csrf_token(client.get("/login" if visit.user is None else "/no-such-page").text)
    before = _head(db_session)
    url = visit.url(world)
    if visit.method == "POST":
        data = visit.data_of(world) if visit.data_of else visit.data
        response = client.post(url, data={**data, "csrf_token": token})
    else:
        response = client.get(url)
    assert response.status_code < 500
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.seq > before)))
    expected = [_resolve(e, db_session) for e in visit.expected(world)]
    assert [(e.action, e.actor, e.case_ref, e.outcome) for e in events] == expected
    assert len({(e.request_id, e.client_addr) for e in events}) <= 1  # one request, one id
    assert all(len(e.request_id) == 32 for e in events)
    with app.app_context():
        key = current_checkpointer().signer.public_key
        assert verify_database(db_session, key).intact


def _head(session: Session) -> int:
    return session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0


def _resolve(event: Event, session: Session) -> Event:
    if event[2] != NEW_CASE:
        return event
    newest = session.scalar(select(Case.reference).order_by(Case.created_at.desc()).limit(1))
    return event[0], event[1], newest or "", event[3]
