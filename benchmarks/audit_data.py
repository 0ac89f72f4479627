"""Synthetic audit logs for the benchmarks: a database built by the migrations (so the
append-only triggers are there), filled with a valid hash chain of realistic events and
a signed checkpoint every 1,000 events, as Casework's defaults would leave it."""

from __future__ import annotations

import base64
import random
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy import insert as sa_insert
from sqlalchemy.engine import make_url

from casework.audit.chain import FIELDS, GENESIS_HASH, canonical_bytes, event_hash
from casework.audit.checkpoints import Checkpoint, Signer
from casework.cli import alembic_config
from casework.db import make_engine
from casework.models import AuditCheckpoint, AuditEvent

SIGNING_SEED = bytes(range(64, 96))
SIGNING_KEY = base64.b64encode(SIGNING_SEED).decode()
CHECKPOINT_EVERY = 1000
ACTIONS = (
    ["case.read"] * 12
    + ["case.list"] * 4
    + ["case.update"] * 2
    + [
        "search",
        "login.success",
        "logout",
        "access.denied",
        "case.create",
        "team.change",
        "session.end",
    ]
)
# Actions whose event names the person acted upon (a team member, an ended session).
SUBJECT_ACTIONS = frozenset({"team.change", "session.end"})
GROUPS = ["identity,identification,migration,support_plan", "identity", "support_plan", ""]
ROLES = ["social_worker", "police", "prosecutor", "ngo_worker", "coordinator"]


@contextmanager
def database(base_url: str | None, folder: Path, label: str) -> Iterator[str]:
    """A new, migrated database (SQLite file under `folder`, or a PostgreSQL database
    next to `base_url`), dropped afterwards."""
    if base_url is None:
        url = f"sqlite:///{folder / f'{label}.sqlite3'}"
        command.upgrade(alembic_config(url), "head")
        yield url
        return
    name = f"casework_bench_{label}_{secrets.token_hex(4)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        command.upgrade(alembic_config(url), "head")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def events(count: int, seed: int = 2026) -> Iterator[SimpleNamespace]:
    rng = random.Random(seed)
    orgs = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(25)]
    users = [(f"user{n:03d}", rng.choice(ROLES), rng.choice(orgs)) for n in range(300)]
    cases = [f"CW-2026-{rng.getrandbits(24):06X}" for _ in range(5000)]
    when = datetime(2026, 1, 1, 8, 0, 0)
    previous = GENESIS_HASH
    for seq in range(1, count + 1):
        user, role, org = rng.choice(users)
        action = rng.choice(ACTIONS)
        when += timedelta(microseconds=rng.randint(1_000, 3_000_000))
        event = SimpleNamespace(
            seq=seq,
            occurred_at=when,
            actor=user,
            actor_role=role,
            organisation=org,
            action=action,
            case_ref=rng.choice(cases) if action.startswith("case.") else "",
            field_groups=rng.choice(GROUPS) if action == "case.read" else "",
            outcome="denied" if action == "access.denied" else "allowed",
            request_id=f"{rng.getrandbits(128):032x}",
            client_addr=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            subject=rng.choice(users)[0] if action in SUBJECT_ACTIONS else "",
            prev_hash=previous,
        )
        event.hash = event_hash(event)
        previous = event.hash
        yield event


def fill(url: str, count: int) -> list[bytes]:
    """Write `count` events and their checkpoints; returns each event's canonical bytes
    (what a plain hashing loop over the same data hashes)."""
    signer = Signer(SIGNING_SEED)
    canonical: list[bytes] = []
    rows: list[tuple[object, ...]] = []
    checkpoints: list[Checkpoint] = []
    for event in events(count):
        canonical.append(canonical_bytes(event))
        rows.append(tuple(getattr(event, c) for c in COLUMNS))
        if event.seq % CHECKPOINT_EVERY == 1 or event.seq == count:
            signed_at = event.occurred_at + timedelta(milliseconds=1)
            checkpoints.append(signer.sign(event.seq, event.hash, signed_at))
    engine = make_engine(url)
    try:
        _insert(engine, rows, checkpoints)
    finally:
        engine.dispose()
    return canonical


COLUMNS = (*FIELDS, "prev_hash", "hash")


def _insert(engine: Engine, rows: list[tuple[object, ...]], checkpoints: list[Checkpoint]) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            raw: Any = conn.connection.dbapi_connection
            copy_sql = f"COPY audit_event ({', '.join(COLUMNS)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Through the table, so times are stored exactly as the application stores them.
            insert = sa_insert(AuditEvent)
            for start in range(0, len(rows), 50_000):
                chunk = rows[start : start + 50_000]
                conn.execute(insert, [dict(zip(COLUMNS, row, strict=True)) for row in chunk])
        conn.execute(sa_insert(AuditCheckpoint), [asdict(c) for c in checkpoints])
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE audit_event"))
