"""The audit tables refuse every change but INSERT, in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casework.models import AuditCheckpoint, AuditEvent
from tests.audit_support import append, as_dba, dialect, sql
from tests.databases import as_owner

TAMPERING = [
    "UPDATE audit_event SET actor = 'someone-else' WHERE seq = 2",
    "UPDATE audit_event SET seq = seq + 100 WHERE seq = 3",
    "DELETE FROM audit_event WHERE seq = 2",
    "DELETE FROM audit_event",
    "UPDATE audit_checkpoint SET seq = 99",
    "DELETE FROM audit_checkpoint",
]


def _refused(session: Session, statement: str) -> str:
    with pytest.raises(DBAPIError) as err, session.begin_nested():
        sql(session, statement)
    return str(err.value.orig)


def _counts(session: Session) -> tuple[int | None, int | None]:
    return (
        session.scalar(select(func.count()).select_from(AuditEvent)),
        session.scalar(select(func.count()).select_from(AuditCheckpoint)),
    )


@pytest.fixture
def chain(ctx: None, db_session: Session) -> Session:
    append(db_session, 5)
    assert _counts(db_session) == (5, 1)
    return db_session


@pytest.mark.parametrize("statement", TAMPERING)
def test_updates_and_deletes_are_refused(chain: Session, statement: str) -> None:
    before = list(chain.execute(text("SELECT * FROM audit_event ORDER BY seq")))
    if dialect(chain) == "postgresql":
        # The application role holds no UPDATE or DELETE on the log at all ...
        assert "permission denied" in _refused(chain, statement)
    # ... and the owner, who holds them, is stopped by the triggers.
    with as_owner(chain.connection()):
        assert "append-only" in _refused(chain, statement)
    assert list(chain.execute(text("SELECT * FROM audit_event ORDER BY seq"))) == before
    assert _counts(chain) == (5, 1)


def test_the_refusal_is_the_trigger_not_something_else(chain: Session) -> None:
    """With the triggers off, as a DBA could do, the same statement goes through."""
    with as_dba(chain):
        sql(chain, "DELETE FROM audit_event WHERE seq = 2")
    assert _counts(chain) == (4, 1)


def test_sqlite_refuses_insert_or_replace(chain: Session) -> None:
    if dialect(chain) != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    replace = (
        "INSERT OR REPLACE INTO audit_event (seq, occurred_at, actor, actor_role,"
        " organisation, action, case_ref, field_groups, outcome, request_id, client_addr,"
        " subject, prev_hash, hash) SELECT seq, occurred_at, 'mallory', actor_role,"
        " organisation, action, case_ref, field_groups, outcome, request_id, client_addr,"
        " subject, prev_hash, hash FROM audit_event WHERE seq = 2"
    )
    assert "append-only" in _refused(chain, replace)
    assert chain.scalar(select(AuditEvent.actor).where(AuditEvent.seq == 2)) == "sofia"
    # recursive_triggers is what makes the difference: without it the hidden delete
    # of INSERT OR REPLACE fires no trigger and the row is silently replaced.
    assert chain.execute(text("PRAGMA recursive_triggers")).scalar() == 1
    sql(chain, "PRAGMA recursive_triggers = OFF")
    try:
        sql(chain, replace)
        assert chain.scalar(select(AuditEvent.actor).where(AuditEvent.seq == 2)) == "mallory"
    finally:
        sql(chain, "PRAGMA recursive_triggers = ON")


def test_postgresql_refuses_truncate_and_upsert(chain: Session) -> None:
    if dialect(chain) != "postgresql":
        pytest.skip("TRUNCATE and ON CONFLICT are PostgreSQL's")
    upsert = (
        "INSERT INTO audit_event SELECT * FROM audit_event WHERE seq = 2"
        " ON CONFLICT (seq) DO UPDATE SET actor = 'mallory'"
    )
    for table in ("audit_event", "audit_checkpoint"):
        assert "permission denied" in _refused(chain, f"TRUNCATE {table}")
    assert "permission denied" in _refused(chain, upsert)
    with as_owner(chain.connection()):
        for table in ("audit_event", "audit_checkpoint"):
            assert "append-only" in _refused(chain, f"TRUNCATE {table}")
        assert "append-only" in _refused(chain, upsert)
    assert _counts(chain) == (5, 1)


def test_postgresql_triggers_fire_in_replica_mode(chain: Session) -> None:
    """session_replication_role = replica silences ordinary triggers, not ALWAYS ones."""
    if dialect(chain) != "postgresql":
        pytest.skip("replication roles are PostgreSQL's")
    states: dict[str, str] = dict(
        chain.execute(
            text(
                "SELECT tgname, tgenabled FROM pg_trigger"
                " WHERE tgrelid IN ('audit_event'::regclass, 'audit_checkpoint'::regclass)"
                " AND NOT tgisinternal"
            )
        ).all()
    )
    assert len(states) == 4 and set(states.values()) == {"A"}, states
    with as_owner(chain.connection()), chain.begin_nested():
        sql(chain, "SET LOCAL session_replication_role = replica")
        for statement in TAMPERING[0], TAMPERING[2], "TRUNCATE audit_event":
            assert "append-only" in _refused(chain, statement)
        # The same trigger enabled the ordinary way would be silenced in replica mode.
        savepoint = chain.begin_nested()
        sql(chain, "ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
        sql(chain, TAMPERING[2])
        assert _counts(chain) == (4, 1)
        savepoint.rollback()
    assert _counts(chain) == (5, 1)
