"""Which notifications also come by e-mail, per person and kind: the defaults are those
docs/reminders.md names, a kind turned off still shows in Casework but sends no e-mail
(through a real SMTP server), and a post of a kind the form does not offer changes
nothing and says why."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.casefile.today.notify import KINDS
from casework.models import EmailChoice, Notification, NotificationSetting, OutboxMessage, User
from tests.conftest import csrf_token, login, new_client
from tests.factories import make_organisation, make_user, open_case
from tests.mail import free_port, smtp_server
from tests.supporting import as_caller, join

SETTINGS = "/notifications/settings"
# As docs/reminders.md says: "Defaults: an e-mail for …"
EMAIL_BY_DEFAULT = {
    "case_handed",
    "break_glass",
    "child_missing",
    "child_found",
    "possible_same_child",
    "member_role_changed",
    "member_profession_changed",
}
CHECKBOX = re.compile(r"<input[^>]*\btype=\"checkbox\"[^>]*>")


def _client(app: Flask, username: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, username).status_code == 302
    return client


def _ticked(page: str) -> set[str]:
    """The kinds whose e-mail box the settings page shows ticked."""
    found = set()
    for tag in CHECKBOX.findall(page):
        name = re.search(r'name="email_([a-z0-9_]+)"', tag)
        if name and re.search(r"\bchecked\b", tag):
            found.add(name.group(1))
    return found


def _offered(page: str) -> set[str]:
    return {
        m.group(1)
        for tag in CHECKBOX.findall(page)
        if (m := re.search(r'name="email_([a-z0-9_]+)"', tag))
    }


def _save(
    client: FlaskClient, address: str, without: Iterable[str] = (), extra: Iterable[str] = ()
) -> tuple[int, str]:
    """Post the settings form as the page shows it, with `address`, the boxes ticked on
    the page but those `without`, and any `extra` fields; (status, page)."""
    page = client.get(SETTINGS).text
    kinds = (_ticked(page) - set(without)) | set(extra)
    data = {"email_address": address, "csrf_token": csrf_token(page)}
    data.update({f"email_{kind}": "y" for kind in kinds})
    response = client.post(SETTINGS, data=data)
    return response.status_code, response.text


def test_the_defaults_are_the_documented_ones(app: Flask, db_session: Session) -> None:
    make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    page = _client(app, "nora").get(SETTINGS).text
    assert _offered(page) == set(KINDS)
    assert _ticked(page) == EMAIL_BY_DEFAULT
    assert {k.code for k in KINDS.values() if k.email_default} == EMAIL_BY_DEFAULT


@pytest.fixture
def team(app: Flask, db_session: Session) -> tuple[uuid.UUID, User, User, User]:
    """A case led by `lead`, with two NGO workers on its team."""
    lead = make_user(username="lead")
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    olga = make_user(username="olga", ngo_worker=True, organisation=make_organisation(ngo=True))
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, nora)
    join(app, db_session, case_id, olga)
    return case_id, lead, nora, olga


def test_a_kind_turned_off_shows_in_casework_but_sends_no_e_mail(
    app: Flask,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
    team: tuple[uuid.UUID, User, User, User],
) -> None:
    case_id, lead, nora, olga = team
    nora_client = _client(app, "nora")
    assert _save(nora_client, "nora@example.org", without={"child_missing"})[0] == 302
    assert _save(_client(app, "olga"), "olga@example.org")[0] == 302
    assert "child_missing" not in _ticked(nora_client.get(SETTINGS).text)
    db_session.query(OutboxMessage).delete()  # what joining the team left
    db_session.commit()
    last_seen = clock.local(clock.utcnow()).replace(tzinfo=None, microsecond=0) - timedelta(hours=2)
    with app.app_context():
        casefile.report_missing(
            db_session, as_caller(lead), case_id, casefile.MissingReport(last_seen_at=last_seen)
        )
    told = {(n.user_id, n.kind) for n in db_session.scalars(select(Notification))}
    assert {(nora.id, "child_missing"), (olga.id, "child_missing")} <= told
    assert "A child was recorded missing" in nora_client.get("/today").text
    assert [r.user_id for r in db_session.scalars(select(OutboxMessage))] == [olga.id]
    port = free_port()
    settings = dataclasses.replace(
        app.config["CASEWORK"], mail_server="127.0.0.1", mail_port=port, mail_security="none"
    )
    monkeypatch.setitem(app.config, "CASEWORK", settings)
    with smtp_server(port) as inbox:
        result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and "1 e-mails sent" in result.output, result.output
    assert [to for to, _raw in inbox.received] == [["olga@example.org"]]


def test_a_kind_the_form_does_not_offer_changes_nothing(
    app: Flask, db_session: Session, team: tuple[uuid.UUID, User, User, User]
) -> None:
    _case_id, _lead, nora, _olga = team
    client = _client(app, "nora")
    assert _save(client, "nora@example.org", without={"child_found"})[0] == 302

    def stored() -> tuple[str, dict[str, bool]]:
        db_session.expire_all()
        setting = db_session.get_one(NotificationSetting, nora.id)
        choices = db_session.scalars(select(EmailChoice).where(EmailChoice.user_id == nora.id))
        return setting.email_address, {c.kind: c.by_email for c in choices}

    before = stored()
    assert before[1]["child_found"] is False
    status, page = _save(client, "elsewhere@example.org", extra={"child_found", "made_up_kind"})
    assert status == 200
    assert "Choose among the kinds of notification listed." in page
    assert 'class="error-summary"' in page
    assert "Your notification settings are saved." not in page
    assert stored() == before
    # The same post without the stray kind is saved.
    assert _save(client, "elsewhere@example.org", extra={"child_found"})[0] == 302
    assert stored()[0] == "elsewhere@example.org" and stored()[1]["child_found"] is True
