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
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casework.names import has_cyrillic, romanisations

INDEX_FORMAT = "v1"
MIN_TERM_LENGTH = 2
TOKEN_BYTES = 4
# What a field holds, so that a search knows which fields to look a query up in.
NAME = "name"
DATE = "date"
DOCUMENT = "document"

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


# Apostrophes inside a Cyrillic word are part of it (Мар'яна).
_APOSTROPHE_INSIDE = re.compile(
    "(?<=[\u0400-\u04ff])['\u2019\u02bc\u02b9`\u2018](?=[\u0400-\u04ff])"
)
# Cyrillic letters of document series, by ICAO 9303 (a passport's machine-readable zone).
_DOCUMENT_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "і": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def normalise(value: str) -> str:
    """NFKD, diacritics removed, case-folded, punctuation as spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = bare.casefold().translate(_TRANSLITERATE)
    spaced = "".join(c if c.isalnum() else " " for c in folded)
    return " ".join(spaced.split())


def name_words(value: str) -> list[frozenset[str]]:
    """Each word of a name with its other spellings: the word as typed (normalised) and,
    for a word in Cyrillic, its standard romanisations. Initials are left out."""
    words: list[frozenset[str]] = []
    for part in _parts(_APOSTROPHE_INSIDE.sub("", unicodedata.normalize("NFC", value))):
        if not has_cyrillic(part):
            words.extend(
                frozenset({w}) for w in normalise(part).split() if len(w) >= MIN_TERM_LENGTH
            )
            continue
        forms = set(normalise(part).split())
        forms.update(normalise(r) for r in romanisations(part))
        kept = frozenset(f for f in forms if len(f) >= MIN_TERM_LENGTH and " " not in f)
        if kept:
            words.append(kept)
    return words


def _parts(text: str) -> list[str]:
    """`text` split where normalise() would split it, but with letters kept composed
    (so that a Cyrillic Й is still Й when it is romanised)."""
    parts, current = [], []
    for c in text:
        if unicodedata.combining(c) or any(d.isalnum() for d in unicodedata.normalize("NFKD", c)):
            current.append(c)
        elif current:
            parts.append("".join(current))
            current = []
    if current:
        parts.append("".join(current))
    return parts


def name_terms(value: str) -> frozenset[str]:
    """Every term a name is indexed under: its words long enough to look up (initials
    are not), and the romanisations of its Cyrillic words."""
    return frozenset(term for forms in name_words(value) for term in forms)


def document_term(value: str) -> str:
    """A document number as people copy it: letters and digits only, case-folded,
    Cyrillic letters as the ICAO 9303 table writes them ("КВ 123-456" is "kv123456")."""
    text = normalise(value).replace(" ", "")
    if has_cyrillic(text):
        text = "".join(_DOCUMENT_LETTERS.get(c, c) for c in text)
    return text


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
        if self.kind == DOCUMENT:
            term = document_term(str(value))
            return frozenset({term}) if len(term) >= MIN_TERM_LENGTH else frozenset()
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


def document_index(bits: int = 12) -> BlindIndex:
    """Identity-document numbers: nearly every number is distinct, so 4,096 buckets keep
    several numbers behind each token (docs/encryption.md gives the figures)."""
    return BlindIndex(DOCUMENT, bits)


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
