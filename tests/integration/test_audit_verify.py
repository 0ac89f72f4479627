"""Tampering as a database administrator would (triggers off, raw SQL), and the verifier
naming the first bad event and the kind of damage each time."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import Table, select, text, update
from sqlalchemy.orm import Session

from casework.audit import checkpoints
from casework.audit.chain import event_hash
from casework.audit.checkpoints import Checkpoint, Checkpointer, Schedule, Signer, store
from casework.audit.events import Action, Actor, record
from casework.audit.verify import DamageKind, Report, verify_chain, verify_database
from casework.models import AuditCheckpoint, AuditEvent
from tests.audit_support import append, as_dba, changed, dialect, rehash, sql
from tests.conftest import TEST_SIGNING_KEY

SIGNER = Signer(base64.b64decode(TEST_SIGNING_KEY))
FORGER = Signer(bytes(range(200, 232)))
COLUMNS = [c.name for c in AuditEvent.__table__.columns]


def _verify(session: Session, extra: Iterable[Checkpoint] = ()) -> Report:
    return verify_database(session, SIGNER.public_key, extra)


def _damage(session: Session) -> tuple[int, DamageKind]:
    report = _verify(session)
    assert report.damage is not None, "the tampering went unnoticed"
    return report.damage.seq, report.damage.kind


@pytest.fixture
def chain(ctx: None, app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    """Twenty events; checkpoints signed at events 1, 6, 11 and 16."""
    monkeypatch.setitem(
        app.extensions, checkpoints.EXTENSION_KEY, Checkpointer(SIGNER, Schedule(5, 60))
    )
    append(db_session, 20)
    assert [c.seq for c in checkpoints.stored(db_session)] == [1, 6, 11, 16]
    return db_session


def test_an_untouched_log_is_intact(chain: Session) -> None:
    report = _verify(chain)
    assert report.intact, report.damage
    assert (report.count, report.head_seq, report.signatures_checked) == (20, 20, 4)
    assert report.head_hash == chain.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 20))
    assert report.last_checkpoint is not None and report.last_checkpoint.seq == 16


@pytest.mark.parametrize("column", COLUMNS)
def test_a_changed_byte_in_any_column(chain: Session, column: str) -> None:
    value = chain.scalar(select(AuditEvent.__table__.c[column]).where(AuditEvent.seq == 8))
    with as_dba(chain):
        chain.execute(
            update(cast(Table, AuditEvent.__table__))
            .where(AuditEvent.__table__.c.seq == 8)
            .values({column: changed(value)})
        )
    expected = DamageKind.MISSING if column == "seq" else DamageKind.ALTERED
    assert _damage(chain) == (8, expected)


def test_a_deleted_event_in_the_middle(chain: Session) -> None:
    with as_dba(chain):
        sql(chain, "DELETE FROM audit_event WHERE seq = 8")
    assert _damage(chain) == (8, DamageKind.MISSING)


def test_a_truncated_tail_against_the_last_checkpoint(chain: Session) -> None:
    with as_dba(chain):
        sql(chain, "DELETE FROM audit_event WHERE seq >= 15")
    assert _damage(chain) == (15, DamageKind.TRUNCATED)


def test_a_tail_cut_with_its_checkpoints_needs_the_auditors_copy(chain: Session) -> None:
    kept_elsewhere = checkpoints.stored(chain)
    with as_dba(chain):
        sql(chain, "DELETE FROM audit_event WHERE seq >= 15")
        sql(chain, "DELETE FROM audit_checkpoint WHERE seq >= 15")
    assert _verify(chain).intact  # the database alone cannot tell
    damage = _verify(chain, kept_elsewhere).damage
    assert damage is not None and (damage.seq, damage.kind) == (15, DamageKind.TRUNCATED)


def test_reordered_events(chain: Session) -> None:
    with as_dba(chain):
        sql(chain, "UPDATE audit_event SET seq = -8 WHERE seq = 8")
        sql(chain, "UPDATE audit_event SET seq = 8 WHERE seq = 9")
        sql(chain, "UPDATE audit_event SET seq = 9 WHERE seq = -8")
    report = _verify(chain)
    assert report.damage is not None
    assert (report.damage.seq, report.damage.kind) == (8, DamageKind.MOVED)
    assert "written as event 9" in report.damage.detail


def test_a_forged_event_with_recomputed_hashes_against_a_checkpoint(chain: Session) -> None:
    with as_dba(chain):
        sql(chain, "UPDATE audit_event SET actor = 'someone-else' WHERE seq = 8")
        rehash(chain, 8)
    report = _verify(chain)
    assert report.damage is not None
    # The last checkpoint that still matches is 6; the first that no longer does is 11.
    assert (report.damage.seq, report.damage.kind) == (7, DamageKind.REWRITTEN)
    assert "events 7 to 11" in report.damage.detail


def _rebuild_everything(session: Session) -> None:
    sql(session, "UPDATE audit_event SET actor = 'nobody'")
    rehash(session, 1)
    sql(session, "DELETE FROM audit_checkpoint")


def test_a_wholly_rebuilt_chain_fails_on_signatures(chain: Session) -> None:
    with as_dba(chain):
        _rebuild_everything(chain)
        for event in chain.scalars(select(AuditEvent).where(AuditEvent.seq.in_([1, 10, 20]))):
            store(chain, FORGER.sign(event.seq, event.hash, event.occurred_at))
    assert _damage(chain) == (1, DamageKind.BAD_SIGNATURE)


def test_a_wholly_rebuilt_chain_without_checkpoints_is_unsigned(chain: Session) -> None:
    with as_dba(chain):
        _rebuild_everything(chain)
    assert _damage(chain) == (1, DamageKind.UNSIGNED)


def test_a_checkpoint_relabelled_with_our_key_id_still_fails(chain: Session) -> None:
    head = chain.scalar(select(AuditEvent).where(AuditEvent.seq == 20))
    assert head is not None
    forged = FORGER.sign(20, head.hash, head.occurred_at)
    chain.add(
        AuditCheckpoint(
            seq=20,
            event_hash=head.hash,
            signed_at=head.occurred_at,
            key_id=SIGNER.public_key.key_id,
            signature=forged.signature,
        )
    )
    chain.flush()
    assert _damage(chain) == (20, DamageKind.BAD_SIGNATURE)


def test_an_event_that_links_elsewhere_breaks_the_chain(chain: Session) -> None:
    actor = Actor(username="mallory", role="auditor", organisation="org-9")
    record(chain, Action.CASE_READ, actor)  # event 21, well formed
    with as_dba(chain):
        # Linked to event 19 instead of 20, and its own hash made to fit that.
        sql(
            chain,
            "UPDATE audit_event SET prev_hash = (SELECT hash FROM audit_event"
            " WHERE seq = 19) WHERE seq = 21",
        )
        chain.expire_all()
        event = chain.scalars(select(AuditEvent).where(AuditEvent.seq == 21)).one()
        sql(chain, "UPDATE audit_event SET hash = :h WHERE seq = 21", h=event_hash(event))
    assert _damage(chain) == (21, DamageKind.BROKEN_LINK)


def test_small_batches_walk_the_same_way(chain: Session) -> None:
    connection = chain.connection()
    claims = checkpoints.stored(chain)
    assert verify_chain(connection, SIGNER.public_key, claims, batch_size=3).intact
    with as_dba(chain):
        sql(chain, "DELETE FROM audit_event WHERE seq = 14")
    damage = verify_chain(connection, SIGNER.public_key, claims, batch_size=3).damage
    assert damage is not None and (damage.seq, damage.kind) == (14, DamageKind.MISSING)
    # Stopping early leaves the connection as it was: the walk can run again at once.
    again = verify_chain(connection, SIGNER.public_key, claims, batch_size=3).damage
    assert again == damage
    assert chain.scalar(select(AuditEvent.seq).where(AuditEvent.seq == 20)) == 20


def test_unusual_text_verifies_byte_for_byte(ctx: None, db_session: Session) -> None:
    names = ["Šarūnas-ĳ", "ünïcødé 🙂", "", "x" * 64, "a\tb\\c'd\"e"]
    for name in names:
        record(db_session, Action.LOGIN_FAILURE, Actor(username=name, organisation=name[::-1]))
    db_session.commit()
    assert _verify(db_session).intact


def test_a_value_of_the_wrong_type_is_a_change(chain: Session) -> None:
    if dialect(chain) != "sqlite":
        pytest.skip("only SQLite lets a column hold another type")
    with as_dba(chain):
        sql(chain, "UPDATE audit_event SET actor = 42 WHERE seq = 5")
    assert _damage(chain) == (5, DamageKind.ALTERED)


def test_another_layout_of_the_same_time_is_a_change(chain: Session) -> None:
    if dialect(chain) != "sqlite":
        pytest.skip("PostgreSQL stores times as times")
    with as_dba(chain):
        sql(chain, "UPDATE audit_event SET occurred_at = replace(occurred_at, ' ', 'T')")
    assert chain.execute(text("SELECT occurred_at FROM audit_event")).scalar() is not None
    assert _damage(chain) == (1, DamageKind.ALTERED)


def test_an_overlong_value_is_verified_too(ctx: None, db_session: Session) -> None:
    if dialect(db_session) != "sqlite":
        pytest.skip("PostgreSQL enforces the column length")
    record(db_session, Action.LOGIN_FAILURE, Actor(username="y" * 5000))
    db_session.commit()
    assert _verify(db_session).intact
