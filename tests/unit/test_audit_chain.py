from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypedDict

import pytest

from casework.audit.chain import GENESIS_HASH, canonical_bytes, event_hash


@dataclass
class Event:
    seq: int = 1
    occurred_at: datetime = datetime(2026, 11, 28, 12, 0, 0, 123456)
    actor: str = "socialworker"
    actor_role: str = "social_worker"
    organisation: str = "org-1"
    action: str = "case.read"
    case_ref: str = "CW-2026-7KX4QM"
    field_groups: str = "identity"
    outcome: str = "allowed"
    request_id: str = "r1"
    client_addr: str = "127.0.0.1"
    subject: str = ""
    prev_hash: bytes = GENESIS_HASH


class EventChange(TypedDict, total=False):
    """Any of Event's fields, for `replace(Event(), **change)`."""

    seq: int
    occurred_at: datetime
    actor: str
    actor_role: str
    organisation: str
    action: str
    case_ref: str
    field_groups: str
    outcome: str
    request_id: str
    client_addr: str
    subject: str
    prev_hash: bytes


def test_encoding_is_versioned_and_deterministic() -> None:
    raw = canonical_bytes(Event())
    assert raw.startswith(b"casework-audit-v1")
    assert raw == canonical_bytes(Event())
    assert raw.endswith(GENESIS_HASH)
    assert b"2026-11-28T12:00:00.123456Z" in raw


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 2},
        {"actor": "police"},
        {"action": "case.update"},
        {"case_ref": "CW-2026-7KX4QN"},
        {"outcome": "denied"},
        {"subject": "liga"},
        {"field_groups": "identity,location"},
        {"prev_hash": b"\x01" * 32},
        {"occurred_at": datetime(2026, 11, 28, 12, 0, 0, 123457)},
    ],
)
def test_any_change_changes_the_hash(change: EventChange) -> None:
    assert event_hash(replace(Event(), **change)) != event_hash(Event())


def test_length_prefixes_prevent_field_boundary_shifts() -> None:
    a = replace(Event(), actor="ab", actor_role="c")
    b = replace(Event(), actor="a", actor_role="bc")
    assert event_hash(a) != event_hash(b)


def test_aware_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive UTC"):
        canonical_bytes(replace(Event(), occurred_at=datetime.now(UTC)))
