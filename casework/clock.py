"""The one clock: the current moment in UTC, and today's date where the users are.

Times are stored as naive UTC. Dates that people see and enter (a due date, a
membership's last day, "today" in a form's check) are dates in the configured time zone
(`TIME_ZONE`, default Europe/Helsinki), so a membership ending "today" ends at local
midnight, not at UTC's. Code that needs either calls `clock.utcnow()` or
`clock.today()` through the module, never a copy of them, so tests can move time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIME_ZONE = "Europe/Helsinki"


def utcnow() -> datetime:
    """Naive UTC, microsecond precision: the same value round-trips through every dialect."""
    return datetime.now(UTC).replace(tzinfo=None)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The configured time zone (the app's setting; the default outside an app)."""
    if has_app_context():
        settings = current_app.config.get("CASEWORK")
        if settings is not None:
            return zone(settings.time_zone)
    return zone(DEFAULT_TIME_ZONE)


def today() -> date:
    """Today's date in the configured time zone."""
    return datetime.now(local_zone()).date()


def local(moment: datetime) -> datetime:
    """A stored (naive UTC) moment in the configured time zone."""
    return moment.replace(tzinfo=UTC).astimezone(local_zone())
