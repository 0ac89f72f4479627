"""Codecs for encrypted fields beyond text and dates: lists of codes, yes/no, numbers."""

from __future__ import annotations

import json
from datetime import datetime


class JsonListCodec:
    """A list of strings (codes, names), stored as compact JSON."""

    def encode(self, value: list[str]) -> bytes:
        return json.dumps(list(value), ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, raw: bytes) -> list[str]:
        decoded = json.loads(raw)
        if not isinstance(decoded, list):
            raise ValueError("not a list")
        return [str(item) for item in decoded]


class BoolCodec:
    def encode(self, value: bool) -> bytes:
        return b"1" if value else b"0"

    def decode(self, raw: bytes) -> bool:
        return raw == b"1"


class IntCodec:
    def encode(self, value: int) -> bytes:
        return str(int(value)).encode("ascii")

    def decode(self, raw: bytes) -> int:
        return int(raw.decode("ascii"))


class DateTimeCodec:
    """A moment to the minute, as ISO 8601 text (naive: the configured time zone's wall
    clock, as the person entered it)."""

    def encode(self, value: datetime) -> bytes:
        return value.isoformat(timespec="minutes").encode("ascii")

    def decode(self, raw: bytes) -> datetime:
        return datetime.fromisoformat(raw.decode("ascii"))
