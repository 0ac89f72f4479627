from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.crypto.aead import (
    FieldIntegrityError,
    associated_data,
    key_version_of,
    open_sealed,
    seal,
)
from casework.crypto.keyring import Keyring

KEY = bytes(range(32))


@given(st.text())
def test_round_trip_of_any_unicode_text(text: str) -> None:
    aad = associated_data("child", "given_name", "row-1", 1)
    assert open_sealed(KEY, seal(KEY, 1, text.encode(), aad), aad).decode() == text


def test_each_encryption_uses_a_fresh_nonce() -> None:
    aad = associated_data("child", "given_name", "row-1", 1)
    assert seal(KEY, 1, b"Liis", aad) != seal(KEY, 1, b"Liis", aad)


def test_ciphertext_moved_to_another_row_fails() -> None:
    blob = seal(KEY, 1, b"Liis", associated_data("child", "given_name", "row-1", 1))
    with pytest.raises(FieldIntegrityError):
        open_sealed(KEY, blob, associated_data("child", "given_name", "row-2", 1))


def test_ciphertext_moved_to_another_column_fails() -> None:
    blob = seal(KEY, 1, b"Liis", associated_data("child", "given_name", "row-1", 1))
    with pytest.raises(FieldIntegrityError):
        open_sealed(KEY, blob, associated_data("child", "family_name", "row-1", 1))


def test_flipped_bit_fails() -> None:
    aad = associated_data("child", "given_name", "row-1", 1)
    blob = bytearray(seal(KEY, 1, b"Liis", aad))
    blob[-1] ^= 1
    with pytest.raises(FieldIntegrityError):
        open_sealed(KEY, bytes(blob), aad)


def test_key_version_is_authenticated() -> None:
    aad = associated_data("child", "given_name", "row-1", 1)
    blob = bytearray(seal(KEY, 1, b"Liis", aad))
    assert key_version_of(bytes(blob)) == 1
    blob[4] = 2  # claims key version 2
    with pytest.raises(FieldIntegrityError):
        open_sealed(KEY, bytes(blob), aad)


def test_truncated_ciphertext_fails() -> None:
    with pytest.raises(FieldIntegrityError):
        open_sealed(KEY, b"\x01\x00", b"")


def test_data_key_unwraps_only_under_the_same_kek_and_case() -> None:
    keyring = Keyring(KEY)
    case_id = str(uuid.uuid4())
    dek = keyring.new_data_key()
    wrapped = keyring.wrap(dek, case_id, 1)
    assert keyring.unwrap(wrapped, case_id, 1) == dek
    assert dek not in wrapped
    with pytest.raises(FieldIntegrityError):
        keyring.unwrap(wrapped, str(uuid.uuid4()), 1)
    with pytest.raises(FieldIntegrityError):
        Keyring(bytes(32)).unwrap(wrapped, case_id, 1)


def test_kek_must_be_256_bits() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring(b"short")
