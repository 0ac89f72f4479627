"""What the door hands out: plain, read-only values holding only readable field groups."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casework.casefile.support.readouts import SupportReadout

from casework.casefile.record.readouts import CaseDetails


@dataclass(frozen=True)
class Unreadable:
    """In place of a value that failed its integrity check: tampered with, moved from
    another row, or sealed by a destroyed key. Never shown as empty or as "not known"."""

    def __bool__(self) -> bool:
        return True  # a marker, not a missing value: `value or default` must keep it


UNREADABLE = Unreadable()


@dataclass(frozen=True)
class IdentityReadout:
    """The child's identity. Minimal access fills only given_name and age."""

    given_name: str | Unreadable
    age: int | Unreadable | None
    family_name: str | Unreadable | None = None
    date_of_birth: date | Unreadable | None = None
    sex: str | Unreadable | None = None
    version: int | None = None
    # Minimal access may leave out the age and add the languages (see the policy).
    shows_age: bool = True
    minimal_languages: tuple[str, ...] | Unreadable | None = None

    @property
    def is_minimal(self) -> bool:
        return self.family_name is None


@dataclass(frozen=True)
class EmergencyAccess:
    """A break-glass access, as the case lead and auditors see it."""

    username: str
    display_name: str
    opened_at: datetime
    expires_at: datetime
    reason: str


@dataclass(frozen=True)
class TaskReadout:
    id: uuid.UUID
    case_id: uuid.UUID
    title: str | Unreadable
    notes: str | Unreadable | None
    assignee_id: uuid.UUID
    assignee_name: str
    due_on: date
    state: str
    rule: str | None
    version: int
    overdue: bool
    mine: bool
    cancel_reason: str | Unreadable | None = None


@dataclass(frozen=True)
class EpisodeReadout:
    """A missing-child episode. Every team member sees when the child was last seen and
    found, for how long, and whether police were informed; where, the circumstances,
    the police reference and who found the child only roles that read the location."""

    id: uuid.UUID
    version: int
    is_open: bool
    last_seen_at: datetime
    found_at: datetime | None
    duration: timedelta
    police_informed_at: datetime | None
    last_seen_where: str | None = None
    circumstances: str | None = None
    police_reference: str | None = None
    found_where: str | None = None
    found_by: str | None = None


@dataclass(frozen=True)
class MissingSummary:
    episodes: tuple[EpisodeReadout, ...] = ()
    total: timedelta = timedelta()

    @property
    def current(self) -> EpisodeReadout | None:
        return next((e for e in self.episodes if e.is_open), None)


@dataclass(frozen=True)
class CaseReadout:
    id: uuid.UUID
    reference: str
    status: str
    created_at: datetime
    role_in_team: str
    field_groups: tuple[str, ...]
    identity: IdentityReadout | None
    writable_groups: tuple[str, ...] = ()
    emergency_until: datetime | None = None
    emergency_accesses: tuple[EmergencyAccess, ...] = field(default=())
    details: CaseDetails = field(default_factory=CaseDetails)
    # Team, referrals, plan, child's views, non-punishment (see casefile/meeting.py).
    support: SupportReadout | None = None
    erased: bool = False
    # Missing-child episodes (every team member) and tasks (the team, not break-glass).
    # None for a role that sees no flags (missing episodes are what the flags say).
    missing: MissingSummary | None = field(default_factory=MissingSummary)
    tasks: tuple[TaskReadout, ...] | None = None
    # For a merged stub, the case it went into.
    merged_into: LinkedCase | None = None
    # Some section failed its integrity check and is left out (logged, never shown empty).
    damaged: bool = False

    @property
    def read_only(self) -> bool:
        return self.emergency_until is not None

    def may_write(self, group: str) -> bool:
        return not self.read_only and group in self.writable_groups


@dataclass(frozen=True)
class LinkedCase:
    """Another case about the same child: its reference, and whether the reader is on
    its team (only then can the reader open it). For the lead, how far a merge is."""

    id: uuid.UUID
    reference: str
    status: str
    on_its_team: bool = False
    we_agreed_survivor: str | None = None  # this case's lead agreed: which case goes on
    they_agreed_survivor: str | None = None  # the other case's lead agreed


@dataclass(frozen=True)
class CaseLinks:
    """A case and the cases linked to it as being about the same child."""

    id: uuid.UUID
    reference: str
    status: str
    role_in_team: str
    links: tuple[LinkedCase, ...]


@dataclass(frozen=True)
class CaseSummary:
    id: uuid.UUID
    reference: str
    status: str
    created_at: datetime
    role_in_team: str


@dataclass(frozen=True)
class OverviewRow:
    """A case as a coordinator's region overview shows it: nothing of the child."""

    reference: str
    status: str
    created_at: datetime
    team: tuple[tuple[str, int], ...]
    has_lead: bool
    needs: tuple[str, ...]
    case_id: uuid.UUID | None = None
