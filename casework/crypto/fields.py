"""Encrypted model attributes. Above the models, values are plain Python values.

A model with encrypted fields belongs to one case: its fields are sealed under that
case's data key. It names the column holding the case's id in `__case_column__`
(default "case_id"), which is how key rotation and erasure find every encrypted row of
a case in any model, including models added later, without knowing them.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from casework.crypto.aead import (
    FieldIntegrityError,
    associated_data,
    key_version_of,
    open_sealed,
    seal,
)
from casework.crypto.blind_index import BlindIndex

log = logging.getLogger(__name__)
T = TypeVar("T")

# Plain values set since the last flush, for the blind-index writer (models/blind_index.py).
PENDING_INDEX = "_blind_index_pending"
PLAIN_CACHE = "_plain_cache"


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

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        """The case's data key of `version` (default: the current one, for sealing) and
        its version."""
        ...


def case_column(model: type) -> str:
    return str(getattr(model, "__case_column__", "case_id"))


def owning_case_id(obj: Any) -> uuid.UUID:
    """The id of the case whose key seals `obj`'s fields."""
    case_id = getattr(obj, case_column(type(obj)), None)
    if case_id is None:
        raise FieldIntegrityError(f"{type(obj).__name__} row {obj.id} names no case")
    return uuid.UUID(str(case_id))


def data_key_for(obj: EncryptedRecord, version: int) -> bytes:
    """The case's data key of `version`: the current one, or an older one that a key
    rotation still keeps, or a newer one committed since this object was loaded."""
    return obj.data_key(version)[0]


class EncryptedField(Generic[T]):
    """A descriptor storing AES-GCM ciphertext in the mapped column `column`.

    The associated data names the table, the field, the row id and the key version,
    so a ciphertext copied elsewhere fails to decrypt, loudly. With `blind_index`, the
    field's normalised terms are also indexed for search.
    """

    def __init__(self, column: str, codec: Codec[T], blind_index: BlindIndex | None = None) -> None:
        self.column = column
        self.codec = codec
        self.name = column
        self.blind_index = blind_index

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _aad(self, obj: EncryptedRecord, key_version: int) -> bytes:
        return associated_data(obj.__tablename__, self.name, str(obj.id), key_version)

    def index_field(self, obj: Any) -> str:
        """The blind-index field name, which also selects the derived index key."""
        return f"{obj.__tablename__}.{self.name}"

    def __get__(self, obj: EncryptedRecord | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        blob: bytes | None = getattr(obj, self.column)
        if blob is None:
            return None
        cache: dict[str, tuple[bytes, T]] = obj.__dict__.setdefault(PLAIN_CACHE, {})
        hit = cache.get(self.name)
        if hit is not None and hit[0] == blob:
            return hit[1]
        try:
            version = key_version_of(blob)
            plain = open_sealed(data_key_for(obj, version), blob, self._aad(obj, version))
            value = self.codec.decode(plain)
        except (FieldIntegrityError, ValueError) as exc:
            # Names the place, never the value; the caller shows the field as unreadable.
            log.error("integrity error: %s.%s of row %s", obj.__tablename__, self.name, obj.id)
            if isinstance(exc, FieldIntegrityError):
                raise
            raise FieldIntegrityError("decrypted value does not decode") from None
        cache[self.name] = (blob, value)
        return value

    def __set__(self, obj: EncryptedRecord, value: T | None) -> None:
        self._store(obj, value)
        if self.blind_index is not None:
            obj.__dict__.setdefault(PENDING_INDEX, {})[self.name] = value

    def _store(self, obj: EncryptedRecord, value: T | None) -> None:
        if value is None:
            setattr(obj, self.column, None)
            return
        key, key_version = obj.data_key()
        blob = seal(key, key_version, self.codec.encode(value), self._aad(obj, key_version))
        setattr(obj, self.column, blob)
        obj.__dict__.setdefault(PLAIN_CACHE, {})[self.name] = (blob, value)

    def reencrypt(self, obj: EncryptedRecord) -> bool:
        """Seal the value again under the case's current data key, if it is not already.

        The value does not change, so neither does the blind index."""
        blob: bytes | None = getattr(obj, self.column)
        if blob is None or key_version_of(blob) == obj.data_key()[1]:
            return False
        self._store(obj, self.__get__(obj))
        return True


_FIELDS: dict[type, tuple[EncryptedField[Any], ...]] = {}


def encrypted_fields(model: type) -> tuple[EncryptedField[Any], ...]:
    """Every EncryptedField of a model class, inherited ones included."""
    fields = _FIELDS.get(model)
    if fields is None:
        seen: dict[str, EncryptedField[Any]] = {}
        for klass in reversed(model.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, EncryptedField):
                    seen[name] = value
        fields = _FIELDS[model] = tuple(seen.values())
    return fields
