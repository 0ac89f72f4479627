"""Merging two linked cases of one child: both leads must agree; every record moves to
the survivor under its key; the merged case is a stub whose key is destroyed."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework import casefile, clock
from casework.audit.checkpoints import current_checkpointer
from casework.audit.verify import verify_database
from casework.auth import sessions
from casework.casefile.samechild.duplicates import link_cases
from casework.casefile.work import finishing
from casework.crypto.registry import encrypted_models
from casework.models import (
    AuditEvent,
    Base,
    BlindIndexEntry,
    BreakGlassGrant,
    Case,
    CaseHistoryEntry,
    CaseMerge,
    ChildAlias,
    Notification,
    PreviousCaseKey,
    TeamMembership,
    User,
)
from casework.models.case import KEY_DESTROYED
from tests.conftest import csrf_token, login, new_client, post_form, search
from tests.factories import make_user, open_case
from tests.records import caller_of
from tests.security.record_scenario import (
    ADDRESS,
    DOCUMENT_NUMBER,
    GUARDIAN_NAME,
    INVESTIGATION,
    NARRATIVE,
    add_records,
)

EMERGENCY = "Emergency-marker: the child is missing since this morning"


def _client(app: Flask, user: User) -> FlaskClient:
    client = new_client(app)
    assert login(client, user.username).status_code == 302
    return client


class Pair:
    def __init__(self, app: Flask, db_session: Session) -> None:
        self.anna = make_user(username="anna")
        self.berta = make_user(username="berta")
        self.eve = make_user(username="eve", role="prosecutor")
        with app.app_context():
            self.merged = open_case(
                db_session, self.anna, given_name="Ірина", family_name="Мельник",
                date_of_birth=date(2012, 3, 4),
            )  # fmt: skip
            add_records(app, db_session, self.merged, self.anna)
            change = casefile.IdentityChange(
                "Ірина", "Мельник", date(2012, 3, 4), "female", aliases=("Natasha Petrova",)
            )
            casefile.update_identity(db_session, caller_of(self.anna), self.merged, change, 1)
            casefile.open_break_glass(
                db_session, caller_of(self.eve), self.reference(db_session, self.merged), EMERGENCY
            )
            self.survivor = open_case(
                db_session, self.berta, given_name="Iryna", family_name="Melnyk",
                date_of_birth=date(2012, 3, 4),
            )  # fmt: skip
            casefile.save_placement(
                db_session, caller_of(self.berta), self.survivor,
                casefile.PlacementChange("residential_care", "Survivor street 1", None), None,
            )  # fmt: skip
            with finishing(db_session):
                link_cases(db_session, caller_of(self.berta), self.survivor, self.merged)

    @staticmethod
    def reference(db_session: Session, case_id: uuid.UUID) -> str:
        return db_session.get_one(Case, case_id).reference


@pytest.fixture
def pair(app: Flask, db_session: Session) -> Pair:
    return Pair(app, db_session)


def _agree(
    client: FlaskClient, case_id: uuid.UUID, other_id: uuid.UUID, survivor: uuid.UUID, **extra: str
) -> TestResponse:
    url = f"/cases/{case_id}/merge/{other_id}"
    return post_form(client, url, {"survivor": str(survivor), "confirm": "y", **extra})


def test_one_lead_alone_never_merges(app: Flask, db_session: Session, pair: Pair) -> None:
    anna = _client(app, pair.anna)
    answer = _agree(anna, pair.merged, pair.survivor, pair.survivor)
    assert answer.status_code == 302
    db_session.expire_all()
    assert db_session.get_one(Case, pair.merged).status == "open"
    assert db_session.get(CaseMerge, pair.merged) is None
    # Agreeing again, or for the other side's case, changes nothing either.
    assert _agree(anna, pair.merged, pair.survivor, pair.survivor).status_code == 302
    assert _agree(anna, pair.survivor, pair.merged, pair.survivor).status_code == 404
    db_session.expire_all()
    assert db_session.get_one(Case, pair.merged).status == "open"


def test_agreements_to_different_survivors_do_not_merge(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    _agree(_client(app, pair.anna), pair.merged, pair.survivor, pair.survivor)
    _agree(_client(app, pair.berta), pair.survivor, pair.merged, pair.merged)
    db_session.expire_all()
    assert db_session.get_one(Case, pair.merged).status == "open"
    assert db_session.get_one(Case, pair.survivor).status == "open"


def test_an_agreement_by_a_lead_who_has_handed_the_case_on_counts_for_nothing(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    _agree(_client(app, pair.anna), pair.merged, pair.survivor, pair.survivor)
    lead = db_session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == pair.merged, TeamMembership.user_id == pair.anna.id
        )
    ).one()
    lead.ends_on = clock.today()
    db_session.commit()
    _agree(_client(app, pair.berta), pair.survivor, pair.merged, pair.survivor)
    db_session.expire_all()
    assert db_session.get_one(Case, pair.merged).status == "open"


def test_only_the_lead_agrees_and_only_for_a_linked_case(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    member = db_session.scalars(select(User).where(User.username == "recorder")).one()
    officer = _client(app, member)
    assert _agree(officer, pair.merged, pair.survivor, pair.survivor).status_code == 403
    unlinked = make_user(username="carl")
    with app.app_context():
        third = open_case(db_session, unlinked, given_name="Other", family_name="Child")
    anna = _client(app, pair.anna)
    assert _agree(anna, pair.merged, third, pair.merged).status_code == 404
    assert anna.get(f"/cases/{pair.merged}/merge/{third}").status_code == 404
    # A survivor that is neither case is refused beside the field.
    page = _agree(anna, pair.merged, pair.survivor, third)
    assert page.status_code == 200 and "Not a valid choice" in page.text
    # Without the confirmation nothing is recorded.
    page = post_form(
        anna, f"/cases/{pair.merged}/merge/{pair.survivor}", {"survivor": str(pair.survivor)}
    )
    assert "Confirm that both cases are about the same child." in page.text
    assert not db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.merge_agree")
    ).all()


def test_merging_asks_for_a_fresh_sign_in(
    app: Flask, db_session: Session, pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = _client(app, pair.anna)
    token = csrf_token(anna.get(f"/cases/{pair.merged}").text)
    monkeypatch.setattr(sessions, "is_fresh", lambda row, settings: False)
    page = anna.get(f"/cases/{pair.merged}/merge/{pair.survivor}")
    assert page.status_code == 302 and "/reauth" in page.headers["Location"]
    data = {"survivor": str(pair.survivor), "confirm": "y", "csrf_token": token}
    answer = anna.post(f"/cases/{pair.merged}/merge/{pair.survivor}", data=data)
    assert answer.status_code == 302 and "/reauth" in answer.headers["Location"]
    assert not db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.merge_agree")
    ).all()


def _merge(app: Flask, pair: Pair) -> tuple[FlaskClient, FlaskClient]:
    anna, berta = _client(app, pair.anna), _client(app, pair.berta)
    assert _agree(anna, pair.merged, pair.survivor, pair.survivor).status_code == 302
    done = _agree(berta, pair.survivor, pair.merged, pair.survivor)
    assert done.status_code == 302 and done.headers["Location"].endswith(str(pair.survivor))
    return anna, berta


def test_a_merge_moves_every_record_into_the_survivor(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    merged_ref = pair.reference(db_session, pair.merged)
    _, berta = _merge(app, pair)
    db_session.expire_all()
    stub = db_session.get_one(Case, pair.merged)
    assert stub.status == "merged" and stub.wrapped_dek == KEY_DESTROYED
    assert db_session.get_one(CaseMerge, pair.merged).survivor_case_id == pair.survivor
    assert not db_session.scalars(
        select(PreviousCaseKey).where(PreviousCaseKey.case_id == pair.merged)
    ).all()
    for model in encrypted_models(Base.registry):
        column = getattr(model.model, model.case_column)
        if model.model is not Case:
            assert not db_session.scalars(select(model.model).where(column == pair.merged)).all()
    assert not db_session.scalars(
        select(BlindIndexEntry).where(BlindIndexEntry.case_id == pair.merged)
    ).all()
    # The survivor's lead reads the merged records; the survivor's own placement stays,
    # the merged one is in the history.
    page = berta.get(f"/cases/{pair.survivor}").text
    for marker in (NARRATIVE, GUARDIAN_NAME, DOCUMENT_NUMBER, "Survivor street 1", EMERGENCY):
        assert marker in page, marker
    assert ADDRESS in page  # in the history, as the merged case's placement
    assert INVESTIGATION not in page  # a social worker never reads investigation details
    assert merged_ref in page and "merged from another case" in page
    # The merged case's team joined: its police officer reads the investigation there.
    recorder = db_session.scalars(select(User).where(User.username == "recorder")).one()
    officer_page = _client(app, recorder).get(f"/cases/{pair.survivor}").text
    assert INVESTIGATION in officer_page and NARRATIVE in officer_page
    # The merged child's names are aliases of the survivor's child now, and found.
    with app.app_context():
        aliases = {
            a.name
            for a in db_session.scalars(
                select(ChildAlias).where(ChildAlias.case_id == pair.survivor)
            )
        }
        history = db_session.scalars(
            select(CaseHistoryEntry).where(
                CaseHistoryEntry.case_id == pair.survivor, CaseHistoryEntry.change == "merge"
            )
        ).all()
        assert any(h.previous.get("merged_case") == merged_ref for h in history)
        report = verify_database(db_session, current_checkpointer().signer.public_key)
    assert {"Ірина Мельник", "Natasha Petrova"} <= aliases
    found = search(berta, {"name": "natasha petrova"}).text
    assert pair.reference(db_session, pair.survivor) in found
    # The audit chain still verifies, and the merge is on both cases.
    assert report.intact, report.damage
    merges = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "case.merge"))
    assert {e.case_ref for e in merges} == {merged_ref, pair.reference(db_session, pair.survivor)}


def test_break_glass_on_the_merged_case_ends_and_never_reaches_the_survivor(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    eve = _client(app, pair.eve)
    assert eve.get(f"/cases/{pair.merged}").status_code == 200
    _merge(app, pair)
    db_session.expire_all()
    grant = db_session.scalars(select(BreakGlassGrant)).one()
    assert grant.case_id == pair.survivor and grant.expires_at <= clock.utcnow()
    with app.app_context():
        assert grant.reason == EMERGENCY
    assert eve.get(f"/cases/{pair.survivor}").status_code == 404
    assert eve.get(f"/cases/{pair.merged}").status_code == 404


def test_the_stub_points_to_the_survivor_and_refuses_every_change(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    anna, _ = _merge(app, pair)
    stub = anna.get(f"/cases/{pair.merged}")
    assert stub.status_code == 200
    assert pair.reference(db_session, pair.survivor) in stub.text
    assert "This case was merged into" in stub.text
    assert "Мельник" not in stub.text
    carl = make_user(username="carl")
    team = anna.get(f"/cases/{pair.merged}/team")
    assert team.status_code == 302 and team.headers["Location"].endswith(str(pair.merged))
    page = anna.get(f"/cases/{pair.survivor}")
    attempts: list[tuple[str, dict[str, Any]]] = [
        (
            f"/cases/{pair.merged}/team",
            {
                "user": str(carl.id),
                "actor_type": "ngo",
                "role_in_team": "member",
                "starts_on": clock.today().isoformat(),
            },
        ),
        (
            f"/cases/{pair.merged}/identity",
            {"given_name": "X", "family_name": "Y", "sex": "female", "version": "1"},
        ),
        (
            f"/cases/{pair.merged}/merge/{pair.survivor}",
            {"survivor": str(pair.merged), "confirm": "y"},
        ),
    ]
    for url, data in attempts:
        answer = anna.post(url, data={**data, "csrf_token": csrf_token(page.text)})
        assert answer.status_code in (302, 404, 409), (url, answer.status_code)
        assert answer.status_code != 500
    db_session.expire_all()
    assert not db_session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == pair.merged, TeamMembership.user_id == carl.id
        )
    ).all()
    assert db_session.get_one(Case, pair.merged).status == "merged"
    # The lead of the merged case is on the survivor's team now, as a member.
    membership = db_session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == pair.survivor, TeamMembership.user_id == pair.anna.id
        )
    ).one()
    assert membership.role_in_team == "member"
    assert anna.get(f"/cases/{pair.survivor}").status_code == 200


def test_the_merged_team_joins_with_history_added_by_and_notices(
    app: Flask, db_session: Session, pair: Pair
) -> None:
    """The merge page names who will join either way; each person joining the survivor's
    team is a team change like any other: added by the lead whose agreement completed
    the merge, in the survivor's history, audited; the survivor's lead is notified and
    the person joining is told."""
    joining = db_session.scalars(
        select(User)
        .join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.case_id == pair.merged)
    ).all()
    assert {u.username for u in joining} >= {"anna", "recorder"}
    anna, berta = _client(app, pair.anna), _client(app, pair.berta)
    page = anna.get(f"/cases/{pair.merged}/merge/{pair.survivor}").text
    survivor_ref = pair.reference(db_session, pair.survivor)
    merged_ref = pair.reference(db_session, pair.merged)
    here = re.search(rf"If {survivor_ref} goes on, these people join its team: ([^<]*)\.", page)
    assert here, page
    assert {n.strip() for n in here.group(1).split(",")} == {u.display_name for u in joining}
    there = re.search(rf"If {merged_ref} goes on, these people join its team: ([^<]*)\.", page)
    assert there and there.group(1).strip() == pair.berta.display_name
    before = set(db_session.scalars(select(CaseHistoryEntry.id)))
    # The survivor's lead agrees first; the merged case's lead completes the merge.
    assert _agree(berta, pair.survivor, pair.merged, pair.survivor).status_code == 302
    done = _agree(anna, pair.merged, pair.survivor, pair.survivor)
    assert done.status_code == 302
    db_session.expire_all()
    joined = db_session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == pair.survivor, TeamMembership.user_id != pair.berta.id
        )
    ).all()
    assert {m.user_id for m in joined} == {u.id for u in joining}
    assert {(m.added_by_id, m.added_by_role, m.role_in_team) for m in joined} == {
        (pair.anna.id, "social_worker", "member")
    }
    with app.app_context():
        created = [
            h.current["member"]
            for h in db_session.scalars(
                select(CaseHistoryEntry).where(
                    CaseHistoryEntry.case_id == pair.survivor,
                    CaseHistoryEntry.field_group == "team",
                    CaseHistoryEntry.change == "create",
                )
            )
            if h.id not in before
        ]
    assert sorted(created) == sorted(u.display_name for u in joining)
    changes = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "team.change", AuditEvent.case_ref == survivor_ref
        )
    ).all()
    assert {e.subject for e in changes} >= {u.username for u in joining}
    notices = db_session.scalars(
        select(Notification).where(Notification.case_id == pair.survivor)
    ).all()
    added = [n.user_id for n in notices if n.kind == "member_added"]
    assert added == [pair.berta.id] * len(joining)
    handed = {n.user_id for n in notices if n.kind == "case_handed"}
    assert handed == {u.id for u in joining} - {pair.anna.id}
    # The lead sees who added them, on the team screen.
    team = berta.get(f"/cases/{pair.survivor}/team").text
    assert pair.anna.display_name in team
