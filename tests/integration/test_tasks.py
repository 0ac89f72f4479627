"""Tasks: added by team members for a member of the team, encrypted, audited, kept in
the history, seen only by the team; done or cancelled with a reason; stale and forged
posts change nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework import clock
from casework.models import AuditEvent, CaseHistoryEntry, CaseTask, Notification, User
from tests.conftest import login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import field_error, join

TITLE = "Book the Kyrgyz interpreter for Tuesday"


@dataclass(frozen=True)
class Team:
    case_id: uuid.UUID
    lead: User
    nora: User


@pytest.fixture
def team(app: Flask, db_session: Session) -> Team:
    lead = make_user(username="lead")
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, nora)
    return Team(case_id, lead, nora)


def _client(app: Flask, username: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, username).status_code == 302
    return client


def _add(client: FlaskClient, team: Team, **extra: str) -> str:
    data = {
        "title": TITLE,
        "assignee": str(team.lead.id),
        "due_on": (clock.today() + timedelta(days=2)).isoformat(),
        "notes": "She asked for a woman interpreter.",
        **extra,
    }
    response = post_form(client, f"/cases/{team.case_id}/tasks/new", data)
    return response.text if response.status_code == 200 else ""


def test_a_member_adds_a_task_for_the_lead(app: Flask, db_session: Session, team: Team) -> None:
    nora = _client(app, "nora")
    assert _add(nora, team) == ""
    task = db_session.scalars(select(CaseTask)).one()
    raw = db_session.execute(text("SELECT title_enc, notes_enc FROM case_task")).one()
    assert TITLE.encode() not in bytes(raw[0]) and b"interpreter" not in bytes(raw[1])
    with app.app_context():
        assert task.title == TITLE
    assert task.assignee_id == team.lead.id and task.state == "open"
    note = db_session.scalars(select(Notification)).all()
    assert [(n.user_id, n.kind) for n in note if n.kind == "task_assigned"] == [
        (team.lead.id, "task_assigned")
    ]
    lead = _client(app, "lead")
    today = lead.get("/today").text
    assert TITLE in today and "A task was given to you" in today
    assert TITLE in lead.get(f"/cases/{team.case_id}").text
    assert [e.action for e in db_session.scalars(select(AuditEvent))].count("task.create") == 1


def test_an_assignee_off_the_team_or_a_bad_date_is_refused(
    app: Flask, db_session: Session, team: Team
) -> None:
    outsider = make_user(username="olga")
    lead = _client(app, "lead")
    html = _add(lead, team, assignee=str(outsider.id))
    assert "member of the case" in field_error(html, "assignee")
    html = _add(lead, team, assignee="not-a-uuid")
    assert field_error(html, "assignee")
    html = _add(lead, team, due_on="2099-01-01")
    assert "within three years" in field_error(html, "due_on")
    html = _add(lead, team, title="")
    assert field_error(html, "title")
    assert db_session.scalars(select(CaseTask)).first() is None


def test_done_cancel_and_history(app: Flask, db_session: Session, team: Team) -> None:
    lead = _client(app, "lead")
    _add(lead, team)
    task = db_session.scalars(select(CaseTask)).one()
    url = f"/cases/{team.case_id}/tasks/{task.id}"
    changed = post_form(
        lead,
        url,
        {
            "title": "Book the interpreter for Wednesday",
            "assignee": str(team.nora.id),
            "due_on": (clock.today() + timedelta(days=3)).isoformat(),
            "version": "1",
        },
    )
    assert changed.status_code == 302
    stale = post_form(
        lead,
        url,
        {
            "title": "Old",
            "assignee": str(team.lead.id),
            "due_on": clock.today().isoformat(),
            "version": "1",
        },
    )
    assert stale.status_code == 302
    db_session.expire_all()
    with app.app_context():
        task = db_session.get_one(CaseTask, task.id)
        assert task.title == "Book the interpreter for Wednesday" and task.version == 2
        assert task.assignee_id == team.nora.id
    no_reason = post_form(lead, f"{url}/cancel", {"reason": " ", "version": "2"})
    assert field_error(no_reason.text, "reason")
    cancelled = post_form(
        lead, f"{url}/cancel", {"reason": "She found one herself.", "version": "2"}
    )
    assert cancelled.status_code == 302
    db_session.expire_all()
    task = db_session.get_one(CaseTask, task.id)
    assert task.state == "cancelled" and task.closed_by_id == team.lead.id
    done = post_form(lead, f"{url}/done", {"version": "3"}, form_url=f"/cases/{team.case_id}")
    assert done.status_code == 302
    assert db_session.get_one(CaseTask, task.id).state == "cancelled"  # closed stays closed
    changes = [
        h.change
        for h in db_session.scalars(
            select(CaseHistoryEntry).where(CaseHistoryEntry.field_group == "tasks")
        )
    ]
    assert sorted(changes) == ["cancel", "create", "update"]
    with app.app_context():
        previous = [
            h.previous
            for h in db_session.scalars(
                select(CaseHistoryEntry).where(CaseHistoryEntry.change == "update")
            )
        ]
    assert previous[0]["title"] == TITLE


def test_tasks_are_for_the_team_only(app: Flask, db_session: Session, team: Team) -> None:
    lead = _client(app, "lead")
    _add(lead, team)
    task = db_session.scalars(select(CaseTask)).one()
    outsider = make_user(username="olga")
    olga = _client(app, "olga")
    assert olga.get(f"/cases/{team.case_id}/tasks/{task.id}").status_code == 404
    assert TITLE not in olga.get("/today").text
    # Break-glass: reads the case, not its tasks, and changes nothing.
    from casework.casefile import open_break_glass
    from tests.supporting import as_caller

    with app.app_context():
        open_break_glass(
            db_session,
            as_caller(outsider),
            _reference(db_session, team),
            "A real emergency at night.",
        )
    page = olga.get(f"/cases/{team.case_id}")
    assert page.status_code == 200 and TITLE not in page.text
    assert olga.get(f"/cases/{team.case_id}/tasks/new").status_code == 403
    # A coordinator on the team sees the case but changes no task.
    make_user(username="cora", coordinator=True)
    cora_user = db_session.scalars(select(User).where(User.username == "cora")).one()
    join(app, db_session, team.case_id, cora_user, "social_services")
    cora = _client(app, "cora")
    assert (
        post_form(
            cora, f"/cases/{team.case_id}/tasks/{task.id}/done", {"version": "1"}, form_url="/today"
        ).status_code
        == 403
    )


def test_a_task_id_of_another_case_is_not_found(
    app: Flask, db_session: Session, team: Team
) -> None:
    lead = _client(app, "lead")
    with app.app_context():
        other = open_case(db_session, team.lead, given_name="Other")
    post_form(
        lead,
        f"/cases/{other}/tasks/new",
        {"title": "Elsewhere", "assignee": str(team.lead.id), "due_on": clock.today().isoformat()},
    )
    foreign = db_session.scalars(select(CaseTask)).one()
    forged = post_form(
        lead,
        f"/cases/{team.case_id}/tasks/{foreign.id}/done",
        {"version": "1"},
        form_url=f"/cases/{team.case_id}",
    )
    assert forged.status_code == 404
    assert db_session.get_one(CaseTask, foreign.id).state == "open"


def _reference(db_session: Session, team: Team) -> str:
    from casework.models import Case

    return db_session.get_one(Case, team.case_id).reference


def test_an_interpreter_sees_no_tasks_of_the_team_nor_the_missing_child(
    app: Flask, db_session: Session, team: Team
) -> None:
    """An interpreter sees the child's first name and languages, not the team, its work
    or the flags: tasks name the team and say what it does, and a missing episode is what
    the flags say. A task given to the interpreter is theirs to see on Today."""
    from datetime import datetime

    from casework.casefile import MissingReport
    from casework.casefile import report_missing as door_report_missing
    from tests.supporting import as_caller

    ivo = make_user(username="ivo", role="interpreter")
    join(app, db_session, team.case_id, ivo, "interpreter")
    lead = _client(app, "lead")
    _add(lead, team)
    _add(lead, team, title="Interpret at the hearing", assignee=str(ivo.id))
    with app.app_context():
        door_report_missing(
            db_session,
            as_caller(team.lead),
            team.case_id,
            MissingReport(last_seen_at=datetime.now().replace(microsecond=0) - timedelta(days=1)),
        )
    lead_page = lead.get(f"/cases/{team.case_id}").text
    assert TITLE in lead_page and "The child is missing" in lead_page
    interpreter = _client(app, "ivo")
    page = interpreter.get(f"/cases/{team.case_id}")
    assert page.status_code == 200
    for hidden in (TITLE, "Interpret at the hearing", "The child is missing", "Missing episodes"):
        assert hidden not in page.text
    today = interpreter.get("/today").text
    assert "Interpret at the hearing" in today
    assert TITLE not in today and "Children missing now" not in today
