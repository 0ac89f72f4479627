"""audit log: append-only triggers, checkpoints, review indexes

The audit tables refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) in the
database itself, whoever connects:

- SQLite: BEFORE UPDATE / BEFORE DELETE triggers that abort. Casework switches
  `recursive_triggers` on for every connection, so the delete that INSERT OR REPLACE
  performs fires the DELETE trigger and is refused too.
- PostgreSQL: row triggers for UPDATE and DELETE and a statement trigger for TRUNCATE,
  set ENABLE ALWAYS so that `session_replication_role = replica` (which silences
  ordinary triggers) does not silence these.

A database administrator can still drop or disable them; the hash chain and the
signed checkpoints are what catch that.

On PostgreSQL, casework_audit_lock_head() takes the chain lock and then reads the head
with a snapshot taken after the lock is granted, in one round trip: appends are
serialised on that lock, so what is done under it sets the log's throughput.

Revision ID: 0009_audit
Revises: 0008_crypto
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_audit"
down_revision: str | None = "0008_crypto"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("audit_event", "audit_checkpoint")
PG_FUNCTION = "casework_audit_append_only"
PG_LOCK_HEAD = "casework_audit_lock_head"


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoint")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_LOCK_HEAD}(bigint)")
    else:
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor"))
    op.drop_table("audit_checkpoint")


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY_TABLES:
        for operation in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation} BEFORE {operation.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: "
                f"{operation.upper()} refused'); END"
            )


def _postgresql_triggers() -> None:
    op.execute(
        f"""
        CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_append_only")
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate")
    # A volatile function's statements each take a new snapshot (READ COMMITTED): the
    # head is read after the lock is granted, so it is what the last writer committed.
    op.execute(
        """
        CREATE FUNCTION casework_audit_lock_head(lock_key bigint)
        RETURNS TABLE (seq integer, hash bytea, checkpoint_seq integer, checkpoint_at timestamp)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            RETURN QUERY
                SELECT e.seq, e.hash,
                    (SELECT c.seq FROM audit_checkpoint c ORDER BY c.seq DESC LIMIT 1),
                    (SELECT c.signed_at FROM audit_checkpoint c ORDER BY c.seq DESC LIMIT 1)
                FROM audit_event e ORDER BY e.seq DESC LIMIT 1;
        END
        $$
        """
    )
