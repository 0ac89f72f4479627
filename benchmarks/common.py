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
from casework.models import (
    BlindIndexEntry,
    Case,
    Child,
    ChildAlias,
    IdentityDocument,
    Organisation,
    TeamMembership,
    User,
)
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


# Fictional Ukrainian names from Cyrillic syllables, with the letters whose
# romanisations differ between the standard systems (Г, И, Й, Є, Ї, Ю, Я, Х, Щ).
_CYR_STARTS = ["Ю", "Я", "Є", "Ї", "Г", "Х", "К", "М", "О", "П", "С", "Т", "Б", "Д", "Л", "Щ"]
_CYR_VOWELS = ["а", "е", "и", "і", "о", "у", "я", "ю", "є", "ї"]
_CYR_MIDDLES = ["р", "л", "н", "м", "с", "т", "к", "в", "й", "д", "г", "х", "ш", "ч", "ж", "ц"]
_CYR_GIVEN_ENDS = ["ій", "ия", "ія", "ко", "на", "ан", "ен", "ло", "ка", "ра"]
_CYR_FAMILY_ENDS = ["енко", "ук", "юк", "ов", "ова", "ський", "ська", "ич", "ин", "ина"]

CYRILLIC_SHARE = 0.2  # children whose names are recorded in Cyrillic
ALIAS_SHARE = 0.1  # children with a recorded alias (two words)
DOCUMENT_SHARE = 0.5  # children with a numbered identity document


def _cyr_word(rng: random.Random, syllables: int, ends: list[str]) -> str:
    parts = [rng.choice(_CYR_STARTS), rng.choice(_CYR_VOWELS)]
    for _ in range(syllables):
        parts += [rng.choice(_CYR_MIDDLES), rng.choice(_CYR_VOWELS)]
    return "".join(parts) + rng.choice(ends)


def cyrillic_pool(rng: random.Random, size: int, ends: list[str]) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < size:
        names[_cyr_word(rng, rng.randint(0, 2), ends)] = None
    return list(names)


@dataclass(frozen=True)
class FictionalChild:
    given: str
    family: str
    born: date
    sex: str
    alias: str | None = None
    document: str | None = None


def fictional_children(count: int, seed: int = 2026) -> list[FictionalChild]:
    """Children with Zipf-distributed names; a share with Cyrillic names, with an alias
    (a given and a family name from the same pools), with a document number."""
    rng = random.Random(seed)
    given = name_pool(rng, 3_000, _GIVEN_ENDS)
    family = name_pool(rng, 30_000, _FAMILY_ENDS)
    cyr_given = cyrillic_pool(rng, 1_000, _CYR_GIVEN_ENDS)
    cyr_family = cyrillic_pool(rng, 10_000, _CYR_FAMILY_ENDS)
    weights = {len(p): zipf_weights(len(p)) for p in (given, family, cyr_given, cyr_family)}
    today = date(2026, 6, 1)
    children = []
    for number in range(count):
        cyrillic = rng.random() < CYRILLIC_SHARE
        pools = (cyr_given, cyr_family) if cyrillic else (given, family)
        g, f = (rng.choices(p, weights[len(p)])[0] for p in pools)
        alias = None
        if rng.random() < ALIAS_SHARE:
            alias = " ".join(rng.choices(p, weights[len(p)])[0] for p in (given, family))
        document = f"{rng.choice('ABCDEFKMPTX')}{rng.choice('ABCDEFKMPTX')}{number:07d}"
        born = today - timedelta(days=rng.randint(0, 18 * 365))
        children.append(
            FictionalChild(
                g, f, born, rng.choice("fm"), alias,
                document if rng.random() < DOCUMENT_SHARE else None,
            )
        )  # fmt: skip
    return children


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
            models = (Case, Child, ChildAlias, IdentityDocument, TeamMembership, BlindIndexEntry)
            for model, values in zip(models, rows, strict=True):
                if values:
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
    """Rows for case_file, child, child_alias, identity_document, team_membership and
    blind_index."""
    cases, kids, aliases, documents, members, tokens = [], [], [], [], [], []
    for number, child in enumerate(children, start=first):
        case_id, dek = uuid.uuid4(), keyring.new_data_key()
        wrapped = keyring.wrap(dek, str(case_id), 1)
        cases.append(
            {"id": case_id, "reference": reference(number), "status": "open",
             "lead_organisation_id": org, "created_by_id": user, "created_at": NOW,
             "updated_at": NOW, "wrapped_dek": wrapped, "dek_version": 1, "version": 1}
        )  # fmt: skip
        kid, kid_tokens = _sealed_row(
            keyring, Child, case_id, dek,
            {"given_name": child.given, "family_name": child.family,
             "date_of_birth": child.born, "sex": "female" if child.sex == "f" else "male"},
            {"version": 1},
        )  # fmt: skip
        kids.append(kid)
        tokens += kid_tokens
        if child.alias:
            row, row_tokens = _sealed_row(
                keyring, ChildAlias, case_id, dek, {"name": child.alias},
                {"position": 0, "recorded_at": NOW},
            )  # fmt: skip
            aliases.append(row)
            tokens += row_tokens
        if child.document:
            row, row_tokens = _sealed_row(
                keyring, IdentityDocument, case_id, dek,
                {"kind": "passport", "number": child.document, "check": "not_checked"},
                {"version": 1, "recorded_at": NOW, "issuing_country_enc": None,
                 "expires_on_enc": None},
            )  # fmt: skip
            documents.append(row)
            tokens += row_tokens
        members.append(
            {"id": uuid.uuid4(), "case_id": case_id, "user_id": user, "organisation_id": org,
             "actor_type": "social_services", "role_in_team": "lead",
             "starts_on": date(2026, 1, 1), "ends_on": None}
        )  # fmt: skip
    return cases, kids, aliases, documents, members, tokens


def _sealed_row(
    keyring: Keyring,
    model: Any,
    case_id: uuid.UUID,
    dek: bytes,
    values: dict[str, Any],
    plain: dict[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A row of `model`, each field sealed as EncryptedField seals it, and its tokens."""
    row_id, table = uuid.uuid4(), model.__tablename__
    row: dict[str, Any] = {"id": row_id, "case_id": case_id, **plain}
    tokens = []
    for name, value in values.items():
        field = getattr(model, name)
        aad = associated_data(table, name, str(row_id), 1)
        row[field.column] = seal(dek, 1, field.codec.encode(value), aad)
        if field.blind_index is not None:
            index_field = f"{table}.{name}"
            for token in keyring.indexer.tokens(index_field, field.blind_index, value):
                tokens.append(
                    {"case_id": case_id, "row_id": row_id, "field": index_field, "token": token}
                )
    return row, tokens


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match is not None, "the page has no CSRF token"
    return match[1]


_LAST_STEP = [0]


def fresh_code() -> str:
    """A second-factor code the server has not accepted yet: each is accepted once, and
    one step either side of now is accepted (waits if both are used)."""
    now = int(time.time() // 30)
    step = max(now, _LAST_STEP[0] + 1)
    if step > now + 1:
        time.sleep(step * 30 - 30 - time.time() + 0.5)
    _LAST_STEP[0] = step
    return pyotp.TOTP(TOTP_SECRET).at(step * 30)


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
        data={"code": fresh_code(), "csrf_token": csrf_token(page.text)},
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
