"""Every page that lists or shows cases still works when some of them are erased, their
keys destroyed: nothing tries to decrypt what can no longer be read."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.auth.passwords import hash_password
from casework.demo import DEMO_USERS, seed
from casework.models import Case, CaseFlag, User
from tests.conftest import login, new_client, search
from tests.factories import PASSWORD, sealed_totp

PAGES = ["/", "/cases/", "/cases/overview", "/referrals", "/audit/", "/audit/break-glass"]


def test_pages_work_with_erased_cases(app: Flask, db_session: Session) -> None:
    with app.app_context():
        seed(db_session)
        flagged = {f.case_id for f in db_session.scalars(select(CaseFlag))}
        password_hash = hash_password(PASSWORD)
        for user in db_session.scalars(select(User)):
            user.password_hash = password_hash  # the demo seed signs in differently
            user.totp_secret_enc = sealed_totp(user.id)
        db_session.commit()
    all_cases = list(db_session.scalars(select(Case).order_by(Case.reference)))
    erased = [c for c in all_cases if c.id in flagged][:6] + all_cases[:3]
    for case in {c.id: c for c in erased}.values():
        result = app.test_cli_runner().invoke(
            args=["cases", "erase", case.reference, "--reason", "duplicate", "--yes"]
        )
        assert result.exit_code == 0, result.output
    failures = []
    for username in DEMO_USERS:
        client = new_client(app)
        assert login(client, username).status_code == 302, username
        for url in PAGES + [f"/cases/{c.id}" for c in erased]:
            if client.get(url).status_code >= 500:
                failures.append((username, url))
        searches = username in ("socialworker", "police")
        if searches and search(client, {"name": "Šarūnas"}).status_code >= 500:
            failures.append((username, "search"))
    assert failures == []
