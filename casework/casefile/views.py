"""What the door hands out: plain, read-only values holding only readable field groups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class IdentityView:
    """The child's identity. Minimal access fills only given_name and age."""

    given_name: str
    age: int | None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None


@dataclass(frozen=True)
class CaseView:
    id: uuid.UUID
    reference: str
    status: str
    created_at: datetime
    role_in_team: str
    field_groups: tuple[str, ...]
    identity: IdentityView | None


@dataclass(frozen=True)
class CaseSummary:
    id: uuid.UUID
    reference: str
    status: str
    created_at: datetime
    role_in_team: str
