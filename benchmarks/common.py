"""Shared pieces of the benchmarks: a throw-away database, an app on it, fictional cases
bulk-inserted with exactly the encryption and blind-index tokens the app itself writes,
and timing helpers. Nothing here is used by the test suite."""

from __future__ import annotations

import base64
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, insert

from casework import create_app, db
from casework.auth.passwords import hash_password
from casework.casefile.casewide.opening import REFERENCE_ALPHABET
from casework.crypto.aead import associated_data, seal
from casework.crypto.keyring import Keyring, current_keyring
from casework.db import database
from casework.models import BlindIndexEntry, Case, Child, Organisation, TeamMembership, User
from tests.databases import fresh_database

BENCH_DATABASE_ENV = "CASEWORK_BENCH_DATABASE_URL"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KEK_A = base64.b64encode(b"benchmark key-encryption key A!!").decode()
KEK_B = base64.b64encode(b"benchmark key-encryption key B!!").decode()
PASSWORD = "benchmark passphrase"  # noqa: S105 - a fictional user in a throw-away database
USERNAME = "bench"
# The fictional user's authenticator seed: sign-in asks for the second factor, as it
# does in production, so pages are timed signed in, never as a redirect to /login.
TOTP_SECRET = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"  # noqa: S105 - fictional, throw-away
CHUNK = 5_000

# Fictional names from syllables with the letters of the Baltic Sea region's languages.
_STARTS = [
    "Š",
    "Ž",
    "Ł",
    "K",
    "M",
    "R",
    "J",
    "L",
    "T",
    "V",
    "A",
    "E",
    "I",
    "O",
    "Ø",
    "Å",
    "D",
    "G",
    "P",
    "S",
    "B",
    "N",
    "H",
    "Č",
    "Ä",
    "Ö",
    "Ü",
    "Z",
    "W",
    "Ē",
]
_VOWELS = ["a", "e", "i", "o", "u", "ā", "ē", "ī", "ū", "ą", "ę", "ė", "ö", "ä", "ü", "õ", "y", "ø"]
_MIDDLES = ["r", "l", "n", "m", "s", "t", "k", "v", "j", "d", "ņ", "ļ", "š", "ž", "ł", "ś", "g"]
_GIVEN_ENDS = ["as", "is", "us", "a", "e", "ė", "o", "i", "ja", "ta", "an", "en", "ius", "ika"]
_FAMILY_ENDS = [
    "auskas",
    "ienė",
    "aitė",
    "inen",
    "sson",
    "ski",
    "ska",
    "berg",
    "ovs",
    "iņš",
    "mann",
    "gaard",
    "ičius",
    "enko",
    "stedt",
    "ala",
    "ojs",
    "ova",
    "lund",
    "kis",
]


def _word(rng: random.Random, syllables: int, ends: list[str]) -> str:
    parts = [rng.choice(_STARTS), rng.choice(_VOWELS)]
    for _ in range(syllables):
        parts += [rng.choice(_MIDDLES), rng.choice(_VOWELS)]
    return "".join(parts) + rng.choice(ends)


def name_pool(rng: random.Random, size: int, ends: list[str]) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < size:
        names[_word(rng, rng.randint(0, 2), ends)] = None
    return list(names)


def zipf_weights(size: int, exponent: float = 0.6) -> list[float]:
    """Name frequencies: the commonest given name ~2% of children, as in real registers."""
    return [1 / (rank**exponent) for rank in range(1, size + 1)]


@dataclass(frozen=True)
class FictionalChild:
    given: str
    family: str
    born: date
    sex: str


def fictional_children(count: int, seed: int = 2026) -> list[FictionalChild]:
    rng = random.Random(seed)
    given = name_pool(rng, 3_000, _GIVEN_ENDS)
    family = name_pool(rng, 30_000, _FAMILY_ENDS)
    givens = rng.choices(given, zipf_weights(len(given)), k=count)
    families = rng.choices(family, zipf_weights(len(family)), k=count)
    today = date(2026, 6, 1)
    return [
        FictionalChild(g, f, today - timedelta(days=rng.randint(0, 18 * 365)), rng.choice("fm"))
        for g, f in zip(givens, families, strict=True)
    ]


@contextmanager
def bench_database(backend: str) -> Iterator[str]:
    """A new, empty database: SQLite in a temporary folder, or PostgreSQL next to the one
    CASEWORK_BENCH_DATABASE_URL names (created and dropped, as the tests' are)."""
    base = None
    if backend == "postgresql":
        base = os.environ.get(BENCH_DATABASE_ENV, DEFAULT_POSTGRES)
    with (
        tempfile.TemporaryDirectory(prefix="casework-bench-") as folder,
        fresh_database(Path(folder), "bench", base=base) as url,
    ):
        yield url


def make_app(url: str, instance: Path, **config: Any) -> Flask:
    settings = {
        "ENV": "testing",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",
        "KEK": KEK_A,
        **config,
    }
    return create_app(settings)


def seed(app: Flask, children: list[FictionalChild]) -> User:
    """Bulk-insert cases as the app would write them: a wrapped DEK per case, every
    identity field sealed under it, blind-index tokens; the user is on every team."""
    with app.app_context():
        session = db.session()
        org = Organisation(name="Benchmark Social Services", kind="social_services", region="R")
        session.add(org)
        session.flush()
        user_id = uuid.uuid4()
        user = User(
            id=user_id,
            username=USERNAME,
            display_name="Benchmark Worker",
            password_hash=hash_password(PASSWORD),
            role="social_worker",
            organisation_id=org.id,
            totp_secret_enc=current_keyring().seal_secret(
                "totp", str(user_id), TOTP_SECRET.encode("ascii")
            ),
        )
        session.add(user)
        session.commit()
        for start in range(0, len(children), CHUNK):
            chunk = children[start : start + CHUNK]
            rows = _rows(current_keyring(), org.id, user.id, chunk, first=start)
            conn = session.connection()
            for model, values in zip(
                (Case, Child, TeamMembership, BlindIndexEntry), rows, strict=True
            ):
                conn.execute(insert(model), values)
            session.commit()
        session.close()
        _settle(database(app).engine)
        return user


def _settle(engine: Engine) -> None:
    """Statistics for the planner, and on PostgreSQL the visibility map that index-only
    scans need: the state autovacuum keeps a live database in after a bulk load."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    with engine.connect() as conn:  # SQLite: every transaction begins IMMEDIATE (db.py)
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def reference(number: int) -> str:
    """Unique, in the app's format (Crockford base32), numbered rather than random."""
    digits = []
    for _ in range(6):
        number, digit = divmod(number, 32)
        digits.append(REFERENCE_ALPHABET[digit])
    return "CW-2026-" + "".join(reversed(digits))


NOW = datetime(2026, 6, 1, 12, 0)


def _rows(
    keyring: Keyring,
    org: uuid.UUID,
    user: uuid.UUID,
    children: list[FictionalChild],
    first: int,
) -> tuple[list[dict[str, Any]], ...]:
    """Rows for case_file, child, team_membership and blind_index."""
    cases, kids, members, tokens = [], [], [], []
    for number, child in enumerate(children, start=first):
        case_id, dek = uuid.uuid4(), keyring.new_data_key()
        wrapped = keyring.wrap(dek, str(case_id), 1)
        cases.append(
            {"id": case_id, "reference": reference(number), "status": "open",
             "lead_organisation_id": org, "created_by_id": user, "created_at": NOW,
             "updated_at": NOW, "wrapped_dek": wrapped, "dek_version": 1, "version": 1}
        )  # fmt: skip
        kid, kid_tokens = _child_row(keyring, case_id, dek, child)
        kids.append(kid)
        tokens += kid_tokens
        members.append(
            {"id": uuid.uuid4(), "case_id": case_id, "user_id": user, "organisation_id": org,
             "actor_type": "social_services", "role_in_team": "lead",
             "starts_on": date(2026, 1, 1), "ends_on": None}
        )  # fmt: skip
    return cases, kids, members, tokens


def _child_row(
    keyring: Keyring, case_id: uuid.UUID, dek: bytes, child: FictionalChild
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The child's row, each field sealed as EncryptedField seals it, and its tokens."""
    child_id = uuid.uuid4()
    sex = "female" if child.sex == "f" else "male"
    values = {"given_name": child.given, "family_name": child.family,
              "date_of_birth": child.born, "sex": sex}  # fmt: skip
    row: dict[str, Any] = {"id": child_id, "case_id": case_id, "version": 1}
    tokens = []
    for name, value in values.items():
        field = getattr(Child, name)
        aad = associated_data("child", name, str(child_id), 1)
        row[field.column] = seal(dek, 1, field.codec.encode(value), aad)
        if field.blind_index is not None:
            index_field = f"child.{name}"
            for token in keyring.indexer.tokens(index_field, field.blind_index, value):
                tokens.append(
                    {"case_id": case_id, "row_id": child_id, "field": index_field, "token": token}
                )
    return row, tokens


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match is not None, "the page has no CSRF token"
    return match[1]


def sign_in(client: FlaskClient, username: str = USERNAME) -> None:
    """Password, then the second factor, through the pages; fails unless signed in."""
    page = client.get("/login")
    assert page.status_code == 200, page.status_code
    step = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert step.status_code == 302 and step.headers["Location"].endswith("/login/code"), (
        "the password step did not ask for the second factor"
    )
    page = client.get("/login/code")
    done = client.post(
        "/login/code",
        data={"code": pyotp.TOTP(TOTP_SECRET).now(), "csrf_token": csrf_token(page.text)},
    )
    assert done.status_code == 302 and not done.headers["Location"].endswith("/login"), (
        "the second factor was refused"
    )


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
