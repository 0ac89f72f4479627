"""Verifying a long log on several cores (`casework audit verify --jobs N`).

The chain is cut into contiguous ranges of sequence numbers. Each range is walked by a
process of its own, on a read-only connection of its own, exactly as verify.py walks
the whole log, except that the range's first link is taken as it stands. The ranges are
then joined: each must end where the next begins, and the next one's first link must
name the hash this one ended on. A log found intact this way is intact for the serial
walk too. When anything is amiss, the serial walk runs, so that the first damage is
named exactly as it always is.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.audit.chain import GENESIS_HASH
from casework.audit.checkpoints import Checkpoint, PublicKey, stored
from casework.audit.rows import part_batches
from casework.audit.verify import BATCH_SIZE, Report, Walk, claim_hashes, verify_chain
from casework.models.audit import AuditEvent

# Below this many events a part, starting processes costs more than it saves.
MIN_EVENTS_PER_JOB = 100_000


@dataclass(frozen=True)
class Part:
    low: int
    high: int
    count: int
    first_link: bytes | None
    last_hash: bytes | None
    next_expected: int
    damaged: bool


def walk_part(url: str, low: int, high: int, claims: dict[int, set[bytes]]) -> Part:
    """Runs in a worker process."""
    walk = Walk(claims, start=low, prev=None)
    with closing(part_batches(url, BATCH_SIZE, low, high)) as batches:
        for rows in batches:
            if not walk.feed(rows):
                break
    return Part(
        low=low,
        high=high,
        count=walk.count,
        first_link=walk.first_link,
        last_hash=walk.prev if walk.count else None,
        next_expected=walk.expected,
        damaged=walk.damage is not None,
    )


def verify_parallel(
    session: Session,
    url: str,
    key: PublicKey,
    extra_claims: Iterable[Checkpoint] = (),
    jobs: int = 2,
) -> Report:
    claims = [*stored(session), *extra_claims]
    head = session.scalar(select(func.max(AuditEvent.seq))) or 0
    jobs = min(jobs, head // MIN_EVENTS_PER_JOB)
    valid = [c for c in claims if key.verifies(c)]
    # Forged or missing signatures, or a cut-off tail: the serial walk names them.
    if jobs < 2 or not valid or len(valid) != len(claims) or any(c.seq > head for c in valid):
        return verify_chain(session.connection(), key, claims)
    parts = _walk_parts(url, head, jobs, claim_hashes(valid))
    if not _joined(parts):
        return verify_chain(session.connection(), key, claims)
    return Report(
        count=sum(p.count for p in parts),
        head_seq=head,
        head_hash=parts[-1].last_hash or GENESIS_HASH,
        signatures_checked=len(claims),
        last_checkpoint=max(valid, key=lambda c: c.seq, default=None),
        damage=None,
    )


def _walk_parts(url: str, head: int, jobs: int, claims: dict[int, set[bytes]]) -> list[Part]:
    size = -(-head // jobs)
    lows = list(range(1, head + 1, size))
    highs = [min(low + size - 1, head) for low in lows]
    # Workers fork from a clean server process, never from this one with its open
    # database connections.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # imported once, not once a worker
    with ProcessPoolExecutor(max_workers=len(lows), mp_context=context) as pool:
        return list(pool.map(walk_part, [url] * len(lows), lows, highs, [claims] * len(lows)))


def _joined(parts: list[Part]) -> bool:
    """Every part whole, and each one's first link naming the hash the one before ended on."""
    previous: bytes | None = GENESIS_HASH
    for part in parts:
        whole = not part.damaged and part.next_expected == part.high + 1
        if not whole or part.first_link != previous:
            return False
        previous = part.last_hash
    return True
