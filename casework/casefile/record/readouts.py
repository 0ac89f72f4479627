"""Read-only values for the child's record, as the door hands them out. A field the
caller's level does not cover is None; `summary_only` marks headline facts without
free text."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class InvestigationReadout:
    version: int
    reference: str | None
    suspects: str | None
    evidence_notes: str | None


@dataclass(frozen=True)
class IdentificationReadout:
    id: uuid.UUID
    version: int
    identified_on: date
    jurisdiction: str
    actor_type: str
    context: str
    exploitation_types: tuple[str, ...]
    ict_facilitated: bool
    summary_only: bool
    recorded_by: str | None = None
    indicators: tuple[str, ...] | None = None
    recruitment_method: str | None = None
    narrative: str | None = None
    may_see_investigation: bool = False
    investigation: InvestigationReadout | None = None


@dataclass(frozen=True)
class DecisionReadout:
    id: uuid.UUID
    version: int
    stage: str
    decided_on: date
    outcome: str
    assistance_unconditional: bool
    decision_maker: str | None = None
    recorded_on: date | None = None
    # A correction is a new decision beside the one it corrects (never a change of it).
    corrects: uuid.UUID | None = None
    correction_reason: str | None = None


@dataclass(frozen=True)
class DocumentReadout:
    id: uuid.UUID
    version: int
    kind: str
    number: str | None
    issuing_country: str | None
    expires_on: date | None
    check: str


@dataclass(frozen=True)
class AgeReadout:
    version: int
    status: str
    method: str | None
    assessor: str | None
    assessed_on: date | None
    age_min: int | None
    age_max: int | None


@dataclass(frozen=True)
class GuardianReadout:
    id: uuid.UUID
    version: int
    kind: str
    name: str | None
    appointing_authority: str
    appointed_on: date
    reason: str
    ended_on: date | None
    active: bool


@dataclass(frozen=True)
class ChildRecordReadout:
    """The identity group beyond the names, for roles that read it in full."""

    aliases: tuple[str, ...]
    nationalities: tuple[str, ...]
    languages: tuple[str, ...]
    documents: tuple[DocumentReadout, ...]
    age: AgeReadout | None
    guardians: tuple[GuardianReadout, ...]


@dataclass(frozen=True)
class MigrationReadout:
    version: int
    care_situation: str
    residence_status: str
    reflection_start: date | None
    reflection_end: date | None
    days_left: int | None
    summary_only: bool
    reflection_country: str | None = None
    origin_countries: tuple[str, ...] | None = None
    transit_countries: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PlacementReadout:
    version: int
    kind: str
    since: date | None
    address: str | None = None


@dataclass(frozen=True)
class FlagReadout:
    id: uuid.UUID
    version: int
    kind: str
    text: str | None
    automatic: bool
    raised_at: datetime
    raised_by: str
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    # The reader's role may resolve flags of this kind (the policy's flag rules).
    may_resolve: bool = False

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class StatusChangeReadout:
    changed_at: datetime
    changed_by: str
    from_status: str
    to_status: str
    reason: str | None
    note: str | None


@dataclass(frozen=True)
class HistoryReadout:
    """One change: who, when, which group; the values before and after only if the
    viewer reads the group in full (None otherwise; empty when there were none)."""

    changed_at: datetime
    changed_by: str
    group: str
    change: str
    previous: tuple[tuple[str, Any], ...] | None
    current: tuple[tuple[str, Any], ...] | None = None
    # What kind of record changed ("support_measure", "referral" ...), when known.
    record: str | None = None


@dataclass(frozen=True)
class OpenItems:
    """What is still open on a case its lead may close; `missing` refuses the closing."""

    measures: int = 0
    reoffers: int = 0
    flags: int = 0
    reflection_period: bool = False
    missing: bool = False

    @property
    def any(self) -> bool:
        return bool(self.measures or self.reoffers or self.flags or self.reflection_period)


@dataclass(frozen=True)
class CaseDetails:
    """Everything of the child's record the caller's role may read. The case page shows a
    group only when its name is in CaseReadout.field_groups."""

    presumed_child: bool | None = None
    record: ChildRecordReadout | None = None
    identifications: tuple[IdentificationReadout, ...] = ()
    decisions: tuple[DecisionReadout, ...] = ()
    migration: MigrationReadout | None = None
    placement: PlacementReadout | None = None
    flags: tuple[FlagReadout, ...] = ()
    status_changes: tuple[StatusChangeReadout, ...] = ()
    history: tuple[HistoryReadout, ...] = ()
    steps: tuple[str, ...] = field(default=())
    may_flag: bool = False
    case_version: int = 0
    # False for a role that does not see the flags (an interpreter).
    flags_visible: bool = True
    # False for a role that does not see the history (an interpreter): the section is
    # left out rather than say that nothing has changed.
    history_visible: bool = True
    # For the lead who may close the case: what is still open.
    open_items: OpenItems | None = None

    @property
    def open_flags(self) -> tuple[FlagReadout, ...]:
        return tuple(f for f in self.flags if f.is_open)
