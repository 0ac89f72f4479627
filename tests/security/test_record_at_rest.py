"""No text of the child's record is stored in clear: every table is scanned raw."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.models import Base
from tests.factories import make_user, open_case
from tests.records import caller_of, identification_change, join

SECRETS = {
    "narrative": "Brought across by a cousin called Vova",
    "alias": "Nastya Kowalczyk",
    "document": "PASS-XQ-88314",
    "guardian": "Ieva Ozolina-Guardian",
    "address": "Brivibas iela 200 flat 14",
    "suspects": "Vova Petrov and a woman named Lena",
    "evidence": "Screenshots of a Telegram channel",
    "flag": "Uncle waits outside the school",
    "closing": "Moved to her grandmother in Kharkiv region",
}
# Codes and dates are case content too; none of these may appear in clear.
CODES = [
    "arrested_or_suspected",
    "temporary_protection_ukraine",
    "unaccompanied",
    "forced_criminality",
]
DATES = ["2025-03-14", "2025-03-20"]


def _fill(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead")
    officer = make_user(username="officer", police=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
        join(app, db_session, case_id, officer, "police")
        police, social = caller_of(officer), caller_of(lead)
        change = identification_change(
            identified_on=date(2025, 3, 14),
            context="arrested_or_suspected",
            exploitation_types=("forced_criminality",),
            narrative=SECRETS["narrative"],
        )
        ident = casefile.record_identification(db_session, police, case_id, change)
        casefile.save_investigation(
            db_session,
            police,
            case_id,
            ident,
            casefile.InvestigationChange("R-1", SECRETS["suspects"], SECRETS["evidence"]),
            None,
        )
        casefile.update_identity(
            db_session,
            social,
            case_id,
            casefile.IdentityChange("Liis", "Jõgi", None, "female", (SECRETS["alias"],), ("UA",)),
            1,
        )
        casefile.add_document(
            db_session,
            social,
            case_id,
            casefile.DocumentChange("passport", SECRETS["document"], "UA", None, "not_checked"),
        )
        casefile.save_migration(
            db_session,
            social,
            case_id,
            casefile.MigrationChange(
                "unaccompanied",
                "temporary_protection_ukraine",
                ("UA",),
                ("PL",),
                "LV",
                date(2025, 3, 20),
                None,
            ),
            None,
        )
        casefile.save_guardian(
            db_session,
            social,
            case_id,
            casefile.GuardianChange(
                "guardian", SECRETS["guardian"], "Court", clock.today(), "unaccompanied", None
            ),
        )
        casefile.save_placement(
            db_session,
            social,
            case_id,
            casefile.PlacementChange("foster_family", SECRETS["address"], None),
            None,
        )
        casefile.save_age_assessment(
            db_session,
            social,
            case_id,
            casefile.AgeChange("disputed", None, None, clock.today() - timedelta(days=1), 15, 17),
            None,
        )
        casefile.raise_flag(db_session, social, case_id, "safety_risk", SECRETS["flag"])
        casefile.change_status(
            db_session,
            social,
            case_id,
            casefile.StatusChange(casefile.Step.CLOSE, 1, "other", SECRETS["closing"]),
        )
    return case_id


def _dump(db_session: Session) -> bytes:
    dump = b""
    for table in Base.metadata.sorted_tables:
        for row in db_session.execute(text(f'SELECT * FROM "{table.name}"')):  # noqa: S608
            dump += b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    return dump


def test_the_childs_record_is_encrypted_in_every_table(app: Flask, db_session: Session) -> None:
    _fill(app, db_session)
    dump = _dump(db_session)
    assert len(dump) > 1000  # the scan did read the rows
    for name, value in SECRETS.items():
        assert value.encode() not in dump, name
    for code in CODES + DATES:
        assert code.encode() not in dump, code


def test_the_scan_would_see_clear_text(app: Flask, db_session: Session) -> None:
    """The scan reads every table: a clear value put in a plain column is found."""
    make_user(username="Nastya Kowalczyk")
    assert SECRETS["alias"].encode() in _dump(db_session)
