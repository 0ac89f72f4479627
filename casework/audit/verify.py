"""Verifying the audit log: recompute every event's hash, follow every link, check every
checkpoint signature, and name the first damage found.

What each kind of tampering looks like to the walk (oldest event first):

- an event deleted in the middle: a sequence number is missing;
- a changed byte in any column: the event no longer hashes to its stored hash;
- events reordered or renumbered: an event hashes correctly only under another number;
- an event inserted, or a link edited and the hash recomputed: the previous-hash link
  does not name the event before;
- events forged and every later hash recomputed: the chain no longer matches a signed
  checkpoint;
- the tail cut off: a signed checkpoint names an event beyond the end;
- the whole chain and its checkpoints rebuilt: the checkpoint signatures fail, since the
  signing key is not in the database.

Rows are streamed from the database driver in batches, text as raw UTF-8 bytes, with no
ORM objects; the canonical bytes of chain.py are assembled from precomputed length
prefixes. Anything unusual in a batch (a NULL, a number where text belongs) sends the
batch through the slower, defensive encoder instead.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from casework.audit.chain import DOMAIN_TAG, FIELDS, GENESIS_HASH
from casework.audit.checkpoints import Checkpoint, PublicKey, stored
from casework.audit.rows import row_batches

BATCH_SIZE = 10_000
# How far from its place a moved event is looked for (in sequence numbers).
MOVED_WINDOW = 10_000
_LEN = struct.Struct(">I")
_PREFIX = [_LEN.pack(n) for n in range(4096)]
Row = Sequence[Any]


class DamageKind(StrEnum):
    """In the order they are reported when two are found at the same event."""

    MISSING = "missing"
    MOVED = "moved"
    ALTERED = "altered"
    BROKEN_LINK = "broken-link"
    REWRITTEN = "rewritten"
    TRUNCATED = "truncated"
    BAD_SIGNATURE = "bad-signature"
    UNSIGNED = "unsigned"


@dataclass(frozen=True)
class Damage:
    seq: int
    kind: DamageKind
    detail: str

    def sort_key(self) -> tuple[int, int]:
        return self.seq, list(DamageKind).index(self.kind)


@dataclass(frozen=True)
class Report:
    count: int
    head_seq: int
    head_hash: bytes
    signatures_checked: int
    last_checkpoint: Checkpoint | None
    damage: Damage | None

    @property
    def intact(self) -> bool:
        return self.damage is None

    @property
    def unsigned(self) -> int:
        """Events after the newest valid checkpoint: walked and linked, but vouched for by
        no signature yet (the next checkpoint covers them)."""
        signed = self.last_checkpoint.seq if self.last_checkpoint is not None else 0
        return max(0, self.head_seq - signed)


def verify_database(
    session: Session, key: PublicKey, extra_claims: Iterable[Checkpoint] = ()
) -> Report:
    """Verify the log in `session`'s transaction against its stored checkpoints and any
    `extra_claims` (from an auditor's checkpoint file), trusting only `key`."""
    claims = [*stored(session), *extra_claims]
    return verify_chain(session.connection(), key, claims)


def verify_chain(
    connection: Connection,
    key: PublicKey,
    claims: Iterable[Checkpoint],
    batch_size: int = BATCH_SIZE,
) -> Report:
    with closing(row_batches(connection, batch_size)) as batches:
        return verify_rows(batches, key, claims)


def verify_rows(
    batches: Iterable[Sequence[Row]], key: PublicKey, claims: Iterable[Checkpoint]
) -> Report:
    """The verification itself, over batches of rows in the form rows.py describes."""
    checked = [(claim, key.verifies(claim)) for claim in claims]
    valid = [claim for claim, genuine in checked if genuine]
    found = [_bad_signature(claim) for claim, genuine in checked if not genuine]
    walk = Walk(claim_hashes(valid))
    for rows in batches:
        if not walk.feed(rows):
            break
    if walk.damage is not None:
        found.append(walk.damage)
    else:
        found.extend(_beyond_the_end(walk, valid))
    if walk.count and not valid:
        found.append(Damage(1, DamageKind.UNSIGNED, _UNSIGNED))
    return Report(
        count=walk.count,
        head_seq=walk.expected - 1,
        head_hash=walk.prev,
        signatures_checked=len(checked),
        last_checkpoint=max(valid, key=lambda c: c.seq, default=None),
        damage=min(found, key=Damage.sort_key, default=None),
    )


_UNSIGNED = (
    "no signed checkpoint vouches for the log, so it cannot be told from one rebuilt from"
    " scratch; sign the head with `casework audit checkpoint`"
)


def _bad_signature(claim: Checkpoint) -> Damage:
    return Damage(
        claim.seq,
        DamageKind.BAD_SIGNATURE,
        f"the checkpoint for event {claim.seq} is not signed by this installation's key:"
        " it was made or changed outside Casework",
    )


def _beyond_the_end(walk: Walk, valid: list[Checkpoint]) -> list[Damage]:
    head = walk.expected - 1
    beyond = [c for c in valid if c.seq > head]
    if not beyond:
        return []
    last = max(beyond, key=lambda c: c.seq)
    signed = f"{last.signed_at:%Y-%m-%d %H:%M} UTC"
    return [
        Damage(
            head + 1,
            DamageKind.TRUNCATED,
            f"the log ends at event {head}, but a checkpoint signed at {signed} covers event"
            f" {last.seq}: events {head + 1} to {last.seq} are gone",
        )
    ]


def claim_hashes(claims: Iterable[Checkpoint]) -> dict[int, set[bytes]]:
    """The hashes vouched for at each checkpointed sequence number."""
    hashes: dict[int, set[bytes]] = {}
    for claim in claims:
        hashes.setdefault(claim.seq, set()).add(claim.event_hash)
    return hashes


class Walk:
    """The chain walked oldest first, from `start`; stops at the first damage.

    With `prev` None the first row's link is taken as it stands and kept in
    `first_link`, for whoever walked the part before to check (parallel.py).
    """

    def __init__(
        self, claims: dict[int, set[bytes]], start: int = 1, prev: bytes | None = GENESIS_HASH
    ) -> None:
        self.expected = start
        self.prev = prev if prev is not None else b""
        self.adopt_first_link = prev is None
        self.first_link: bytes | None = None
        self.count = 0
        self.damage: Damage | None = None
        self.claims = claims
        self.vouched_up_to = 0

    def feed(self, rows: Sequence[Row]) -> bool:
        """Walk one batch; False once damage is found."""
        if self.adopt_first_link and rows:
            self.prev = self.first_link = rows[0][-2]
            self.adopt_first_link = False
        while rows:
            start = self.expected
            try:
                self.expected, self.prev = _walk(rows, start, self.prev, self.claims)
            except (TypeError, IndexError):
                self.expected, self.prev = _walk_careful(rows, start, self.prev, self.claims)
            done = self.expected - start
            self.count += done
            if done == len(rows):
                return True
            if not self._at_stop(rows[done]):
                return False
            rows = rows[done + 1 :]
        return True

    def _at_stop(self, row: Row) -> bool:
        """Judge the row the walk stopped at; True if it was only a checkpoint to match."""
        seq = row[0]
        digest = _digest(row, seq)
        if seq != self.expected:
            self.damage = _missing(self.expected, seq)
        elif digest != row[-1]:
            self.damage = _altered_or_moved(row)
        elif row[-2] != self.prev:
            self.damage = Damage(
                seq,
                DamageKind.BROKEN_LINK,
                f"event {seq} does not link to event {seq - 1}: an event was inserted, removed"
                " or reordered, or a link was edited and the hash recomputed",
            )
        elif row[-1] not in self.claims.get(seq, (row[-1],)):
            self.damage = Damage(
                self.vouched_up_to + 1,
                DamageKind.REWRITTEN,
                f"the chain no longer matches the checkpoint signed for event {seq}: events"
                f" {self.vouched_up_to + 1} to {seq} were rewritten and their hashes recomputed",
            )
        if self.damage is not None:
            return False
        if seq in self.claims:
            self.vouched_up_to = seq
        self.count += 1
        self.expected = seq + 1
        self.prev = row[-1]
        return True


def _walk_fast(
    rows: Sequence[Row], expected: int, prev: bytes, stops: dict[int, set[bytes]]
) -> tuple[int, bytes]:
    """The hot loop: returns (next expected sequence number, last good hash) at the first
    row that needs a closer look, or after the last row."""
    lb = _PREFIX
    tag = DOMAIN_TAG
    sha256 = hashlib.sha256
    join = b"".join
    for seq, t, a, r, o, ac, c, g, out, q, ip, sb, p, h in rows:
        s = b"%d" % seq
        if seq != expected or p != prev or seq in stops:
            break
        # fmt: off
        digest = sha256(join((
            tag, lb[len(s)], s, lb[len(t)], t, lb[len(a)], a, lb[len(r)], r, lb[len(o)], o,
            lb[len(ac)], ac, lb[len(c)], c, lb[len(g)], g, lb[len(out)], out, lb[len(q)], q,
            lb[len(ip)], ip, lb[len(sb)], sb, p,
        ))).digest()
        # fmt: on
        if digest != h:
            break
        expected += 1
        prev = h
    return expected, prev


# The hot loop is written out for twelve fields, the sequence number and the time first.
# Should the encoding gain a field, every walk takes the careful path (correct, slower)
# until the hot loop is written out again; a test says so.
FAST_PATH = len(FIELDS) == 12 and FIELDS[:2] == ("seq", "occurred_at")


def _walk_careful(
    rows: Sequence[Row], expected: int, prev: bytes, stops: dict[int, set[bytes]]
) -> tuple[int, bytes]:
    """The same walk for a batch holding something odd: any column of the wrong type."""
    for row in rows:
        seq = row[0]
        if seq != expected or row[-2] != prev or seq in stops or _digest(row, seq) != row[-1]:
            break
        expected += 1
        prev = row[-1]
    return expected, prev


_walk = _walk_fast if FAST_PATH else _walk_careful


def _digest(row: Row, seq: int) -> bytes | None:
    """SHA-256 of the row's canonical bytes as if its sequence number were `seq`; None
    when a column does not hold what Casework writes (bytes of text, 32-byte hashes)."""
    fields = [b"%d" % seq, *row[1:-2]]
    prev = row[-2]
    if not all(isinstance(f, bytes) for f in [*fields, prev, row[-1]]):
        return None
    parts = [DOMAIN_TAG]
    for field in fields:
        parts += (_LEN.pack(len(field)), field)
    parts.append(prev)
    return hashlib.sha256(b"".join(parts)).digest()


def _missing(expected: int, found: int) -> Damage:
    more = f" (and the {found - expected - 1} after it)" if found - expected > 1 else ""
    return Damage(
        expected,
        DamageKind.MISSING,
        f"event {expected} is missing{more}: the log jumps to event {found}",
    )


def _altered_or_moved(row: Row) -> Damage:
    seq = row[0]
    low, high = max(1, seq - MOVED_WINDOW), seq + MOVED_WINDOW
    for other in _nearest_first(seq, low, high):
        if _digest(row, other) == row[-1]:
            return Damage(
                seq,
                DamageKind.MOVED,
                f"event {seq} was written as event {other}: events were reordered or renumbered",
            )
    return Damage(
        seq,
        DamageKind.ALTERED,
        f"event {seq} no longer matches its hash: a column of it was changed",
    )


def _nearest_first(seq: int, low: int, high: int) -> Iterator[int]:
    for distance in range(1, high - low + 1):
        for other in (seq - distance, seq + distance):
            if low <= other <= high:
                yield other
