"""What is known of a child when a case is opened for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NewDocument:
    """An identity document seen when the case is opened: its kind (a code of the
    `document_type` list), its number if known, and the issuing country (a code)."""

    kind: str
    number: str | None = None
    issuing_country: str | None = None


@dataclass(frozen=True)
class NewChild:
    given_name: str
    family_name: str
    date_of_birth: date | None
    sex: str
    documents: tuple[NewDocument, ...] = ()

    def document_numbers(self) -> tuple[str, ...]:
        return tuple(d.number for d in self.documents if d.number)
