"""The de-identified statistical record of a case, refreshed by the unit of work.

Coded and coarsened values only: year and quarter of identification (never the day),
age band at identification (never a date of birth, never "turns 18 soon"), sex,
country and region, codes, and day counts between events. Sealed under the statistics
key, not the case's key (casework/keys/statistics.py), so it survives the case's
erasure; erasure cuts it loose from the case or deletes it (STATISTICS_ERASE_WITH_CASE).

`refresh(session, case_ids)` rebuilds the records of the cases a unit of work touched,
inside its transaction: a change rolled back leaves no statistical trace. Each source
(identification, team, measures, non-punishment, missing-child episodes) adds what it
knows in `build` and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from casework.codes import ONLINE_AS
from casework.crypto.aead import FieldIntegrityError
from casework.keys.statistics import StatisticsSealer, current_statistics_key
from casework.models.case import Case, CaseStatus, Child
from casework.models.identification import IdentificationEvent
from casework.models.identity import AgeAssessment, Guardian
from casework.models.migration import MigrationStatus
from casework.models.missing import MissingEpisode
from casework.models.nonpunishment import NonPunishment
from casework.models.organisation import Organisation
from casework.models.statistics import StatisticalRecord
from casework.models.support import ChildViews, MeasureResponse, SupportMeasure
from casework.models.team import TeamMembership, TeamRole

FORMAT = 1
OUTCOME_RANK = ("accepted_first", "accepted_after_reoffer", "declined", "undecided")


@dataclass
class Stat:
    """One case's statistical record (every field a code, a coarse number or empty)."""

    # The record key: keys the noise of every table the record is counted in. Derived
    # from the record's contents and its salt (`keyed`), so any change of what the
    # record says re-draws the noise of every selection holding it.
    key: int = 0
    salt: str = ""  # random, kept for the record's life: two children never share a key
    year: int | None = None
    quarter: int | None = None
    age_band: str | None = None
    sex: str | None = None
    country: str | None = None
    region: str | None = None
    actor: str | None = None
    context: str | None = None
    exploitation: list[str] = field(default_factory=list)
    ict: list[str] = field(default_factory=list)
    residence: str | None = None
    team: list[str] = field(default_factory=list)
    measures: dict[str, str] = field(default_factory=dict)
    days_to_lead: int | None = None
    days_to_guardian: int | None = None
    days_to_measure: int | None = None
    # (stage, outcome or None while undecided, assessed before the decision or None)
    non_punishment: list[tuple[str, str | None, bool | None]] = field(default_factory=list)
    # durations in days of missing episodes (None while ongoing)
    missing: list[int | None] = field(default_factory=list)

    def dumps(self) -> bytes:
        data = {k: v for k, v in asdict(self).items() if v not in (None, [], {})}
        data["v"] = FORMAT
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def loads(cls, raw: bytes) -> Stat:
        data: dict[str, Any] = json.loads(raw)
        if data.pop("v", None) != FORMAT:
            raise FieldIntegrityError("statistical record of an unknown format")
        data["non_punishment"] = [tuple(x) for x in data.get("non_punishment", [])]
        return cls(**data)


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    if age < 12:
        return "under_12"
    if age < 15:
        return "age_12_14"
    if age < 18:
        return "age_15_17"
    return "adult"


def _days(start: date | None, end: date | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, (end - start).days)


def _age_at(session: Session, case: Case, child: Child | None, day: date | None) -> str | None:
    if child is not None and child.date_of_birth is not None and day is not None:
        return age_band(child.age_on(day))
    assessment = session.scalar(select(AgeAssessment).where(AgeAssessment.case_id == case.id))
    if assessment is None:
        return None
    low, high = age_band(assessment.age_min), age_band(assessment.age_max)
    if low is not None and low == high:
        return low
    return "not_yet_known"


def _measure_outcome(answers: list[str]) -> str:
    if not answers:
        return "undecided"
    if answers[0] == "accepts":
        return "accepted_first"
    if "accepts" in answers and "declines" in answers[: answers.index("accepts")]:
        return "accepted_after_reoffer"
    if "declines" in answers:
        return "declined"
    return "undecided"


def keyed(stat: Stat, digest: Callable[[bytes], bytes]) -> Stat:
    """`stat` with its record key drawn from its salt and everything it says (through
    `digest`, an HMAC under a key derived from the statistics key).

    A record whose contents change gets a new key, so the selections holding it get a
    new selection key and new noise in every cell: two successive releases of a
    selection in which one child's record changed differ by noise everywhere, not by
    exactly that change. A record that comes back to what it said before gets its
    former key back, so flipping a value back and forth gives no fresh draws to
    average."""
    if not stat.salt:
        stat.salt = secrets.token_hex(16)
    stat.key = 0
    stat.key = int.from_bytes(digest(b"record-key|" + stat.dumps())[:4], "big")
    return stat


def build(session: Session, case: Case, salt: str = "") -> Stat:
    """The case's statistical record now (read with the case's key, inside the door),
    without its record key (`keyed` adds it)."""
    stat = Stat(salt=salt)
    events = sorted(
        session.scalars(select(IdentificationEvent).where(IdentificationEvent.case_id == case.id)),
        key=lambda e: (e.identified_on, e.recorded_at),
    )
    first = events[0] if events else None
    identified: date | None = first.identified_on if first else case.created_at.date()
    if identified is not None:
        stat.year, stat.quarter = identified.year, (identified.month - 1) // 3 + 1
    child = session.scalar(select(Child).where(Child.case_id == case.id))
    stat.sex = child.sex if child is not None else None
    stat.age_band = _age_at(session, case, child, identified)
    stat.region = session.scalar(
        select(Organisation.region).where(Organisation.id == case.lead_organisation_id)
    )
    if first is not None:
        stat.country, stat.actor, stat.context = first.jurisdiction, first.actor_type, first.context
    kinds: set[str] = set()
    online: set[str] = set()
    for found in events:
        for code in found.exploitation_types or ():
            kind = ONLINE_AS.get(code, code)
            kinds.add(kind)
            if found.ict_facilitated or code in ONLINE_AS:
                online.add(kind)
    stat.exploitation, stat.ict = sorted(kinds), sorted(online)
    migration = session.scalar(select(MigrationStatus).where(MigrationStatus.case_id == case.id))
    stat.residence = migration.residence_status if migration is not None else None
    members = list(session.scalars(select(TeamMembership).where(TeamMembership.case_id == case.id)))
    stat.team = sorted({m.actor_type for m in members})
    leads = [m.starts_on for m in members if m.role_in_team == TeamRole.LEAD]
    stat.days_to_lead = _days(identified, min(leads)) if leads else None
    guardians = [
        g.appointed_on for g in session.scalars(select(Guardian).where(Guardian.case_id == case.id))
    ]
    stat.days_to_guardian = _days(identified, min(guardians)) if guardians else None
    measures = list(
        session.scalars(select(SupportMeasure).where(SupportMeasure.case_id == case.id))
    )
    stat.days_to_measure = (
        _days(identified, min(m.starts_on for m in measures)) if measures else None
    )
    answers: dict[uuid.UUID, list[str]] = {}
    for response, _heard in session.execute(
        select(MeasureResponse, ChildViews.heard_on)
        .join(ChildViews, ChildViews.id == MeasureResponse.views_id)
        .where(MeasureResponse.case_id == case.id)
        .order_by(ChildViews.heard_on, ChildViews.created_at)
    ):
        answers.setdefault(response.measure_id, []).append(response.acceptance)
    for measure in measures:
        outcome = _measure_outcome(answers.get(measure.id, []))
        held = stat.measures.get(measure.measure_type)
        if held is None or OUTCOME_RANK.index(outcome) < OUTCOME_RANK.index(held):
            stat.measures[measure.measure_type] = outcome
    entries = list(session.scalars(select(NonPunishment).where(NonPunishment.case_id == case.id)))
    corrected = {np.corrects_id for np in entries if np.corrects_id is not None}
    for np in entries:
        if np.id in corrected:  # a correction counts in its place
            continue
        before: bool | None = None
        if np.decided_on is not None:
            before = (
                np.assessed_on is not None
                and np.assessed_on <= np.decided_on
                and not np.decided_without_assessment
            )
        stat.non_punishment.append((np.stage, np.outcome, before))
    stat.non_punishment.sort(key=lambda x: (x[0], x[1] or "", x[2] is True))
    stat.missing = _missing(session, case)
    return stat


def _missing(session: Session, case: Case) -> list[int | None]:
    """Each missing episode's length in whole days, from last seen to found (None while
    the child is still missing), in the order the episodes began."""
    episodes = sorted(
        session.scalars(select(MissingEpisode).where(MissingEpisode.case_id == case.id)),
        key=lambda e: (e.last_seen_at, e.recorded_at),
    )
    return [
        None if e.found_at is None else max(0, (e.found_at - e.last_seen_at).days) for e in episodes
    ]


def refresh(session: Session, case_ids: Iterable[uuid.UUID]) -> None:
    """Rebuild the statistical records of these cases in the current transaction."""
    sealer = current_statistics_key()
    for case_id in sorted(set(case_ids)):
        case = session.get(Case, case_id)
        # An erased case's record is cut loose or gone; a merged case's child is counted
        # in the survivor's record.
        if case is None or case.status in (CaseStatus.ERASED, CaseStatus.MERGED):
            continue
        _refresh_one(session, sealer, case)


def _refresh_one(session: Session, sealer: StatisticsSealer, case: Case) -> None:
    row = session.scalar(select(StatisticalRecord).where(StatisticalRecord.case_id == case.id))
    salt = ""
    held: bytes | None = None
    if row is not None:
        # A record that no longer opens is rebuilt with a new salt.
        with contextlib.suppress(FieldIntegrityError, ValueError, TypeError):
            held = sealer.open(row.id, row.sealed)
            salt = Stat.loads(held).salt
    payload = keyed(build(session, case, salt), sealer.digest).dumps()
    if row is not None and payload == held and row.key_version == sealer.version:
        return  # nothing statistics count has changed: nothing is written
    if row is None:
        row = StatisticalRecord(case_id=case.id, sealed=b"", key_version=sealer.version, version=0)
        session.add(row)
    row.version += 1
    row.key_version = sealer.version
    row.sealed = sealer.seal(row.id, payload)


_TOUCHED = "casework.statistics.touched"


def touched_cases(session: Session) -> set[uuid.UUID]:
    """Cases with rows added, changed or removed in this transaction: those pending now
    and those flushed before (collected at each flush, forgotten at commit or rollback)."""
    found: set[uuid.UUID] = set(session.info.get(_TOUCHED, ()))
    found.update(_pending(session))
    return found


def _pending(session: Session) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    dirty = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in (*session.new, *dirty, *session.deleted):
        if isinstance(obj, StatisticalRecord):
            continue
        if isinstance(obj, Case):
            found.add(obj.id)
            continue
        case_id = getattr(obj, "case_id", None)
        if isinstance(case_id, uuid.UUID):
            found.add(case_id)
    return found


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    session.info.setdefault(_TOUCHED, set()).update(_pending(session))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _clear(session: Session, *_args: Any) -> None:
    session.info.pop(_TOUCHED, None)


def forget(session: Session, case_id: uuid.UUID, *, delete_record: bool) -> None:
    """At erasure: delete the case's statistical record, or cut it loose from the case.
    At a merge: delete the merged case's (the survivor's record counts the child)."""
    row = session.scalar(select(StatisticalRecord).where(StatisticalRecord.case_id == case_id))
    if row is None:
        return
    if delete_record:
        session.execute(delete(StatisticalRecord).where(StatisticalRecord.id == row.id))
    else:
        row.case_id = None
