"""Counts of statistical records by group, kept per process and brought up to date
from the database on each request, so that a page over 100,000 records opens only
the records changed since the last page.

A group is one combination of the filters (year, country, region, age band, sex); a
selection sums the groups it matches. What is kept in memory is what the statistical
records hold (codes and counts) and the raw records of this process's groups, never
anything of a case; it is rebuilt from the database after a restart.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.casefile.statistics.record import Stat
from casework.casefile.statistics.tables import Partial, contribution
from casework.crypto.aead import FieldIntegrityError
from casework.keys.statistics import StatisticsSealer
from casework.models.statistics import StatisticalRecord

Group = tuple[int | None, str | None, str | None, str | None, str | None]
BATCH = 1000
_LISTING = "SELECT CAST(id AS TEXT), version FROM statistical_record"
_STATE = "SELECT COUNT(*), SUM(version), MAX(updated_at) FROM statistical_record"


def group_of(stat: Stat) -> Group:
    return (stat.year, stat.country, stat.region, stat.age_band, stat.sex)


@dataclass
class Groups:
    """The counts by group, and each record's version and raw content (to take it out
    again when it changes)."""

    key_version: int = 0
    state: tuple[Any, ...] = ()
    seen: dict[str, tuple[int, bytes | None]] = field(default_factory=dict)
    groups: dict[Group, Partial] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _apply(self, raw: bytes | None, sign: int, stat: Stat | None = None) -> None:
        if raw is None:
            return
        stat = stat or Stat.loads(raw)
        group = self.groups.setdefault(group_of(stat), Partial())
        group.add(stat.key, *contribution(stat), sign=sign)

    def refresh(self, session: Session, sealer: StatisticsSealer) -> None:
        """Take in what changed in the database since the last refresh."""
        if sealer.version != self.key_version:
            self.seen.clear()
            self.groups.clear()
            self.key_version = sealer.version
            self.state = ()
        # Nothing changed: the same number of records, the same sum of versions (each
        # rewrite raises one) and no newer write. Counted by the database, in one row.
        state = tuple(session.connection().exec_driver_sql(_STATE).one())
        if state == self.state:
            return
        # Plain SQL, plain driver values: the listing of every record must stay cheap.
        listing = session.connection().exec_driver_sql(_LISTING)
        current: dict[str, int] = dict(listing.fetchall())
        for gone in [row for row in self.seen if row not in current]:
            self._apply(self.seen.pop(gone)[1], -1)
        changed = [
            row for row, version in current.items() if self.seen.get(row, (None,))[0] != version
        ]
        opener = sealer.opener()
        for start in range(0, len(changed), BATCH):
            ids = [_uuid(row) for row in changed[start : start + BATCH]]
            rows = session.connection().execute(
                select(
                    StatisticalRecord.id, StatisticalRecord.version, StatisticalRecord.sealed
                ).where(StatisticalRecord.id.in_(ids))
            )
            for row_id, version, sealed in rows:
                key = _raw(row_id, changed[start])
                raw: bytes | None
                stat: Stat | None = None
                try:
                    raw = opener(row_id, sealed)
                    stat = Stat.loads(raw)
                except (FieldIntegrityError, ValueError, TypeError):
                    raw = None  # a record that does not open is not counted
                old = self.seen.get(key)
                if old is not None:
                    self._apply(old[1], -1)
                self._apply(raw, +1, stat)
                self.seen[key] = (version, raw)
        self.state = state

    def select(self, matches: Callable[[Group], bool]) -> Partial:
        total = Partial()
        for group, partial in self.groups.items():
            if partial.count > 0 and matches(group):
                total.merge(partial)
        return total


def _uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


def _raw(row_id: uuid.UUID, sample: str) -> str:
    """The id as the listing returns it: its text (32 hex digits on SQLite)."""
    return row_id.hex if len(sample) == 32 else str(row_id)
