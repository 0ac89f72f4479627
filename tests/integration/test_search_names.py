"""Search finds the child under every name: aliases, document numbers, and Cyrillic and
Latin spellings of one name, both ways."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import casefile
from casework.keys.reindex import reindex
from casework.models import BlindIndexEntry, Case, User
from tests.conftest import login, search
from tests.factories import make_user, open_case
from tests.records import caller_of


@pytest.fixture
def sofia(client: FlaskClient, db_session: Session) -> User:
    user = make_user(username="sofia")
    assert login(client, "sofia").status_code == 302
    return user


def _open(app: Flask, db_session: Session, user: User, given: str, family: str) -> uuid.UUID:
    with app.app_context():
        return open_case(db_session, user, given_name=given, family_name=family)


def _aliases(app: Flask, db_session: Session, user: User, case_id: uuid.UUID, *names: str) -> None:
    with app.app_context():
        case = casefile.read_case(db_session, caller_of(user), case_id)
        assert case.identity is not None
        change = casefile.IdentityChange(
            given_name=str(case.identity.given_name),
            family_name=str(case.identity.family_name),
            date_of_birth=date(2013, 5, 17),
            sex="female",
            aliases=names,
        )
        casefile.update_identity(db_session, caller_of(user), case_id, change, 1)


def _document(app: Flask, db_session: Session, user: User, case_id: uuid.UUID, number: str) -> None:
    with app.app_context():
        change = casefile.DocumentChange("passport", number, "UA", None, "not_checked")
        casefile.add_document(db_session, caller_of(user), case_id, change)


def _search(client: FlaskClient, name: str = "", number: str = "") -> TestResponse:
    return search(client, {"name": name, "document_number": number})


def _reference(db_session: Session, case_id: uuid.UUID) -> str:
    return db_session.get_one(Case, case_id).reference


def test_an_alias_finds_the_child(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    iryna = _open(app, db_session, sofia, "Iryna", "Melnyk")
    _aliases(app, db_session, sofia, iryna, "Natasha Petrova")
    other = _open(app, db_session, sofia, "Natasha", "Ivanova")
    page = _search(client, "natasha petrova")
    assert _reference(db_session, iryna) in page.text
    assert _reference(db_session, other) not in page.text
    assert "Iryna" in page.text  # the hit shows the child's name, not the alias


def test_a_removed_alias_no_longer_finds_the_child(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    iryna = _open(app, db_session, sofia, "Iryna", "Melnyk")
    _aliases(app, db_session, sofia, iryna, "Natasha Petrova")
    with app.app_context():
        change = casefile.IdentityChange("Iryna", "Melnyk", date(2013, 5, 17), "female")
        casefile.update_identity(db_session, caller_of(sofia), iryna, change, 2)
    assert _reference(db_session, iryna) not in _search(client, "natasha petrova").text


@pytest.mark.parametrize("typed", ["FX 123 456", "fx123456", "fx-123-456"])
def test_a_document_number_finds_the_child_however_it_is_typed(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User, typed: str
) -> None:
    case = _open(app, db_session, sofia, "Iryna", "Melnyk")
    _document(app, db_session, sofia, case, "FX123456")
    other = _open(app, db_session, sofia, "Olha", "Bondar")
    _document(app, db_session, sofia, other, "FX123457")
    page = _search(client, number=typed)
    assert _reference(db_session, case) in page.text
    assert _reference(db_session, other) not in page.text


def test_a_name_and_a_document_number_must_both_match(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    case = _open(app, db_session, sofia, "Iryna", "Melnyk")
    _document(app, db_session, sofia, case, "FX123456")
    assert _reference(db_session, case) in _search(client, "melnyk", "FX123456").text
    assert _reference(db_session, case) not in _search(client, "bondar", "FX123456").text


@pytest.mark.parametrize(
    ("stored_given", "stored_family", "typed"),
    [
        ("Олександр", "Шевченко", "oleksandr"),  # Ukrainian, stored in Cyrillic
        ("Олександр", "Шевченко", "Oleksandr Shevchenko"),
        ("Oleksandr", "Shevchenko", "Олександр"),  # Ukrainian, stored in Latin
        ("Юлія", "Коваль", "yuliia koval"),
        ("Юлия", "Смирнова", "iuliia smirnova"),  # Russian, ICAO 9303 (passports)
        ("Юлия", "Смирнова", "yuliya smirnova"),  # Russian, BGN/PCGN
        ("Iuliia", "Smirnova", "Юлия Смирнова"),  # Russian, stored in Latin
        ("Natalya", "Petrova", "Наталья"),
        ("Ігар", "Бабрыковіч", "ihar babrykovich"),  # Belarusian
    ],
)
def test_cyrillic_and_latin_spellings_find_each_other(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    sofia: User,
    stored_given: str,
    stored_family: str,
    typed: str,
) -> None:
    case = _open(app, db_session, sofia, stored_given, stored_family)
    decoy = _open(app, db_session, sofia, "Олена", "Шевчук")
    page = _search(client, typed)
    assert page.status_code == 200
    assert _reference(db_session, case) in page.text
    assert _reference(db_session, decoy) not in page.text


def test_a_document_number_alone_needs_two_characters(
    client: FlaskClient, db_session: Session, sofia: User
) -> None:
    page = _search(client, number="-7-")
    assert "Enter at least 2 letters or digits of the number." in page.text
    assert "Enter a name to search for." not in _search(client, number="FX1").text
    assert "Enter a name to search for." in _search(client).text


def test_the_reindex_command_indexes_aliases_and_documents_of_existing_cases(
    app: Flask, client: FlaskClient, db_session: Session, sofia: User
) -> None:
    """Cases recorded before aliases and numbers were indexed are found after a reindex."""
    case = _open(app, db_session, sofia, "Ірина", "Мельник")
    _aliases(app, db_session, sofia, case, "Natasha Petrova")
    _document(app, db_session, sofia, case, "FX123456")
    db_session.execute(delete(BlindIndexEntry))
    db_session.commit()
    reference = _reference(db_session, case)
    assert reference not in _search(client, "natasha").text
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "reindex"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    fields = set(db_session.scalars(select(BlindIndexEntry.field)))
    assert {"child_alias.name", "identity_document.number", "child.given_name"} <= fields
    assert reference in _search(client, "natasha").text
    assert reference in _search(client, "iryna melnyk").text
    assert reference in _search(client, number="fx 123456").text
    with app.app_context():
        assert reindex(db_session) >= 3  # idempotent: a second run rebuilds the same
    assert reference in _search(client, "Ірина").text


def test_the_demo_has_a_child_recorded_in_cyrillic_and_children_with_aliases(
    app: Flask, db_session: Session
) -> None:
    from casework.demo import seed

    with app.app_context():
        seed(db_session)
        police = db_session.scalars(select(User).where(User.username == "police")).one()
        social = db_session.scalars(select(User).where(User.username == "socialworker")).one()
        latin = casefile.search_cases(
            db_session, caller_of(police), casefile.SearchQuery("iryna melnyk")
        )
        assert [str(h.identity.given_name) for h in latin.hits] == ["Ірина"]
        alias = casefile.search_cases(
            db_session, caller_of(police), casefile.SearchQuery("natasha petrova")
        )
        assert [h.id for h in alias.hits] == [h.id for h in latin.hits]
        dasha = casefile.search_cases(db_session, caller_of(social), casefile.SearchQuery("dasha"))
        assert [str(h.identity.family_name) for h in dasha.hits] == ["Shevchenko"]
