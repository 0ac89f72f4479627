"""What the door hands out: plain, read-only values holding only readable field groups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Unreadable:
    """In place of a value that failed its integrity check: tampered with, moved from
    another row, or sealed by a destroyed key. Never shown as empty or as "not known"."""

    def __bool__(self) -> bool:
        return True  # a marker, not a missing value: `value or default` must keep it


UNREADABLE = Unreadable()


@dataclass(frozen=True)
class IdentityView:
    """The child's identity. Minimal access fills only given_name and age."""

    given_name: str | Unreadable
    age: int | Unreadable | None
    family_name: str | Unreadable | None = None
    date_of_birth: date | Unreadable | None = None
    sex: str | Unreadable | None = None


@dataclass(frozen=True)
class CaseView:
    id: uuid.UUID
    reference: str
    status: str
    created_at: datetime
    role_in_team: str
    field_groups: tuple[str, ...]
    identity: IdentityView | None
    erased: bool = False


@dataclass(frozen=True)
class CaseSummary:
    id: uuid.UUID
    reference: str
    status: str
    created_at: datetime
    role_in_team: str
