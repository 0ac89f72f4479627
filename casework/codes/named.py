"""Codes that the program itself names.

The lists are config/codes.toml's: forms offer what it holds, the door accepts what it
offers, pages show its labels and statistics count its categories. A few codes carry a
rule of their own (the lead's actor type, the clinical actor types, the actor type a
measure calls for, a decline that schedules a re-offer, a prosecution that departs
from the assessment); they are named here, once, and the start-up check refuses a
codes.toml without any of them (`REQUIRED_CODES` in casework/codes/lists.py reads them
from these classes).

Plain classes of string constants, not enumerations: they name some codes of a list,
never all of them, so nothing here may be used to check or offer an answer.
"""

from __future__ import annotations

from typing import Final


class ActorType:
    """Actor types on a support team ([lists.actor_type])."""

    SOCIAL_SERVICES: Final = "social_services"
    POLICE: Final = "police"
    PROSECUTOR: Final = "prosecutor"
    HEALTH: Final = "health"
    CHILD_PSYCHIATRY: Final = "child_psychiatry"
    EDUCATION: Final = "education"
    NGO: Final = "ngo"
    INTERPRETER: Final = "interpreter"
    LEGAL_COUNSEL: Final = "legal_counsel"


class MeasureType:
    """Support measures of the plan ([lists.measure_type]) that call for an actor type."""

    ACCOMMODATION: Final = "accommodation"
    HEALTH: Final = "health"
    PSYCHOLOGICAL: Final = "psychological"
    EDUCATION: Final = "education"
    LEGAL: Final = "legal"
    INTERPRETATION: Final = "interpretation"


class Acceptance:
    """The child's answer to a measure offered ([lists.acceptance])."""

    ACCEPTS: Final = "accepts"
    DECLINES: Final = "declines"


class NonPunishmentOutcome:
    """Prosecution outcomes ([lists.non_punishment_outcome])."""

    PROSECUTED: Final = "prosecuted"


def named_codes(names: type) -> frozenset[str]:
    """The codes a class above names."""
    return frozenset(
        value for key, value in vars(names).items() if key.isupper() and isinstance(value, str)
    )
