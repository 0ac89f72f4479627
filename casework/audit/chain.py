"""Canonical encoding and hashing of audit events.

Encoding, version 1: the domain tag ``casework-audit-v1``, then each field below in
this order as a 4-byte big-endian length followed by its UTF-8 bytes, then the
previous event's 32-byte hash. The event's hash is SHA-256 over those bytes.

    seq (decimal), occurred_at (YYYY-MM-DDTHH:MM:SS.ffffffZ), actor, actor_role,
    organisation, action, case_ref, field_groups, outcome, request_id, client_addr,
    subject
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

DOMAIN_TAG = b"casework-audit-v1"
GENESIS_HASH = bytes(32)
_LEN = struct.Struct(">I")

# The event's columns in the order the encoding takes them (after the domain tag).
FIELDS = (
    "seq",
    "occurred_at",
    "actor",
    "actor_role",
    "organisation",
    "action",
    "case_ref",
    "field_groups",
    "outcome",
    "request_id",
    "client_addr",
    "subject",
)


class ChainedEvent(Protocol):
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


def format_time(value: datetime) -> str:
    if value.tzinfo is not None:
        raise ValueError("audit times are naive UTC")
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(event: ChainedEvent) -> bytes:
    fields = (
        str(event.seq),
        format_time(event.occurred_at),
        event.actor,
        event.actor_role,
        event.organisation,
        event.action,
        event.case_ref,
        event.field_groups,
        event.outcome,
        event.request_id,
        event.client_addr,
        event.subject,
    )
    return length_prefixed(DOMAIN_TAG, fields) + bytes(event.prev_hash)


def length_prefixed(tag: bytes, fields: Iterable[str]) -> bytes:
    """`tag`, then each field as a 4-byte big-endian length and its UTF-8 bytes."""
    parts = [tag]
    for field in fields:
        raw = field.encode("utf-8")
        parts.append(_LEN.pack(len(raw)))
        parts.append(raw)
    return b"".join(parts)


def event_hash(event: ChainedEvent) -> bytes:
    return hashlib.sha256(canonical_bytes(event)).digest()
