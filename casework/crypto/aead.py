"""AES-256-GCM with a fresh 96-bit nonce and associated data that binds a ciphertext
to its place. Blob layout (format version 1):

    version (1 byte) | key version (4 bytes, big-endian) | nonce (12 bytes) | ciphertext+tag
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
_HEADER = struct.Struct(">BI")


class FieldIntegrityError(Exception):
    """A ciphertext does not decrypt under its key and place: tampered, moved or erased."""


class KeyDestroyed(FieldIntegrityError):
    """The case was erased: its data key is gone, and with it every value it sealed."""


def associated_data(table: str, column: str, row_id: str, key_version: int) -> bytes:
    return f"casework|field|v{FORMAT_VERSION}|{table}|{column}|{row_id}|k{key_version}".encode()


def seal(key: bytes, key_version: int, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    header = _HEADER.pack(FORMAT_VERSION, key_version)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad)


def key_version_of(blob: bytes) -> int:
    if len(blob) < _HEADER.size:
        raise FieldIntegrityError("ciphertext too short")
    version, key_version = _HEADER.unpack_from(blob)
    if version != FORMAT_VERSION:
        raise FieldIntegrityError(f"unknown ciphertext format {version}")
    return int(key_version)


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < _HEADER.size + NONCE_BYTES + 16:
        raise FieldIntegrityError("ciphertext too short")
    key_version_of(blob)
    header = blob[: _HEADER.size]
    nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[_HEADER.size + NONCE_BYTES :], header + aad)
    except InvalidTag:
        raise FieldIntegrityError("ciphertext failed authentication") from None
