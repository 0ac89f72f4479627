"""Today's date, in one place, so that tests (and browser tests) can move time.

Re-offers, reviews and team memberships are due "on a day"; code that needs today's
date for such a rule calls `clock.today()` through the module, never a copy of it.
"""

from __future__ import annotations

from datetime import date

from casework.models.base import utcnow


def today() -> date:
    return utcnow().date()
