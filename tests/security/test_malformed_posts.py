"""Malformed posts to every page of the child's record: refused, never a server error,
and never a change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.audit.events import Actor
from casework.casefile.support.membership import add_member
from casework.models import CaseHistoryEntry
from tests.conftest import csrf_token, login
from tests.factories import make_user, open_case
from tests.security.record_scenario import add_records, record_url

GARBAGE = [
    "",
    "\x00",
    "x" * 6000,  # longer than every limit, the whole post under the request limit
    "not-a-date",
    "2026-13-45",
    "-1",
    "99999999999999999999",
    "\u202e",
    "<script>alert(1)</script>",
]
FIELDS = [
    "version", "identified_on", "jurisdiction", "actor_type", "context", "indicators",
    "exploitation_types", "ict_facilitated", "recruitment_method", "narrative", "reference",
    "suspects", "evidence_notes", "stage", "decided_on", "decision_maker", "outcome",
    "assistance_unconditional", "kind", "number", "issuing_country", "expires_on", "check",
    "status", "method", "assessor", "assessed_on", "age_min", "age_max", "name",
    "appointing_authority", "appointed_on", "reason", "ended_on", "address", "since",
    "care_situation", "residence_status", "origin_countries", "transit_countries",
    "reflection_country", "reflection_start", "reflection_end", "text", "resolution", "note",
    "confirmed", "lead", "given_name", "family_name", "date_of_birth", "sex", "aliases",
    "nationalities", "languages",
]  # fmt: skip


@pytest.mark.parametrize("role", ["police", "social_worker"])
def test_garbage_in_every_field_is_refused_without_a_server_error(
    app: Flask, db_session: Session, role: str
) -> None:
    lead = make_user(username="lead")
    with app.app_context():
        case_id = open_case(db_session, lead)
        records = add_records(app, db_session, case_id, lead)
    user = lead
    if role == "police":
        user = make_user(username="officer2", police=True)
        with app.app_context():
            add_member(
                db_session, Actor(), case_id, user, "police", starts_on=clock.today() - timedelta(1)
            )
    client = app.test_client()
    login(client, user.username)
    token = csrf_token(client.get("/cases/").text)
    before = len(db_session.scalars(select(CaseHistoryEntry)).all())
    endpoints = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("identification", "record", "lifecycle")
        and "POST" in (rule.methods or set())
    ]
    assert len(endpoints) >= 19
    problems = []
    for endpoint in endpoints:
        with app.test_request_context():
            url = record_url(endpoint, case_id, records)
        for value in GARBAGE:
            response = client.post(url, data={**dict.fromkeys(FIELDS, value), "csrf_token": token})
            if response.status_code >= 500:
                problems.append(f"{endpoint} {value[:12]!r}: {response.status_code}")
    assert problems == []
    # Buttons answer a stale or malformed version with a redirect and a message; nothing
    # anywhere was changed.
    assert len(db_session.scalars(select(CaseHistoryEntry)).all()) == before
