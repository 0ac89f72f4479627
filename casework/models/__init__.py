"""SQLAlchemy 2 typed models, one module per aggregate."""

from casework.models.audit import AuditEvent
from casework.models.base import Base
from casework.models.blind_index import BlindIndexEntry
from casework.models.case import Case, CaseStatus, Child, Sex
from casework.models.erasure import CaseErasure, ErasureReason
from casework.models.keys import IndexKey, KekVersion, KeyRotationRun, PreviousCaseKey
from casework.models.organisation import Organisation, OrganisationKind
from casework.models.team import ActorType, TeamMembership, TeamRole
from casework.models.user import User

__all__ = [
    "ActorType",
    "AuditEvent",
    "Base",
    "BlindIndexEntry",
    "Case",
    "CaseErasure",
    "CaseStatus",
    "Child",
    "ErasureReason",
    "IndexKey",
    "KekVersion",
    "KeyRotationRun",
    "Organisation",
    "OrganisationKind",
    "PreviousCaseKey",
    "Sex",
    "TeamMembership",
    "TeamRole",
    "User",
]
