"""The child's migration status [migration]: care situation, residence status, countries
of origin and transit, and the recovery and reflection period."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.permissions import FieldGroup
from casework.casefile.casewide.flags import guardian_rule
from casework.casefile.saving import Save, save_record
from casework.codes import CodeList, current_codes, is_code
from casework.models.migration import MigrationStatus

COUNTRIES_MAX = 10


@dataclass(frozen=True)
class MigrationChange:
    care_situation: str
    residence_status: str
    origin_countries: tuple[str, ...]
    transit_countries: tuple[str, ...]
    reflection_country: str | None
    reflection_start: date | None
    reflection_end: date | None


def reflection_minimum(country: str | None) -> int:
    return current_codes().rules.reflection(country).minimum_days


def reflection_end(country: str | None, start: date, end: date | None) -> date:
    """The period's end: as given, or the country's default length from `start`."""
    if end is not None:
        return end
    return start + timedelta(days=current_codes().rules.reflection(country).default_days)


def reflection_too_short(country: str | None, start: date | None, end: date | None) -> bool:
    """True when a period with both dates is shorter than the country's minimum."""
    if start is None or end is None:
        return False
    return (end - start).days < reflection_minimum(country)


def _check(change: MigrationChange) -> MigrationChange:
    codes = [
        (CodeList.CARE_SITUATION, change.care_situation),
        (CodeList.RESIDENCE_STATUS, change.residence_status),
    ]
    codes += [(CodeList.COUNTRY, c) for c in change.origin_countries + change.transit_countries]
    if change.reflection_country is not None:
        codes.append((CodeList.COUNTRY, change.reflection_country))
    if not all(is_code(name, code) for name, code in codes):
        raise InvalidInput("", _l("Choose each value from its list."))
    if (
        len(change.origin_countries) > COUNTRIES_MAX
        or len(change.transit_countries) > COUNTRIES_MAX
    ):
        raise InvalidInput("", _l("Choose fewer countries."))
    if change.reflection_start is None:
        if change.reflection_end is not None:
            raise InvalidInput(
                "reflection_start", _l("Give the date the reflection period starts.")
            )
        return change
    end = reflection_end(change.reflection_country, change.reflection_start, change.reflection_end)
    if end < change.reflection_start or reflection_too_short(
        change.reflection_country, change.reflection_start, end
    ):
        raise InvalidInput(
            "reflection_end",
            _l("The reflection period is shorter than the law of this country allows."),
        )
    return replace(change, reflection_end=end)


def save_migration(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    change: MigrationChange,
    expected_version: int | None,
) -> uuid.UUID:
    """Record or correct the migration status (one per case)."""
    save = Save(
        group=FieldGroup.MIGRATION,
        model=MigrationStatus,
        values=asdict(_check(change)),
        expected_version=expected_version,
        find={},
    )
    return save_record(session, caller, case_id, save, guardian_rule)
