"""The case's lifecycle (identified -> open -> active -> closed -> reopened) and flags."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.models import AuditEvent, CaseFlag, CaseStatusChange, User
from tests.conftest import login
from tests.factories import make_user, open_case
from tests.records import fresh_case, join, post
from tests.supporting import as_caller


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead")
    with app.app_context():
        return open_case(db_session, lead)


@pytest.fixture
def lead(client: FlaskClient, case_id: uuid.UUID) -> FlaskClient:
    login(client, "lead")
    return client


def _version(app: Flask, db_session: Session, case_id: uuid.UUID) -> str:
    return str(fresh_case(app, db_session, case_id).version)


def _status(app: Flask, db_session: Session, case_id: uuid.UUID) -> str:
    return fresh_case(app, db_session, case_id).status


def test_closing_asks_for_confirmation_and_keeps_the_reason(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    assert (
        post(
            lead, f"/cases/{case_id}/activate", {"version": _version(app, db_session, case_id)}
        ).status_code
        == 302
    )
    assert _status(app, db_session, case_id) == "active"
    form = {
        "reason": "durable_solution",
        "note": "Reunited with her aunt in Vilnius.",
        "version": _version(app, db_session, case_id),
    }
    asked = post(lead, f"/cases/{case_id}/close", form)
    assert asked.status_code == 200
    assert "Yes, close the case" in asked.text and 'name="confirmed" value="yes"' in asked.text
    assert _status(app, db_session, case_id) == "active"
    closed = post(lead, f"/cases/{case_id}/close", {**form, "confirmed": "yes"})
    assert closed.status_code == 302
    assert _status(app, db_session, case_id) == "closed"
    with app.app_context():
        change = db_session.scalars(select(CaseStatusChange)).all()[-1]
        assert (change.from_status, change.to_status) == ("active", "closed")
        assert change.reason == "durable_solution" and change.note == form["note"]
    page = lead.get(f"/cases/{case_id}")
    assert "A durable solution is in place" in page.text and "Reopen the case" in page.text
    assert [
        e.action
        for e in db_session.scalars(select(AuditEvent).where(AuditEvent.action == "case.status"))
    ] == ["case.status", "case.status"]


def test_a_closed_case_changes_in_nothing_until_reopened(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    close = {
        "reason": "duplicate",
        "confirmed": "yes",
        "version": _version(app, db_session, case_id),
    }
    assert post(lead, f"/cases/{case_id}/close", close).status_code == 302
    refused = post(
        lead,
        f"/cases/{case_id}/migration",
        {"care_situation": "accompanied", "residence_status": "national"},
    )
    assert refused.status_code == 302
    assert "This case is closed" in lead.get(refused.headers["Location"]).text
    assert lead.get(f"/cases/{case_id}/identity").status_code == 302
    assert (
        post(
            lead, f"/cases/{case_id}/flags/new", {"kind": "safety_risk", "text": "Gone"}
        ).status_code
        == 302
    )
    assert db_session.scalars(select(CaseFlag)).first() is None
    reopen = {"reason": "re_trafficked", "version": _version(app, db_session, case_id)}
    assert post(lead, f"/cases/{case_id}/reopen", reopen).status_code == 302
    assert _status(app, db_session, case_id) == "reopened"
    assert (
        post(
            lead, f"/cases/{case_id}/activate", {"version": _version(app, db_session, case_id)}
        ).status_code
        == 302
    )
    assert _status(app, db_session, case_id) == "active"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"reason": ""}, "reason", "Choose why the case is closed"),
        ({"reason": "child_declined_help"}, "reason", "not one of the answers offered"),
        ({"reason": "other"}, "note", "Explain the reason"),
        ({"reason": "other", "note": "n" * 2001}, "note", "at most 2000 characters"),
    ],
)
def test_closing_needs_a_reason_from_the_list(
    app: Flask,
    lead: FlaskClient,
    db_session: Session,
    case_id: uuid.UUID,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = {**form, "confirmed": "yes", "version": _version(app, db_session, case_id)}
    response = post(lead, f"/cases/{case_id}/close", data)
    assert response.status_code == 200
    assert message in response.text and f'id="{field}-error"' in response.text
    assert _status(app, db_session, case_id) == "open"


def test_a_stale_close_is_refused(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    old = _version(app, db_session, case_id)
    post(lead, f"/cases/{case_id}/activate", {"version": old})
    close = {"reason": "duplicate", "confirmed": "yes"}
    for version in (old, None):  # an older version, or none at all
        data = close if version is None else {**close, "version": version}
        response = post(lead, f"/cases/{case_id}/close", data)
        assert response.status_code == 200 and "Someone else changed this record" in response.text
        assert _status(app, db_session, case_id) == "active"
    current = _version(app, db_session, case_id)
    assert f'name="version" type="hidden" value="{current}"' in response.text


def test_only_the_lead_moves_the_case_and_wrong_steps_change_nothing(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    join(app, db_session, case_id, make_user(username="sofia2"), "social_services")
    member = app.test_client()
    login(member, "sofia2")
    version = _version(app, db_session, case_id)
    assert post(member, f"/cases/{case_id}/activate", {"version": version}).status_code == 403
    assert member.get(f"/cases/{case_id}/close").status_code == 403
    assert "Start support" not in member.get(f"/cases/{case_id}").text
    assert post(lead, f"/cases/{case_id}/take-on", {"version": version}).status_code == 302
    assert _status(app, db_session, case_id) == "open"  # open cannot be taken on again
    assert (
        post(
            lead, f"/cases/{case_id}/reopen", {"reason": "returned", "version": version}
        ).status_code
        == 302
    )
    assert _status(app, db_session, case_id) == "open"
    assert post(lead, f"/cases/{case_id}/activate", {}).status_code == 400


def test_flags_are_raised_seen_by_the_team_and_resolved_with_a_reason(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    ngo = app.test_client()
    login(ngo, "nora")
    raised = post(
        ngo,
        f"/cases/{case_id}/flags/new",
        {"kind": "safety_risk", "text": "Did not come back to the shelter last night."},
    )
    assert raised.status_code == 302
    page = lead.get(f"/cases/{case_id}")
    assert "Did not come back to the shelter" in page.text and "Safety risk" in page.text
    flag_id = db_session.scalars(select(CaseFlag.id)).one()
    url = f"/cases/{case_id}/flags/{flag_id}/resolve"
    empty = post(lead, url, {"resolution": "  ", "version": "1"})
    assert 'id="resolution-error"' in empty.text
    assert (
        post(lead, url, {"resolution": "Back at the shelter, safe.", "version": "1"}).status_code
        == 302
    )
    with app.app_context():
        db_session.expire_all()
        flag = db_session.get_one(CaseFlag, flag_id)
        assert not flag.is_open and flag.resolution == "Back at the shelter, safe."
        assert flag.resolved_by is not None
        assert flag.resolved_by.username == "lead" and flag.raised_by.username == "nora"
    again = post(ngo, url, {"resolution": "Also resolved", "version": "1"})
    assert again.status_code == 404  # resolved flags are no longer open to resolve
    actions = [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert "flag.raise" in actions and "flag.resolve" in actions


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"kind": "guardian_needed", "text": "x"}, "kind", "not one of the answers offered"),
        ({"kind": "rumour", "text": "x"}, "kind", "not one of the answers offered"),
        ({"kind": "safety_risk", "text": ""}, "text", "Say in a sentence"),
        ({"kind": "safety_risk", "text": "t" * 1001}, "text", "at most 1000 characters"),
    ],
)
def test_flags_refuse_bad_input(
    lead: FlaskClient,
    db_session: Session,
    case_id: uuid.UUID,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = post(lead, f"/cases/{case_id}/flags/new", form)
    assert response.status_code == 200
    assert message in response.text and f'id="{field}-error"' in response.text
    assert db_session.scalars(select(CaseFlag)).first() is None


def test_coordinators_see_flags_but_cannot_raise_them(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    post(
        lead,
        f"/cases/{case_id}/flags/new",
        {"kind": "safety_risk", "text": "Exploiter seen near school."},
    )
    join(app, db_session, case_id, make_user(username="karlis", coordinator=True))
    coordinator = app.test_client()
    login(coordinator, "karlis")
    page = coordinator.get(f"/cases/{case_id}")
    assert "Exploiter seen near school." in page.text
    assert "Raise a flag" not in page.text
    assert coordinator.get(f"/cases/{case_id}/flags/new").status_code == 403
    denied = db_session.scalars(
        select(AuditEvent).where(AuditEvent.actor == "karlis", AuditEvent.action == "access.denied")
    ).all()
    assert denied


def test_history_shows_who_changed_what_and_values_only_to_readers(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    form = {"given_name": "Liis", "family_name": "Kask", "sex": "female", "version": "1"}
    post(lead, f"/cases/{case_id}/identity", form)
    post(lead, f"/cases/{case_id}/placement", {"kind": "foster_family", "address": "Pärnu mnt 5"})
    post(
        lead,
        f"/cases/{case_id}/placement",
        {"kind": "foster_family", "address": "Tartu mnt 9", "version": "1"},
    )
    page = lead.get(f"/cases/{case_id}")
    assert "Family name before" in page.text and "Jõgi" in page.text
    assert "Pärnu mnt 5" in page.text  # the address before, for the lead
    join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    ngo = app.test_client()
    login(ngo, "nora")
    seen = ngo.get(f"/cases/{case_id}").text
    assert "Placement changed" in seen or "Placement" in seen
    assert "Pärnu mnt 5" not in seen and "Jõgi" not in seen and "Tartu mnt 9" not in seen


def test_a_flag_with_resolution_rules_is_raised_only_by_who_may_resolve_it(
    app: Flask, lead: FlaskClient, db_session: Session, case_id: uuid.UUID
) -> None:
    """The non-punishment flag is resolved only by police or a prosecutor (the policy's
    [flags.non_punishment]): a social worker or an NGO worker is neither offered it nor
    can raise it by a forged post; police can, and every kind without rules stays open to
    all with flag rights."""
    text = "Arrested for shoplifting on the orders of the exploiter."
    join(app, db_session, case_id, make_user(username="nora", ngo_worker=True))
    join(app, db_session, case_id, make_user(username="peeter", police=True), "police")
    ngo = app.test_client()
    login(ngo, "nora")
    for client in (lead, ngo):
        page = client.get(f"/cases/{case_id}/flags/new").text
        assert 'value="non_punishment"' not in page and 'value="safety_risk"' in page
        refused = post(
            client, f"/cases/{case_id}/flags/new", {"kind": "non_punishment", "text": text}
        )
        assert refused.status_code == 200 and 'id="kind-error"' in refused.text
    assert db_session.scalars(select(CaseFlag)).first() is None
    sofia = db_session.scalars(select(User).where(User.username == "lead")).one()
    with app.app_context(), pytest.raises(casefile.InvalidInput):
        casefile.raise_flag(db_session, as_caller(sofia), case_id, "non_punishment", text)
    assert db_session.scalars(select(CaseFlag)).first() is None
    police = app.test_client()
    login(police, "peeter")
    assert 'value="non_punishment"' in police.get(f"/cases/{case_id}/flags/new").text
    raised = post(police, f"/cases/{case_id}/flags/new", {"kind": "non_punishment", "text": text})
    assert raised.status_code == 302
    with app.app_context():
        assert [f.kind for f in db_session.scalars(select(CaseFlag))] == ["non_punishment"]
