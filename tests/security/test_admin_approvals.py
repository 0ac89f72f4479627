"""An administrator cannot reach child data through accounts: what would let them (a new
account or a role that reads cases, the admin role, an administrator's factor reset or
status) waits for a second administrator who is not the requester, the subject, or an
account either of them made or changed; a second-factor reset never lets the
administrator choose the password, is no password oracle, and is told to the person."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from casework.models import (
    AuditEvent,
    Enrolment,
    Notification,
    PendingApproval,
    User,
    UserNotice,
)
from tests.conftest import csrf_token, login, new_client, post_form
from tests.factories import PASSWORD, add_member, make_user, open_case

NEW_PASSWORD = "seven orange kites over riga"


def _admin(app: Flask, username: str) -> FlaskClient:
    client = new_client(app)
    assert login(client, username).status_code == 302
    return client


def _create(client: FlaskClient, org: uuid.UUID, role: str, username: str = "ilze") -> TestResponse:
    return post_form(
        client,
        "/admin/users/new",
        {"username": username, "display_name": "Ilze K", "role": role, "organisation": str(org)},
    )


def _approval(db_session: Session, username: str) -> PendingApproval:
    db_session.expire_all()
    return db_session.scalars(
        select(PendingApproval)
        .join(User, User.id == PendingApproval.subject_id)
        .where(User.username == username)
        .order_by(PendingApproval.requested_at.desc())
    ).first()  # type: ignore[return-value]


def _decide(client: FlaskClient, approval_id: uuid.UUID, decision: str = "approve") -> TestResponse:
    page = client.get("/admin/approvals")
    return client.post(
        f"/admin/approvals/{approval_id}",
        data={"decision": decision, "csrf_token": csrf_token(page.text)},
    )


def _link(html: str) -> str:
    found = re.search(r'href="http://localhost(/enrol/[^"]+)"', html)
    assert found, html
    return found.group(1)


def _user(db_session: Session, username: str) -> User:
    db_session.expire_all()
    user = db_session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _enrol(client: FlaskClient, link: str, code: str | None) -> TestResponse:
    page = client.get(link)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page.text)
    assert secret, page.text
    data = {
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "code": pyotp.TOTP(secret.group(1)).now(),
        "csrf_token": csrf_token(page.text),
    }
    if code is not None:
        data["enrolment_code"] = code
    return client.post(link, data=data)


# --- a case-reading account needs two administrators -------------------------------


@pytest.mark.parametrize("role", ["social_worker", "ngo_worker", "interpreter", "admin"])
def test_a_new_case_reading_or_admin_account_waits_and_needs_both_halves(
    app: Flask, db_session: Session, role: str
) -> None:
    root = make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    first = _admin(app, "root")
    created = _create(first, root.organisation_id, role)
    assert created.status_code == 200
    assert "/enrol/" not in created.text  # the creator never sees the link
    code = re.search(r'class="secret">([A-Z0-9-]+)<', created.text)
    assert code, created.text
    user = _user(db_session, "ilze")
    assert not user.active and user.role == role
    assert db_session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)).all() == []
    # The creator cannot approve their own request.
    approval = _approval(db_session, "ilze")
    assert _decide(first, approval.id).status_code == 302
    assert _approval(db_session, "ilze").state == "pending"
    second = _admin(app, "other")
    approved = _decide(second, approval.id)
    assert approved.status_code == 200
    link = _link(approved.text)
    assert code.group(1) not in approved.text  # nor does the approver see the code
    # The link alone does not enrol; link and code do.
    person = new_client(app)
    refused = _enrol(person, link, "AAAA-BBBB-CCCC")
    assert "enrolment code is not correct" in refused.text
    assert _user(db_session, "ilze").totp_secret_enc is None
    done = _enrol(person, link, code.group(1))
    assert "recovery" in done.text.lower()
    enrolled = _user(db_session, "ilze")
    assert enrolled.active and enrolled.totp_secret_enc is not None


def test_a_role_that_reads_no_cases_gets_its_link_at_once(app: Flask, db_session: Session) -> None:
    root = make_user(username="root", admin=True)
    created = _create(_admin(app, "root"), root.organisation_id, "auditor")
    link = _link(created.text)
    assert "recovery" in _enrol(new_client(app), link, None).text.lower()
    assert _user(db_session, "ilze").active


def test_the_same_person_with_a_second_admin_account_cannot_approve(
    app: Flask, db_session: Session
) -> None:
    """root made root2 (or last changed it): root2 does not decide root's requests, nor
    requests about root."""
    root = make_user(username="root", admin=True)
    make_user(username="root2", admin=True, created_by_id=root.id)
    make_user(username="root3", admin=True, changed_by_id=root.id)
    victim = make_user(username="liga", auditor=True)
    first = _admin(app, "root")
    response = post_form(
        first,
        f"/admin/users/{victim.id}",
        {"role": "social_worker", "organisation": str(victim.organisation_id)},
    )
    assert response.status_code == 200  # waiting, with the code for enrolling again
    approval = _approval(db_session, "liga")
    for name in ("root2", "root3"):
        refused = _decide(_admin(app, name), approval.id)
        assert refused.status_code == 302
        assert _approval(db_session, "liga").state == "pending"
        assert _user(db_session, "liga").role == "auditor"
    denied = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "approval.decide", AuditEvent.outcome == "denied"
        )
    ).all()
    assert {e.actor for e in denied} == {"root2", "root3"}


def test_a_second_admin_account_cannot_grant_its_owner_a_case_role(
    app: Flask, db_session: Session
) -> None:
    """root2 asks to make root a social worker: root (the subject) cannot approve, nor
    can an account root made."""
    root = make_user(username="root", admin=True)
    make_user(username="root2", admin=True)
    make_user(username="puppet", admin=True, created_by_id=root.id)
    asking = _admin(app, "root2")
    post_form(
        asking,
        f"/admin/users/{root.id}",
        {"role": "social_worker", "organisation": str(root.organisation_id)},
    )
    approval = _approval(db_session, "root")
    for name in ("root", "puppet"):
        _decide(_admin(app, name), approval.id)
        assert _user(db_session, "root").role == "admin"


def _enrolled_admin(app: Flask, db_session: Session, maker: str, approver: str) -> FlaskClient:
    """`maker` creates the administrator account "admin3", `approver` approves it, and
    the person enrols on the link with the code and signs in: the client of admin3."""
    org = _user(db_session, maker).organisation_id
    created = _create(_admin(app, maker), org, "admin", username="admin3")
    code = re.search(r'class="secret">([A-Z0-9-]+)<', created.text)
    assert code, created.text
    approved = _decide(_admin(app, approver), _approval(db_session, "admin3").id)
    link = _link(approved.text)
    enrolling = new_client(app)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', enrolling.get(link).text)
    assert secret
    assert "recovery" in _enrol(enrolling, link, code.group(1)).text.lower()
    client = new_client(app)
    assert _sign_in_with(client, "admin3", NEW_PASSWORD).headers["Location"].endswith("/login/code")
    page = client.get("/login/code")
    signed_in = client.post(
        "/login/code",
        data={
            "code": pyotp.TOTP(secret.group(1)).at(time.time() + 30),
            "csrf_token": csrf_token(page.text),
        },
    )
    assert signed_in.status_code == 302
    return client


def test_an_account_one_made_never_asks_what_its_maker_approves(
    app: Flask, db_session: Session
) -> None:
    """The attack, end to end: admin creates admin3 (admin2 approves it, the same person
    enrols it); admin3 asks for another account's role change; admin may not approve it,
    an independent administrator may."""
    make_user(username="admin", admin=True)
    make_user(username="admin2", admin=True)
    make_user(username="other", admin=True)
    victim = make_user(username="liga")
    admin3 = _enrolled_admin(app, db_session, "admin", "admin2")
    asked = post_form(
        admin3,
        f"/admin/users/{victim.id}",
        {"role": "police", "organisation": str(victim.organisation_id)},
    )
    assert asked.status_code == 302
    approval = _approval(db_session, "liga")
    assert approval.state == "pending"
    maker = _admin(app, "admin")
    assert 'value="approve"' not in maker.get("/admin/approvals").text
    refused = _decide(maker, approval.id)
    assert refused.status_code == 302
    assert _approval(db_session, "liga").state == "pending"
    assert _user(db_session, "liga").role == "social_worker"
    denied = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "approval.decide",
            AuditEvent.outcome == "denied",
            AuditEvent.actor == "admin",
        )
    ).all()
    assert len(denied) == 1
    # Nor does admin3 decide a request its maker made.
    other_victim = make_user(username="nils")
    post_form(
        maker,
        f"/admin/users/{other_victim.id}",
        {"role": "police", "organisation": str(other_victim.organisation_id)},
    )
    _decide(admin3, _approval(db_session, "nils").id)
    assert _user(db_session, "nils").role == "social_worker"
    # An administrator linked to neither approves.
    assert _decide(_admin(app, "other"), approval.id).status_code == 302
    assert _user(db_session, "liga").role == "police"


@pytest.mark.parametrize(
    ("asking", "approving"),
    [("a3", "a1"), ("a1", "a3"), ("a3", "a2"), ("a2", "a3"), ("a1", "a2")],
)
def test_a_chain_of_accounts_made_or_changed_by_one_another_decides_nothing_of_its_own(
    app: Flask, db_session: Session, asking: str, approving: str
) -> None:
    """a1 made a2, a2 last changed a3: none of them decides a request of another, in
    either direction; an unrelated administrator does."""
    a1 = make_user(username="a1", admin=True)
    a2 = make_user(username="a2", admin=True, created_by_id=a1.id)
    make_user(username="a3", admin=True, changed_by_id=a2.id)
    make_user(username="other", admin=True)
    victim = make_user(username="liga")
    post_form(
        _admin(app, asking),
        f"/admin/users/{victim.id}",
        {"role": "police", "organisation": str(victim.organisation_id)},
    )
    approval = _approval(db_session, "liga")
    assert _decide(_admin(app, approving), approval.id).status_code == 302
    assert _approval(db_session, "liga").state == "pending"
    assert _user(db_session, "liga").role == "social_worker"
    assert _decide(_admin(app, "other"), approval.id).status_code == 302
    assert _user(db_session, "liga").role == "police"


def test_the_subjects_chain_counts_too(app: Flask, db_session: Session) -> None:
    """A request about an account: not decided by an account that made the account
    that made it, nor by one made along a chain from it."""
    a1 = make_user(username="a1", admin=True)
    a2 = make_user(username="a2", admin=True, created_by_id=a1.id)
    victim = make_user(username="liga", auditor=True, created_by_id=a2.id)
    make_user(username="other", admin=True)
    make_user(username="asker", admin=True)
    post_form(
        _admin(app, "asker"),
        f"/admin/users/{victim.id}",
        {"role": "social_worker", "organisation": str(victim.organisation_id)},
    )
    approval = _approval(db_session, "liga")
    _decide(_admin(app, "a1"), approval.id)
    assert _approval(db_session, "liga").state == "pending"
    _decide(_admin(app, "other"), approval.id)
    assert _approval(db_session, "liga").state == "approved"


def test_an_independent_admin_approves_a_role_change_and_sessions_end(
    app: Flask, db_session: Session
) -> None:
    victim = make_user(username="liga")
    make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    session_of_liga = new_client(app)
    assert login(session_of_liga, "liga").status_code == 302
    post_form(
        _admin(app, "root"),
        f"/admin/users/{victim.id}",
        {"role": "police", "organisation": str(victim.organisation_id)},
    )
    assert _user(db_session, "liga").role == "social_worker"
    assert session_of_liga.get("/cases/").status_code == 200
    approved = _decide(_admin(app, "other"), _approval(db_session, "liga").id)
    assert approved.status_code == 302
    assert _user(db_session, "liga").role == "police"
    assert session_of_liga.get("/cases/").status_code == 302


def test_deactivating_or_activating_an_admin_needs_a_second_admin(
    app: Flask, db_session: Session
) -> None:
    target = make_user(username="target", admin=True)
    make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    root = _admin(app, "root")
    page = root.get(f"/admin/users/{target.id}")
    root.post(f"/admin/users/{target.id}/deactivate", data={"csrf_token": csrf_token(page.text)})
    assert _user(db_session, "target").active
    _decide(_admin(app, "other"), _approval(db_session, "target").id)
    assert not _user(db_session, "target").active


def _decisions(db_session: Session) -> list[tuple[str, str, str]]:
    """The approval decisions in the audit log: (actor, action, outcome), in order."""
    return [
        (e.actor, e.action, e.outcome)
        for e in db_session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["approval.decide", "approval.refuse"]))
            .order_by(AuditEvent.seq)
        )
    ]


def test_turning_down_changes_nothing(app: Flask, db_session: Session) -> None:
    victim = make_user(username="liga", auditor=True)
    root = make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    make_user(username="root2", admin=True, created_by_id=root.id)
    post_form(
        _admin(app, "root"),
        f"/admin/users/{victim.id}",
        {"role": "admin", "organisation": str(victim.organisation_id)},
    )
    approval = _approval(db_session, "liga")
    # An account root made may not turn root's request down either: denied, and logged.
    assert _decide(_admin(app, "root2"), approval.id, "refuse").status_code == 302
    assert _approval(db_session, "liga").state == "pending"
    assert _decide(_admin(app, "other"), approval.id, "refuse").status_code == 302
    assert _approval(db_session, "liga").state == "refused"
    assert _user(db_session, "liga").role == "auditor"
    assert _decide(_admin(app, "other"), approval.id).status_code == 302  # decided already
    assert _user(db_session, "liga").role == "auditor"
    # A refusal reads as one, not as a denied attempt to approve.
    assert _decisions(db_session) == [
        ("root2", "approval.refuse", "denied"),
        ("other", "approval.refuse", "allowed"),
    ]


def test_an_approval_and_a_denied_attempt_read_apart(app: Flask, db_session: Session) -> None:
    victim = make_user(username="liga", auditor=True)
    root = make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    make_user(username="root2", admin=True, created_by_id=root.id)
    post_form(
        _admin(app, "root"),
        f"/admin/users/{victim.id}",
        {"role": "police", "organisation": str(victim.organisation_id)},
    )
    approval = _approval(db_session, "liga")
    assert _decide(_admin(app, "root2"), approval.id).status_code == 302
    assert _user(db_session, "liga").role == "auditor"
    approved = _decide(_admin(app, "other"), approval.id)
    assert approved.status_code == 200  # the link for enrolling again, with a case role
    assert _user(db_session, "liga").role == "police"
    assert _decisions(db_session) == [
        ("root2", "approval.decide", "denied"),
        ("other", "approval.decide", "allowed"),
    ]


# --- second-factor reset -----------------------------------------------------------


def _reset(app: Flask, admin: str, user: User) -> TestResponse:
    client = _admin(app, admin)
    page = client.get(f"/admin/users/{user.id}")
    return client.post(
        f"/admin/users/{user.id}/reset-second-factor", data={"csrf_token": csrf_token(page.text)}
    )


def _prove(client: FlaskClient, link: str, password: str) -> TestResponse:
    page = client.get(link)
    return client.post(link, data={"password": password, "csrf_token": csrf_token(page.text)})


def test_a_reset_link_lets_the_person_keep_their_password_and_the_admin_nothing(
    app: Flask, db_session: Session
) -> None:
    victim = make_user(username="liga")
    make_user(username="root", admin=True)
    link = _link(_reset(app, "root", victim).text)
    # The admin who holds the link sees no authenticator secret and cannot set a password.
    holder = new_client(app)
    first = holder.get(link)
    assert first.status_code == 200
    assert 'class="secret"' not in first.text and "<svg" not in first.text
    assert 'name="confirm"' not in first.text  # no password is chosen here
    db_session.expire_all()
    row = db_session.scalars(select(Enrolment).where(Enrolment.user_id == victim.id)).one()
    assert row.pending_secret_enc is None  # nothing derived before the password check
    wrong = _prove(holder, link, "an admin's best guess")
    assert 'class="secret"' not in wrong.text
    assert "not correct" in wrong.text
    db_session.expire_all()
    assert db_session.get_one(Enrolment, row.id).pending_secret_enc is None
    # The person proves their password, then sets up the new authenticator.
    person = new_client(app)
    proved = _prove(person, link, PASSWORD)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', proved.text)
    assert secret, proved.text
    # Another browser with the link still sees nothing.
    assert 'class="secret"' not in holder.get(link).text
    done = person.post(
        link,
        data={"code": pyotp.TOTP(secret.group(1)).now(), "csrf_token": csrf_token(proved.text)},
    )
    assert "recovery" in done.text.lower()
    user = _user(db_session, "liga")
    assert user.password_hash == victim.password_hash  # unchanged, the person's own
    assert user.totp_secret_enc is not None
    # The person is told at their next sign-in, once.
    client = new_client(app)
    page = client.get("/login")
    client.post(
        "/login",
        data={"username": "liga", "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    code_page = client.get("/login/code")
    signed_in = client.post(
        "/login/code",
        data={
            # The step after the one used to set up: a code is accepted once.
            "code": pyotp.TOTP(secret.group(1)).at(time.time() + 30),
            "csrf_token": csrf_token(code_page.text),
        },
        follow_redirects=True,
    )
    assert "An administrator reset your second factor" in signed_in.text
    notices = db_session.scalars(select(UserNotice).where(UserNotice.user_id == user.id)).all()
    assert notices and all(n.seen_at is not None for n in notices)


def test_the_reset_is_no_password_oracle(app: Flask, db_session: Session) -> None:
    """A wrong password, and the right password of a locked account: the same page, and
    each attempt is a failed sign-in."""
    victim = make_user(username="liga")
    make_user(username="root", admin=True)
    link = _link(_reset(app, "root", victim).text)
    strip = re.compile(r'value="[^"]*"')
    wrong = strip.sub("", _prove(new_client(app), link, "not the password at all").text)
    for _ in range(5):
        _prove(new_client(app), link, "not the password at all")
    locked = strip.sub("", _prove(new_client(app), link, PASSWORD).text)
    assert locked == wrong
    failures = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.failure", AuditEvent.actor == "liga")
    ).all()
    assert len(failures) == 7


def test_resetting_an_admins_factor_needs_a_second_admin(app: Flask, db_session: Session) -> None:
    target = make_user(username="target", admin=True)
    make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    response = _reset(app, "root", target)
    assert "/enrol/" not in response.text
    assert _user(db_session, "target").totp_secret_enc is not None
    approved = _decide(_admin(app, "other"), _approval(db_session, "target").id)
    link = _link(approved.text)
    assert _user(db_session, "target").totp_secret_enc is None
    assert 'class="secret"' not in new_client(app).get(link).text


# --- an account that reads no cases does not become one that does behind anyone's back --


def _sign_in_with(client: FlaskClient, username: str, password: str) -> TestResponse:
    """The password step of signing in."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )


@pytest.mark.parametrize("new_role", ["social_worker", "admin"])
@pytest.mark.parametrize(("asking", "approving"), [("root", "other"), ("other", "third")])
def test_an_enrolled_auditor_switched_to_a_case_role_enrols_again_on_both_halves(
    app: Flask, db_session: Session, new_role: str, asking: str, approving: str
) -> None:
    """root creates an auditor and holds its enrolment link, so root may hold its login.
    Switching it to a role that reads cases (or administers) waits for a second
    administrator, never the one who asked nor root, who made the account; the approval
    takes the old login away and the person enrols again with the asker's code and the
    approver's link. The person is told. Whoever held the auditor's login holds nothing
    afterwards."""
    root = make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    make_user(username="third", admin=True)
    created = _create(_admin(app, "root"), root.organisation_id, "auditor")
    link = _link(created.text)
    enrolling = new_client(app)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', enrolling.get(link).text)
    assert secret
    assert "recovery" in _enrol(enrolling, link, None).text.lower()
    auditor = new_client(app)
    assert _sign_in_with(auditor, "ilze", NEW_PASSWORD).headers["Location"].endswith("/login/code")
    page = auditor.get("/login/code")
    signed_in = auditor.post(
        "/login/code",
        data={
            # The step after the one used to set up: a code is accepted once.
            "code": pyotp.TOTP(secret.group(1)).at(time.time() + 30),
            "csrf_token": csrf_token(page.text),
        },
    )
    assert signed_in.status_code == 302
    assert auditor.get("/audit/").status_code == 200
    ilze = _user(db_session, "ilze")

    asker = _admin(app, asking)
    asked = post_form(
        asker,
        f"/admin/users/{ilze.id}",
        {"role": new_role, "organisation": str(ilze.organisation_id)},
    )
    assert asked.status_code == 200
    assert "/enrol/" not in asked.text
    code = re.search(r'class="secret">([A-Z0-9-]+)<', asked.text)
    assert code, asked.text
    assert _user(db_session, "ilze").role == "auditor"  # nothing changed yet
    approval = _approval(db_session, "ilze")
    assert approval.kind == "role_change" and approval.state == "pending"

    # The asker can never approve their own request, however they try.
    assert _decide(asker, approval.id).status_code == 302
    assert _approval(db_session, "ilze").state == "pending"
    assert _user(db_session, "ilze").role == "auditor"
    assert auditor.get("/audit/").status_code == 200
    denied = db_session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "approval.decide",
            AuditEvent.outcome == "denied",
            AuditEvent.actor == asking,
        )
    ).all()
    assert len(denied) == 1
    # Nor does root, who made the account, whoever asked.
    assert _decide(_admin(app, "root"), approval.id).status_code == 302
    assert _approval(db_session, "ilze").state == "pending"

    approved = _decide(_admin(app, approving), approval.id)
    assert approved.status_code == 200
    link = _link(approved.text)
    assert code.group(1) not in approved.text
    changed = _user(db_session, "ilze")
    assert changed.role == new_role
    assert changed.totp_secret_enc is None
    # The old login is gone: its session ended, its password signs in no more.
    assert auditor.get("/audit/").status_code == 302
    refused = _sign_in_with(new_client(app), "ilze", NEW_PASSWORD)
    assert refused.status_code == 200 and "/login/code" not in refused.headers.get("Location", "")
    # The link alone does not enrol; link and code do.
    person = new_client(app)
    assert "enrolment code is not correct" in _enrol(person, link, "AAAA-BBBB-CCCC").text
    assert _user(db_session, "ilze").totp_secret_enc is None
    assert "recovery" in _enrol(person, link, code.group(1)).text.lower()
    # The person is told at their next sign-in.
    notices = db_session.scalars(
        select(UserNotice).where(
            UserNotice.user_id == changed.id, UserNotice.kind == "role_changed"
        )
    ).all()
    assert len(notices) == 1


def test_the_leads_of_a_members_cases_are_told_of_a_role_change(
    app: Flask, db_session: Session
) -> None:
    """An NGO worker on a team becomes police (which reads the investigation): once a
    second administrator approves, the lead of the case is told, and so is the person."""
    lead = make_user(username="lead")
    member = make_user(username="nils", ngo_worker=True)
    make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
    add_member(db_session, case_id, member)
    post_form(
        _admin(app, "root"),
        f"/admin/users/{member.id}",
        {"role": "police", "organisation": str(member.organisation_id)},
    )
    assert _user(db_session, "nils").role == "ngo_worker"
    told = select(Notification).where(Notification.kind == "member_role_changed")
    assert db_session.scalars(told).all() == []
    assert _decide(_admin(app, "other"), _approval(db_session, "nils").id).status_code == 302
    assert _user(db_session, "nils").role == "police"
    db_session.expire_all()
    rows = db_session.scalars(told).all()
    assert [(n.user_id, n.case_id) for n in rows] == [(lead.id, case_id)]
    assert db_session.scalars(
        select(UserNotice).where(UserNotice.user_id == member.id, UserNotice.kind == "role_changed")
    ).all()
    signed_in = new_client(app)
    assert login(signed_in, "nils").status_code == 302
    page = signed_in.get("/", follow_redirects=True)
    assert "An administrator changed your role" in page.text


def test_the_auditor_sees_which_account_a_decision_was_about(
    app: Flask, db_session: Session
) -> None:
    victim = make_user(username="liga", auditor=True)
    make_user(username="root", admin=True)
    make_user(username="other", admin=True)
    make_user(username="aino", auditor=True)
    post_form(
        _admin(app, "root"),
        f"/admin/users/{victim.id}",
        {"role": "admin", "organisation": str(victim.organisation_id)},
    )
    _decide(_admin(app, "other"), _approval(db_session, "liga").id, "refuse")
    auditor = _admin(app, "aino")
    page = auditor.get("/audit/?action=approval.refuse").text
    assert "Account concerned" in page
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "<td>liga</td>" in table and "other" in table
    exported = auditor.get("/audit/events.csv?action=approval.refuse").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    column = rows[0].index("account_concerned")
    assert [r[column] for r in rows[1:]] == ["liga"]


def test_the_requester_withdraws_and_is_told_so(app: Flask, db_session: Session) -> None:
    victim = make_user(username="liga", auditor=True)
    make_user(username="root", admin=True)
    root = _admin(app, "root")
    post_form(
        root,
        f"/admin/users/{victim.id}",
        {"role": "admin", "organisation": str(victim.organisation_id)},
    )
    withdrawn = _decide(root, _approval(db_session, "liga").id, "refuse")
    assert withdrawn.status_code == 302
    page = root.get(withdrawn.headers["Location"]).text
    assert "The request is withdrawn; nothing changed." in page
    assert _approval(db_session, "liga").state == "refused"
    assert _decisions(db_session) == [("root", "approval.refuse", "allowed")]
