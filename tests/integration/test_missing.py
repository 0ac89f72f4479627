"""Missing-child episodes: recorded by any team member, the whole team told at once,
the case page header, My cases, Today and the coordinator's overview show it; found
resolves it and gives the lead a return-interview task; the case cannot close meanwhile;
one open episode per case, even when two record at once."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import clock
from casework.casefile import FoundReport, MissingReport, RecordNotFound, is_missing
from casework.casefile import record_found as door_record_found
from casework.casefile import report_missing as door_report_missing
from casework.casefile.casewide.missing import closing_blockers
from casework.models import (
    AuditEvent,
    CaseFlag,
    CaseHistoryEntry,
    CaseTask,
    MissingEpisode,
    Notification,
    User,
)
from tests.conftest import login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import as_caller, field_error, join

GIVEN = "Ülle-Marleen"


def _moment(hours_ago: float) -> str:
    moment = clock.local(clock.utcnow()) - timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class Team:
    case_id: uuid.UUID
    lead: User
    nora: User
    paul: User


@pytest.fixture
def team(app: Flask, db_session: Session) -> Team:
    lead = make_user(username="lead")
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    paul = make_user(username="paul", police=True, organisation=make_organisation(police=True))
    with app.app_context():
        case_id = open_case(db_session, lead, given_name=GIVEN)
    join(app, db_session, case_id, nora)
    join(app, db_session, case_id, paul, "police")
    return Team(case_id, lead, nora, paul)


def _client(app: Flask, username: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, username).status_code == 302
    return client


def _report(client: FlaskClient, case_id: uuid.UUID, **extra: str) -> TestResponse:
    data = {
        "last_seen_at": _moment(5),
        "last_seen_where": "Bus station, Tartu",
        "circumstances": "Left the shelter with an older man.",
        "police_informed_at": _moment(4),
        "police_reference": "EE-2026-99812",
        **extra,
    }
    return post_form(client, f"/cases/{case_id}/missing/new", data)


def test_recording_missing_tells_the_whole_team_and_marks_every_page(
    app: Flask, db_session: Session, team: Team
) -> None:
    case_id = team.case_id
    nora = _client(app, "nora")
    response = _report(nora, case_id)
    assert response.status_code == 302
    with app.app_context():
        assert is_missing(db_session, case_id)
        assert closing_blockers(db_session, case_id) == ["missing"]
        flag = db_session.scalars(select(CaseFlag)).one()
        assert flag.kind == "missing" and flag.automatic and flag.is_open
    told = {
        n.user_id for n in db_session.scalars(select(Notification)) if n.kind == "child_missing"
    }
    assert told == {team.lead.id, team.paul.id}
    lead_client = _client(app, "lead")
    page = lead_client.get(f"/cases/{case_id}").text
    assert "The child is missing" in page and "Bus station, Tartu" in page
    assert "EE-2026-99812" in page
    # The NGO worker sees that the child is missing, not where (the location group).
    ngo_page = nora.get(f"/cases/{case_id}").text
    assert "The child is missing" in ngo_page and "Bus station" not in ngo_page
    assert "Child missing" in lead_client.get("/cases/").text
    today = lead_client.get("/today").text
    assert "Children missing now" in today and "A child was recorded missing" in today
    actions = [e.action for e in db_session.scalars(select(AuditEvent))]
    assert "missing.report" in actions and "flag.raise" in actions
    assert db_session.scalars(
        select(CaseHistoryEntry).where(CaseHistoryEntry.field_group == "missing")
    ).first()


def test_the_coordinator_sees_the_missing_child_without_identity(
    app: Flask, db_session: Session, team: Team
) -> None:
    case_id = team.case_id
    make_user(username="cora", coordinator=True)
    with app.app_context():
        door_report_missing(
            db_session,
            as_caller(team.paul),
            case_id,
            MissingReport(last_seen_at=datetime.now().replace(microsecond=0) - timedelta(days=1)),
        )
    cora = _client(app, "cora")
    overview = cora.get("/cases/overview").text
    assert "Child missing" in overview and GIVEN not in overview
    today = cora.get("/today").text
    assert "Children missing now" in today and GIVEN not in today


def test_found_resolves_and_gives_the_lead_a_return_interview(
    app: Flask, db_session: Session, team: Team
) -> None:
    case_id = team.case_id
    paul = _client(app, "paul")
    assert _report(paul, case_id).status_code == 302
    episode = db_session.scalars(select(MissingEpisode)).one()
    url = f"/cases/{case_id}/missing/{episode.id}/found"
    early = post_form(paul, url, {"found_at": _moment(6), "version": "1"})
    assert "after they were last seen" in field_error(early.text, "found_at")
    done = post_form(paul, url, {"found_at": _moment(1), "found_where": "Riga", "version": "1"})
    assert done.status_code == 302
    db_session.expire_all()
    assert not db_session.get_one(MissingEpisode, episode.id).is_open
    flag = db_session.scalars(select(CaseFlag)).one()
    assert not flag.is_open
    task = db_session.scalars(select(CaseTask)).one()
    with app.app_context():
        assert task.title == "Return interview after the child was found"
    assert task.rule == "return_interview" and task.assignee_id == team.lead.id
    found_at = clock.local(clock.utcnow()) - timedelta(hours=1)
    assert task.due_on == (found_at + timedelta(hours=72)).date()
    lead = _client(app, "lead")
    page = lead.get(f"/cases/{case_id}").text
    assert "Return interview after the child was found" in page
    assert "Recorded missing 1 time," in page and "The child is missing" not in page
    # Found twice: the second is refused as someone else's change, nothing is written.
    again = post_form(paul, url, {"found_at": _moment(1), "version": "2"})
    assert again.status_code == 302
    assert len(db_session.scalars(select(CaseTask)).all()) == 1


def test_nobody_resolves_the_missing_flag_by_hand(
    app: Flask, db_session: Session, team: Team
) -> None:
    lead = _client(app, "lead")
    assert _report(lead, team.case_id).status_code == 302
    flag = db_session.scalars(select(CaseFlag)).one()
    url = f"/cases/{team.case_id}/flags/{flag.id}/resolve"
    forged = post_form(
        lead, url, {"resolution": "Back.", "version": "1"}, form_url=f"/cases/{team.case_id}"
    )
    assert forged.status_code == 403  # refused, and the refusal audited
    raised = post_form(
        lead, f"/cases/{team.case_id}/flags/new", {"kind": "missing", "text": "Gone"}
    )
    assert raised.status_code == 200
    db_session.expire_all()
    assert db_session.get_one(CaseFlag, flag.id).is_open
    assert len(db_session.scalars(select(CaseFlag)).all()) == 1


def test_the_case_cannot_close_while_the_child_is_missing(
    app: Flask, db_session: Session, team: Team
) -> None:
    case_id = team.case_id
    lead = _client(app, "lead")
    assert _report(lead, case_id).status_code == 302
    from casework.models import Case

    version = db_session.get_one(Case, case_id).version
    refused = post_form(
        lead,
        f"/cases/{case_id}/close",
        {"reason": "other", "note": "x", "confirmed": "yes", "version": str(version)},
    )
    assert refused.status_code == 200
    assert "A case is not closed while the child is missing" in refused.text
    db_session.expire_all()
    assert db_session.get_one(Case, case_id).status != "closed"


def test_one_open_episode_per_case(app: Flask, db_session: Session, team: Team) -> None:
    case_id = team.case_id
    nora = _client(app, "nora")
    assert _report(nora, case_id).status_code == 302
    second = _report(_client(app, "paul"), case_id)
    assert "already recorded as missing" in field_error(second.text, "last_seen_at")
    assert len(db_session.scalars(select(MissingEpisode)).all()) == 1
    # The database itself refuses a second open episode (two recorded at one moment).
    with app.app_context():
        case = db_session.get_one(
            MissingEpisode, db_session.scalars(select(MissingEpisode.id)).one()
        ).case
        db_session.add(
            MissingEpisode(case, reported_by_id=team.lead.id, last_seen_at=datetime(2026, 1, 1))
        )
        with pytest.raises(IntegrityError):
            db_session.flush()
        db_session.rollback()


def test_bad_input_changes_nothing(app: Flask, db_session: Session, team: Team) -> None:
    case_id = team.case_id
    lead = _client(app, "lead")
    future = _report(lead, case_id, last_seen_at=_moment(-5))
    assert "in the future" in field_error(future.text, "last_seen_at")
    before = _report(lead, case_id, police_informed_at=_moment(9))
    assert "after the child was last seen" in field_error(before.text, "police_informed_at")
    garbage = _report(lead, case_id, last_seen_at="yesterday")
    assert garbage.status_code == 200
    assert db_session.scalars(select(MissingEpisode)).first() is None
    kinds = {n.kind for n in db_session.scalars(select(Notification))}
    assert "child_missing" not in kinds


def test_found_on_another_case_is_not_found(app: Flask, db_session: Session, team: Team) -> None:
    """An episode id from a case the caller is not on cannot be ended from their own."""
    case_id = team.case_id
    other_lead = make_user(username="olga")
    with app.app_context():
        other = open_case(db_session, other_lead, given_name="Other")
        door_report_missing(
            db_session,
            as_caller(other_lead),
            other,
            MissingReport(last_seen_at=datetime.now().replace(microsecond=0) - timedelta(days=1)),
        )
        episode_id = db_session.scalars(select(MissingEpisode.id)).one()
        with pytest.raises(RecordNotFound):
            door_record_found(
                db_session,
                as_caller(team.lead),
                case_id,
                episode_id,
                FoundReport(found_at=datetime.now().replace(microsecond=0)),
                1,
            )
        assert is_missing(db_session, other)


def test_how_long_reads_naturally_in_the_readers_language(
    app: Flask, db_session: Session, team: Team
) -> None:
    """Each episode's length and the total in whole units, with the language's plurals:
    never "0.0 days" or "1 hours"."""
    now = clock.local(clock.utcnow()).replace(second=0, microsecond=0, tzinfo=None)
    caller = as_caller(team.lead)
    with app.app_context():
        door_report_missing(
            db_session, caller, team.case_id, MissingReport(last_seen_at=now - timedelta(hours=55))
        )
        first = db_session.scalars(select(MissingEpisode)).one()
        door_record_found(
            db_session,
            caller,
            team.case_id,
            first.id,
            FoundReport(found_at=now - timedelta(hours=2)),
            first.version,
        )
        door_report_missing(
            db_session, caller, team.case_id, MissingReport(last_seen_at=now - timedelta(hours=1))
        )
    client = _client(app, "lead")

    def lengths(label: str) -> tuple[list[str], str]:
        page = client.get(f"/cases/{team.case_id}").text
        section = page[page.index('<section id="missing"') :]
        section = section[: section.index("</section>")]
        total = re.search(r"<p>([^<]*)</p>", section)
        assert total is not None
        return re.findall(rf"<dt>{label}</dt><dd>([^<]*)</dd>", section), total.group(1)

    assert lengths("For") == (
        ["1 hour", "2 days, 5 hours"],
        "Recorded missing 2 times, 2 days, 6 hours in all.",
    )
    team.lead.language = "de"
    db_session.commit()
    assert lengths("Dauer") == (
        ["1 Stunde", "2 Tage, 5 Stunden"],
        "2-mal als vermisst erfasst, insgesamt 2 Tage, 6 Stunden.",
    )


def test_times_read_as_entered_in_the_readers_zone(
    app: Flask, db_session: Session, team: Team
) -> None:
    """A time entered on the form shows as entered, on the case page and in the change
    form, for a reader in the configured zone and for one in another zone; each sees the
    other's entry in their own zone."""
    configured = clock.zone(app.config["CASEWORK"].time_zone)
    elsewhere = "Europe/London" if str(configured) != "Europe/London" else "Europe/Helsinki"
    team.lead.time_zone = str(configured)
    team.paul.time_zone = elsewhere
    db_session.commit()
    with app.app_context():
        two_days_ago = clock.local(clock.utcnow()) - timedelta(days=2)
    last_seen = two_days_ago.replace(hour=9, minute=30, second=0, microsecond=0, tzinfo=None)
    shown_elsewhere = last_seen.replace(tzinfo=configured).astimezone(clock.zone(elsewhere))
    lead = _client(app, "lead")
    post_form(
        lead,
        f"/cases/{team.case_id}/missing/new",
        {"last_seen_at": last_seen.strftime("%Y-%m-%dT%H:%M")},
    )
    with app.app_context():
        episode = db_session.scalars(select(MissingEpisode)).one()
        assert episode.last_seen_at == last_seen

    def last_seen_on_page(client: FlaskClient) -> str:
        found = re.search(
            r"<dt>Last seen</dt><dd>([^<]*)</dd>", client.get(f"/cases/{team.case_id}").text
        )
        assert found is not None
        return found.group(1)

    def in_the_change_form(client: FlaskClient) -> str:
        page = client.get(f"/cases/{team.case_id}/missing/{episode.id}").text
        found = re.search(
            r'name="last_seen_at"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="last_seen_at"', page
        )
        assert found is not None
        return found.group(1) or found.group(2)

    assert last_seen_on_page(lead) == last_seen.strftime("%Y-%m-%d %H:%M")
    assert in_the_change_form(lead) == last_seen.strftime("%Y-%m-%dT%H:%M")
    paul = _client(app, "paul")
    assert last_seen_on_page(paul) == shown_elsewhere.strftime("%Y-%m-%d %H:%M")
    assert in_the_change_form(paul) == shown_elsewhere.strftime("%Y-%m-%dT%H:%M")
    # What the reader elsewhere enters is kept in the configured zone.
    post_form(
        paul,
        f"/cases/{team.case_id}/missing/{episode.id}/found",
        {
            "found_at": shown_elsewhere.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M"),
            "version": str(episode.version),
        },
    )
    db_session.expire_all()
    with app.app_context():
        assert db_session.get(MissingEpisode, episode.id).found_at == last_seen  # type: ignore[union-attr]
