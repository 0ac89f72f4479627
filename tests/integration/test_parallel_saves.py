"""Twenty people submit the same form, loaded at the same version, at the same moment:
one save wins, every other gets the friendly "someone else changed this" form showing
the winner's version, and no request ends in a 500 page. Run against a database of its
own with real commits (PostgreSQL when CASEWORK_TEST_DATABASE_URL names one), the
requests on twenty threads at once."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from casework import casefile, clock, create_app, db
from casework.audit.checkpoints import current_checkpointer
from casework.audit.events import Actor, RequestContext
from casework.audit.verify import verify_database
from casework.casefile.support.membership import add_member
from casework.db import database
from casework.models import Organisation, OrganisationKind, User
from tests.conftest import app_config, csrf_token, login, new_client
from tests.databases import fresh_database, migrate
from tests.factories import _PASSWORD_HASH, sealed_totp

PEOPLE = 20
VERSION_RE = re.compile(r'name="version" type="hidden" value="(\d+)"')
STALE = "Someone else changed this record while you were editing it."


@dataclass(frozen=True)
class Scene:
    app: Flask
    case_id: uuid.UUID
    clients: list[FlaskClient]


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    folder = tmp_path_factory.mktemp("parallel")
    with fresh_database(folder, "parallel") as url:
        migrate(url)
        app = create_app(app_config(url, Path(folder)))
        try:
            with app.app_context():
                case_id, usernames = _seed(app)
            yield Scene(app, case_id, _signed_in(app, usernames))
        finally:
            database(app).dispose()


def _seed(app: Flask) -> tuple[uuid.UUID, list[str]]:
    session = db.session()
    org = Organisation(name="Riga social services", kind=OrganisationKind.SOCIAL_SERVICES)
    org.region = "Riga"
    session.add(org)
    users = []
    for n in range(PEOPLE):
        user_id = uuid.uuid4()
        user = User(
            id=user_id,
            username=f"worker{n:02d}",
            display_name=f"Worker {n}",
            password_hash=_PASSWORD_HASH,
            role="social_worker",
            organisation=org,
            active=True,
            totp_secret_enc=sealed_totp(user_id),
        )
        session.add(user)
        users.append(user)
    session.commit()
    lead = casefile.Caller(user=users[0], context=RequestContext())
    child = casefile.NewChild("Milda", "Ozola", None, "female")
    case_id = casefile.open_case(session, lead, child)
    for user in users[1:]:
        add_member(
            session, Actor("test"), case_id, user, "social_services", starts_on=clock.today()
        )
    age = casefile.AgeChange("claimed", None, None, None, None, None)
    casefile.save_age_assessment(session, lead, case_id, age, None)
    return case_id, [u.username for u in users]


def _signed_in(app: Flask, usernames: list[str]) -> list[FlaskClient]:
    clients = []
    for username in usernames:
        client = new_client(app)
        assert login(client, username).status_code == 302
        clients.append(client)
    return clients


def _identity(n: int, version: str) -> dict[str, str]:
    return {
        "given_name": f"Milda{n}",
        "family_name": "Ozola",
        "sex": "female",
        "version": version,
    }


def _age(n: int, version: str) -> dict[str, str]:
    return {"status": "disputed", "assessor": f"Assessor {n}", "version": version}


FORMS = {"identity": ("/cases/{id}/identity", _identity), "age": ("/cases/{id}/age", _age)}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_one_of_twenty_parallel_saves_wins_the_rest_see_the_stale_form(
    scene: Scene, form: str
) -> None:
    path, values = FORMS[form]
    url = path.format(id=scene.case_id)
    clients = scene.clients
    loaded = [client.get(url) for client in clients]
    posts = []
    for n, page in enumerate(loaded):
        assert page.status_code == 200
        match = VERSION_RE.search(page.text)
        version = match.group(1) if match else ""
        posts.append({**values(n, version), "csrf_token": csrf_token(page.text)})
    assert len({p["version"] for p in posts}) == 1  # everyone starts from the same version
    start = threading.Barrier(PEOPLE)

    def submit(n: int) -> Any:
        start.wait()
        return clients[n].post(url, data=posts[n])

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        responses = list(pool.map(submit, range(PEOPLE)))

    statuses = [r.status_code for r in responses]
    assert 500 not in statuses
    assert statuses.count(302) == 1, statuses
    stale = [r for r in responses if r.status_code != 302]
    assert all(r.status_code == 200 and STALE in r.text for r in stale)
    winner = statuses.index(302)
    shown = values(winner, "")
    field = "given_name" if form == "identity" else "assessor"
    # The stale form shows the winner's saved value, not the loser's typed one.
    assert all(f'value="{shown[field]}"' in r.text for r in stale)
    with scene.app.app_context():
        report = verify_database(db.session(), current_checkpointer().signer.public_key)
        assert report.intact, report.damage
