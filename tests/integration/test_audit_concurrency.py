"""Writers in separate processes append at once; the chain comes out whole: every event
there, numbered without gaps, each linked to the one before, none sharing a parent.

PostgreSQL serialises appends with an advisory lock, SQLite with BEGIN IMMEDIATE; eight
writers on PostgreSQL, four on SQLite (whose writers queue on one file lock anyway).
"""

from __future__ import annotations

import itertools
import multiprocessing
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from casework import create_app, db
from casework.audit.checkpoints import current_checkpointer, stored
from casework.audit.events import Action, Actor, RequestContext, record
from casework.audit.verify import verify_database
from casework.db import database
from casework.models import AuditEvent
from tests.conftest import app_config
from tests.databases import fresh_database, migrate, postgres_base_url

EVENTS_EACH = 40
CHECKPOINT_EVERY = 25


def _writer(url: str, instance: str, number: int, start: Any) -> None:
    app = create_app(
        app_config(url, Path(instance), AUDIT_CHECKPOINT_EVERY_EVENTS=CHECKPOINT_EVERY)
    )
    start.wait()
    try:
        with app.app_context():
            session = db.session()
            for n in range(EVENTS_EACH):
                record(
                    session,
                    Action.CASE_READ,
                    Actor(username=f"writer{number}"),
                    context=RequestContext(request_id=f"{number:04d}{n:028d}"),
                )
                session.commit()
    finally:
        database(app).dispose()


def test_concurrent_writers_never_fork_the_chain(tmp_path: Path) -> None:
    writers = 8 if postgres_base_url() else 4
    with fresh_database(tmp_path, "concurrency") as url:
        migrate(url)
        spawn = multiprocessing.get_context("spawn")
        start = spawn.Barrier(writers)
        processes = [
            spawn.Process(target=_writer, args=(url, str(tmp_path / f"w{i}"), i, start))
            for i in range(writers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=300)
        assert [p.exitcode for p in processes] == [0] * writers
        _check(url, tmp_path, writers)


def _check(url: str, tmp_path: Path, writers: int) -> None:
    app = create_app(app_config(url, tmp_path / "checker"))
    try:
        with app.app_context():
            session = db.session()
            report = verify_database(session, current_checkpointer().signer.public_key)
            assert report.intact, report.damage
            assert report.count == report.head_seq == writers * EVENTS_EACH
            parents = session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash))))
            assert parents == report.count  # no two events share a parent: no fork
            for number in range(writers):
                ids = list(
                    session.scalars(
                        select(AuditEvent.request_id)
                        .where(AuditEvent.actor == f"writer{number}")
                        .order_by(AuditEvent.seq)
                    )
                )
                assert ids == [f"{number:04d}{n:028d}" for n in range(EVENTS_EACH)]
            seqs = [c.seq for c in stored(session)]
            assert seqs[0] == 1 and len(seqs) >= report.count // CHECKPOINT_EVERY
            gaps = [b - a for a, b in itertools.pairwise(seqs)]
            assert all(gap == CHECKPOINT_EVERY for gap in gaps)
    finally:
        database(app).dispose()
