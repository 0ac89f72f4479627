from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import TypedDict

import pytest

from casework.audit.chain import DOMAIN_TAG
from casework.audit.checkpoints import (
    CHECKPOINT_TAG,
    Checkpoint,
    PublicKey,
    Schedule,
    Signer,
    message,
)

SIGNER = Signer(bytes(range(32)))
OTHER = Signer(bytes(range(1, 33)))
WHEN = datetime(2026, 11, 29, 10, 0, 0, 250000)
HASH = bytes.fromhex("ab" * 32)


class CheckpointChange(TypedDict, total=False):
    """Any of Checkpoint's fields, for `dataclasses.replace(checkpoint, **change)`."""

    seq: int
    event_hash: bytes
    signed_at: datetime
    key_id: str
    signature: bytes


def test_a_signed_checkpoint_verifies_with_the_public_key_only() -> None:
    checkpoint = SIGNER.sign(42, HASH, WHEN)
    public = PublicKey(SIGNER.public_key.raw)
    assert public.verifies(checkpoint)
    assert checkpoint.key_id == public.key_id and len(public.key_id) == 64
    assert len(checkpoint.signature) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 43},
        {"event_hash": bytes.fromhex("ac" + "ab" * 31)},
        {"signed_at": WHEN + timedelta(microseconds=1)},
        {"signature": bytes(64)},
    ],
)
def test_any_change_breaks_the_signature(change: CheckpointChange) -> None:
    forged = dataclasses.replace(SIGNER.sign(42, HASH, WHEN), **change)
    assert not SIGNER.public_key.verifies(forged)


def test_another_key_does_not_verify_even_under_our_key_id() -> None:
    theirs = OTHER.sign(42, HASH, WHEN)
    assert not SIGNER.public_key.verifies(theirs)
    relabelled = Checkpoint(42, HASH, WHEN, SIGNER.public_key.key_id, theirs.signature)
    assert not SIGNER.public_key.verifies(relabelled)


def test_message_is_domain_separated_and_versioned() -> None:
    data = message(42, HASH, WHEN)
    assert data.startswith(CHECKPOINT_TAG) and CHECKPOINT_TAG.endswith(b"-v1")
    assert not data.startswith(DOMAIN_TAG + b"\x00")
    assert b"2026-11-29T10:00:00.250000Z" in data and HASH.hex().encode() in data


@pytest.mark.parametrize(
    ("head", "last_seq", "minutes_ago", "due"),
    [
        (1, None, None, True),
        (10, 10, 60, False),
        (12, 10, 1, False),
        (13, 10, 1, True),
        (11, 10, 5, True),
        (11, 10, 4, False),
    ],
)
def test_schedule_every_n_events_or_t_minutes(
    head: int, last_seq: int | None, minutes_ago: int | None, due: bool
) -> None:
    last_at = None if minutes_ago is None else WHEN - timedelta(minutes=minutes_ago)
    assert Schedule(every_events=3, every_minutes=5).due(head, last_seq, last_at, WHEN) is due
