"""The statistics page over 100,000 de-identified statistical records, per database.

Each render is a full request through the Flask test client, signed in as an analyst:
the access check, opening every statistical record with the statistics key, filtering,
counting every table, noise and suppression, the audit event, the charts and tables.
The first render of a fresh application counts every record (cold); a new application
that counted them first, as a served worker does at start, shows the first render after
a restart.

    python -m benchmarks.statistics_page --backend sqlite --cases 100000
    CASEWORK_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python -m benchmarks.statistics_page --backend postgresql --cases 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import insert

from benchmarks.common import (
    PASSWORD,
    TOTP_SECRET,
    bench_database,
    make_app,
    median,
    sign_in,
    timed,
)
from casework import db
from casework.auth.passwords import hash_password
from casework.cli.serve import warm_in_background
from casework.crypto.keyring import current_keyring
from casework.db import database
from casework.demo.statistics import fictional
from casework.keys.statistics import current_statistics_key
from casework.models import Organisation, StatisticalRecord, User
from tests.databases import migrate

ANALYST = "bench-analyst"
CHUNK = 5_000
WARM_UP = 2


def seed(app: Flask, cases: int) -> None:
    """Bulk-insert sealed statistical records as the door writes them."""
    rng = random.Random(15)
    with app.app_context():
        session = db.session()
        org = Organisation(name="Benchmark Rapporteur", kind="oversight", region="R")
        session.add(org)
        session.flush()
        analyst = User(
            username=ANALYST,
            display_name="Benchmark Analyst",
            password_hash=hash_password(PASSWORD),
            role="analyst",
            organisation_id=org.id,
        )
        analyst.totp_secret_enc = current_keyring().seal_secret(
            "totp", str(analyst.id), TOTP_SECRET.encode("ascii")
        )
        session.add(analyst)
        session.commit()
        sealer = current_statistics_key()
        for start in range(0, cases, CHUNK):
            rows = []
            for _ in range(min(CHUNK, cases - start)):
                row = StatisticalRecord(case_id=None, sealed=b"", key_version=sealer.version)
                rows.append(
                    {
                        "id": row.id,
                        "case_id": None,
                        "key_version": sealer.version,
                        "version": 1,
                        "sealed": sealer.seal(row.id, fictional(rng).dumps()),
                        "updated_at": date.today(),
                    }
                )
            session.connection().execute(insert(StatisticalRecord), rows)
            session.commit()
        session.close()


def check_page(status: int, html: str) -> None:
    """What is timed must be the statistics page with its tables and charts."""
    assert status == 200, f"the statistics page answered {status}"
    assert "Forms of exploitation" in html and "<svg" in html, "no tables or charts"


def renders(app: Flask, urls: list[str], count: int) -> dict[str, float]:
    client = app.test_client()
    sign_in(client, ANALYST)
    found: dict[str, float] = {}
    first = True
    for url in urls:
        times = []
        for number in range(WARM_UP + count):
            answers: list[tuple[int, str]] = []

            def get(u: str = url, into: list[tuple[int, str]] = answers) -> None:
                response = client.get(u)
                into.append((response.status_code, response.text))

            elapsed = timed(get)
            check_page(*answers[0])
            if first:  # this process has counted nothing yet: every record is opened
                found["first render, cold"] = elapsed
                first = False
            if number >= WARM_UP:
                times.append(elapsed)
        found[url] = median(times)
    return found


def after_warm_up(url: str, instance: Path) -> dict[str, float]:
    """A new application (its own counts, as a new worker has) counts the records as a
    served worker does at start (`warm_in_background`), then the first render."""
    app = make_app(url, instance)
    found = {"warm-up at start (background)": timed(lambda: warm_in_background(app))}
    client = app.test_client()
    sign_in(client, ANALYST)
    answers: list[tuple[int, str]] = []

    def get() -> None:
        response = client.get("/statistics/")
        answers.append((response.status_code, response.text))

    found["first render after the warm-up"] = timed(get)
    check_page(*answers[0])
    database(app).dispose()
    return found


def run_backend(backend: str, cases: int, count: int) -> dict[str, Any]:
    year = date.today().year - 1
    with bench_database(backend) as url, tempfile.TemporaryDirectory() as instance:
        migrate(url)
        app = make_app(url, Path(instance))
        result: dict[str, Any] = {"backend": backend, "cases": cases}
        result["seed_s"] = timed(lambda: seed(app, cases))
        result["page_s"] = renders(
            app, ["/statistics/", f"/statistics/?year={year}&country=LV&sex=female"], count
        )
        database(app).dispose()
        result["page_s"].update(after_warm_up(url, Path(instance)))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(f"load average at start {os.getloadavg()[0]:.1f}")
    for backend in backends:
        print(json.dumps(run_backend(backend, args.cases, args.renders), indent=2), flush=True)
        print(f"(load average after: {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
