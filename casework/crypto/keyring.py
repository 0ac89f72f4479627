"""The key-encryption key (KEK) and the per-case data keys (DEKs) it wraps."""

from __future__ import annotations

import os

from flask import current_app

from casework.crypto.aead import KEY_BYTES, FieldIntegrityError, open_sealed, seal

EXTENSION_KEY = "casework.keyring"


class Keyring:
    """Wraps and unwraps data keys. Holds the KEK; hands out no raw KEK."""

    def __init__(self, kek: bytes, kek_version: int = 1) -> None:
        if len(kek) != KEY_BYTES:
            raise ValueError("the key-encryption key must be 32 bytes")
        self._kek = kek
        self.kek_version = kek_version

    @staticmethod
    def new_data_key() -> bytes:
        return os.urandom(KEY_BYTES)

    @staticmethod
    def _dek_aad(case_id: str, dek_version: int) -> bytes:
        return f"casework|dek|v1|{case_id}|d{dek_version}".encode()

    def wrap(self, dek: bytes, case_id: str, dek_version: int) -> bytes:
        return seal(self._kek, self.kek_version, dek, self._dek_aad(case_id, dek_version))

    def unwrap(self, wrapped: bytes, case_id: str, dek_version: int) -> bytes:
        try:
            return open_sealed(self._kek, wrapped, self._dek_aad(case_id, dek_version))
        except FieldIntegrityError as exc:
            raise FieldIntegrityError(f"data key of case {case_id}: {exc}") from None

    @staticmethod
    def _secret_aad(purpose: str, owner: str) -> bytes:
        return f"casework|secret|v1|{purpose}|{owner}".encode()

    def seal_secret(self, purpose: str, owner: str, secret: bytes) -> bytes:
        """Seal a non-case secret (an authenticator seed) under the KEK, bound to its use."""
        return seal(self._kek, self.kek_version, secret, self._secret_aad(purpose, owner))

    def open_secret(self, purpose: str, owner: str, sealed: bytes) -> bytes:
        return open_sealed(self._kek, sealed, self._secret_aad(purpose, owner))


def current_keyring() -> Keyring:
    keyring: Keyring = current_app.extensions[EXTENSION_KEY]
    return keyring
