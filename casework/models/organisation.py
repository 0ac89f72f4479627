from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casework.models.base import Base, UuidPrimaryKey


class OrganisationKind(StrEnum):
    POLICE = "police"
    PROSECUTION = "prosecution"
    SOCIAL_SERVICES = "social_services"
    NGO = "ngo"
    HEALTH = "health"
    COORDINATION = "coordination"
    OVERSIGHT = "oversight"
    OPERATIONS = "operations"


# Organisations that oversee or run Casework give no support: never a referral's receiver
# or a measure's provider.
NOT_SUPPORT = frozenset({OrganisationKind.OVERSIGHT, OrganisationKind.OPERATIONS})


class Organisation(UuidPrimaryKey, Base):
    """An agency: a police department, a municipality's social services, an NGO ..."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(100))
    # ISO 3166 code: its users' time zone and language until they choose their own.
    country: Mapped[str | None] = mapped_column(String(2))
