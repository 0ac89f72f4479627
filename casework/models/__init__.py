"""SQLAlchemy 2 typed models, one module per aggregate."""

from casework.models.audit import AuditEvent
from casework.models.base import Base
from casework.models.breakglass import BreakGlassGrant
from casework.models.case import Case, CaseStatus, Child, Sex
from casework.models.credentials import Enrolment, LoginThrottle, RecoveryCode
from casework.models.history import CaseHistoryEntry
from casework.models.nonpunishment import NonPunishment
from casework.models.organisation import Organisation, OrganisationKind
from casework.models.referral import Referral, ReferralState
from casework.models.session import UserSession
from casework.models.support import ChildViews, MeasureResponse, SupportMeasure
from casework.models.team import ActorType, TeamMembership, TeamRole
from casework.models.user import User

__all__ = [
    "ActorType",
    "AuditEvent",
    "Base",
    "BreakGlassGrant",
    "Case",
    "CaseHistoryEntry",
    "CaseStatus",
    "Child",
    "ChildViews",
    "Enrolment",
    "LoginThrottle",
    "MeasureResponse",
    "NonPunishment",
    "Organisation",
    "OrganisationKind",
    "RecoveryCode",
    "Referral",
    "ReferralState",
    "Sex",
    "SupportMeasure",
    "TeamMembership",
    "TeamRole",
    "User",
    "UserSession",
]
