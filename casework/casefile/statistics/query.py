"""The statistics door: tables for analysts (national) and coordinators (their region).

No case is read here: only de-identified statistical records, opened with the
statistics key, filtered, counted and protected (disclosure.py) before they leave.
Every view and export is recorded with the selection in the audit event's subject.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.guard import require
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, Actor, RequestContext, record
from casework.casefile.statistics.disclosure import KEY_SPACE, Perturbation
from casework.casefile.statistics.groups import Group, Groups
from casework.casefile.statistics.record import Stat
from casework.casefile.statistics.tables import Tables, tables_of
from casework.codes import CodeList, current_codes
from casework.crypto.aead import FieldIntegrityError
from casework.keys.statistics import current_statistics_key
from casework.models.organisation import Organisation
from casework.models.statistics import StatisticalRecord
from casework.settings import current_settings

SUBJECT_MAX = 64


@dataclass(frozen=True)
class Selection:
    """Which children the tables count: every filter is optional."""

    year: int | None = None
    country: str | None = None
    region: str | None = None
    age_band: str | None = None
    sex: str | None = None

    def matches(self, stat: Stat) -> bool:
        return (
            (self.year is None or stat.year == self.year)
            and (self.country is None or stat.country == self.country)
            and (self.region is None or stat.region == self.region)
            and (self.age_band is None or stat.age_band == self.age_band)
            and (self.sex is None or stat.sex == self.sex)
        )

    def matches_group(self, group: Group) -> bool:
        year, country, region, age_band, sex = group
        return (
            (self.year is None or year == self.year)
            and (self.country is None or country == self.country)
            and (self.region is None or region == self.region)
            and (self.age_band is None or age_band == self.age_band)
            and (self.sex is None or sex == self.sex)
        )

    def subject(self, k: int) -> str:
        """The selection as the audit event's subject (at most 64 characters)."""
        parts = [f"k={k}"]
        for name, value in (
            ("y", self.year),
            ("c", self.country),
            ("a", self.age_band),
            ("s", self.sex),
        ):
            if value is not None:
                parts.append(f"{name}={value}")
        text = "stats " + ";".join(parts)
        if self.region is not None:
            text += ";r=" + self.region
        return text[:SUBJECT_MAX]


@dataclass(frozen=True)
class Options:
    """What the filters offer."""

    years: tuple[int, ...]
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    region_fixed: str | None


@dataclass(frozen=True)
class StatisticsReadout:
    selection: Selection
    options: Options
    tables: Tables
    k: int
    generated_at: datetime


def _region_of(caller: Caller) -> str | None:
    """A caller who sees cases (a coordinator) sees their own region's statistics only."""
    if current_policy().allows(caller.role, Permission.CASE_OVERVIEW):
        return str(caller.user.organisation.region)
    if current_policy().allows(caller.role, Permission.CASE_READ):
        return str(caller.user.organisation.region)
    return None


def check(selection: Selection) -> None:
    """Refuse a filter no form offers (InvalidInput names the field)."""
    lists = current_codes().lists
    if selection.country is not None and not lists.has(CodeList.COUNTRY, selection.country):
        raise InvalidInput("country", _l("Choose a country from the list."))
    if selection.age_band is not None and not lists.has(CodeList.AGE_BAND, selection.age_band):
        raise InvalidInput("age_band", _l("Choose an age band from the list."))
    if selection.sex is not None and not lists.has(CodeList.SEX, selection.sex):
        raise InvalidInput("sex", _l("Choose a sex from the list."))
    if selection.year is not None and not 1900 <= selection.year <= 9999:
        raise InvalidInput("year", _l("Choose a year from the list."))


def load_records(session: Session) -> list[Stat]:
    """Every statistical record, opened; one that does not open is left out."""
    sealer = current_statistics_key()
    opener = sealer.opener()
    found: list[Stat] = []
    for row_id, sealed in session.execute(select(StatisticalRecord.id, StatisticalRecord.sealed)):
        try:
            found.append(Stat.loads(opener(row_id, sealed)))
        except (FieldIntegrityError, ValueError, TypeError):
            continue
    return found


YEARS_OFFERED = 10


def statistics_options(session: Session, caller: Caller) -> Options:
    """What the filters offer (nothing counted, so nothing recorded but a refusal)."""
    require(session, caller, Permission.STATS_READ)
    return _options(session, _region_of(caller))


GROUPS = "casework.statistics.groups"


def _groups() -> Groups:
    """This process's counts by group (made on first use)."""
    extensions = current_app.extensions
    with _MAKING:
        if GROUPS not in extensions:
            extensions[GROUPS] = Groups()
    groups: Groups = extensions[GROUPS]
    return groups


_MAKING = threading.Lock()


def warm_statistics(session: Session) -> None:
    """Count every statistical record in this process now, before the first statistics
    page asks (a served worker does it at start, in the background): that page then
    opens only records changed since. Nothing is shown, so nothing is recorded."""
    groups = _groups()
    with groups.lock:
        groups.warm(session, current_statistics_key())


def _options(session: Session, fixed: str | None) -> Options:
    this_year = clock.today().year
    span = tuple(range(this_year, this_year - YEARS_OFFERED, -1))
    regions = tuple(sorted(set(session.scalars(select(Organisation.region).distinct()))))
    countries = tuple(sorted(current_codes().rules.reflection_by_country))
    return Options(
        years=span,
        countries=countries,
        regions=(fixed,) if fixed is not None else regions,
        region_fixed=fixed,
    )


def _tables(
    session: Session, caller: Caller, selection: Selection, action: Action
) -> StatisticsReadout:
    require(session, caller, Permission.STATS_READ)
    fixed = _region_of(caller)
    if fixed is not None:
        selection = replace(selection, region=fixed)
    readout = _readout(session, selection, fixed)
    record(
        session, action, caller.actor, subject=selection.subject(readout.k), context=caller.context
    )
    session.commit()
    return readout


def _readout(session: Session, selection: Selection, fixed: str | None) -> StatisticsReadout:
    check(selection)
    k = current_settings().statistics_min_cell
    sealer = current_statistics_key()
    groups = _groups()
    with groups.lock:
        groups.refresh(session, sealer)
        chosen = groups.select(selection.matches_group)
    perturbation = Perturbation(secret=sealer.noise_key(), selection_key=chosen.key_sum % KEY_SPACE)
    readout = StatisticsReadout(
        selection=selection,
        options=_options(session, fixed),
        tables=tables_of(chosen, perturbation, k),
        k=k,
        generated_at=clock.utcnow(),
    )
    return readout


def statistics_page(session: Session, caller: Caller, selection: Selection) -> StatisticsReadout:
    """The tables for the statistics page; recorded as stats.read."""
    return _tables(session, caller, selection, Action.STATS_READ)


def export_statistics(session: Session, caller: Caller, selection: Selection) -> StatisticsReadout:
    """The same tables for an export (the view asks for a fresh sign-in); recorded as
    an export."""
    return _tables(session, caller, selection, Action.EXPORT)


def export_for_operator(
    session: Session, actor: Actor, context: RequestContext, selection: Selection
) -> StatisticsReadout:
    """`casework stats export`, for national reporting by someone with the server's
    keys in hand: the same protected tables, recorded as an export by `actor`."""
    readout = _readout(session, selection, None)
    record(session, Action.EXPORT, actor, subject=selection.subject(readout.k), context=context)
    session.commit()
    return readout
