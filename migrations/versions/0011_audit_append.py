"""One round trip per audit append on PostgreSQL.

casework_audit_append() takes the chain lock, reads the head with a snapshot taken
after the lock is granted, builds the event's canonical encoding (casework/audit/chain.py,
version 1), hashes it with SHA-256 and inserts the event, and returns the new head
with the newest checkpoint as of it. The application checks that the hash is the one
it computes itself before the transaction commits, so the two encodings cannot drift
apart unnoticed. SQLite needs nothing: its transactions begin IMMEDIATE.

Revision ID: 0011_audit_append
Revises: 0010_record
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_audit_append"
down_revision: str | None = "0010_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = (
    "casework_audit_append(bigint, timestamp, text, text, text, text, text, text, text,"
    " text, text, text)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # A volatile function's statements each take a new snapshot (READ COMMITTED): the
    # head is read after the lock is granted, so it is what the last writer committed.
    op.execute(
        r"""
        CREATE FUNCTION casework_audit_append(
            lock_key bigint, p_occurred_at timestamp, p_actor text, p_actor_role text,
            p_organisation text, p_action text, p_case_ref text, p_field_groups text,
            p_outcome text, p_request_id text, p_client_addr text, p_subject text)
        RETURNS TABLE (seq integer, prev_hash bytea, hash bytea,
                       checkpoint_seq integer, checkpoint_at timestamp)
        LANGUAGE plpgsql VOLATILE AS $$
        #variable_conflict use_column
        DECLARE
            head_seq integer;
            head_hash bytea;
            new_seq integer;
            encoded bytea := convert_to('casework-audit-v1', 'UTF8');
            raw bytea;
            field text;
            new_hash bytea;
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            SELECT e.seq, e.hash INTO head_seq, head_hash
                FROM audit_event e ORDER BY e.seq DESC LIMIT 1;
            new_seq := coalesce(head_seq, 0) + 1;
            head_hash := coalesce(head_hash, decode(repeat('00', 32), 'hex'));
            FOREACH field IN ARRAY ARRAY[
                new_seq::text,
                to_char(p_occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                p_actor, p_actor_role, p_organisation, p_action, p_case_ref,
                p_field_groups, p_outcome, p_request_id, p_client_addr, p_subject]
            LOOP
                raw := convert_to(field, 'UTF8');
                encoded := encoded || int4send(octet_length(raw)) || raw;
            END LOOP;
            new_hash := sha256(encoded || head_hash);
            INSERT INTO audit_event (seq, occurred_at, actor, actor_role, organisation,
                action, case_ref, field_groups, outcome, request_id, client_addr, subject,
                prev_hash, hash)
            VALUES (new_seq, p_occurred_at, p_actor, p_actor_role, p_organisation,
                p_action, p_case_ref, p_field_groups, p_outcome, p_request_id,
                p_client_addr, p_subject, head_hash, new_hash);
            RETURN QUERY SELECT new_seq, head_hash, new_hash,
                (SELECT c.seq FROM audit_checkpoint c ORDER BY c.seq DESC LIMIT 1),
                (SELECT c.signed_at FROM audit_checkpoint c ORDER BY c.seq DESC LIMIT 1);
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
