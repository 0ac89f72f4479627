"""Verification speed of the audit chain.

Builds a migrated database holding EVENTS events (default 1,000,000) with a signed
checkpoint every 1,000, then, in each round, times
  - verify: casework's verifier, end to end: stored checkpoints read and their
    signatures checked, every row streamed from the database, hashed, linked, compared;
  - baseline: a plain hashlib SHA-256 loop over the same events' canonical bytes,
    already in memory;
  - verify --jobs 2: the same, the walk shared by two processes (casework.audit.parallel);
and, to show where the time goes,
  - fetch: the same rows streamed from the database driver, nothing else done;
  - walk: the verifier over the same rows already fetched into memory.
All run in the same process, alternating, so noise hits each. Prints medians.

    .venv/bin/python -m benchmarks.verify_speed                       # SQLite
    .venv/bin/python -m benchmarks.verify_speed --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from benchmarks.audit_data import SIGNING_SEED, database, fill
from benchmarks.machine import describe
from casework.audit.checkpoints import Checkpoint, Signer, stored
from casework.audit.parallel import verify_parallel
from casework.audit.rows import row_batches
from casework.audit.verify import BATCH_SIZE, verify_database, verify_rows
from casework.db import make_engine


def baseline(canonical: list[bytes]) -> float:
    sha256 = hashlib.sha256
    start = time.perf_counter()
    for data in canonical:
        sha256(data).digest()
    return time.perf_counter() - start


def verify(url: str, count: int, jobs: int = 1) -> float:
    key = Signer(SIGNING_SEED).public_key
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            start = time.perf_counter()
            if jobs > 1:
                report = verify_parallel(session, url, key, jobs=jobs)
            else:
                report = verify_database(session, key)
            elapsed = time.perf_counter() - start
    finally:
        engine.dispose()
    assert report.intact, report.damage
    assert report.count == count, report.count
    return elapsed


def fetch(url: str) -> tuple[float, list[Sequence[Sequence[Any]]]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            start = time.perf_counter()
            with closing(row_batches(session.connection(), BATCH_SIZE)) as batches:
                kept = list(batches)
            elapsed = time.perf_counter() - start
    finally:
        engine.dispose()
    return elapsed, kept


def walk(batches: list[Sequence[Sequence[Any]]], claims: list[Checkpoint], count: int) -> float:
    key = Signer(SIGNING_SEED).public_key
    start = time.perf_counter()
    report = verify_rows(batches, key, claims)
    elapsed = time.perf_counter() - start
    assert report.intact and report.count == count, report.damage
    return elapsed


def stored_claims(url: str) -> list[Checkpoint]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return stored(session)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgresql", metavar="URL", help="server to create the database on")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory() as folder,
        database(args.postgresql, Path(folder), "verify") as url,
    ):
        started = time.perf_counter()
        canonical = fill(url, args.events)
        print(f"built {args.events:,} events in {time.perf_counter() - started:.0f} s")
        print(describe(url))
        claims = stored_claims(url)
        rounds: list[dict[str, float]] = []
        for round_number in range(1, args.rounds + 1):
            fetched, batches = fetch(url)
            rates = {
                "verify": args.events / verify(url, args.events),
                "verify2": args.events / verify(url, args.events, jobs=2),
                "baseline": args.events / baseline(canonical),
                "fetch": args.events / fetched,
                "walk": args.events / walk(batches, claims, args.events),
            }
            del batches
            rounds.append(rates)
            print(f"round {round_number}: " + _line(rates))
    medians = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    print("median: " + _line(medians))
    per_round = statistics.median(r["verify"] / r["baseline"] for r in rounds)
    print(f"median of the per-round verify/baseline ratios: {per_round:.2f}")


def _line(rates: dict[str, float]) -> str:
    return (
        f"verify {rates['verify']:,.0f}/s, baseline {rates['baseline']:,.0f}/s,"
        f" ratio {rates['verify'] / rates['baseline']:.2f};"
        f" verify --jobs 2 {rates['verify2']:,.0f}/s"
        f" (ratio {rates['verify2'] / rates['baseline']:.2f});"
        f" fetch only {rates['fetch']:,.0f} rows/s,"
        f" walk in memory {rates['walk']:,.0f}/s (ratio {rates['walk'] / rates['baseline']:.2f})"
    )


if __name__ == "__main__":
    main()
