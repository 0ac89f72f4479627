"""The duplicate check across teams: a match the user may see is offered; one they may
not see reveals nothing to them and leaves a "possible same child" item for the other
case's lead and the region's coordinator, who link or dismiss it."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import casefile
from casework.casefile.casewide import search as search_module
from casework.casefile.samechild import duplicates as duplicates_module
from casework.models import (
    AuditEvent,
    Case,
    CaseLink,
    IdentificationEvent,
    PossibleSameChild,
    User,
)
from tests.conftest import csrf_token, login, new_client, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.records import IDENTIFICATION, caller_of, post

CHILD = {
    "given_name": "Iryna",
    "family_name": "Melnyk",
    "date_of_birth": "2012-03-04",
    "sex": "female",
}


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = new_client(app)
    assert login(client, user.username).status_code == 302
    return client


def _open_by_form(client: FlaskClient, **child: str) -> TestResponse:
    return post_form(client, "/cases/new", {**CHILD, **child})


def _case_of(response: TestResponse) -> uuid.UUID:
    assert response.status_code == 302, response.text
    return uuid.UUID(response.headers["Location"].rsplit("/", 1)[-1])


def _events(db_session: Session, action: str) -> list[AuditEvent]:
    return list(
        db_session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
    )


def _reference(db_session: Session, case_id: uuid.UUID) -> str:
    return db_session.get_one(Case, case_id).reference


def _scrub(text: str, *secrets: str) -> str:
    """The page with what differs by nature (tokens, ids, references, timings) removed."""
    text = re.sub(r'(value|content)="[\w-]+\.[\w-]+\.[\w-]+"', "TOKEN", text)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", text)
    text = re.sub(r"[0-9a-f]{32}", "ID", text)
    text = re.sub(r"CW-\d{4}-[0-9A-Z]{6}", "REF", text)
    # When each case was opened, to the second: the two were opened at different times.
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", "TIME", text)
    text = re.sub(r"\b\d\d:\d\d\b", "HH:MM", text)
    for secret in secrets:
        text = text.replace(secret, "USER")
    return text


def test_a_police_officer_on_the_first_case_is_offered_it_at_intake(
    app: Flask, db_session: Session
) -> None:
    """The story: police recorded the same child twice, the name typed without
    diacritics, although the officer was on the first case's team."""
    social = make_user(username="sofia")
    officer = make_user(username="peeter", role="police")
    client = _signed_in(app, officer)
    form: dict[str, Any] = {
        **IDENTIFICATION,
        "given_name": "Šarūnas",
        "family_name": "Petrauskas",
        "date_of_birth": "2012-03-04",
        "sex": "male",
        "lead": str(social.id),
    }
    first = _case_of(post(client, "/cases/identify", form))
    again = post(client, "/cases/identify", {**form, "given_name": "Sarunas"})
    assert again.status_code == 200
    reference = _reference(db_session, first)
    assert "This child may have a case already" in again.text
    assert f"Add the identification to {reference}" in again.text
    cases_before = db_session.scalar(select(func.count()).select_from(Case))
    page = client.post(
        "/cases/identify",
        data={
            **form,
            "given_name": "Sarunas",
            "add_to": str(first),
            "csrf_token": csrf_token(again.text),
        },
    )
    assert page.status_code == 302 and page.headers["Location"].endswith(str(first))
    assert db_session.scalar(select(func.count()).select_from(Case)) == cases_before
    events = db_session.scalars(
        select(IdentificationEvent).where(IdentificationEvent.case_id == first)
    ).all()
    assert len(events) == 2
    # Opening anyway needs the tick.
    opened = post(
        client, "/cases/identify", {**form, "given_name": "Sarunas", "not_a_duplicate": "y"}
    )
    assert opened.status_code == 302


def test_adding_to_a_case_the_officer_cannot_reach_is_refused_like_a_missing_case(
    app: Flask, db_session: Session
) -> None:
    social = make_user(username="sofia")
    officer = make_user(username="peeter", role="police")
    with app.app_context():
        theirs = open_case(db_session, social, given_name="Šarūnas", family_name="Petrauskas")
    client = _signed_in(app, officer)
    form: dict[str, Any] = {**IDENTIFICATION, **CHILD, "lead": str(social.id)}
    form["add_to"] = str(theirs)
    assert post(client, "/cases/identify", form).status_code == 404
    assert not db_session.scalars(
        select(IdentificationEvent).where(IdentificationEvent.case_id == theirs)
    ).all()
    denied = _events(db_session, "access.denied")
    assert denied and denied[-1].case_ref == _reference(db_session, theirs)
    forged = {**form, "add_to": "not-a-case"}
    page = post(client, "/cases/identify", forged)
    assert page.status_code == 200 and "Choose one of the cases shown." in page.text


def test_a_hidden_match_looks_exactly_like_no_match_and_tells_the_other_lead(
    app: Flask, db_session: Session
) -> None:
    region = make_organisation(name="Riga social services A", region="Riga")
    other_region = make_organisation(name="Tartu social services", region="Tartu")
    first = make_user(username="anna", display_name="Social Worker", organisation=region)
    second = make_user(
        username="berta",
        display_name="Social Worker",
        organisation=make_organisation(name="Riga social services B", region="Riga"),
    )
    coordinator = make_user(
        username="coord",
        role="coordinator",
        organisation=make_organisation(name="Riga coordination", region="Riga"),
    )
    elsewhere = make_user(username="tartu", role="coordinator", organisation=other_region)
    # No match anywhere: the first lead opens the child's case.
    one = _signed_in(app, first)
    no_match = _open_by_form(one)
    no_match_page = one.get(no_match.headers["Location"])
    existing = _case_of(no_match)
    assert not db_session.scalars(select(PossibleSameChild)).all()
    # A match on a team the second worker is not on: the same answer.
    two = _signed_in(app, second)
    hidden = _open_by_form(two, given_name="IRYNA")
    hidden_page = two.get(hidden.headers["Location"])
    new = _case_of(hidden)
    assert hidden.status_code == no_match.status_code
    assert _scrub(hidden.headers["Location"]) == _scrub(no_match.headers["Location"])
    assert _scrub(hidden.text) == _scrub(no_match.text)
    assert _scrub(hidden_page.text, "berta", "IRYNA", "services B") == _scrub(
        no_match_page.text, "anna", "Iryna", "services A"
    )
    assert _reference(db_session, existing) not in hidden_page.text
    # The item names the two references only, for the lead and the region's coordinator.
    items = db_session.scalars(select(PossibleSameChild)).all()
    assert [(i.new_case_id, i.existing_case_id, i.region) for i in items] == [
        (new, existing, "Riga")
    ]
    refs = (_reference(db_session, new), _reference(db_session, existing))
    for reader in (one, _signed_in(app, coordinator)):
        page = reader.get("/cases/same-child/")
        assert page.status_code == 200
        assert all(r in page.text for r in refs)
        assert "Melnyk" not in page.text and "Iryna" not in page.text
    for outsider in (two, _signed_in(app, elsewhere)):
        page = outsider.get("/cases/same-child/")
        assert refs[1] not in page.text and "Nothing to check" in page.text
    # The check is an audited event on both cases.
    checks = [e.case_ref for e in _events(db_session, "duplicate.check")]
    assert refs[1] in checks and refs[0] in checks


def test_an_alias_and_a_cyrillic_spelling_are_found_by_the_check(
    app: Flask, db_session: Session
) -> None:
    first = make_user(username="anna")
    second = make_user(username="berta")
    with app.app_context():
        existing = open_case(
            db_session, first, given_name="Ірина", family_name="Мельник",
            date_of_birth=date(2012, 3, 4),
        )  # fmt: skip
        aliased = open_case(
            db_session, first, given_name="Olha", family_name="Bondar",
            date_of_birth=date(2011, 1, 2),
        )  # fmt: skip
        change = casefile.IdentityChange(
            "Olha", "Bondar", date(2011, 1, 2), "female", aliases=("Natasha Petrova",)
        )
        casefile.update_identity(db_session, caller_of(first), aliased, change, 1)
    two = _signed_in(app, second)
    _case_of(_open_by_form(two))  # Iryna Melnyk, typed in Latin letters
    _case_of(
        _open_by_form(two, given_name="Natasha", family_name="Petrova", date_of_birth="2011-01-02")
    )
    found = {i.existing_case_id for i in db_session.scalars(select(PossibleSameChild))}
    assert found == {existing, aliased}


def test_another_date_of_birth_is_not_a_match(app: Flask, db_session: Session) -> None:
    first = make_user(username="anna")
    second = make_user(username="berta")
    with app.app_context():
        open_case(db_session, first, given_name="Iryna", family_name="Melnyk",
                  date_of_birth=date(2010, 1, 1))  # fmt: skip
    _case_of(_open_by_form(_signed_in(app, second)))
    assert not db_session.scalars(select(PossibleSameChild)).all()


def test_every_check_reads_as_many_cases_whatever_it_finds(
    app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Constant work: a hidden match does not cost more decryption than no match."""
    first = make_user(username="anna")
    second = make_user(username="berta")
    with app.app_context():
        for number in range(duplicates_module.CHECK_SLOTS + 2):
            open_case(db_session, first, given_name=f"Child{number}", family_name="Other")
        open_case(db_session, first, given_name="Iryna", family_name="Melnyk",
                  date_of_birth=date(2012, 3, 4))  # fmt: skip
    read: list[int] = []
    original = search_module._decrypted_terms

    def counting(session: Session, models: Any, case_ids: list[uuid.UUID]) -> Any:
        read.append(len(case_ids))
        return original(session, models, case_ids)

    monkeypatch.setattr(duplicates_module, "_decrypted_terms", counting)
    with app.app_context():
        matched = duplicates_module.check_before_opening(
            db_session,
            caller_of(second),
            casefile.NewChild("Iryna", "Melnyk", date(2012, 3, 4), "female"),
        )
        db_session.rollback()
        nothing = duplicates_module.check_before_opening(
            db_session,
            caller_of(second),
            casefile.NewChild("Zyxw", "Qwrt", date(2012, 3, 4), "female"),
        )
        db_session.rollback()
    assert len(matched.hidden) == 1 and nothing.hidden == []
    assert read == [duplicates_module.CHECK_SLOTS, duplicates_module.CHECK_SLOTS]


def _item(db_session: Session) -> PossibleSameChild:
    return db_session.scalars(select(PossibleSameChild)).one()


def _hidden_pair(app: Flask, db_session: Session) -> tuple[User, User, uuid.UUID, uuid.UUID]:
    first = make_user(username="anna")
    second = make_user(username="berta")
    with app.app_context():
        existing = open_case(db_session, first, given_name="Iryna", family_name="Melnyk",
                             date_of_birth=date(2012, 3, 4))  # fmt: skip
        new = open_case(db_session, second, given_name="Iryna", family_name="Melnyk",
                        date_of_birth=date(2012, 3, 4))  # fmt: skip
    return first, second, existing, new


def _decide(
    client: FlaskClient, item: PossibleSameChild, what: str, version: int | None = None
) -> TestResponse:
    page = client.get("/cases/same-child/")
    return client.post(
        f"/cases/same-child/{item.id}/{what}",
        data={"version": str(version or item.version), "csrf_token": csrf_token(page.text)},
    )


def test_the_lead_links_the_cases_and_both_teams_see_the_other_reference(
    app: Flask, db_session: Session
) -> None:
    first, second, existing, new = _hidden_pair(app, db_session)
    item = _item(db_session)
    lead = _signed_in(app, first)
    assert _decide(lead, item, "link").status_code == 302
    db_session.expire_all()
    assert _item(db_session).state == "linked"
    assert db_session.scalars(select(CaseLink)).one().other(existing) == new
    refs = {_reference(db_session, existing), _reference(db_session, new)}
    assert {e.case_ref for e in _events(db_session, "case.link")} == refs
    mine = lead.get(f"/cases/{existing}/links").text
    theirs = _signed_in(app, second).get(f"/cases/{new}/links").text
    assert _reference(db_session, new) in mine and _reference(db_session, existing) in theirs
    # Linking grants nothing: the other case is still out of reach.
    assert lead.get(f"/cases/{new}").status_code == 404
    # A decided item cannot be decided again.
    again = _decide(lead, item, "dismiss", version=item.version + 1)
    assert again.status_code == 302
    db_session.expire_all()
    assert _item(db_session).state == "linked"


def test_a_dismissal_is_recorded_on_both_cases_and_only_on_that_item(
    app: Flask, db_session: Session
) -> None:
    first, _second, existing, new = _hidden_pair(app, db_session)
    third = make_user(username="carl")
    with app.app_context():
        other = open_case(db_session, third, given_name="Iryna", family_name="Melnyk",
                          date_of_birth=date(2012, 3, 4))  # fmt: skip
    items = db_session.scalars(select(PossibleSameChild).order_by(PossibleSameChild.found_at)).all()
    mine = next(i for i in items if i.existing_case_id == existing and i.new_case_id == new)
    lead = _signed_in(app, first)
    assert _decide(lead, mine, "dismiss").status_code == 302
    db_session.expire_all()
    states = {
        (i.new_case_id, i.existing_case_id): i.state
        for i in db_session.scalars(select(PossibleSameChild))
    }
    assert states[(new, existing)] == "dismissed"
    assert all(s == "open" for k, s in states.items() if k != (new, existing))
    assert {e.case_ref for e in _events(db_session, "duplicate.decide")} == {
        _reference(db_session, existing),
        _reference(db_session, new),
    }
    # The third case's items (with either case) are untouched.
    assert [s for k, s in states.items() if other in k] == ["open", "open"]


def test_nobody_else_decides_an_item_and_a_forged_id_is_a_missing_case(
    app: Flask, db_session: Session
) -> None:
    first, second, existing, new = _hidden_pair(app, db_session)
    item = _item(db_session)
    member = make_user(username="dora", role="ngo_worker")
    with app.app_context():
        from tests.factories import add_member

        add_member(db_session, existing, member)
    coordinator_elsewhere = make_user(
        username="tartu",
        role="coordinator",
        organisation=make_organisation(name="Tartu coordination", region="Tartu"),
    )
    for user in (second, member, coordinator_elsewhere):
        client = _signed_in(app, user)
        assert _decide(client, item, "link").status_code == 404
        assert _decide(client, item, "dismiss").status_code == 404
    forged = PossibleSameChild(
        id=uuid.uuid4(), new_case_id=new, existing_case_id=existing, region="x"
    )
    assert _decide(_signed_in(app, first), forged, "link", version=1).status_code == 404
    db_session.expire_all()
    assert _item(db_session).state == "open"
    assert not db_session.scalars(select(CaseLink)).all()
    # A stale version (replayed form) changes nothing.
    assert (
        _decide(_signed_in(app, first), item, "link", version=item.version + 5).status_code == 409
    )
    db_session.expire_all()
    assert _item(db_session).state == "open"


def _open_as(
    db_session: Session, user: User, given: str, family: str, born: date, *numbers: str
) -> uuid.UUID:
    documents = tuple(casefile.NewDocument("passport", n, "EE") for n in numbers)
    return casefile.open_case(
        db_session,
        caller_of(user),
        casefile.NewChild(given, family, born, "female", documents=documents),
    )


def _items_for(db_session: Session, case_id: uuid.UUID) -> int:
    return len(
        db_session.scalars(
            select(PossibleSameChild).where(PossibleSameChild.existing_case_id == case_id)
        ).all()
    )


@pytest.fixture
def descending_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new row's id below the one before: a case opened later sorts first by id,
    as random ids often do."""
    counter = iter(range(2**128 - 1, 0, -1))
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))


def test_a_user_cannot_crowd_a_match_out_with_cases_of_their_own(
    app: Flask, db_session: Session, descending_ids: None
) -> None:
    """Twelve intakes of one name by one officer: the officer's own cases (offered on the
    form anyway) never take the slots, so every intake reaches the other team's case;
    an exact document number is found whatever the name, in slots of its own."""
    anna = make_user(username="anna")
    police = make_user(username="olev", role="police")
    born = date(2012, 5, 8)
    with app.app_context():
        existing = _open_as(db_session, anna, "Kertu", "Õunapuu", born, "EE 55667788")
        for number in range(12):
            _open_as(db_session, police, "Kertu", "Ounapuu", born)
            assert _items_for(db_session, existing) == number + 1, number
        _open_as(db_session, police, "Other", "Kid", date(2009, 9, 9), "ee-5566 7788")
        assert _items_for(db_session, existing) == 13
        _open_as(db_session, police, "Kertu", "Ounapuu", born, "EE55667788")
        assert _items_for(db_session, existing) == 14


def test_candidates_beyond_the_slots_still_leave_items_oldest_checked_first(
    app: Flask, db_session: Session
) -> None:
    """More cases of other teams than the check reads: the oldest are read, and the rest
    are still left as items (unread) for their leads and the region's coordinator."""
    anna = make_user(username="anna")
    police = make_user(username="olev", role="police")
    carl = make_user(username="carl", role="police")
    born = date(2012, 5, 8)
    slots = duplicates_module.CHECK_SLOTS
    with app.app_context():
        existing = _open_as(db_session, anna, "Kertu", "Õunapuu", born)
        others = [_open_as(db_session, police, "Kertu", "Ounapuu", born) for _ in range(slots)]
        found = duplicates_module.matching_cases(
            db_session,
            casefile.NewChild("Kertu", "Ounapuu", born, "female"),
            caller_id=carl.id,
        )
        db_session.rollback()
        assert [c.id for c in found.checked] == [existing, *others[: slots - 1]]
        assert [c.id for c in found.unchecked] == others[slots - 1 :]
        new = _open_as(db_session, carl, "Kertu", "Ounapuu", born)
    items = db_session.scalars(
        select(PossibleSameChild).where(PossibleSameChild.new_case_id == new)
    ).all()
    assert {i.existing_case_id for i in items} == {existing, *others}


def test_a_document_number_is_checked_before_the_name(app: Flask, db_session: Session) -> None:
    """Other teams' cases of the same name fill no slot a document number needs: the
    case holding the number is read, and found, first."""
    anna = make_user(username="anna")
    police = make_user(username="olev", role="police")
    carl = make_user(username="carl", role="police")
    born = date(2012, 5, 8)
    with app.app_context():
        for _ in range(duplicates_module.CHECK_SLOTS + 1):
            _open_as(db_session, police, "Kertu", "Ounapuu", born)
        holder = _open_as(db_session, anna, "Mari", "Tamm", date(2011, 1, 1), "EE 55667788")
        found = duplicates_module.matching_cases(
            db_session,
            casefile.NewChild("Kertu", "Ounapuu", born, "female"),
            ("ee-5566 7788",),
            caller_id=carl.id,
        )
        db_session.rollback()
    assert found.checked[0].id == holder
    assert len(found.checked) == duplicates_module.CHECK_SLOTS
