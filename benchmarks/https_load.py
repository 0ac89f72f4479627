"""The load test of the HTTPS deployment: nginx with a throw-away certificate in front of
two `casework serve` processes in production mode on PostgreSQL (as the least-privilege
application role) and Redis, with 100,000 cases, driven by Locust with 50 simulated
users of mixed roles (benchmarks/locustfile.py).

    .venv/bin/python -m benchmarks.https_load --cases 100000 --users 50 --duration 10m

Prints throughput, p50/p95/p99 per page and the errors, as a Markdown table for
benchmarks/README.md. PostgreSQL is the one CASEWORK_BENCH_DATABASE_URL names (a
database is created next to it and dropped afterwards).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select

from benchmarks.common import (
    BENCH_DATABASE_ENV,
    DEFAULT_POSTGRES,
    PASSWORD,
    TOTP_SECRET,
    fictional_children,
    make_app,
    seed,
)
from casework import db
from casework.auth.passwords import hash_password
from casework.crypto.keyring import current_keyring
from casework.db import database
from casework.models import Case, Organisation, TeamMembership, User
from tests.databases import fresh_database, migrate
from tests.deployment import deployment, redis_server
from tests.factories import TEST_KEK

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# role -> (accounts, organisation kind, actor type in the team)
MIX = {
    "social_worker": (30, "social_services", "social_services"),
    "police": (10, "police", "police"),
    "ngo_worker": (10, "ngo", "ngo"),
}
CASES_PER_ACCOUNT = 200


def _accounts(app_url: str, instance: Path, users: int) -> list[dict[str, str]]:
    """`users` accounts of mixed roles, each on the teams of CASES_PER_ACCOUNT cases."""
    app = make_app(app_url, instance, KEK=TEST_KEK)
    accounts: list[dict[str, str]] = []
    try:
        with app.app_context():
            session = db.session()
            case_ids = list(session.scalars(select(Case.id).order_by(Case.reference)))
            password = hash_password(PASSWORD)
            total = sum(count for count, _, _ in MIX.values())
            n = 0
            for role, (count, kind, actor_type) in MIX.items():
                org = Organisation(name=f"Load {kind}", kind=kind, region="R")
                session.add(org)
                session.flush()
                for _ in range(max(1, round(count * users / total))):
                    user_id = uuid.uuid4()
                    username = f"load{n:03d}"
                    session.add(
                        User(
                            id=user_id,
                            username=username,
                            display_name=f"Load {role} {n}",
                            password_hash=password,
                            role=role,
                            organisation_id=org.id,
                            totp_secret_enc=current_keyring().seal_secret(
                                "totp", str(user_id), TOTP_SECRET.encode("ascii")
                            ),
                        )
                    )
                    session.flush()
                    start = (n * CASES_PER_ACCOUNT) % max(1, len(case_ids) - CASES_PER_ACCOUNT)
                    rows = [
                        {"id": uuid.uuid4(), "case_id": case_id, "user_id": user_id,
                         "organisation_id": org.id, "actor_type": actor_type,
                         "role_in_team": "member", "starts_on": date(2026, 1, 1),
                         "ends_on": None}
                        for case_id in case_ids[start : start + CASES_PER_ACCOUNT]
                    ]  # fmt: skip
                    session.execute(insert(TeamMembership), rows)
                    accounts.append({"username": username, "role": role})
                    n += 1
            session.commit()
    finally:
        database(app).dispose()
    return accounts[:users]


def _table(stats: Path) -> str:
    lines = [
        "| page | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    with stats.open(newline="") as fh:
        for row in csv.DictReader(fh):
            name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
            lines.append(
                f"| {name} | {row['Request Count']} | {row['Failure Count']} |"
                f" {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
            )
    return "\n".join(lines)


def _checked(stats: Path, failures: Path) -> None:
    """Every answer Locust timed was checked by benchmarks/locustfile.py: the run fails
    if any was wrong, or if nothing was timed."""
    with stats.open(newline="") as fh:
        total = next(row for row in csv.DictReader(fh) if row["Name"] == "Aggregated")
    wrong = failures.read_text() if failures.exists() else ""
    if int(total["Failure Count"]) or int(total["Request Count"]) == 0:
        raise SystemExit(
            f"the load test failed: {total['Request Count']} requests,"
            f" {total['Failure Count']} wrong\n{wrong}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", default="10m", help="Locust's --run-time, e.g. 10m")
    parser.add_argument("--spawn-rate", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    args = parser.parse_args(argv)
    base = os.environ.get(BENCH_DATABASE_ENV, DEFAULT_POSTGRES)
    os.environ.setdefault("CASEWORK_TEST_DATABASE_URL", base)
    with tempfile.TemporaryDirectory(prefix="casework-load-") as tmp:
        folder = Path(tmp)
        with fresh_database(folder, "load", base=base) as url, redis_server(folder) as redis:
            migrate(url)
            started = time.monotonic()
            children = fictional_children(args.cases)
            app = make_app(url, folder / "seed", KEK=TEST_KEK)
            seed(app, children)
            database(app).dispose()
            accounts = _accounts(url, folder / "accounts", args.users)
            print(f"seeded {args.cases} cases in {time.monotonic() - started:.0f} s", flush=True)
            accounts_file = folder / "accounts.json"
            accounts_file.write_text(
                json.dumps(
                    {
                        "users": accounts,
                        "password": PASSWORD,
                        "totp_secret": TOTP_SECRET,
                        "names": sorted({c.family for c in children[:500]}),
                    }
                )
            )
            with deployment(
                url,
                folder,
                redis,
                processes=2,
                SERVE_WORKERS=str(args.workers),
                LOGIN_RATE_LIMIT_PER_ADDRESS="100000 per minute",
            ) as running:
                prefix = folder / "locust"
                subprocess.run(  # noqa: S603 - locust from this venv
                    [
                        str(Path(sys.executable).parent / "locust"),
                        "-f",
                        str(LOCUSTFILE),
                        "--headless",
                        "--users",
                        str(args.users),
                        "--spawn-rate",
                        str(args.spawn_rate),
                        "--run-time",
                        args.duration,
                        "--host",
                        running.url,
                        "--csv",
                        str(prefix),
                        "--only-summary",
                    ],
                    env={
                        **os.environ,
                        "CASEWORK_LOAD_ACCOUNTS": str(accounts_file),
                        "CASEWORK_LOAD_CA": str(running.certificate),
                    },
                    check=False,
                )
                stats, failures = Path(f"{prefix}_stats.csv"), Path(f"{prefix}_failures.csv")
                print(_table(stats), flush=True)
                _checked(stats, failures)


if __name__ == "__main__":
    main()
