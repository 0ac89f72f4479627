"""Recording events: what may enter the log, and when checkpoints are signed."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.audit import checkpoints
from casework.audit.checkpoints import Checkpointer, Schedule, Signer
from casework.audit.events import Action, Actor, record
from casework.clock import utcnow
from casework.models import AuditCheckpoint, AuditEvent
from tests.audit_support import append
from tests.conftest import TEST_SIGNING_KEY

ACTOR = Actor(username="sofia", role="social_worker", organisation="org-1")


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def every_three(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Signer:
    signer = Signer(base64.b64decode(TEST_SIGNING_KEY))
    monkeypatch.setitem(
        app.extensions, checkpoints.EXTENSION_KEY, Checkpointer(signer, Schedule(3, 10))
    )
    return signer


@pytest.mark.parametrize(
    ("field_groups", "case_ref"),
    [
        (["identity", "Liis Jõgi"], ""),
        (["born 2013-05-17"], ""),
        ([], "Liis Jõgi"),
        ([], "CW-2026-7KX4QM Liis"),
        ([], "cw-2026-7kx4qm"),
    ],
)
def test_free_text_cannot_enter_the_log(
    ctx: None, db_session: Session, field_groups: list[str], case_ref: str
) -> None:
    with pytest.raises(ValueError) as err:
        record(db_session, Action.CASE_READ, ACTOR, field_groups=field_groups, case_ref=case_ref)
    assert "Liis" not in str(err.value) and "2013" not in str(err.value)
    db_session.rollback()
    assert _count(db_session, AuditEvent) == 0


def test_first_event_and_every_nth_are_checkpointed_with_the_event(
    ctx: None, db_session: Session, every_three: Signer
) -> None:
    append(db_session, 8)
    claims = checkpoints.stored(db_session)
    assert [c.seq for c in claims] == [1, 4, 7]
    hashes = dict(db_session.execute(select(AuditEvent.seq, AuditEvent.hash)).all())
    for claim in claims:
        assert claim.event_hash == hashes[claim.seq]
        assert every_three.public_key.verifies(claim)


def test_a_quiet_log_is_checkpointed_by_time(
    ctx: None, db_session: Session, every_three: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(db_session, 2)
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr(checkpoints, "utcnow", lambda: later)
    append(db_session, 1)
    seqs = list(db_session.scalars(select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq)))
    assert seqs == [1, 3]


def test_a_rolled_back_event_takes_its_checkpoint_with_it(
    ctx: None, db_session: Session, every_three: Signer
) -> None:
    append(db_session, 3)
    record(db_session, Action.CASE_READ, ACTOR)  # seq 4: due
    assert _count(db_session, AuditCheckpoint) == 2
    db_session.rollback()
    assert _count(db_session, AuditCheckpoint) == 1
    assert _count(db_session, AuditEvent) == 3
