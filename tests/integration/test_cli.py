from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casework.demo import CHILDREN, DEMO_USERS
from casework.models import AuditEvent, Case, User
from tests.factories import make_organisation


def test_users_add_creates_a_user_with_an_enrolment_link(app: Flask, db_session: Session) -> None:
    make_organisation(name="Riga City Social Services")
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "add",
            "liga",
            "--name",
            "Līga Ozola",
            "--role",
            "social_worker",
            "--organisation",
            "Riga City Social Services",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.username == "liga"))
    assert user is not None and user.role == "social_worker"
    assert not user.password_hash.startswith("$argon2")  # no password until enrolment
    link = result.output.split("enrolment link")[1].split(": ", 1)[1].strip()
    assert link.startswith("http://127.0.0.1:5000/enrol/")
    actions = set(db_session.scalars(select(AuditEvent.action)))
    assert {"user.create", "enrolment.issue"} <= actions
    page = app.test_client().get(link.removeprefix("http://127.0.0.1:5000"))
    assert page.status_code == 200
    assert "Set up your account, liga" in page.text


def test_users_add_refuses_bad_input_plainly(app: Flask, db_session: Session) -> None:
    make_organisation(name="Org")
    runner = app.test_cli_runner()
    cases = [
        (["--role", "wizard", "--organisation", "Org"], "unknown role 'wizard'"),
        (["--role", "police", "--organisation", "Nowhere"], "no organisation named"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=["users", "add", "x", "--name", "X", *extra])
        assert result.exit_code != 0
        assert message in result.output
    bad_name = runner.invoke(
        args=["users", "add", "x y", "--name", "X", "--role", "police", "--organisation", "Org"]
    )
    assert bad_name.exit_code != 0
    assert "only letters, digits" in bad_name.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_refuses_outside_demo_mode(app: Flask, db_session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "demo mode" in result.output


def test_demo_seed_holds_no_clear_text_child_data(app: Flask, db_session: Session) -> None:
    from casework.demo import seed

    with app.app_context():
        assert seed(db_session) == len(CHILDREN) >= 30
    usernames = set(db_session.scalars(select(User.username)))
    assert usernames == set(DEMO_USERS)
    assert set(DEMO_USERS) == {
        "police",
        "prosecutor",
        "socialworker",
        "ngo",
        "coordinator",
        "auditor",
        "admin",
        "admin2",
        "doctor",
        "interpreter",
        "analyst",
    }
    assert db_session.scalar(select(func.count()).select_from(Case)) == len(CHILDREN)
    dump = b""
    for table in ("child", "case_file", "audit_event", "team_membership"):
        for row in db_session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608
            dump += b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    for given, family, _sex in CHILDREN:
        assert given.encode() not in dump, given
        assert family.encode() not in dump, family
