"""What the door hands out for teams, referrals, the support plan, the child's views and
non-punishment: plain, read-only values, filled only from groups the caller may read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class MemberReadout:
    id: uuid.UUID
    display_name: str
    username: str
    organisation: str
    actor_type: str
    role_in_team: str
    starts_on: date
    ends_on: date | None
    active: bool
    # Who added the member, and whether as a coordinator (shown to the lead).
    added_by: str = ""
    by_coordinator: bool = False


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class TeamPage:
    case_id: uuid.UUID
    reference: str
    members: tuple[MemberReadout, ...]
    candidates: tuple[Choice, ...]
    # A closed (or erased) case takes no new members until reopened.
    open_for_change: bool = True
    # Memberships of a closed case can still end (access is taken away); an erased case has none.
    ends_allowed: bool = True


@dataclass(frozen=True)
class ReferralLine:
    """A referral as the case's team and the receiving coordinator see it."""

    id: uuid.UUID
    reference: str
    from_organisation: str
    to_organisation: str
    state: str
    consent: str
    created_at: datetime
    decided_at: datetime | None
    # Filled only for readers of the support plan (the team) and the receiver.
    reason: str | None = None
    decision_reason: str | None = None


@dataclass(frozen=True)
class ReferralPage:
    referral: ReferralLine
    candidates: tuple[Choice, ...]


@dataclass(frozen=True)
class MeasureReadout:
    id: uuid.UUID
    measure_type: str
    provider: str
    provider_id: uuid.UUID
    status: str
    starts_on: date
    ends_on: date | None
    review_on: date | None
    version: int
    review_overdue: bool
    details: str | None = None
    # None: not shown to this caller. has_clinical_notes is for "summary" readers.
    clinical_notes: str | None = None
    has_clinical_notes: bool = False


@dataclass(frozen=True)
class ResponseReadout:
    measure_type: str
    acceptance: str
    reasons: str | None
    reoffer_on: date | None


@dataclass(frozen=True)
class ChildViewsReadout:
    heard_on: date
    language: str
    informed_format: str
    views: str
    perceives_benefit: str
    engagement: str | None
    trusted_adult: str | None
    responses: tuple[ResponseReadout, ...]


@dataclass(frozen=True)
class ReofferReadout:
    measure_type: str
    due_on: date
    due: bool


@dataclass(frozen=True)
class ConsiderationReadout:
    """A non-punishment consideration. Summary readers get outcome only; minimal readers
    get nothing but the existence of the row (the flag)."""

    id: uuid.UUID
    full: bool
    may_change: bool
    outcome: str | None = None
    decided_on: date | None = None
    decided_without_assessment: bool = False
    offence: str | None = None
    stage: str | None = None
    link: str | None = None
    rationale: str | None = None
    assessed_on: date | None = None
    assessor: str | None = None
    decision_maker: str | None = None
    departure_reasons: str | None = None
    override_reason: str | None = None
    clear_record: str | None = None
    version: int = 0
    recorded_on: date | None = None
    # A correction is a new entry beside the one it corrects (decided entries never change).
    corrects: uuid.UUID | None = None
    correction_reason: str | None = None
    # The assessment changes only by the organisation that recorded the entry: others
    # (the prosecutor) are not offered a form they cannot save.
    may_change_assessment: bool = False

    @property
    def decided(self) -> bool:
        return self.decided_on is not None


@dataclass(frozen=True)
class SupportReadout:
    """The team-meeting overview of a case; None for a group the caller may not read."""

    team: tuple[MemberReadout, ...]
    # None for a role without the support plan group, which holds the referrals.
    referrals: tuple[ReferralLine, ...] | None
    measures: tuple[MeasureReadout, ...] | None
    latest_views: ChildViewsReadout | None
    reoffers: tuple[ReofferReadout, ...] | None
    considerations: tuple[ConsiderationReadout, ...] | None
    may_manage_team: bool = False
    # For the lead: members a coordinator added, so that no addition goes unnoticed.
    coordinator_additions: tuple[MemberReadout, ...] = ()
    # False for a role that does not see who is on the team (an interpreter).
    team_visible: bool = True
    may_refer: bool = False
    may_decide_nonpunishment: bool = False
    is_health_member: bool = False
