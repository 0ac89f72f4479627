"""Signed checkpoints of the audit chain's head.

A checkpoint is the head's sequence number and hash at a moment, signed with an
Ed25519 key held outside the database (settings SIGNING_KEY / SIGNING_KEY_FILE). Since
each event's hash covers every event before it, one genuine checkpoint vouches for the
whole chain up to it: a database administrator who rewrites events, recomputes the
hashes or cuts off the tail cannot make a matching signature.

Signed message, version 1: the domain tag ``casework-audit-checkpoint-v1``, then the
sequence number (decimal), the signing time (YYYY-MM-DDTHH:MM:SS.ffffffZ) and the event
hash (64 lowercase hex digits), each as a 4-byte big-endian length and its bytes.

When: `record()` calls `after_append()` with the chain lock held, so a checkpoint is
written in the same transaction as the event it covers, after `every_events` events or
with the first event more than `every_minutes` after the last checkpoint. A quiet log is
signed by `casework audit checkpoint`, run from cron as often.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import Flask, current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit.chain import format_time, length_prefixed
from casework.clock import utcnow
from casework.models.audit import AuditCheckpoint
from casework.settings import Settings

CHECKPOINT_TAG = b"casework-audit-checkpoint-v1"
EXTENSION_KEY = "casework.audit.checkpoints"
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class Checkpoint:
    """A signed claim about the chain: event `seq` has hash `event_hash`."""

    seq: int
    event_hash: bytes
    signed_at: datetime
    key_id: str
    signature: bytes


def message(seq: int, event_hash: bytes, signed_at: datetime) -> bytes:
    return length_prefixed(CHECKPOINT_TAG, (str(seq), format_time(signed_at), event_hash.hex()))


@dataclass(frozen=True)
class PublicKey:
    raw: bytes

    @property
    def key_id(self) -> str:
        """SHA-256 of the raw public key, in hex: how files and rows name the key."""
        return hashlib.sha256(self.raw).hexdigest()

    def verifies(self, checkpoint: Checkpoint) -> bool:
        if checkpoint.key_id != self.key_id:
            return False
        data = message(checkpoint.seq, checkpoint.event_hash, checkpoint.signed_at)
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(checkpoint.signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """Holds the private key; hands out signatures and the public key, never the key."""

    def __init__(self, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = PublicKey(self._key.public_key().public_bytes_raw())

    def sign(self, seq: int, event_hash: bytes, signed_at: datetime) -> Checkpoint:
        signature = self._key.sign(message(seq, event_hash, signed_at))
        return Checkpoint(seq, event_hash, signed_at, self.public_key.key_id, signature)


@dataclass(frozen=True)
class Schedule:
    every_events: int
    every_minutes: int

    def due(
        self, head_seq: int, last_seq: int | None, last_at: datetime | None, now: datetime
    ) -> bool:
        if last_seq is None or last_at is None:
            return True
        if head_seq <= last_seq:
            return False
        return head_seq - last_seq >= self.every_events or now - last_at >= timedelta(
            minutes=self.every_minutes
        )


@dataclass(frozen=True)
class Checkpointer:
    signer: Signer
    schedule: Schedule


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[EXTENSION_KEY] = Checkpointer(
        Signer(settings.signing_key),
        Schedule(settings.checkpoint_every_events, settings.checkpoint_every_minutes),
    )


def current_checkpointer() -> Checkpointer:
    checkpointer: Checkpointer = current_app.extensions[EXTENSION_KEY]
    return checkpointer


@dataclass(frozen=True)
class Head:
    """The newest event, and the newest checkpoint as of it."""

    seq: int
    hash: bytes
    checkpoint_seq: int | None
    checkpoint_at: datetime | None


def after_append(session: Session, seq: int, event_hash: bytes, before: Head | None) -> None:
    """Sign the new head if the schedule says so. Called by `record()`, lock held, with
    the head as it was before the append (it names the newest checkpoint).

    Outside an application there is no signing key: the event is appended unsigned
    and the next checkpoint written inside the application covers it.
    """
    if not has_app_context() or EXTENSION_KEY not in current_app.extensions:
        return
    checkpointer = current_checkpointer()
    now = utcnow()
    last_seq, last_at = (before.checkpoint_seq, before.checkpoint_at) if before else (None, None)
    if before is None:
        # A first event, or the table was emptied: checkpoints left behind already claim
        # this number, and the verification names the damage; signing would collide.
        remaining = latest(session)
        if remaining is not None and remaining.seq >= seq:
            return
    if checkpointer.schedule.due(seq, last_seq, last_at, now):
        store(session, checkpointer.signer.sign(seq, event_hash, now))


def latest(session: Session) -> AuditCheckpoint | None:
    return session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))


def store(session: Session, checkpoint: Checkpoint) -> None:
    session.add(
        AuditCheckpoint(
            seq=checkpoint.seq,
            event_hash=checkpoint.event_hash,
            signed_at=checkpoint.signed_at,
            key_id=checkpoint.key_id,
            signature=checkpoint.signature,
        )
    )
    session.flush()


def stored(session: Session) -> list[Checkpoint]:
    """Every checkpoint in the database, oldest first, as unverified claims."""
    rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))
    return [
        Checkpoint(r.seq, bytes(r.event_hash), r.signed_at, r.key_id, bytes(r.signature))
        for r in rows
    ]
