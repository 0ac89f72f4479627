"""`verify --jobs`: parts walked in parallel processes give the serial walk's answer,
including at the seams between parts, where the tampering here is aimed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from casework import create_app, db
from casework.audit import parallel
from casework.audit.chain import event_hash
from casework.audit.checkpoints import current_checkpointer
from casework.audit.verify import DamageKind, Report, verify_database
from casework.db import database
from casework.models import AuditEvent
from tests.audit_support import append, as_dba, rehash, sql
from tests.conftest import app_config
from tests.databases import fresh_database, migrate

EVENTS = 60  # three parts of twenty; checkpoints at 1, 8, 15, 22, 29, 36, 43, 50, 57


@contextmanager
def _log(tmp_path: Path, checkpoint_every: int) -> Iterator[tuple[Flask, str]]:
    with fresh_database(tmp_path, "parallel") as url:
        migrate(url)
        config = app_config(url, tmp_path / "i", AUDIT_CHECKPOINT_EVERY_EVENTS=checkpoint_every)
        app = create_app(config)
        with app.app_context():
            append(db.session(), EVENTS)
        yield app, url
        database(app).dispose()


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_EVENTS_PER_JOB", 1)


@pytest.fixture
def log(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    with _log(tmp_path, checkpoint_every=7) as made:
        yield made


def _both(app: Flask, url: str) -> tuple[Report, Report]:
    with app.app_context():
        session = db.session()
        key = current_checkpointer().signer.public_key
        return parallel.verify_parallel(session, url, key, jobs=3), verify_database(session, key)


def _tamper(app: Flask, *statements: str, rehash_from: int | None = None) -> None:
    with app.app_context():
        session = db.session()
        with as_dba(session):
            for statement in statements:
                sql(session, statement)
            if rehash_from is not None:
                rehash(session, rehash_from)
        session.commit()


def test_an_intact_log_is_walked_in_parts(
    log: tuple[Flask, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, url = log
    calls: list[int] = []
    walk_parts = parallel._walk_parts

    def counted(
        url: str, head: int, jobs: int, claims: dict[int, set[bytes]]
    ) -> list[parallel.Part]:
        parts = walk_parts(url, head, jobs, claims)
        calls.append(len(parts))
        return parts

    monkeypatch.setattr(parallel, "_walk_parts", counted)
    in_parts, serial = _both(app, url)
    assert calls == [3]
    assert in_parts.intact and in_parts == serial
    assert (in_parts.count, in_parts.head_seq) == (EVENTS, EVENTS)


@pytest.mark.parametrize(
    ("statements", "rehash_from", "seq", "kind"),
    [
        (["UPDATE audit_event SET actor = 'x' WHERE seq = 21"], None, 21, DamageKind.ALTERED),
        (["DELETE FROM audit_event WHERE seq = 20"], None, 20, DamageKind.MISSING),
        (["DELETE FROM audit_event WHERE seq = 21"], None, 21, DamageKind.MISSING),
        (
            ["UPDATE audit_event SET seq = -20 WHERE seq = 20",
             "UPDATE audit_event SET seq = 20 WHERE seq = 21",
             "UPDATE audit_event SET seq = 21 WHERE seq = -20"],
            None, 20, DamageKind.MOVED,
        ),
        (["DELETE FROM audit_event WHERE seq >= 48"], None, 48, DamageKind.TRUNCATED),
        (["UPDATE audit_event SET actor = 'x' WHERE seq = 41"], 41, 37, DamageKind.REWRITTEN),
        (["DELETE FROM audit_checkpoint"], None, 1, DamageKind.UNSIGNED),
    ],
)  # fmt: skip
def test_damage_is_named_as_the_serial_walk_names_it(
    log: tuple[Flask, str],
    statements: list[str],
    rehash_from: int | None,
    seq: int,
    kind: DamageKind,
) -> None:
    app, url = log
    _tamper(app, *statements, rehash_from=rehash_from)
    in_parts, serial = _both(app, url)
    assert in_parts == serial
    assert in_parts.damage is not None
    assert (in_parts.damage.seq, in_parts.damage.kind) == (seq, kind)


def test_a_link_broken_at_the_seam_is_caught_by_the_join(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Event 41, the first of the third part, made to link to event 39, with its hash and
    every later one recomputed, and no checkpoint after it: each part is whole, only the
    join between the second and the third can see it."""
    seen: list[parallel.Part] = []
    walk_parts = parallel._walk_parts

    def gathering(
        url: str, head: int, jobs: int, claims: dict[int, set[bytes]]
    ) -> list[parallel.Part]:
        seen.extend(walk_parts(url, head, jobs, claims))
        return list(seen)

    monkeypatch.setattr(parallel, "_walk_parts", gathering)
    with _log(tmp_path, checkpoint_every=1000) as (app, url):
        with app.app_context():
            session = db.session()
            with as_dba(session):
                sql(session, "UPDATE audit_event SET prev_hash = (SELECT hash FROM audit_event"
                             " WHERE seq = 39) WHERE seq = 41")  # fmt: skip
                event = session.scalars(select(AuditEvent).where(AuditEvent.seq == 41)).one()
                sql(session, "UPDATE audit_event SET hash = :h WHERE seq = 41", h=event_hash(event))
                rehash(session, 42)
            session.commit()
        in_parts, serial = _both(app, url)
    assert [p.damaged for p in seen] == [False, False, False]
    assert in_parts == serial and in_parts.damage is not None
    assert (in_parts.damage.seq, in_parts.damage.kind) == (41, DamageKind.BROKEN_LINK)


def test_the_command_takes_jobs(log: tuple[Flask, str]) -> None:
    app, _url = log
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify", "--jobs", "3"])
    assert result.exit_code == 0, result.output
    assert f"events:      {EVENTS}" in result.output
    _tamper(app, "DELETE FROM audit_event WHERE seq = 33")
    result = runner.invoke(args=["audit", "verify", "--jobs", "3"])
    assert result.exit_code == 1
    assert "first bad event 33 (missing)" in result.output
    assert runner.invoke(args=["audit", "verify", "--jobs", "0"]).exit_code == 2
