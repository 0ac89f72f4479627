"""What is known of a child when a case is opened for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NewChild:
    given_name: str
    family_name: str
    date_of_birth: date | None
    sex: str
