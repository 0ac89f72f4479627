"""Turning models into the door's plain views, one unreadable field at a time.

A field whose ciphertext fails its integrity check becomes UNREADABLE (the descriptor
has logged where, never what); the rest of the case still reads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from casework.access.policy import DEFAULT_MINIMAL_IDENTITY, AccessLevel
from casework.casefile.readouts import UNREADABLE, IdentityReadout, Unreadable
from casework.crypto.aead import FieldIntegrityError
from casework.models.case import Child


def readable(obj: Any, name: str) -> Any:
    """The attribute's plain value, or UNREADABLE when it does not decrypt."""
    try:
        return getattr(obj, name)
    except FieldIntegrityError:
        return UNREADABLE


def age_on(child: Child, day: date) -> int | Unreadable | None:
    try:
        return child.age_on(day)
    except FieldIntegrityError:
        return UNREADABLE


def identity_readout(
    child: Child,
    level: AccessLevel,
    day: date,
    minimal: frozenset[str] = DEFAULT_MINIMAL_IDENTITY,
) -> IdentityReadout:
    """The child's identity at `level`; below read, only the `minimal` fields the role's
    policy names (by default given name and age; an interpreter's: name and languages)."""
    given_name = readable(child, "given_name")
    if level < AccessLevel.READ:
        languages: tuple[str, ...] | Unreadable | None = None
        if "languages" in minimal:
            # None recorded is shown as such, not left out.
            found = readable(child, "languages")
            languages = found if isinstance(found, Unreadable) else tuple(found or ())
        return IdentityReadout(
            given_name=given_name,
            age=age_on(child, day) if "age" in minimal else None,
            shows_age="age" in minimal,
            minimal_languages=languages,
        )
    return IdentityReadout(
        given_name=given_name,
        age=age_on(child, day),
        family_name=readable(child, "family_name"),
        date_of_birth=readable(child, "date_of_birth"),
        sex=readable(child, "sex"),
        version=child.version,
    )
