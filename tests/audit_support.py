"""Helpers for audit-log tests: fill the chain, and act as a database administrator who
bypasses the append-only triggers inside the test's rolled-back transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from casework.audit.chain import FIELDS as CHAIN_COLUMNS
from casework.audit.chain import GENESIS_HASH, event_hash
from casework.audit.events import Action, Actor, Outcome, RequestContext, record
from casework.models import AuditEvent
from tests.databases import as_owner

TABLES = ("audit_event", "audit_checkpoint")
SQLITE_TRIGGERS = {
    "audit_event_no_update": "UPDATE",
    "audit_event_no_delete": "DELETE",
    "audit_checkpoint_no_update": "UPDATE",
    "audit_checkpoint_no_delete": "DELETE",
}


def append(session: Session, count: int, *, case_ref: str = "CW-2026-7KX4QM") -> None:
    """Record `count` ordinary events and commit them (needs an application context)."""
    actor = Actor(username="sofia", role="social_worker", organisation="org-1")
    for n in range(count):
        record(
            session,
            Action.CASE_READ if n % 3 else Action.ACCESS_DENIED,
            actor,
            outcome=Outcome.ALLOWED if n % 3 else Outcome.DENIED,
            case_ref=case_ref,
            field_groups=["identity", "support_plan"] if n % 3 else [],
            context=RequestContext(request_id=f"{n:032x}", client_addr="192.0.2.7"),
        )
    session.commit()


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@contextmanager
def as_dba(session: Session) -> Iterator[None]:
    """Switch the append-only triggers off as a database administrator could.

    Inside the test's transaction, so the outer rollback brings them back. The
    application role may not do this (nor change the log with its triggers off), so on
    PostgreSQL the block runs as the owner.
    """
    with as_owner(session.connection()):
        if dialect(session) == "postgresql":
            for table in TABLES:
                session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for name in SQLITE_TRIGGERS:
                session.execute(text(f"DROP TRIGGER {name}"))
        yield


def sql(session: Session, statement: str, **params: Any) -> None:
    session.execute(text(statement), params)


def changed(value: Any) -> Any:
    """The value with one byte (or one microsecond, or one number) different."""
    if isinstance(value, bytes):
        return bytes([value[0] ^ 0x01]) + value[1:]
    if isinstance(value, str):
        return chr(ord(value[0]) ^ 0x01) + value[1:] if value else "x"
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    if isinstance(value, int):
        return value + 1000
    raise TypeError(type(value))


def rehash(session: Session, start: int) -> None:
    """Recompute the hashes of events `start`.. so the chain is consistent again, as a
    forger with database access would (needs as_dba)."""
    session.expire_all()  # what raw SQL changed must be read afresh
    rows = session.execute(select(AuditEvent).where(AuditEvent.seq >= start - 1)).scalars()
    events = sorted(rows, key=lambda e: e.seq)
    previous = events[0].hash if events[0].seq == start - 1 else GENESIS_HASH
    for event in events:
        if event.seq < start:
            continue
        fields = {c: getattr(event, c) for c in CHAIN_COLUMNS}
        new_hash = event_hash(SimpleNamespace(**fields, prev_hash=previous))
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == event.seq)
            .values(prev_hash=previous, hash=new_hash)
        )
        previous = new_hash
    session.expire_all()
