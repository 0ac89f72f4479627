"""SQLAlchemy 2 typed models, one module per aggregate."""

from casework.models.audit import AuditCheckpoint, AuditEvent
from casework.models.base import Base
from casework.models.case import Case, CaseStatus, Child, Sex
from casework.models.organisation import Organisation, OrganisationKind
from casework.models.team import ActorType, TeamMembership, TeamRole
from casework.models.user import User

__all__ = [
    "ActorType",
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "Case",
    "CaseStatus",
    "Child",
    "Organisation",
    "OrganisationKind",
    "Sex",
    "TeamMembership",
    "TeamRole",
    "User",
]
