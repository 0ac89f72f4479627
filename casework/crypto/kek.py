"""Key-encryption key (KEK) providers.

The rest of Casework never sees KEK bytes: it asks a provider to seal or open a small
secret (a case's data key, the blind-index root key, a check value). A local provider
keeps the key in process memory, whether it came from an environment variable, a
mounted file or the development key file under instance/. A KMS or HSM provider
would implement the same two calls remotely and never release its key.

Versions are assigned by the database (table kek_version), not by the provider: the
version is written into every blob's authenticated header, so a blob names the KEK
that opens it.
"""

from __future__ import annotations

from typing import Protocol

from casework.crypto.aead import KEY_BYTES, open_sealed, seal


class KekProvider(Protocol):
    """Seals and opens small secrets under one key-encryption key."""

    @property
    def source(self) -> str:
        """Where the key came from, named as the operator sets it (for messages)."""
        ...

    def seal(self, version: int, plaintext: bytes, aad: bytes) -> bytes: ...

    def open(self, blob: bytes, aad: bytes) -> bytes:
        """The plaintext; FieldIntegrityError when the blob was not sealed by this key."""
        ...


class LocalKek:
    """A KEK held in memory: from CASEWORK_KEK, a mounted CASEWORK_KEK_FILE or a dev file."""

    def __init__(self, key: bytes, source: str) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the key-encryption key must be 32 bytes")
        self._key = key
        self._source = source

    @property
    def source(self) -> str:
        return self._source

    def seal(self, version: int, plaintext: bytes, aad: bytes) -> bytes:
        return seal(self._key, version, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        return open_sealed(self._key, blob, aad)

    def __repr__(self) -> str:  # never the key, even in a debugger or a traceback
        return f"LocalKek(source={self._source!r})"
