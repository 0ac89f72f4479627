"""The mail outbox: written with the change, sent by `casework notifications send`
through a real SMTP server; a server that is down loses nothing and, once up, gets each
e-mail exactly once; a refused address does not stop the others; e-mails carry no
child data."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import casefile
from casework.casefile.today.outbox import backoff
from casework.models import Case, NotificationSetting, OutboxMessage, User
from tests.factories import make_organisation, make_user, open_case
from tests.mail import SENT_IN_THIS_RUN, Inbox, free_port, smtp_server
from tests.supporting import as_caller, join

GIVEN, FAMILY = "Brīvība", "Zvaigzne-Ūdre"
WHERE = "Behind the Ziepniekkalns shopping centre"


@pytest.fixture
def port(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    port = free_port()
    settings = dataclasses.replace(
        app.config["CASEWORK"], mail_server="127.0.0.1", mail_port=port, mail_security="none"
    )
    monkeypatch.setitem(app.config, "CASEWORK", settings)
    yield port


def _send(app: Flask, db_session: Session) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    return result.output


def _address(db_session: Session, user: User, address: str) -> None:
    db_session.add(NotificationSetting(user_id=user.id, email_address=address))
    db_session.commit()


@pytest.fixture
def world(app: Flask, db_session: Session) -> tuple[uuid.UUID, User, list[User]]:
    lead = make_user(username="lead")
    members = [
        make_user(username=f"m{i}", ngo_worker=True, organisation=make_organisation(ngo=True))
        for i in range(3)
    ]
    with app.app_context():
        case_id = open_case(db_session, lead, given_name=GIVEN, family_name=FAMILY)
    for member in members:
        join(app, db_session, case_id, member)
    for i, member in enumerate(members):
        _address(db_session, member, f"m{i}@example.org")
    return case_id, lead, members


def _missing(app: Flask, db_session: Session, case_id: uuid.UUID, lead: User) -> None:
    with app.app_context():
        casefile.report_missing(
            db_session,
            as_caller(lead),
            case_id,
            casefile.MissingReport(
                last_seen_at=datetime.now().replace(microsecond=0) - timedelta(hours=3),
                last_seen_where=WHERE,
                circumstances="Went with a man in a grey van.",
            ),
        )


def test_down_then_up_sends_each_once(
    app: Flask, db_session: Session, port: int, world: tuple[uuid.UUID, User, list[User]]
) -> None:
    case_id, lead, members = world
    _missing(app, db_session, case_id, lead)
    rows = db_session.scalars(select(OutboxMessage)).all()
    assert {r.user_id for r in rows} == {m.id for m in members}  # the lead has no address
    output = _send(app, db_session)  # nobody listens on the port
    assert "0 e-mails sent" in output and "3 failed" in output
    rows = db_session.scalars(select(OutboxMessage)).all()
    assert all(r.sent_at is None and r.attempts == 1 and r.last_error for r in rows)
    assert all(r.next_attempt_at > r.created_at for r in rows)
    with smtp_server(port) as inbox:
        assert "0 e-mails sent" in _send(app, db_session)  # not due yet: back-off
        for row in db_session.scalars(select(OutboxMessage)):
            row.next_attempt_at = row.created_at
        db_session.commit()
        assert "3 e-mails sent" in _send(app, db_session)
        assert "0 e-mails sent" in _send(app, db_session)
    assert sorted(r[0][0] for r in inbox.received) == [f"m{i}@example.org" for i in range(3)]
    assert all(r.sent_at is not None for r in db_session.scalars(select(OutboxMessage)))
    body = inbox.received[0][1].decode()
    assert "You have 1 new item in Casework." in body and "/today" in body


def test_one_refused_address_does_not_stop_the_rest(
    app: Flask, db_session: Session, port: int, world: tuple[uuid.UUID, User, list[User]]
) -> None:
    case_id, lead, members = world
    _missing(app, db_session, case_id, lead)
    with smtp_server(port, Inbox(refuse={"m1@example.org"})) as inbox:
        output = _send(app, db_session)
    assert "2 e-mails sent" in output and "1 failed" in output
    assert sorted(r[0][0] for r in inbox.received) == ["m0@example.org", "m2@example.org"]
    refused = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == members[1].id)
    ).one()
    assert refused.sent_at is None and "SMTPRecipientsRefused" in refused.last_error


def test_the_outbox_rolls_back_with_the_change(
    app: Flask, db_session: Session, world: tuple[uuid.UUID, User, list[User]]
) -> None:
    """A refused change leaves no e-mail behind: the outbox row is in its transaction."""
    case_id, lead, _members = world
    with app.app_context(), pytest.raises(casefile.InvalidInput):
        casefile.report_missing(
            db_session,
            as_caller(lead),
            case_id,
            casefile.MissingReport(last_seen_at=datetime.now() + timedelta(days=2)),
        )
    assert db_session.scalars(select(OutboxMessage)).all() == []


def test_without_a_server_nothing_is_sent_and_nothing_lost(
    app: Flask, db_session: Session, world: tuple[uuid.UUID, User, list[User]]
) -> None:
    case_id, lead, _members = world
    _missing(app, db_session, case_id, lead)
    assert "not set" in _send(app, db_session)
    assert all(r.attempts == 0 for r in db_session.scalars(select(OutboxMessage)))


def test_backoff_grows_and_stops_at_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(20) == timedelta(hours=6)


def test_no_email_carries_child_data(
    app: Flask, db_session: Session, port: int, world: tuple[uuid.UUID, User, list[User]]
) -> None:
    """Every e-mail sent in this run (this test's and the demo's too) is free of the
    children's names, references and free text."""
    case_id, lead, _members = world
    _missing(app, db_session, case_id, lead)
    from casework.demo import CHILDREN, seed
    from casework.models import CaseTask, MissingEpisode

    with app.app_context():
        seed(db_session)
    with smtp_server(port):
        _send(app, db_session)
    forbidden = {GIVEN, FAMILY, WHERE, "grey van"}
    forbidden |= {n for given, family, _sex in CHILDREN for n in (given, family)} - {
        "Anonymous",
        "Unknown",
    }
    forbidden |= set(db_session.scalars(select(Case.reference)))
    with app.app_context():
        for e in db_session.scalars(select(MissingEpisode)):
            forbidden |= {v for v in (e.last_seen_where, e.circumstances, e.police_reference) if v}
        forbidden |= {t.title for t in db_session.scalars(select(CaseTask))}
    assert len(SENT_IN_THIS_RUN) >= 5
    for raw in SENT_IN_THIS_RUN:
        message = message_from_bytes(raw, policy=policy.default)
        body = message.get_body()
        assert body is not None
        # Decoded, so that a name could not hide in quoted-printable or base64.
        text = "\n".join(f"{k}: {v}" for k, v in message.items()) + str(body.get_content())
        leaked = [word for word in forbidden if word in text]
        assert leaked == [], leaked
