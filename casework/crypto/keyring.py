"""The key-encryption keys (KEK) and the per-case data keys (DEKs) they wrap.

Key hierarchy:

    KEK (outside the database: env var, mounted file, dev file; later a KMS)
     |-- wraps each case's DEK (AES-256-GCM; header names the KEK version)
     |     `-- encrypts that case's fields (AES-256-GCM; header names the DEK version)
     `-- wraps the blind-index root key
           `-- HKDF per table and column -> HMAC-SHA256 tokens

During a KEK rotation the keyring also holds the previous KEK, for unwrapping only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import current_app

from casework.crypto.aead import KEY_BYTES, FieldIntegrityError, key_version_of
from casework.crypto.blind_index import BlindIndexer
from casework.crypto.kek import KekProvider, LocalKek

EXTENSION_KEY = "casework.keyring"


def dek_aad(case_id: str, dek_version: int) -> bytes:
    return f"casework|dek|v1|{case_id}|d{dek_version}".encode()


def index_key_aad(index_version: int) -> bytes:
    return f"casework|index-key|v1|i{index_version}".encode()


def secret_aad(purpose: str, owner: str) -> bytes:
    return f"casework|secret|v1|{purpose}|{owner}".encode()


class Keyring:
    """Wraps and unwraps data keys. Hands out no KEK; seals new keys under the current one."""

    def __init__(
        self,
        kek: bytes | KekProvider,
        kek_version: int = 1,
        previous: Mapping[int, KekProvider] | None = None,
        index_root: bytes | None = None,
    ) -> None:
        current = LocalKek(kek, "key") if isinstance(kek, bytes) else kek
        self.kek_version = kek_version
        self._keks: dict[int, KekProvider] = {**(previous or {}), kek_version: current}
        self._indexer = BlindIndexer(index_root) if index_root is not None else None

    @property
    def current(self) -> KekProvider:
        return self._keks[self.kek_version]

    @property
    def known_versions(self) -> frozenset[int]:
        return frozenset(self._keks)

    @staticmethod
    def new_data_key() -> bytes:
        return os.urandom(KEY_BYTES)

    def _provider_for(self, blob: bytes) -> KekProvider:
        version = key_version_of(blob)
        provider = self._keks.get(version)
        if provider is None:
            raise FieldIntegrityError(
                f"wrapped by key-encryption key version {version}, which is not configured"
            )
        return provider

    def wrap(self, dek: bytes, case_id: str, dek_version: int) -> bytes:
        return self.current.seal(self.kek_version, dek, dek_aad(case_id, dek_version))

    def unwrap(self, wrapped: bytes, case_id: str, dek_version: int) -> bytes:
        try:
            return self._provider_for(wrapped).open(wrapped, dek_aad(case_id, dek_version))
        except FieldIntegrityError as exc:
            raise FieldIntegrityError(f"data key of case {case_id}: {exc}") from None

    def rewrap(self, wrapped: bytes, case_id: str, dek_version: int) -> bytes:
        """The same data key, wrapped under the current KEK."""
        return self.wrap(self.unwrap(wrapped, case_id, dek_version), case_id, dek_version)

    def seal_secret(self, purpose: str, owner: str, secret: bytes) -> bytes:
        """Seal a non-case secret (an authenticator seed) under the KEK, bound to its use.

        A model keeping one declares the column in `__kek_sealed__`, so that a KEK
        rotation rewraps it (casework/crypto/registry.py)."""
        return self.current.seal(self.kek_version, secret, secret_aad(purpose, owner))

    def open_secret(self, purpose: str, owner: str, sealed: bytes) -> bytes:
        return self._provider_for(sealed).open(sealed, secret_aad(purpose, owner))

    def rewrap_secret(self, purpose: str, owner: str, sealed: bytes) -> bytes:
        return self.seal_secret(purpose, owner, self.open_secret(purpose, owner, sealed))

    def wrap_index_key(self, root: bytes, index_version: int) -> bytes:
        return self.current.seal(self.kek_version, root, index_key_aad(index_version))

    def unwrap_index_key(self, wrapped: bytes, index_version: int) -> bytes:
        return self._provider_for(wrapped).open(wrapped, index_key_aad(index_version))

    @property
    def indexer(self) -> BlindIndexer:
        if self._indexer is None:
            raise RuntimeError("the blind-index key has not been loaded")
        return self._indexer

    def __repr__(self) -> str:
        return f"Keyring(kek_version={self.kek_version}, known={sorted(self._keks)})"


def current_keyring() -> Keyring:
    keyring: Keyring | None = current_app.extensions.get(EXTENSION_KEY)
    if keyring is None:
        raise RuntimeError("the keys have not been verified against the database yet")
    return keyring
