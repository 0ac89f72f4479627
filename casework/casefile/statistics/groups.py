"""Counts of statistical records by group, kept per process and brought up to date
from the database on each request, so that a page over 100,000 records opens only
the records changed since the last page.

A group is one combination of the filters (year, country, region, age band, sex); a
selection sums the groups it matches. What is kept in memory is what the statistical
records hold (codes and counts) and the raw records of this process's groups, never
anything of a case; it is rebuilt from the database after a restart.

The first refresh of a process (after a restart, or a new statistics key) reads every
record in one pass over the table, rows as the driver gives them, and counts each once;
later refreshes list ids and versions and fetch only what changed.
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
from casework.casefile.statistics.tables import Pairs, Partial, Values, contribution
from casework.crypto.aead import FieldIntegrityError
from casework.keys.statistics import StatisticsSealer
from casework.models.statistics import StatisticalRecord

Group = tuple[int | None, str | None, str | None, str | None, str | None]
BATCH = 1000
_LISTING = "SELECT CAST(id AS TEXT), version FROM statistical_record"
_EVERYTHING = "SELECT CAST(id AS TEXT), version, sealed FROM statistical_record"
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

    def _same_key(self, sealer: StatisticsSealer) -> None:
        if sealer.version != self.key_version:
            self.seen.clear()
            self.groups.clear()
            self.key_version = sealer.version
            self.state = ()

    def refresh(self, session: Session, sealer: StatisticsSealer) -> None:
        """Take in what changed in the database since the last refresh."""
        self._same_key(sealer)
        # Nothing changed: the same number of records, the same sum of versions (each
        # rewrite raises one) and no newer write. Counted by the database, in one row.
        state = tuple(session.connection().exec_driver_sql(_STATE).one())
        if state == self.state:
            return
        if not self.seen:
            self._count_everything(self._read_everything(session), sealer)
            self.state = state
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

    def warm(self, session: Session, sealer: StatisticsSealer) -> None:
        """Count every record before anyone asks (a server's worker, at start). The
        records are read in one query and the transaction ended before they are counted,
        so that on SQLite writers wait only for the reading."""
        self._same_key(sealer)
        if self.seen:
            self.refresh(session, sealer)
            return
        state = tuple(session.connection().exec_driver_sql(_STATE).one())
        rows = self._read_everything(session)
        session.rollback()
        self._count_everything(rows, sealer)
        self.state = state

    @staticmethod
    def _read_everything(session: Session) -> list[Any]:
        """Every record's id (as the listing gives it), version and sealed content."""
        return list(session.connection().exec_driver_sql(_EVERYTHING).fetchall())

    def _count_everything(self, rows: list[Any], sealer: StatisticsSealer) -> None:
        """Count every record (nothing counted yet), each group's records together."""
        opener = sealer.opener()
        found: dict[Group, list[tuple[int, Pairs, Values]]] = {}
        for row_id, version, sealed in rows:
            raw: bytes | None
            try:
                raw = opener(_dashed(row_id), sealed)
                stat = Stat.loads(raw)
                counted = (stat.key, *contribution(stat))
            except (FieldIntegrityError, ValueError, TypeError):
                raw = None  # a record that does not open is not counted
            else:
                found.setdefault(group_of(stat), []).append(counted)
            self.seen[row_id] = (version, raw)
        for group, records in found.items():
            self.groups.setdefault(group, Partial()).add_all(records)

    def select(self, matches: Callable[[Group], bool]) -> Partial:
        total = Partial()
        for group, partial in self.groups.items():
            if partial.count > 0 and matches(group):
                total.merge(partial)
        return total


def _uuid(raw: str) -> uuid.UUID:
    return uuid.UUID(raw)


def _dashed(row_id: str) -> str:
    """The id as the record's associated data names it (SQLite's text is 32 hex digits)."""
    if len(row_id) == 32:
        return f"{row_id[:8]}-{row_id[8:12]}-{row_id[12:16]}-{row_id[16:20]}-{row_id[20:]}"
    return row_id


def _raw(row_id: uuid.UUID, sample: str) -> str:
    """The id as the listing returns it: its text (32 hex digits on SQLite)."""
    return row_id.hex if len(sample) == 32 else str(row_id)
