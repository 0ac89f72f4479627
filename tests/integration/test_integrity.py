"""Tampered ciphertext: the field shows as unreadable, the error is logged by place (never
by value), and the rest of the page still works."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.models import Case, Child
from tests.conftest import login
from tests.factories import make_user, open_case

MARKER = "Unreadable: this value failed its integrity check"


@pytest.fixture
def two_cases(app: Flask, client: FlaskClient, db_session: Session) -> tuple[Case, Case]:
    user = make_user(username="sofia")
    login(client, "sofia")
    with app.app_context():
        first = open_case(db_session, user, given_name="Šarūnas", family_name="Petrauskas")
        second = open_case(db_session, user, given_name="Liis", family_name="Jõgi")
    cases = (db_session.get(Case, first), db_session.get(Case, second))
    assert cases[0] is not None and cases[1] is not None
    return cases[0], cases[1]


def _child(db_session: Session, case: Case) -> Child:
    child = db_session.scalar(select(Child).where(Child.case_id == case.id))
    assert child is not None
    return child


def _set(db_session: Session, model: Any, row_id: Any, **values: Any) -> None:
    db_session.execute(update(model).where(model.id == row_id).values(**values))
    db_session.commit()


def test_a_name_copied_from_another_childs_row_is_unreadable_and_logged(
    client: FlaskClient,
    db_session: Session,
    two_cases: tuple[Case, Case],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source, target = (_child(db_session, c) for c in two_cases)
    _set(db_session, Child, target.id, given_name_enc=source.given_name_enc)
    with caplog.at_level(logging.ERROR):
        page = client.get(f"/cases/{two_cases[1].id}")
    assert page.status_code == 200
    assert page.text.count(MARKER) == 1
    assert "Jõgi" in page.text  # the rest of the identity still reads
    assert "Šarūnas" not in page.text
    assert f"integrity error: child.given_name of row {target.id}" in caplog.text
    for name in ("Šarūnas", "Liis", "Jõgi", "Petrauskas"):
        assert name not in caplog.text


def test_a_value_moved_to_another_column_is_unreadable(
    client: FlaskClient, db_session: Session, two_cases: tuple[Case, Case]
) -> None:
    child = _child(db_session, two_cases[0])
    _set(db_session, Child, child.id, family_name_enc=child.given_name_enc)
    page = client.get(f"/cases/{two_cases[0].id}")
    assert page.status_code == 200
    assert page.text.count(MARKER) == 1
    assert "Šarūnas" in page.text and "Petrauskas" not in page.text


def test_swapped_case_keys_make_the_identity_unreadable_but_the_page_works(
    client: FlaskClient, db_session: Session, two_cases: tuple[Case, Case]
) -> None:
    first, second = two_cases
    _set(db_session, Case, first.id, wrapped_dek=second.wrapped_dek)
    page = client.get(f"/cases/{first.id}")
    assert page.status_code == 200
    assert first.reference in page.text
    assert page.text.count(MARKER) == 5  # given, family, date of birth, sex, age
    assert "Not known" not in page.text  # never shown as if it were simply missing


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x02" + bytes(40), bytes(64)])
def test_truncated_or_foreign_ciphertext_is_unreadable(
    client: FlaskClient, db_session: Session, two_cases: tuple[Case, Case], blob: bytes
) -> None:
    child = _child(db_session, two_cases[0])
    _set(db_session, Child, child.id, sex_enc=blob)
    page = client.get(f"/cases/{two_cases[0].id}")
    assert page.status_code == 200
    assert page.text.count(MARKER) == 1
    assert "Petrauskas" in page.text
