"""No clear text of the new case content in the database: every table is dumped with
raw SQL and searched for each value written through the door."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.models import Base
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import as_caller, join

SECRETS = {
    "reason": "Zebrafinch needs somewhere safe",
    "decline": "Quokka programme is full",
    "details": "Marmoset weekly sessions",
    "notes": "Axolotl sleeps badly",
    "views": "Pangolin says he owes them",
    "reasons": "Narwhal is afraid",
    "language": "Wombatish",
    "trusted": "Auntie Capybara",
    "engagement": "Meet at the Okapi centre",
    "rationale": "Ocelot carried the parcels",
    "assessor": "Tapir assessment unit",
    "maker": "Prosecutor Ibis",
    "override": "Custody of the Lynx ends today",
    "correction": "The Quokka assessment arrived late",
}


def _write_everything(app: Flask, db_session: Session) -> None:
    lead = make_user()
    doctor = make_user(organisation=make_organisation(kind="health"), profession="health")
    prosecutor = make_user(prosecutor=True)
    ngo = make_organisation(ngo=True)
    coordinator = make_user(coordinator=True)
    day = clock.today() - timedelta(days=1)
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, doctor, "health")
    join(app, db_session, case_id, prosecutor, "prosecutor")
    with app.app_context():
        s = SECRETS
        referral = casefile.refer(
            db_session, as_caller(lead), case_id, casefile.NewReferral(ngo.id, s["reason"], "child")
        )
        casefile.decline_referral(db_session, as_caller(coordinator), referral, s["decline"])
        measure = casefile.add_measure(
            db_session,
            as_caller(doctor),
            case_id,
            casefile.MeasureInput(
                "health", ngo.id, "active", day, None, None, s["details"], s["notes"]
            ),
        )
        casefile.record_views(
            db_session,
            as_caller(lead),
            case_id,
            casefile.ViewsInput(
                day,
                s["language"],
                "conversation",
                s["views"],
                "yes",
                s["engagement"],
                s["trusted"],
                (casefile.Response(measure, "declines", s["reasons"]),),
            ),
        )
        entry = casefile.add_consideration(
            db_session,
            as_caller(prosecutor),
            case_id,
            casefile.ConsiderationInput("drugs", "charge", "yes", s["rationale"], None, ""),
        )
        casefile.record_prosecution_decision(
            db_session,
            as_caller(prosecutor),
            case_id,
            entry,
            casefile.DecisionInput(day, s["maker"], "discontinued", "", s["override"], ""),
            1,
        )
        # A decided entry is corrected by a new entry beside it, never changed.
        casefile.correct_consideration(
            db_session,
            as_caller(prosecutor),
            case_id,
            entry,
            casefile.CorrectionInput(
                casefile.ConsiderationInput(
                    "drugs", "charge", "yes", s["rationale"], day, s["assessor"]
                ),
                s["correction"],
            ),
            2,
        )


def _dump(db_session: Session) -> bytes:
    names = inspect(db_session.get_bind()).get_table_names()
    assert {"referral", "support_measure", "child_views", "non_punishment"} <= set(names)
    dump = bytearray()
    for table in Base.metadata.sorted_tables:
        for row in db_session.execute(text(f'SELECT * FROM "{table.name}"')):  # noqa: S608 - table names from the models
            for value in row:
                dump += value if isinstance(value, bytes | memoryview) else str(value).encode()
                dump += b"\x00"
    return bytes(dump)


def test_no_clear_text_of_support_content_in_any_table(app: Flask, db_session: Session) -> None:
    _write_everything(app, db_session)
    dump = _dump(db_session)
    found = [k for k, v in SECRETS.items() if v.encode() in dump]
    assert found == []
    # The scan itself works: a plain value written through the door is found.
    assert b"discontinued" not in dump and b"support_plan" in dump
