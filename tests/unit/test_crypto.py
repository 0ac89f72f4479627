from __future__ import annotations

import logging
import uuid
from datetime import date

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
from casework.crypto.fields import DateCodec, EncryptedField, TextCodec
from casework.crypto.kek import LocalKek
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


def test_a_previous_kek_still_unwraps_and_rewrap_moves_to_the_current() -> None:
    old, new = LocalKek(KEY, "old"), LocalKek(bytes(32), "new")
    case_id = str(uuid.uuid4())
    dek = Keyring.new_data_key()
    wrapped_v1 = Keyring(old, 1).wrap(dek, case_id, 1)
    rotating = Keyring(new, 2, previous={1: old})
    assert rotating.unwrap(wrapped_v1, case_id, 1) == dek
    wrapped_v2 = rotating.rewrap(wrapped_v1, case_id, 1)
    assert key_version_of(wrapped_v2) == 2
    assert Keyring(new, 2).unwrap(wrapped_v2, case_id, 1) == dek
    with pytest.raises(FieldIntegrityError, match="version 1, which is not configured"):
        Keyring(new, 2).unwrap(wrapped_v1, case_id, 1)


def test_the_index_key_is_bound_to_its_version() -> None:
    keyring = Keyring(KEY)
    root = Keyring.new_data_key()
    wrapped = keyring.wrap_index_key(root, 1)
    assert keyring.unwrap_index_key(wrapped, 1) == root
    with pytest.raises(FieldIntegrityError):
        keyring.unwrap_index_key(wrapped, 2)


def test_keys_never_appear_in_representations() -> None:
    provider = LocalKek(KEY, "CASEWORK_KEK")
    assert KEY.hex() not in repr(provider) and str(KEY) not in repr(provider)
    assert "CASEWORK_KEK" in repr(provider)
    assert str(KEY) not in repr(Keyring(provider))


class _Record:
    """A stand-in model: one encrypted text field, keys by version like a case's."""

    __tablename__ = "note"
    body = EncryptedField("body_enc", TextCodec())
    born = EncryptedField("born_enc", DateCodec())

    def __init__(self, keys: dict[int, bytes], version: int) -> None:
        self.id = uuid.uuid4()
        self.keys, self.version = keys, version
        self.body_enc: bytes | None = None
        self.born_enc: bytes | None = None

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        wanted = self.version if version is None else version
        return self.keys[wanted], wanted


@given(st.text(), st.dates())
def test_encrypted_fields_round_trip_any_unicode_text_and_date(text: str, day: date) -> None:
    record = _Record({1: KEY}, 1)
    record.body, record.born = text, day
    assert record.body_enc is not None
    if len(text.encode()) >= 4:  # shorter byte strings turn up in random bytes by chance
        assert text.encode() not in record.body_enc
    record.__dict__.pop("_plain_cache")  # decrypt from the stored bytes, not the cache
    assert record.body == text
    assert record.born == day


def test_a_field_swapped_with_another_row_or_column_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = _Record({1: KEY}, 1), _Record({1: KEY}, 1)
    first.body, second.body, second.born = "Šarūnas", "Liis", date(2013, 5, 17)
    for record in (first, second):
        record.__dict__.pop("_plain_cache")
    second.body_enc = first.body_enc  # row swap
    with pytest.raises(FieldIntegrityError), caplog.at_level(logging.ERROR):
        _ = second.body
    second.body_enc = second.born_enc  # column swap
    with pytest.raises(FieldIntegrityError):
        _ = second.body
    assert "integrity error: note.body" in caplog.text
    assert "Šarūnas" not in caplog.text and "Liis" not in caplog.text


def test_reencrypt_leaves_values_under_the_current_key_alone() -> None:
    record = _Record({1: KEY}, 1)
    record.body = "Jõgi"
    stored = record.body_enc
    assert _Record.body.reencrypt(record) is False
    assert _Record.born.reencrypt(record) is False  # no value
    assert record.body_enc == stored


def test_a_kek_sealed_secret_is_bound_to_its_purpose_and_owner_and_survives_rotation() -> None:
    old, new = LocalKek(KEY, "old"), LocalKek(bytes(32), "new")
    sealed = Keyring(old, 1).seal_secret("totp", "user-1", b"JBSWY3DPEHPK3PXP")
    rotating = Keyring(new, 2, previous={1: old})
    assert rotating.open_secret("totp", "user-1", sealed) == b"JBSWY3DPEHPK3PXP"
    for purpose, owner in (("totp", "user-2"), ("other", "user-1")):
        with pytest.raises(FieldIntegrityError):
            rotating.open_secret(purpose, owner, sealed)
    moved = rotating.rewrap_secret("totp", "user-1", sealed)
    assert key_version_of(moved) == 2
    assert Keyring(new, 2).open_secret("totp", "user-1", moved) == b"JBSWY3DPEHPK3PXP"
