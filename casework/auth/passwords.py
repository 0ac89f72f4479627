"""Password rules and hashing: argon2id, rehashed at sign-in when parameters change."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_USERNAME_IN_PASSWORD = 3

# argon2-cffi's defaults (RFC 9106 low-memory profile) exceed OWASP's minimum for argon2id.
_hasher = PasswordHasher()

# Verified against when the user name is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("casework-timing-equaliser")


def hash_password(password: str) -> str:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValueError(f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches. An unknown user, or an account with no usable password
    yet (not enrolled), costs one argon2 verification all the same: the time taken does
    not tell which accounts exist or are enrolled."""
    if len(password) > MAX_LENGTH:
        return False  # says nothing about the account, and costs no hashing
    usable = stored_hash is not None and stored_hash.startswith("$argon2")
    try:
        matches = _hasher.verify(stored_hash if stored_hash and usable else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and usable


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's list (from breached password sets)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str) -> str | None:
    """Why `password` may not be used by `username`, or None. Messages are untranslated
    keys the forms turn into sentences."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    folded = password.casefold()
    if folded in common_passwords() or folded.strip("0123456789!?.") in common_passwords():
        return "common"
    name = username.casefold()
    if len(name) >= MIN_USERNAME_IN_PASSWORD and name in folded:
        return "contains_username"
    return None
