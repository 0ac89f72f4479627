"""Apps on throw-away databases, for tests that change keys or the key tables and so
must not share the session's database (its app keeps its keyring for the whole run)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import create_app
from casework.audit.chain import GENESIS_HASH, event_hash
from casework.db import database
from casework.models import AuditEvent
from tests.conftest import app_config
from tests.databases import fresh_database, migrate

KEK_A = base64.b64encode(b"A" * 32).decode()
KEK_B = base64.b64encode(b"B" * 32).decode()
KEK_C = base64.b64encode(b"C" * 32).decode()


@contextmanager
def fresh_url(tmp_path: Path, label: str, revision: str | None = "head") -> Iterator[str]:
    """A new database, migrated to `revision` (None: left empty)."""
    with fresh_database(tmp_path, label) as url:
        if revision is not None:
            migrate(url, revision)
        yield url


@contextmanager
def app_for(url: str, tmp_path: Path, **config: Any) -> Iterator[Flask]:
    app = create_app(app_config(url, tmp_path / "instance", **config))
    try:
        yield app
    finally:
        database(app).dispose()


def assert_chain_verifies(session: Session) -> int:
    """Recompute every audit event's hash in sequence order; the number of events."""
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    previous = GENESIS_HASH
    for expected_seq, event in enumerate(events, start=1):
        assert event.seq == expected_seq
        assert event.prev_hash == previous, f"chain broken before event {event.seq}"
        assert event.hash == event_hash(event), f"event {event.seq} altered"
        previous = event.hash
    return len(events)
