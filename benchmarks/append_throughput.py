"""Append throughput of the audit log with concurrent writer processes (PostgreSQL, or
SQLite without --postgresql).

Each writer is a separate process running the application, appending events the way a
request does: `record()` (chain lock, head, insert, checkpoint when due) and commit, one
transaction per event. All writers start together; throughput is all appends over the
time from the first start to the last finish. Afterwards the chain is verified and
checked for gaps and forks. A fresh database per round; medians over the rounds.

With --bare the writers skip the application and speak the same protocol straight to
psycopg (lock and read the head, INSERT the hashed event, COMMIT): the ceiling the
database and the chain lock allow on this machine, to compare the application with.

    .venv/bin/python -m benchmarks.append_throughput \\
        --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m benchmarks.append_throughput --writers 4    # SQLite
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing
import queue
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from benchmarks.audit_data import SIGNING_KEY, database
from benchmarks.machine import describe
from casework import create_app, db
from casework.audit.chain import FIELDS, GENESIS_HASH, event_hash
from casework.audit.checkpoints import current_checkpointer
from casework.audit.events import AUDIT_LOCK_KEY, Action, Actor, RequestContext, record
from casework.audit.maintenance import checkpoint_now
from casework.audit.verify import verify_database
from casework.clock import utcnow
from casework.models import AuditEvent


def _config(url: str, instance: Path) -> dict[str, Any]:
    return {
        "ENV": "production",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "benchmark-secret-key-" + "x" * 40,
        "KEK": base64.b64encode(bytes(32)).decode(),
        "SIGNING_KEY": SIGNING_KEY,
        # Production keeps a copy of every checkpoint outside the database, as here.
        "AUDIT_CHECKPOINT_FILE": str(instance / "audit-checkpoints.txt"),
    }


def _writer(url: str, instance: str, number: int, count: int, start: Any, out: Any) -> None:
    Path(instance).mkdir(parents=True, exist_ok=True)  # the checkpoint copy's folder
    app = create_app(_config(url, Path(instance)))
    actor = Actor(username=f"writer{number:02d}", role="social_worker", organisation="org")
    with app.app_context():
        session = db.session()
        start.wait()
        began = time.monotonic()
        for n in range(count):
            record(
                session,
                Action.CASE_READ,
                actor,
                case_ref=f"CW-2026-{n % 4096:06X}",
                field_groups=("identity", "support_plan"),
                context=RequestContext(request_id=f"{number:04d}{n:028x}", client_addr="10.0.0.1"),
            )
            session.commit()
        out.put((began, time.monotonic()))
    db.database(app).dispose()


_BARE_INSERT = (
    "INSERT INTO audit_event (seq, occurred_at, actor, actor_role, organisation, action,"
    " case_ref, field_groups, outcome, request_id, client_addr, subject, prev_hash, hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _bare_writer(url: str, _instance: str, number: int, count: int, start: Any, out: Any) -> None:
    import psycopg

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        start.wait()
        began = time.monotonic()
        for n in range(count):
            head = conn.execute(
                "SELECT seq, hash FROM casework_audit_lock_head(%s)", (AUDIT_LOCK_KEY,)
            ).fetchone()
            event = SimpleNamespace(
                seq=head[0] + 1 if head else 1,
                occurred_at=utcnow(),
                actor=f"writer{number:02d}",
                actor_role="social_worker",
                organisation="org",
                action="case.read",
                case_ref=f"CW-2026-{n % 4096:06X}",
                field_groups="identity,support_plan",
                outcome="allowed",
                request_id=f"{number:04d}{n:028x}",
                client_addr="10.0.0.1",
                subject="",
                prev_hash=head[1] if head else GENESIS_HASH,
            )
            event.hash = event_hash(event)
            conn.execute(_BARE_INSERT, [getattr(event, c) for c in (*FIELDS, "prev_hash", "hash")])
            conn.commit()
        out.put((began, time.monotonic()))


def one_round(
    base_url: str | None, writers: int, total: int, folder: Path, bare: bool = False
) -> float:
    each = total // writers
    with database(base_url, folder, "append") as url:
        spawn = multiprocessing.get_context("spawn")
        start, out = spawn.Barrier(writers), spawn.Queue()
        target = _bare_writer if bare else _writer
        processes = [
            spawn.Process(target=target, args=(url, str(folder / f"w{i}"), i, each, start, out))
            for i in range(writers)
        ]
        for process in processes:
            process.start()
        spans = _spans(processes, out)
        elapsed = max(end for _, end in spans) - min(begin for begin, _ in spans)
        _check(url, folder, writers * each, signed=not bare)
    return writers * each / elapsed


def _spans(processes: list[Any], out: Any) -> list[tuple[float, float]]:
    """Each writer's (start, end); fails as soon as a writer dies instead of waiting."""
    spans: list[tuple[float, float]] = []
    deadline = time.monotonic() + 600
    while len(spans) < len(processes):
        try:
            spans.append(out.get(timeout=0.5))
        except queue.Empty:
            failed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            assert not failed, f"a writer failed (exit status {failed[0]})"
            assert time.monotonic() < deadline, "the writers did not finish in 10 minutes"
    for process in processes:
        process.join()
        assert process.exitcode == 0, process.exitcode
    return spans


def _check(url: str, folder: Path, expected: int, signed: bool = True) -> None:
    app = create_app(_config(url, folder / "checker"))
    with app.app_context():
        session = db.session()
        if not signed:  # bare writers sign nothing; sign the head so the walk can vouch
            checkpoint_now(session, Actor(username="benchmark"))
            expected += 1
        report = verify_database(session, current_checkpointer().signer.public_key)
        assert report.intact, report.damage
        assert report.count == report.head_seq == expected, (report.count, expected)
        parents = session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash))))
        assert parents == expected, "two events share a parent: the chain forked"
    db.database(app).dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", metavar="URL", help="server (default: a SQLite file)")
    parser.add_argument("--writers", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--appends", type=int, default=12_000, help="per round, all writers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bare", action="store_true", help="psycopg alone, no application")
    args = parser.parse_args(argv)
    if args.bare and not args.postgresql:
        parser.error("--bare speaks to PostgreSQL: give --postgresql URL")
    with (
        tempfile.TemporaryDirectory() as folder,
        database(args.postgresql, Path(folder), "probe") as probe,
    ):
        print(describe(probe))
    who = "bare psycopg," if args.bare else "application,"
    for writers in args.writers:
        rates = []
        for round_number in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory() as folder:
                rate = one_round(args.postgresql, writers, args.appends, Path(folder), args.bare)
            rates.append(rate)
            print(f"{who} {writers} writers, round {round_number}: {rate:,.0f} appends/s, verified")
        print(f"{who} {writers} writers: median {statistics.median(rates):,.0f} appends/s")


if __name__ == "__main__":
    main()
