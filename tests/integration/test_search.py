"""Search by name and date of birth through blind indexes, within the caller's teams."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any, Unpack

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import clock
from casework.audit.events import Actor, RequestContext
from casework.casefile.casewide import search as search_module
from casework.crypto.blind_index import BlindIndexer
from casework.crypto.registry import EncryptedModel
from casework.models import AuditEvent, Case, TeamMembership, User, UserSession
from tests.conftest import csrf_token, login, post_form, search, without_csrf_token
from tests.factories import ChildFields, make_user, open_case


@pytest.fixture
def sofia(client: FlaskClient, db_session: Session) -> User:
    user = make_user(username="sofia")
    assert login(client, "sofia").status_code == 302
    return user


def _open(app: Flask, db_session: Session, user: User, **child: Unpack[ChildFields]) -> Case:
    with app.app_context():
        case_id = open_case(db_session, user, **child)
    case = db_session.get(Case, case_id)
    assert case is not None
    return case


def _search(client: FlaskClient, name: str, born: str = "") -> TestResponse:
    return search(client, {"name": name, "date_of_birth": born})


def _events(db_session: Session) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_a_name_typed_without_accents_finds_the_child(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    case = _open(app, db_session, sofia, given_name="Šarūnas", family_name="Petrauskas")
    _open(app, db_session, sofia, given_name="Liis", family_name="Jõgi")
    page = _search(client, "sarunas")
    assert page.status_code == 200
    assert f'href="/cases/{case.id}"' in page.text
    assert "Šarūnas" in page.text and "Petrauskas" in page.text
    assert "Jõgi" not in page.text
    assert "1 case matches." in page.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("PETRAUSKAS sarunas", True),
        ("petrauskas", True),
        ("Šarūnas Petrauskas", True),
        ("sarunas jonaitis", False),
        ("saru", False),  # words are matched whole: no prefix leaks from a token
    ],
)
def test_every_word_of_the_query_must_match_a_name(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User, query: str, found: bool
) -> None:
    case = _open(app, db_session, sofia, given_name="Šarūnas", family_name="Petrauskas")
    assert (case.reference in _search(client, query).text) is found


def test_a_date_of_birth_narrows_the_search(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    older = _open(app, db_session, sofia, given_name="Mart", date_of_birth=date(2010, 1, 2))
    younger = _open(app, db_session, sofia, given_name="Mart", date_of_birth=date(2014, 7, 8))
    unknown = _open(app, db_session, sofia, given_name="Mart", date_of_birth=None)
    both = _search(client, "mart").text
    assert older.reference in both and younger.reference in both and unknown.reference in both
    narrowed = _search(client, "mart", "2014-07-08").text
    assert younger.reference in narrowed
    assert older.reference not in narrowed and unknown.reference not in narrowed


def _without_form_echo(html: str) -> str:
    html = re.sub(r'value="[^"]*"', "", without_csrf_token(html))
    return html


def test_other_teams_cases_are_neither_shown_nor_counted(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    other = make_user(username="other")
    theirs = _open(app, db_session, other, given_name="Šarūnas", family_name="Petrauskas")
    found = _search(client, "sarunas")
    assert theirs.reference not in found.text and "Petrauskas" not in found.text
    assert "No case on your support teams matches." in found.text
    nothing = _search(client, "zzyzx")
    assert _without_form_echo(found.text) == _without_form_echo(nothing.text)


def test_a_team_member_whose_membership_ended_no_longer_finds_the_case(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    case = _open(app, db_session, sofia, given_name="Šarūnas")
    assert case.reference in _search(client, "sarunas").text
    db_session.execute(
        update(TeamMembership)
        .where(TeamMembership.case_id == case.id)
        .values(ends_on=clock.today())
    )
    db_session.commit()
    assert case.reference not in _search(client, "sarunas").text


def test_searches_are_audited_without_terms(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    case = _open(app, db_session, sofia, given_name="Šarūnas", family_name="Petrauskas")
    before = len(_events(db_session))
    _search(client, "Sarunas Petrauskas", "2013-05-17")
    events = _events(db_session)[before:]
    searches = [(e.action, e.case_ref, e.field_groups) for e in events if e.action == "search"]
    assert searches == [("search", case.reference, "identity")]
    before = len(_events(db_session))
    _search(client, "nobody by this name")
    assert [(e.action, e.case_ref) for e in _events(db_session)[before:]] == [("search", "")]
    for event in events:
        flat = " ".join(str(v) for v in vars(event).values()).lower()
        for term in ("sarunas", "šarūnas", "petrauskas", "2013-05-17"):
            assert term not in flat


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name to search for."),
        ("   ", "Enter a name to search for."),
        ("a", "Enter at least 2 letters of a name"),
        ("J. K.", "Enter at least 2 letters of a name"),
        ("x" * 201, "at most 200 characters"),
        ("Liis\u202e", "letters, digits and punctuation only"),
    ],
)
def test_an_empty_or_one_letter_search_is_explained_and_scans_nothing(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    sofia: User,
    count_statements: list[str],
    name: str,
    message: str,
) -> None:
    _open(app, db_session, sofia, given_name="A")
    before = len(_events(db_session))
    count_statements.clear()
    page = _search(client, name)
    assert page.status_code == 200
    assert message in page.text
    assert 'id="name-error"' in page.text
    assert not [s for s in count_statements if "blind_index" in s or "FROM child" in s]
    assert [e.action for e in _events(db_session)[before:]] == []


def test_a_bad_date_is_explained(client: FlaskClient, db_session: Session, sofia: User) -> None:
    page = _search(client, "liis", "31/02/2014")
    assert page.status_code == 200
    assert 'id="date_of_birth-error"' in page.text


def test_search_terms_are_posted_never_put_in_the_address(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    case = _open(app, db_session, sofia, given_name="Šarūnas")
    form = client.get("/search/")
    assert 'method="post"' in form.text
    assert case.reference not in client.get("/search/?name=sarunas").text


def test_search_without_csrf_is_refused(
    client: FlaskClient, db_session: Session, sofia: User
) -> None:
    assert client.post("/search/", data={"name": "sarunas"}).status_code == 400


@pytest.mark.parametrize("role", ["ngo_worker", "coordinator", "auditor", "admin"])
def test_roles_without_search_or_identity_read_are_refused(
    client: FlaskClient, db_session: Session, role: str
) -> None:
    make_user(username="someone", role=role)
    login(client, "someone")
    before = len(_events(db_session))
    assert client.get("/search/").status_code == 403
    assert [e.action for e in _events(db_session)[before:]] == ["access.denied"]
    assert 'href="/search/"' not in client.get("/").text


def test_candidates_sharing_a_token_are_rechecked_after_decryption(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    sofia: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With every token equal, every case is a candidate; only the real match is shown."""
    monkeypatch.setattr(BlindIndexer, "token", lambda self, field, bits, term: 0)
    liis = _open(app, db_session, sofia, given_name="Liis", family_name="Jõgi")
    mart = _open(app, db_session, sofia, given_name="Mart", family_name="Tamm")
    seen: list[uuid.UUID] = []
    decrypted_terms = search_module._decrypted_terms

    def recording_terms(
        s: Session, m: list[EncryptedModel], ids: list[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, set[Any]], dict[uuid.UUID, list[Any]]]:
        seen.extend(ids)
        return decrypted_terms(s, m, ids)

    monkeypatch.setattr(search_module, "_decrypted_terms", recording_terms)
    page = _search(client, "liis")
    assert set(seen) == {liis.id, mart.id}  # both candidates were decrypted
    assert liis.reference in page.text and mart.reference not in page.text


def test_opening_a_case_for_a_child_who_has_one_offers_the_existing_case(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    child = {
        "given_name": "Šarūnas",
        "family_name": "Petrauskas",
        "date_of_birth": "2012-03-04",
        "sex": "male",
    }
    first = client.get(post_form(client, "/cases/new", child).headers["Location"])
    reference = re.search(r"CW-\d{4}-[0-9A-Z]{6}", first.text)
    assert reference is not None
    count = db_session.scalars(select(func.count()).select_from(Case)).one()
    again = post_form(client, "/cases/new", {**child, "given_name": "SARUNAS"})
    assert again.status_code == 200
    assert "This child may have a case already" in again.text
    assert reference.group(0) in again.text
    assert 'name="not_a_duplicate"' in again.text
    assert db_session.scalar(select(func.count()).select_from(Case)) == count
    page = client.get("/cases/new")
    anyway = client.post(
        "/cases/new", data={**child, "not_a_duplicate": "y", "csrf_token": csrf_token(page.text)}
    )
    assert anyway.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Case)) == count + 1


def test_a_different_date_of_birth_is_not_offered_as_a_duplicate(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    _open(app, db_session, sofia, given_name="Liis", family_name="Jõgi")  # born 2013-05-17
    child = {"given_name": "Liis", "family_name": "Jõgi", "date_of_birth": "2014-01-01"}
    response = post_form(client, "/cases/new", {**child, "sex": "female"})
    assert response.status_code == 302


def test_reindex_rebuilds_lost_tokens_and_skips_erased_cases(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    from sqlalchemy import delete

    from casework.models import BlindIndexEntry

    kept = _open(app, db_session, sofia, given_name="Šarūnas", family_name="Petrauskas")
    erased = _open(app, db_session, sofia, given_name="Šarūnas", family_name="Jonaitis")
    runner = app.test_cli_runner()
    erase = ["cases", "erase", erased.reference, "--reason", "duplicate", "--yes"]
    assert runner.invoke(args=erase).exit_code == 0
    db_session.execute(delete(BlindIndexEntry))  # as after upgrading an older database
    db_session.commit()
    assert kept.reference not in _search(client, "sarunas").text
    result = runner.invoke(args=["keys", "reindex"])
    assert result.exit_code == 0, result.output
    assert "reindexed 2 rows" in result.output
    found = _search(client, "sarunas").text
    assert kept.reference in found and erased.reference not in found
    entries = db_session.scalars(select(BlindIndexEntry.case_id)).all()
    assert set(entries) == {kept.id}


def test_a_search_shows_at_most_twenty_cases_and_says_there_are_more(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    for _ in range(21):
        _open(app, db_session, sofia, given_name="Mart", family_name="Tamm")
    before = len(_events(db_session))
    page = _search(client, "tamm")
    assert len(re.findall(r'href="/cases/[0-9a-f-]{36}"', page.text)) == 20
    assert "More cases match than are shown" in page.text
    assert len(_events(db_session)) - before == 20  # one per case shown


def test_results_survive_reload_without_the_name_in_a_url_or_in_clear_text(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    case = _open(app, db_session, sofia, given_name="Šarūnas", family_name="Petrauskas")
    page = client.get("/search/")
    posted = client.post(
        "/search/",
        data={"name": "sarunas", "date_of_birth": "", "csrf_token": csrf_token(page.text)},
    )
    # Post/redirect/get: the results are a plain GET of a URL without the name.
    assert posted.status_code == 302 and posted.headers["Location"] == "/search/results"
    for _ in range(2):  # and again, as a reload or Back would
        shown = client.get("/search/results")
        assert case.reference in shown.text
        assert 'value="sarunas"' in shown.text
    stored = db_session.scalars(select(UserSession.search_enc)).all()
    assert any(stored) and not any(b"sarunas" in (s or b"") for s in stored)
    # A new visit to the form starts empty; signing out forgets the search.
    assert case.reference not in client.get("/search/").text
    client.post("/logout", data={"csrf_token": csrf_token(shown.text)})
    db_session.expire_all()
    assert all(s is None for s in db_session.scalars(select(UserSession.search_enc)).all())
    assert client.get("/search/results").status_code == 302


def test_kept_searches_go_with_their_sessions_and_with_an_erasure(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    from casework.auth import sessions
    from casework.casefile.casewide.erasure import erase
    from casework.models import ErasureReason

    case = _open(app, db_session, sofia, given_name="Šarūnas", family_name="Petrauskas")
    assert search(client, {"name": "sarunas"}).status_code == 200
    kept = db_session.scalars(select(UserSession).where(UserSession.search_enc.is_not(None))).all()
    assert len(kept) == 1
    # A session abandoned past its idle time: the next sign-in (anyone's) sweeps it.
    with app.app_context():
        settings = app.config["CASEWORK"]
        kept[0].last_seen_at = clock.utcnow() - timedelta(minutes=settings.idle_timeout_minutes + 1)
        db_session.commit()
        assert sessions.forget_searches(db_session, settings) == 1
        db_session.commit()
    assert client.get("/today").status_code == 302  # the idle session is over
    assert login(client, "sofia").status_code == 302
    assert search(client, {"name": "sarunas"}).status_code == 200
    # Erasing a case drops every kept search, live sessions' too.
    with app.app_context():
        db_session.expire_all()
        live = db_session.scalars(select(UserSession.search_enc)).all()
        assert any(live)
        erase(db_session, case, ErasureReason.DUPLICATE, Actor(username="admin"), RequestContext())
        db_session.expire_all()
        assert not any(db_session.scalars(select(UserSession.search_enc)).all())
