"""The measurements themselves; see benchmarks/run.py."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from markupsafe import escape
from sqlalchemy import func, select

from benchmarks.common import FictionalChild, median, percentile, reference, sign_in
from casework.audit.events import RequestContext
from casework.casefile import Caller, SearchQuery, search_cases
from casework.casefile.casewide import search as search_module
from casework.crypto import fields, kek
from casework.crypto.aead import associated_data, key_version_of, open_sealed
from casework.crypto.blind_index import name_terms, normalise
from casework.crypto.keyring import current_keyring
from casework.db import database
from casework.keys.rotation import Batches
from casework.keys.rotation import rotate_kek as rotate
from casework.models import Case, Child, User
from casework.names import has_cyrillic, romanise
from casework.names.romanise import UK_2010

WARM_UP = 10


def _queries(
    sample: list[FictionalChild], children: list[FictionalChild]
) -> dict[str, list[SearchQuery]]:
    """What a person types: no accents, any case; Cyrillic names as typed in Latin
    letters (Ukrainian national system) and in Cyrillic; aliases; document numbers.
    Each kind draws as many children as `sample` holds from those it applies to."""
    rng = random.Random(11)
    cyrillic = [c for c in children if has_cyrillic(c.given)]
    aliased = [c for c in children if c.alias]
    documented = [c for c in children if c.document]

    def draw(pool: list[FictionalChild]) -> list[FictionalChild]:
        return rng.sample(pool, min(len(sample), len(pool)))

    return {
        "given + family name": [SearchQuery(normalise(f"{c.given} {c.family}")) for c in sample],
        "family name": [SearchQuery(normalise(c.family)) for c in sample],
        "name + date of birth": [
            SearchQuery(normalise(f"{c.given} {c.family}"), c.born) for c in sample
        ],
        "Cyrillic name typed in Latin": [
            SearchQuery(romanise(f"{c.given} {c.family}", UK_2010)) for c in draw(cyrillic)
        ],
        "Cyrillic name typed in Cyrillic": [
            SearchQuery(f"{c.given} {c.family}".lower()) for c in draw(cyrillic)
        ],
        "alias (two words)": [SearchQuery(normalise(str(c.alias))) for c in draw(aliased)],
        "document number": [
            SearchQuery("", document_number=str(c.document).lower()) for c in draw(documented)
        ],
    }


def search(
    app: Flask, user: User, sample: list[FictionalChild], children: list[FictionalChild]
) -> dict[str, dict[str, float]]:
    """Each search through the door, in a new session as a request has; also the part
    spent finding and re-checking candidates (tokens, SQL, decryption), without the
    audit events and the commit."""
    results = {}
    sessionmaker = database(app).sessionmaker
    lookup = [0.0]
    undo = _time_calls(lookup, [(search_module, "candidate_cases"), (search_module, "verified")])
    try:
        with app.app_context():
            for kind, queries in _queries(sample, children).items():
                if not queries:  # a tiny run may have no child of the kind
                    continue
                warm = len(queries[:WARM_UP])
                totals, lookups, hits = [], [], []
                for query in queries[:WARM_UP] + queries:
                    with sessionmaker() as session:
                        caller = Caller(session.merge(user), RequestContext("bench"))
                        lookup[0] = 0.0
                        start = time.perf_counter()
                        found = search_cases(session, caller, query)
                        totals.append(time.perf_counter() - start)
                    # Every query is for a child in the data, and the searcher is on every team.
                    assert found.hits, f"a {kind} search found nothing"
                    lookups.append(lookup[0])
                    hits.append(len(found.hits))
                results[kind] = _summary(totals[warm:], lookups[warm:], hits[warm:])
    finally:
        undo()
    return results


def _summary(totals: list[float], lookups: list[float], hits: list[int]) -> dict[str, float]:
    return {
        "p50_ms": percentile(totals, 0.5) * 1000,
        "p95_ms": percentile(totals, 0.95) * 1000,
        "lookup_p50_ms": percentile(lookups, 0.5) * 1000,
        "lookup_p95_ms": percentile(lookups, 0.95) * 1000,
        "hits": median([float(h) for h in hits]),
    }


def full_scan(app: Flask, sample: list[FictionalChild]) -> dict[str, float]:
    """The naive alternative: decrypt every child's names and compare, with the fastest
    primitives (no ORM), for the same kind of query as the search's headline figure."""
    times, rows = [], 0
    with app.app_context():
        keyring = current_keyring()
        for child in sample:
            words = name_terms(f"{child.given} {child.family}")
            session = database(app).sessionmaker()
            start = time.perf_counter()
            matches = 0
            # All rows, then the same decryptions the app does, with no ORM in between.
            result = session.execute(
                select(
                    Case.id,
                    Case.wrapped_dek,
                    Case.dek_version,
                    Child.id,
                    Child.given_name_enc,
                    Child.family_name_enc,
                ).join(Child)
            )
            for case_id, wrapped, version, child_id, given, family in result:
                dek = keyring.unwrap(wrapped, str(case_id), version)
                names = [
                    open_sealed(
                        dek, given, associated_data("child", "given_name", str(child_id), 1)
                    ),
                    open_sealed(
                        dek, family, associated_data("child", "family_name", str(child_id), 1)
                    ),
                ]
                found = name_terms(" ".join(n.decode() for n in names))
                matches += words <= found
                rows += 1
            times.append(time.perf_counter() - start)
            session.close()
            assert matches, "decrypting every row did not find the child"
    return {"median_s": median(times), "rows": rows // len(sample)}


def case_page(app: Flask) -> tuple[str, str, str]:
    """The first seeded case: its URL, its reference and the child's given name, which a
    social worker's page of it shows."""
    with app.app_context(), database(app).sessionmaker() as session:
        case = session.scalar(select(Case).where(Case.reference == reference(0)))
        assert case is not None and case.child is not None, "the benchmark data is missing"
        given = case.child.given_name
        assert given, "the child has no name"
        return f"/cases/{case.id}", case.reference, given


def check_case_page(status: int, html: str, ref: str, given: str) -> None:
    """What a timed case page must be: the page itself, not a redirect or an error."""
    assert status == 200, f"the case page answered {status}"
    assert ref in html, "the case page does not show the case's reference"
    assert escape(given) in html, "the case page does not show the child's name"


def render_share(app: Flask, renders: int) -> dict[str, float]:
    """Time one case page end to end, signed in with both factors, and the time spent
    in AES-GCM within it. Every timed response is checked."""
    client = app.test_client()
    sign_in(client)
    url, ref, given = case_page(app)
    spent = [0.0]
    undo = _time_crypto(spent)
    try:
        totals, cryptos = [], []
        for number in range(WARM_UP + renders):
            spent[0] = 0.0
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
            check_case_page(response.status_code, response.text, ref, given)
            if number >= WARM_UP:
                totals.append(elapsed)
                cryptos.append(spent[0])
    finally:
        undo()
    assert all(c > 0 for c in cryptos), "a timed page decrypted nothing"
    shares = [c / t for c, t in zip(cryptos, totals, strict=True)]
    return {
        "page_ms": median(totals) * 1000,
        "crypto_ms": median(cryptos) * 1000,
        "share_pct": median(shares) * 100,
    }


def _time_crypto(spent: list[float]) -> Callable[[], None]:
    """Time every AES-GCM seal/open the app calls (fields, and the KEK for data keys)."""
    return _time_calls(spent, [(m, n) for m in (fields, kek) for n in ("seal", "open_sealed")])


def _time_calls(spent: list[float], targets: list[tuple[Any, str]]) -> Callable[[], None]:
    """Replace module functions by timed ones adding to spent[0]; returns the undo."""
    originals = [(module, name, getattr(module, name)) for module, name in targets]

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        return timed_call

    for module, name, fn in originals:
        setattr(module, name, wrap(fn))

    def undo() -> None:
        for module, name, fn in originals:
            setattr(module, name, fn)

    return undo


def rotate_kek(app: Flask) -> dict[str, float]:
    with app.app_context():
        session = database(app).sessionmaker()
        keyring = current_keyring()
        start = time.perf_counter()
        report = rotate(session, keyring, Batches(size=1_000))
        seconds = time.perf_counter() - start
        wrapped = session.scalars(select(Case.wrapped_dek)).all()
        assert all(key_version_of(w) == keyring.kek_version for w in wrapped), (
            "a key was not rewrapped"
        )
        assert session.scalar(select(func.count()).select_from(Case)) == len(wrapped)
        session.close()
    return {"seconds": seconds, "rewrapped": report.rewrapped}
