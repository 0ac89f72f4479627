"""Retired codes: the old form of exploitation `online_sexual` (online is now the
ICT-facilitated modus of a form) is offered by no form and refused when posted, while a
record that holds it still shows its label, is corrected in today's codes and counts in
statistics as sexual exploitation, ICT-facilitated."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import casefile
from casework.casefile.statistics.record import Stat
from casework.codes import CodeList, choices, is_code, is_offered
from casework.codes.lists import CodesError, load_lists
from casework.keys.statistics import current_statistics_key
from casework.models import IdentificationEvent, StatisticalRecord, User
from casework.settings import PROJECT_ROOT
from tests.conftest import login
from tests.factories import make_user, open_case
from tests.records import IDENTIFICATION, caller_of, identification_change, join, post

OLD = "online_sexual"
OLD_LABEL = "Sexual exploitation, ICT-facilitated"
NOT_OFFERED = "This is not one of the answers offered. Choose from the list."


def test_the_coded_lists_keep_the_old_code_readable_but_offer_it_no_more(app: Flask) -> None:
    with app.test_request_context():
        assert is_code(CodeList.EXPLOITATION_TYPE, OLD)
        assert not is_offered(CodeList.EXPLOITATION_TYPE, OLD)
        offered = [code for code, _label in choices(CodeList.EXPLOITATION_TYPE)]
        assert OLD not in offered and "sexual" in offered


def test_a_retired_code_must_be_a_code_of_its_list(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "config" / "codes.toml").read_text(encoding="utf-8")
    broken = tmp_path / "codes.toml"
    broken.write_text(text.replace('= ["online_sexual"]', '= ["online_abuse"]'), "utf-8")
    with pytest.raises(CodesError, match="unknown code 'online_abuse'"):
        load_lists(broken)


@pytest.fixture
def team(app: Flask, db_session: Session) -> tuple[uuid.UUID, User]:
    lead = make_user(username="sofia")
    officer = make_user(username="peeter", police=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, officer, "police")
    return case_id, officer


def _police(client: FlaskClient) -> FlaskClient:
    assert login(client, "peeter").status_code == 302
    return client


def _identifications(session: Session, case_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(IdentificationEvent)
            .where(IdentificationEvent.case_id == case_id)
        )
        or 0
    )


def test_no_identification_form_offers_the_old_code(
    client: FlaskClient, db_session: Session, team: tuple[uuid.UUID, User]
) -> None:
    case_id, _officer = team
    police = _police(client)
    for url in (f"/cases/{case_id}/identifications/new", "/cases/identify"):
        page = police.get(url)
        assert page.status_code == 200
        assert 'value="sexual"' in page.text
        assert f'value="{OLD}"' not in page.text and OLD_LABEL not in page.text


def test_a_post_of_the_old_code_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, db_session: Session, team: tuple[uuid.UUID, User]
) -> None:
    case_id, officer = team
    police = _police(client)
    before = _identifications(db_session, case_id)
    response = post(
        police,
        f"/cases/{case_id}/identifications/new",
        {**IDENTIFICATION, "exploitation_types": ["labour", OLD]},
    )
    assert response.status_code == 200
    assert NOT_OFFERED in response.text
    assert _identifications(db_session, case_id) == before
    # The door refuses it too, whoever calls it.
    with app.app_context(), pytest.raises(casefile.InvalidInput):
        casefile.record_identification(
            db_session,
            caller_of(officer),
            case_id,
            identification_change(exploitation_types=(OLD,)),
        )
    db_session.rollback()
    assert _identifications(db_session, case_id) == before


def _old_record(app: Flask, session: Session, case_id: uuid.UUID, officer: User) -> uuid.UUID:
    """An identification recorded before the code was retired: it holds `online_sexual`."""
    with app.app_context():
        event_id = casefile.record_identification(
            session,
            caller_of(officer),
            case_id,
            identification_change(exploitation_types=("labour",), ict_facilitated=False),
        )
        event = session.get_one(IdentificationEvent, event_id)
        event.exploitation_types = ["labour", OLD]
        session.commit()
    return event_id


def test_an_old_record_still_shows_its_label_and_is_corrected_in_todays_codes(
    app: Flask, client: FlaskClient, db_session: Session, team: tuple[uuid.UUID, User]
) -> None:
    case_id, officer = team
    event_id = _old_record(app, db_session, case_id, officer)
    police = _police(client)
    shown = police.get(f"/cases/{case_id}")
    assert shown.status_code == 200 and OLD_LABEL in shown.text
    # Its correction form offers today's codes: sexual exploitation, ICT-facilitated.
    form = police.get(f"/cases/{case_id}/identifications/{event_id}")
    assert form.status_code == 200
    assert f'value="{OLD}"' not in form.text
    assert _checked(form.text, "exploitation_types", "sexual")
    assert _checked(form.text, "exploitation_types", "labour")
    assert 'id="ict_facilitated"' in form.text and _checked(form.text, "ict_facilitated", "y")


def _checked(html: str, name: str, value: str) -> bool:
    """An <input> of that name and value is checked."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    return False


def test_an_old_record_counts_as_sexual_exploitation_ict_facilitated(
    app: Flask, db_session: Session, team: tuple[uuid.UUID, User]
) -> None:
    case_id, officer = team
    _old_record(app, db_session, case_id, officer)
    with app.app_context():
        # Any change of the case rewrites its statistical record; raise a flag.
        casefile.raise_flag(db_session, caller_of(officer), case_id, "safety_risk", "Seen")
        row = db_session.scalars(
            select(StatisticalRecord).where(StatisticalRecord.case_id == case_id)
        ).one()
        stat = Stat.loads(current_statistics_key().open(row.id, row.sealed))
    assert stat.exploitation == ["labour", "sexual"]
    assert stat.ict == ["sexual"]
