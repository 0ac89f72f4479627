"""The reader's language and time zone, and the child's summary in the child's language."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.audit.events import RequestContext
from casework.models import AuditEvent, User
from tests.conftest import csrf_token, login, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.i18n import plural_forms
from tests.i18n import translated as in_catalogue


def translated(language: str, message: str) -> str:
    """The catalogue's translation, HTML-escaped as a page writes it; never the English."""
    return str(escape(in_catalogue(language, message)))


def _caller(user: User) -> casefile.Caller:
    return casefile.Caller(user=user, context=RequestContext())


def _child_speaks(app: Flask, db_session: Session, user: User, *languages: str) -> uuid.UUID:
    with app.app_context():
        case_id = open_case(db_session, user, given_name="Oksana", family_name="Koval")
        change = casefile.IdentityChange(
            given_name="Oksana",
            family_name="Koval",
            date_of_birth=date(2013, 5, 17),
            sex="female",
            languages=languages,
        )
        casefile.update_identity(db_session, _caller(user), case_id, change, 1)
        return case_id


PAGE = """{% from "macros/forms.html" import error_summary %}
<p>{{ _("Sign in") }}</p>{{ error_summary(form) }}
<p>{{ ngettext("%(num)d day left", "%(num)d days left", 3) }}</p>"""


class _Failed:
    """What error_summary reads of a form with one form-wide error."""

    def __init__(self) -> None:
        self.errors: dict[str | None, list[str]] = {None: ["x"]}
        self.form_errors = ["x"]


def test_a_page_its_imported_macros_and_plurals_speak_one_language(app: Flask) -> None:
    """The templates' gettext finds the page's translations once per page; a macro
    imported without the page's context, and a page rendered under another locale
    within the same request, still read in their own language."""
    # Latvian: 3 takes the last of three forms ("Atlikušas 3 dienas").
    days = plural_forms("lv", "%(num)d day left")[2] % {"num": 3}
    with app.test_request_context("/", headers={"Accept-Language": "lv"}):
        page = render_template_string(PAGE, form=_Failed())
        with force_locale("uk"):
            forced = render_template_string(PAGE, form=_Failed())
        after = render_template_string(PAGE, form=_Failed())
    for html in (page, after):
        assert translated("lv", "Sign in") in html
        assert translated("lv", "There is a problem") in html
        assert days in html and "3 days left" not in html
    assert translated("uk", "Sign in") in forced
    assert translated("uk", "There is a problem") in forced
    assert translated("lv", "Sign in") not in forced


def test_the_browser_chooses_before_sign_in(client: FlaskClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "lv-LV,lv;q=0.9,en;q=0.5"})
    assert '<html lang="lv">' in page.text
    assert translated("lv", "Sign in") in page.text


def test_the_switcher_works_before_sign_in_and_keeps_the_page(client: FlaskClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "en"})
    response = client.post(
        "/language", data={"csrf_token": csrf_token(page.text), "language": "fi", "next": "/login"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    again = client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="fi">' in again.text


def test_a_language_no_form_offers_is_refused_and_changes_nothing(client: FlaskClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "en"})
    response = client.post(
        "/language",
        data={"csrf_token": csrf_token(page.text), "language": "xx", "next": "//evil.example/"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Choose one of the languages offered." in response.text


def test_the_account_keeps_the_language_and_time_zone(
    client: FlaskClient, db_session: Session
) -> None:
    user = make_user(username="ilze")
    login(client, "ilze")
    page = client.get("/account/preferences")
    assert page.status_code == 200
    saved = post_form(
        client, "/account/preferences", {"language": "uk", "time_zone": "Europe/Riga"}
    )
    assert saved.status_code == 302
    db_session.refresh(user)
    assert (user.language, user.time_zone) == ("uk", "Europe/Riga")
    assert '<html lang="uk">' in client.get("/account/preferences").text
    refused = post_form(
        client, "/account/preferences", {"language": "uk", "time_zone": "Mars/Olympus"}
    )
    assert refused.status_code == 200
    db_session.refresh(user)
    assert user.time_zone == "Europe/Riga"


def test_the_childs_summary_is_in_the_childs_language_and_audited(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    lead = make_user(username="sara", language="sv")
    case_id = _child_speaks(app, db_session, lead, "uk", "ru")
    login(client, "sara")
    case_page = client.get(f"/cases/{case_id}")
    assert '<html lang="sv">' in case_page.text
    before = db_session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    summary = client.get(f"/cases/{case_id}/for-the-child")
    assert summary.status_code == 200
    assert '<html lang="uk">' in summary.text
    assert translated("uk", "Your rights") in summary.text
    assert translated("sv", "Back to the case") not in summary.text
    assert "Oksana" in summary.text and "Koval" not in summary.text
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.seq > before)).all()
    assert [(e.action, e.actor) for e in events] == [("case.read", "sara")]
    russian = client.get(f"/cases/{case_id}/for-the-child?language=ru")
    assert '<html lang="ru">' in russian.text


def test_the_childs_summary_is_not_for_outsiders(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    lead = make_user(username="sara")
    case_id = _child_speaks(app, db_session, lead, "uk")
    make_user(username="otto", organisation=make_organisation(name="Elsewhere"))
    login(client, "otto")
    assert client.get(f"/cases/{case_id}/for-the-child").status_code == 404
