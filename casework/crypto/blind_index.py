"""Blind indexes: searchable, truncated keyed hashes of normalised values.

A token is HMAC-SHA256 over a normalised term, under a key derived (HKDF-SHA256) from
the blind-index root key for one table and column, truncated to a few bits. The root
key is not any case's data key: it is one random key, stored wrapped by the KEK, so a
KEK rotation only rewraps it and an erased case's tokens are simply deleted.

Truncation is the point, not a shortcut: with 2**bits buckets and more distinct values
than buckets, every token is shared by several different values, so equal tokens in a
leaked database do not prove equal names. Search treats matches as candidates only;
the door decrypts them and checks again. See docs/encryption.md for the chosen bits.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INDEX_FORMAT = "v1"
MIN_TERM_LENGTH = 2
TOKEN_BYTES = 4
# What a field holds, so that a search knows which fields to look a query up in.
NAME = "name"
DATE = "date"

# Letters that NFKD leaves whole but that people type without the stroke or ligature:
# "lucja" must find "Łucja", "soren" must find "Søren".
_TRANSLITERATE = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


def normalise(value: str) -> str:
    """NFKD, diacritics removed, case-folded, punctuation as spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = bare.casefold().translate(_TRANSLITERATE)
    spaced = "".join(c if c.isalnum() else " " for c in folded)
    return " ".join(spaced.split())


def name_terms(value: str) -> frozenset[str]:
    """The words of a name that are long enough to look up (initials are not)."""
    return frozenset(w for w in normalise(value).split() if len(w) >= MIN_TERM_LENGTH)


@dataclass(frozen=True)
class BlindIndex:
    """How one encrypted field is indexed: what kind of value, how many token bits."""

    kind: str
    bits: int

    def __post_init__(self) -> None:
        if not 1 <= self.bits <= 8 * TOKEN_BYTES - 1:
            raise ValueError("a blind index keeps 1 to 31 bits")

    def terms(self, value: Any) -> frozenset[str]:
        if value is None:
            return frozenset()
        if self.kind == NAME:
            return name_terms(str(value))
        if isinstance(value, date):
            return frozenset({value.isoformat()})
        raise TypeError(f"no blind index terms for {type(value).__name__}")


def name_index(bits: int = 12) -> BlindIndex:
    """Names: 4,096 buckets, so at 100,000 cases a token is shared by ~24 rows and by
    several distinct names; a popular name shares its bucket with rarer ones."""
    return BlindIndex(NAME, bits)


def date_index(bits: int = 8) -> BlindIndex:
    """Dates of birth: only ~6,600 plausible values for children, so 256 buckets keep
    ~25 distinct dates behind every token. Used to narrow a name search, never alone."""
    return BlindIndex(DATE, bits)


class BlindIndexer:
    """Computes tokens. Holds the root key; derives and caches one key per field."""

    def __init__(self, root_key: bytes) -> None:
        self._root = root_key
        self._keys: dict[str, bytes] = {}

    def field_key(self, field: str) -> bytes:
        key = self._keys.get(field)
        if key is None:
            info = f"casework|blind-index|{INDEX_FORMAT}|{field}".encode()
            key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
                self._root
            )
            self._keys[field] = key
        return key

    def token(self, field: str, bits: int, term: str) -> int:
        digest = hmac.new(self.field_key(field), term.encode("utf-8"), hashlib.sha256).digest()
        return int.from_bytes(digest[:TOKEN_BYTES], "big") >> (8 * TOKEN_BYTES - bits)

    def tokens(self, field: str, index: BlindIndex, value: Any) -> set[int]:
        return {self.token(field, index.bits, term) for term in index.terms(value)}

    def __repr__(self) -> str:
        return "BlindIndexer(<root key hidden>)"
