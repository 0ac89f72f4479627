from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from casework.auth.passwords import MAX_LENGTH, hash_password, needs_rehash, verify_password


def test_hash_is_argon2id_and_verifies() -> None:
    stored = hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "a long enough passphrasE")


def test_unknown_user_never_verifies() -> None:
    assert not verify_password(None, "casework-timing-equaliser")


@pytest.mark.parametrize("password", ["short", "x" * (MAX_LENGTH + 1)])
def test_length_limits(password: str) -> None:
    with pytest.raises(ValueError, match="12 to 128"):
        hash_password(password)


def test_overlong_password_is_refused_without_hashing() -> None:
    stored = hash_password("a long enough passphrase")
    assert not verify_password(stored, "a" * 10_000)


def test_weaker_parameters_need_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("whatever12345")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("whatever12345"))


@pytest.mark.parametrize("stored", [None, "!unusable", "", "not-a-hash"])
def test_an_account_without_a_usable_password_costs_one_argon2_verification(
    monkeypatch: pytest.MonkeyPatch, stored: str | None
) -> None:
    """Unknown and not-yet-enrolled accounts take as long to refuse as enrolled ones."""
    from casework.auth import passwords

    calls: list[str] = []
    real = passwords._hasher

    class Counting:
        def verify(self, hash_: str, password: str) -> bool:
            calls.append(hash_)
            return real.verify(hash_, password)

        def hash(self, password: str) -> str:
            return real.hash(password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    assert not verify_password(stored, "casework-timing-equaliser")
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")
    enrolled = hash_password("a long enough passphrase")
    calls.clear()
    assert not verify_password(enrolled, "a wrong passphrase")
    assert len(calls) == 1
