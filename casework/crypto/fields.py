"""Encrypted model attributes. Above the models, values are plain Python values."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from casework.crypto.aead import FieldIntegrityError, associated_data, open_sealed, seal

log = logging.getLogger(__name__)
T = TypeVar("T")


class Codec(Protocol[T]):
    def encode(self, value: T) -> bytes: ...
    def decode(self, raw: bytes) -> T: ...


class TextCodec:
    def encode(self, value: str) -> bytes:
        return value.encode("utf-8")

    def decode(self, raw: bytes) -> str:
        return raw.decode("utf-8")


class DateCodec:
    def encode(self, value: date) -> bytes:
        return value.isoformat().encode("ascii")

    def decode(self, raw: bytes) -> date:
        return date.fromisoformat(raw.decode("ascii"))


class EncryptedRecord(Protocol):
    """What a model must offer for its encrypted fields."""

    __tablename__: str
    id: Any

    def data_key(self) -> tuple[bytes, int]: ...


class EncryptedField(Generic[T]):
    """A descriptor storing AES-GCM ciphertext in the mapped column `column`.

    The associated data names the table, the field, the row id and the key version,
    so a ciphertext copied elsewhere fails to decrypt, loudly.
    """

    def __init__(self, column: str, codec: Codec[T]) -> None:
        self.column = column
        self.codec = codec
        self.name = column

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _aad(self, obj: EncryptedRecord, key_version: int) -> bytes:
        return associated_data(obj.__tablename__, self.name, str(obj.id), key_version)

    def __get__(self, obj: EncryptedRecord | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        blob: bytes | None = getattr(obj, self.column)
        if blob is None:
            return None
        cache: dict[str, tuple[bytes, T]] = obj.__dict__.setdefault("_plain_cache", {})
        hit = cache.get(self.name)
        if hit is not None and hit[0] == blob:
            return hit[1]
        key, key_version = obj.data_key()
        try:
            value = self.codec.decode(open_sealed(key, blob, self._aad(obj, key_version)))
        except FieldIntegrityError:
            log.error("integrity error: %s.%s of row %s", obj.__tablename__, self.name, obj.id)
            raise
        cache[self.name] = (blob, value)
        return value

    def __set__(self, obj: EncryptedRecord, value: T | None) -> None:
        if value is None:
            setattr(obj, self.column, None)
            return
        key, key_version = obj.data_key()
        blob = seal(key, key_version, self.codec.encode(value), self._aad(obj, key_version))
        setattr(obj, self.column, blob)
        obj.__dict__.setdefault("_plain_cache", {})[self.name] = (blob, value)
