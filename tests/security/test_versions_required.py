"""Every versioned form requires its version: a post without one is refused and changes
nothing; it is never read as "the current version"."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.audit.events import Actor
from casework.casefile.support.membership import add_member
from casework.models import NonPunishment, SupportMeasure
from tests.conftest import csrf_token, login
from tests.digest import changed_tables, table_digests
from tests.factories import make_organisation, make_user, open_case
from tests.records import caller_of
from tests.security.record_scenario import add_records, record_payload, record_url

YESTERDAY = clock.today() - timedelta(days=1)


def test_a_post_without_its_version_changes_nothing(app: Flask, db_session: Session) -> None:
    lead = make_user(username="lead")
    police = make_user(username="officer2", police=True)
    prosecutor = make_user(username="pia", prosecutor=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
        records = add_records(app, db_session, case_id, lead)
        for user, actor in ((police, "police"), (prosecutor, "prosecutor")):
            add_member(db_session, Actor(), case_id, user, actor, starts_on=YESTERDAY)
        provider = make_organisation(ngo=True)
        measure = casefile.add_measure(
            db_session,
            caller_of(lead),
            case_id,
            casefile.MeasureInput("legal", provider.id, "planned", YESTERDAY, None, None, "d"),
        )
        entry = casefile.add_consideration(
            db_session,
            caller_of(police),
            case_id,
            casefile.ConsiderationInput("theft", "arrest", "no", "r", YESTERDAY, "NRM"),
        )
    posts: list[tuple[str, str, dict[str, str]]] = []
    for endpoint in (
        "identification.edit",
        "identification.investigation",
        "identification.decision_edit",
        "record.guardian_edit",
        "record.document_remove",
        "record.placement",
        "lifecycle.activate",
        "lifecycle.close",
        "lifecycle.resolve_flag",
    ):
        who = "officer2" if endpoint.startswith("identification") else "lead"
        with app.test_request_context():
            url = record_url(endpoint, case_id, records)
        payload = record_payload(endpoint, case_id, records, db_session)
        assert "version" in payload, endpoint
        posts.append((who, url, {k: v for k, v in payload.items() if k != "version"}))
    base = f"/cases/{case_id}"
    measure_form = {
        "measure_type": "legal",
        "provider": str(provider.id),
        "status": "active",
        "starts_on": YESTERDAY.isoformat(),
        "details": "changed",
    }
    offence = {"offence": "theft", "stage": "charge", "link": "yes", "rationale": "changed"}
    posts += [
        ("lead", f"{base}/measures/{measure}", measure_form),
        ("officer2", f"{base}/non-punishment/{entry}", offence),
        (
            "pia",
            f"{base}/non-punishment/{entry}/decision",
            {
                "decided_on": clock.today().isoformat(),
                "decision_maker": "P",
                "outcome": "not_prosecuted",
            },
        ),
    ]
    clients = {}
    for name in ("lead", "officer2", "pia"):
        clients[name] = app.test_client()
        login(clients[name], name)
    before = table_digests(db_session)
    problems = []
    for who, url, data in posts:
        client = clients[who]
        token = csrf_token(client.get(base).text)
        response = client.post(url, data={**data, "csrf_token": token})
        after = table_digests(db_session)
        if response.status_code >= 500 or changed_tables(before, after):
            problems.append(f"{url}: {response.status_code} {changed_tables(before, after)}")
        before = after
    assert problems == []
    db_session.expire_all()
    assert db_session.get_one(SupportMeasure, measure).version == 1
    assert db_session.get_one(NonPunishment, entry).version == 1
