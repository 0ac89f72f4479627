"""A "possible same child" item reaches the lead of the matching case and the region's
coordinator on Today and as a notification, once each, naming the two references only;
its e-mail says how many items wait and nothing else; the person who opened the new
case learns nothing, on any page."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework.casefile.samechild.duplicates import Check
from casework.models import (
    Case,
    Notification,
    NotificationSetting,
    OutboxMessage,
    PossibleSameChild,
    User,
)
from tests.conftest import login, new_client, post_form
from tests.factories import make_organisation, make_user
from tests.integration.test_same_child import _scrub
from tests.mail import smtp_server
from tests.records import caller_of

CHILD = {
    "given_name": "Iryna",
    "family_name": "Melnyk",
    "date_of_birth": "2012-03-04",
    "sex": "female",
}
ITEM_LINE = "{new} may be about the same child as {existing}"


@pytest.fixture
def port(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    from tests.mail import free_port

    port = free_port()
    settings = dataclasses.replace(
        app.config["CASEWORK"], mail_server="127.0.0.1", mail_port=port, mail_security="none"
    )
    monkeypatch.setitem(app.config, "CASEWORK", settings)
    yield port


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = new_client(app)
    assert login(client, user.username).status_code == 302
    return client


def _opened(client: FlaskClient, **child: str) -> tuple[TestResponse, uuid.UUID]:
    response = post_form(client, "/cases/new", {**CHILD, **child})
    assert response.status_code == 302, response.text
    return response, uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])


def _reference(db_session: Session, case_id: uuid.UUID) -> str:
    return db_session.get_one(Case, case_id).reference


def _notes(db_session: Session, user: User) -> list[Notification]:
    return list(db_session.scalars(select(Notification).where(Notification.user_id == user.id)))


@dataclasses.dataclass
class World:
    lead: User  # leads the existing case
    outsider: User  # opens the new case, on no team of the existing one
    coordinator: User  # coordinates the region the new case is opened in
    elsewhere: User  # coordinates another region
    existing: uuid.UUID
    new: uuid.UUID
    lead_today_before: str  # the lead's Today right after opening, with no match anywhere
    outsider_today: str  # the outsider's Today right after opening over a hidden match


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    lead = make_user(
        username="anna",
        display_name="Social Worker",
        organisation=make_organisation(name="Riga social services A", region="Riga"),
    )
    outsider = make_user(
        username="berta",
        display_name="Social Worker",
        organisation=make_organisation(name="Riga social services B", region="Riga"),
    )
    coordinator = make_user(
        username="coord",
        role="coordinator",
        organisation=make_organisation(name="Riga coordination", region="Riga"),
    )
    elsewhere = make_user(
        username="tartu",
        role="coordinator",
        organisation=make_organisation(name="Tartu coordination", region="Tartu"),
    )
    for user in (lead, coordinator, outsider):
        db_session.add(
            NotificationSetting(user_id=user.id, email_address=f"{user.username}@example.org")
        )
    db_session.commit()
    one = _signed_in(app, lead)
    _response, existing = _opened(one)
    lead_today_before = one.get("/today").text
    two = _signed_in(app, outsider)
    _response, new = _opened(two, given_name="IRYNA")
    return World(
        lead, outsider, coordinator, elsewhere, existing, new, lead_today_before,
        two.get("/today").text,
    )  # fmt: skip


def test_the_lead_and_the_coordinator_see_the_item_on_today_with_references_only(
    app: Flask, db_session: Session, world: World
) -> None:
    new, existing = _reference(db_session, world.new), _reference(db_session, world.existing)
    line = ITEM_LINE.format(new=new, existing=existing)
    for reader in (world.lead, world.coordinator):
        page = _signed_in(app, reader).get("/today").text
        assert "Possible same child" in page
        assert page.count(line) == 1
        assert "/cases/same-child/#item-" in page
        assert "Iryna" not in page and "IRYNA" not in page and "Melnyk" not in page
    # Another region's coordinator sees neither (the menu names the items page to all).
    page = _signed_in(app, world.elsewhere).get("/today").text
    assert existing not in page and new not in page and "may be about the same child" not in page


def test_each_of_them_is_notified_once_under_a_case_they_may_know_of(
    app: Flask, db_session: Session, world: World
) -> None:
    def state() -> dict[uuid.UUID, list[tuple[str, uuid.UUID | None]]]:
        db_session.expire_all()
        return {
            user.id: [(n.kind, n.case_id) for n in _notes(db_session, user)]
            for user in (world.lead, world.coordinator, world.outsider, world.elsewhere)
        }

    once = {
        world.lead.id: [("possible_same_child", world.existing)],
        world.coordinator.id: [("possible_same_child", world.new)],
        world.outsider.id: [],
        world.elsewhere.id: [],
    }
    assert state() == once
    # The check finishing again for the same pair (a retried request, a second match of
    # the same case) leaves one item, one notification and one e-mail each.
    with app.app_context():
        existing = db_session.get_one(Case, world.existing)
        new = db_session.get_one(Case, world.new)
        Check(hidden=[existing]).finish(db_session, caller_of(world.outsider), new)
        db_session.commit()
    assert state() == once
    assert len(db_session.scalars(select(PossibleSameChild)).all()) == 1
    outbox = [m.user_id for m in db_session.scalars(select(OutboxMessage))]
    assert sorted(outbox) == sorted([world.lead.id, world.coordinator.id])
    # On the notifications page: the kind and the reference, leading to the items page.
    page = _signed_in(app, world.lead).get("/notifications").text
    assert "Possible same child" in page and _reference(db_session, world.existing) in page
    assert 'href="/cases/same-child/"' in page
    assert "Iryna" not in page and "Melnyk" not in page


def test_the_e_mail_says_only_how_many_items_wait(
    app: Flask, db_session: Session, world: World, port: int
) -> None:
    with smtp_server(port) as inbox:
        result = app.test_cli_runner().invoke(args=["notifications", "send"])
        assert result.exit_code == 0, result.output
    assert sorted(to for recipients, _raw in inbox.received for to in recipients) == [
        "anna@example.org",
        "coord@example.org",
    ]
    forbidden = {"Iryna", "IRYNA", "Melnyk", "2012-03-04", "same child"}
    forbidden |= {_reference(db_session, c) for c in (world.new, world.existing)}
    for _recipients, raw in inbox.received:
        message = message_from_bytes(raw, policy=policy.default)
        body = message.get_body()
        assert body is not None
        text = "\n".join(f"{k}: {v}" for k, v in message.items()) + str(body.get_content())
        assert "You have 1 new item" in text
        assert [word for word in forbidden if word.lower() in text.lower()] == []


def test_the_person_opening_the_case_learns_nothing(
    app: Flask, db_session: Session, world: World
) -> None:
    """The outsider's Today after opening over a hidden match is the lead's Today after
    opening with no match anywhere: no item, no notification, no count."""
    assert _notes(db_session, world.outsider) == []
    assert _scrub(world.outsider_today, "berta", "services B") == _scrub(
        world.lead_today_before, "anna", "services A"
    )
    assert "may be about the same child" not in world.outsider_today
    assert _reference(db_session, world.existing) not in world.outsider_today
    page = _signed_in(app, world.outsider).get("/cases/same-child/").text
    assert _reference(db_session, world.existing) not in page and "Nothing to check" in page
