"""The checkpoint file: the signed checkpoints as a small text file an auditor keeps
away from the database, to verify the log against later.

Format, version 1 (UTF-8 text, one record a line; blank lines and lines starting with
"#" are comments):

    casework-audit-checkpoints v1
    public-key ed25519 <the 32-byte public key, base64>
    key-id <SHA-256 of the public key, 64 hex digits>
    exported-at <YYYY-MM-DDTHH:MM:SS.ffffffZ>
    checkpoint <seq> <signed at, same form> <event hash, 64 hex digits> <signature, base64>
    ...

The header comes first, in this order; checkpoint lines follow, oldest first. Each
signature is over the message described in checkpoints.py. About 190 bytes a checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from casework.audit.chain import format_time
from casework.audit.checkpoints import (
    PUBLIC_KEY_BYTES,
    SIGNATURE_BYTES,
    Checkpoint,
    PublicKey,
)

MAGIC = "casework-audit-checkpoints v1"
MAX_BYTES = 32 * 1024 * 1024
HEADER = (
    "# Casework audit checkpoints: signed heads of the audit log.\n"
    "# Keep this file away from the Casework database. Check the log against it with\n"
    "#   casework audit verify --checkpoints THIS-FILE\n"
)
_SEQ = re.compile(r"[1-9][0-9]{0,17}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class CheckpointFileError(ValueError):
    """The file cannot be trusted as it is; the message says why, plainly."""


@dataclass(frozen=True)
class CheckpointFile:
    public_key: PublicKey
    exported_at: datetime
    checkpoints: list[Checkpoint]


def render(key: PublicKey, checkpoints: Iterable[Checkpoint], exported_at: datetime) -> str:
    lines = header_lines(key, exported_at)
    lines += [checkpoint_line(c) for c in checkpoints]
    return "\n".join(lines) + "\n"


def header_lines(key: PublicKey, written_at: datetime) -> list[str]:
    """The comment and the header records, up to the first checkpoint line."""
    return [
        *HEADER.rstrip("\n").split("\n"),
        MAGIC,
        f"public-key ed25519 {base64.b64encode(key.raw).decode('ascii')}",
        f"key-id {key.key_id}",
        f"exported-at {format_time(written_at)}",
    ]


def checkpoint_line(c: Checkpoint) -> str:
    signature = base64.b64encode(c.signature).decode("ascii")
    return f"checkpoint {c.seq} {format_time(c.signed_at)} {c.event_hash.hex()} {signature}"


def load(path: Path, trusted: PublicKey, ordered: bool = True) -> list[Checkpoint]:
    """The file's checkpoints, once the file is well formed, names `trusted` as its key,
    and every signature in it verifies. Raises CheckpointFileError otherwise. With
    `ordered` False (a file several processes append to) lines may come in any order."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CheckpointFileError(f"cannot be read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise CheckpointFileError("is too large to be a checkpoint file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointFileError("is not a text file: not a Casework checkpoint file") from None
    parsed = parse(text, ordered)
    if parsed.public_key != trusted:
        raise CheckpointFileError(
            f"is signed by another key: the file names key {parsed.public_key.key_id[:16]}…,"
            f" this installation signs with key {trusted.key_id[:16]}…"
        )
    for line, checkpoint in zip(_checkpoint_lines(text), parsed.checkpoints, strict=True):
        if not trusted.verifies(checkpoint):
            raise CheckpointFileError(
                f"line {line}: the signature of the checkpoint for event {checkpoint.seq}"
                " does not verify: the line was changed after it was exported"
            )
    return parsed.checkpoints


def parse(text: str, ordered: bool = True) -> CheckpointFile:
    records = [(n, line.split(" ")) for n, line in _significant(text)]
    if not records or records[0][1] != MAGIC.split(" "):
        where = f"line {records[0][0]}" if records else "the file"
        raise CheckpointFileError(f"{where}: not a Casework checkpoint file (version 1)")
    if len(records) < 1 + len(_HEADER_FIELDS):
        raise CheckpointFileError("the file ends before its header does")
    for (n, words), (keyword, count) in zip(records[1:4], _HEADER_FIELDS, strict=True):
        if words[0] != keyword or len(words) != count:
            raise CheckpointFileError(f"line {n}: expected the {keyword!r} line here")
    (key_line, key_words), (id_line, id_words), (time_line, time_words) = records[1:4]
    key = _public_key(key_line, key_words)
    if id_words[1] != key.key_id:
        raise CheckpointFileError(f"line {id_line}: the key id does not belong to the public key")
    exported_at = _time(time_line, time_words[1])
    checkpoints: list[Checkpoint] = []
    for n, words in records[4:]:
        checkpoint = _checkpoint(n, words, key.key_id)
        if ordered and checkpoints and checkpoint.seq <= checkpoints[-1].seq:
            raise CheckpointFileError(f"line {n}: checkpoints must be in increasing order")
        checkpoints.append(checkpoint)
    return CheckpointFile(key, exported_at, sorted(checkpoints, key=lambda c: c.seq))


_HEADER_FIELDS = (("public-key", 3), ("key-id", 2), ("exported-at", 2))


def _significant(text: str) -> list[tuple[int, str]]:
    lines = text.split("\n")
    return [
        (n, line.rstrip("\r"))
        for n, line in enumerate(lines, start=1)
        if line.strip() and not line.startswith("#")
    ]


def _checkpoint_lines(text: str) -> list[int]:
    return [n for n, line in _significant(text) if line.startswith("checkpoint ")]


def _public_key(n: int, words: list[str]) -> PublicKey:
    if words[1] != "ed25519":
        raise CheckpointFileError(f"line {n}: only ed25519 keys are known")
    raw = _base64(n, words[2], "public key")
    if len(raw) != PUBLIC_KEY_BYTES:
        raise CheckpointFileError(f"line {n}: a public key is {PUBLIC_KEY_BYTES} bytes")
    return PublicKey(raw)


def _checkpoint(n: int, words: list[str], key_id: str) -> Checkpoint:
    if len(words) != 5 or words[0] != "checkpoint":
        raise CheckpointFileError(
            f"line {n}: expected 'checkpoint <event> <time> <hash> <signature>'"
        )
    _, seq, signed_at, event_hash, signature = words
    if not _SEQ.fullmatch(seq):
        raise CheckpointFileError(f"line {n}: {seq[:20]!r} is not an event number")
    if not _HEX64.fullmatch(event_hash):
        raise CheckpointFileError(f"line {n}: the hash must be 64 lowercase hex digits")
    raw_signature = _base64(n, signature, "signature")
    if len(raw_signature) != SIGNATURE_BYTES:
        raise CheckpointFileError(f"line {n}: a signature is {SIGNATURE_BYTES} bytes")
    return Checkpoint(
        int(seq), bytes.fromhex(event_hash), _time(n, signed_at), key_id, raw_signature
    )


def _time(n: int, value: str) -> datetime:
    try:
        if not _TIME.fullmatch(value):
            raise ValueError(value)
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        raise CheckpointFileError(
            f"line {n}: {value[:40]!r} is not a time like 2026-11-29T10:00:00.000000Z"
        ) from None


def _base64(n: int, value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointFileError(f"line {n}: the {what} is not valid base64") from None
