"""SQLAlchemy 2 typed models, one module per aggregate."""

from casework.models.approval import (
    ApprovalKind,
    ApprovalState,
    PendingApproval,
    UserNotice,
)
from casework.models.audit import AuditCheckpoint, AuditEvent
from casework.models.base import Base
from casework.models.blind_index import BlindIndexEntry
from casework.models.breakglass import BreakGlassGrant, BreakGlassRefusal, BreakGlassVerdict
from casework.models.case import Case, CaseStatus, Child, Sex
from casework.models.credentials import Enrolment, LoginThrottle, RecoveryCode
from casework.models.duplicates import (
    CaseLink,
    CaseMerge,
    MergeAgreement,
    PossibleSameChild,
    SameChildState,
)
from casework.models.erasure import CaseErasure, ErasureReason
from casework.models.flag import CaseFlag
from casework.models.history import CaseHistoryEntry
from casework.models.identification import (
    IdentificationDecision,
    IdentificationEvent,
    InvestigationDetail,
)
from casework.models.identity import AgeAssessment, ChildAlias, Guardian, IdentityDocument
from casework.models.keys import IndexKey, KekVersion, KeyRotationRun, PreviousCaseKey
from casework.models.lifecycle import CaseStatusChange
from casework.models.migration import MigrationStatus, Placement
from casework.models.missing import MissingEpisode
from casework.models.nonpunishment import NonPunishment
from casework.models.notification import (
    EmailChoice,
    Notification,
    NotificationSetting,
    OutboxMessage,
)
from casework.models.organisation import Organisation, OrganisationKind
from casework.models.referral import Referral, ReferralState
from casework.models.reminder import ReminderMark
from casework.models.session import UserSession
from casework.models.statistics import StatisticalRecord, StatisticsKey
from casework.models.support import ChildViews, MeasureResponse, SupportMeasure
from casework.models.task import CaseTask, TaskState
from casework.models.team import TeamMembership, TeamRole
from casework.models.user import User

__all__ = [
    "AgeAssessment",
    "ApprovalKind",
    "ApprovalState",
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "BlindIndexEntry",
    "BreakGlassGrant",
    "BreakGlassRefusal",
    "BreakGlassVerdict",
    "Case",
    "CaseErasure",
    "CaseFlag",
    "CaseHistoryEntry",
    "CaseLink",
    "CaseMerge",
    "CaseStatus",
    "CaseStatusChange",
    "CaseTask",
    "Child",
    "ChildAlias",
    "ChildViews",
    "EmailChoice",
    "Enrolment",
    "ErasureReason",
    "Guardian",
    "IdentificationDecision",
    "IdentificationEvent",
    "IdentityDocument",
    "IndexKey",
    "InvestigationDetail",
    "KekVersion",
    "KeyRotationRun",
    "LoginThrottle",
    "MeasureResponse",
    "MergeAgreement",
    "MigrationStatus",
    "MissingEpisode",
    "NonPunishment",
    "Notification",
    "NotificationSetting",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "PendingApproval",
    "Placement",
    "PossibleSameChild",
    "PreviousCaseKey",
    "RecoveryCode",
    "Referral",
    "ReferralState",
    "ReminderMark",
    "SameChildState",
    "Sex",
    "StatisticalRecord",
    "StatisticsKey",
    "SupportMeasure",
    "TaskState",
    "TeamMembership",
    "TeamRole",
    "User",
    "UserNotice",
    "UserSession",
]
