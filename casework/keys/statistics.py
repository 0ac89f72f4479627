"""The statistics key: seals every de-identified statistical record.

It is a key of its own, wrapped by the key-encryption key like a case's data key (a KEK
rotation rewraps it through `StatisticsKey.__kek_sealed__`), and never a case's key: a
case's erasure destroys the case's key and leaves its statistical record readable. A
second key derived from it (HKDF) keys the noise that protects published tables, so
nobody without the KEK can tell the noise from the counts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.crypto.aead import KEY_BYTES, NONCE_BYTES, FieldIntegrityError, seal
from casework.crypto.keyring import Keyring
from casework.keys.keycheck import REFUSING, KeyCheckError
from casework.models.statistics import StatisticsKey

EXTENSION_KEY = "casework.statistics_key"
PURPOSE = "statistics"
_HEADER_BYTES = 5


def record_aad(record_id: uuid.UUID | str, key_version: int) -> bytes:
    """The associated data of a record: its id (as str(UUID) writes it) and key version."""
    return f"casework|statistics|v1|{record_id}|k{key_version}".encode()


@dataclass(frozen=True)
class StatisticsSealer:
    """Seals and opens statistical records; keys the noise of published tables."""

    version: int
    key: bytes = field(repr=False)

    def seal(self, record_id: uuid.UUID, payload: bytes) -> bytes:
        return seal(self.key, self.version, payload, record_aad(record_id, self.version))

    def open(self, record_id: uuid.UUID, blob: bytes) -> bytes:
        """The payload; FieldIntegrityError if the blob was altered or moved."""
        return self.opener()(record_id, blob)

    def opener(self) -> _Opener:
        """A reusable opener (one cipher object for many records)."""
        return _Opener(AESGCM(self.key), self.version)

    def noise_key(self) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"casework statistics noise v1"
        ).derive(self.key)

    def digest(self, message: bytes) -> bytes:
        return hmac.new(self.noise_key(), message, hashlib.sha256).digest()


class _Opener:
    def __init__(self, cipher: AESGCM, version: int) -> None:
        self._cipher = cipher
        self._version = version

    def __call__(self, record_id: uuid.UUID | str, blob: bytes) -> bytes:
        blob = bytes(blob)
        if len(blob) < _HEADER_BYTES + NONCE_BYTES + 16 or blob[0] != 1:
            raise FieldIntegrityError("statistical record malformed")
        if int.from_bytes(blob[1:_HEADER_BYTES], "big") != self._version:
            raise FieldIntegrityError("statistical record sealed under another key version")
        header = blob[:_HEADER_BYTES]
        nonce = blob[_HEADER_BYTES : _HEADER_BYTES + NONCE_BYTES]
        try:
            return self._cipher.decrypt(
                nonce,
                blob[_HEADER_BYTES + NONCE_BYTES :],
                header + record_aad(record_id, self._version),
            )
        except Exception:
            raise FieldIntegrityError("statistical record failed authentication") from None


def load_statistics_key(session: Session, keyring: Keyring) -> StatisticsSealer | None:
    """The statistics key, made and stored on first start; None before migration 0010."""
    if "statistics_key" not in inspect(session.connection()).get_table_names():
        return None
    row = session.scalars(
        select(StatisticsKey).order_by(StatisticsKey.version.desc()).limit(1)
    ).first()
    if row is None:
        key = os.urandom(KEY_BYTES)
        session.add(StatisticsKey(version=1, wrapped_key=keyring.seal_secret(PURPOSE, "1", key)))
        try:
            session.commit()
        except IntegrityError:  # another process made it first
            session.rollback()
            return load_statistics_key(session, keyring)
        return StatisticsSealer(version=1, key=key)
    try:
        key = keyring.open_secret(PURPOSE, str(row.version), row.wrapped_key)
    except FieldIntegrityError:
        raise KeyCheckError(
            f"the statistics key does not open under the configured key-encryption keys "
            f"({keyring.current.source}); {REFUSING}"
        ) from None
    return StatisticsSealer(version=row.version, key=key)


def current_statistics_key() -> StatisticsSealer:
    sealer: StatisticsSealer | None = current_app.extensions.get(EXTENSION_KEY)
    if sealer is None:
        raise RuntimeError("the statistics key is not loaded: run `casework db upgrade`")
    return sealer
